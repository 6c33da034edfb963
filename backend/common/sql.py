"""Small SQL helpers the hot paths share (SQLAlchemy Core, for SQLite and PostgreSQL alike)."""
from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db


def insert_or_nothing(model):
    """``INSERT … ON CONFLICT DO NOTHING`` for ``model``'s table, in the session's dialect.

    One statement where a savepoint, an insert and a release were three: a row
    that already exists (or that a concurrent transaction has just inserted:
    PostgreSQL waits for it) is simply not inserted, and ``RETURNING`` then
    answers no row.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def keep(obj):
    """Hold ``obj`` for the rest of the session (the request) and return it.

    The session's identity map holds objects weakly: an object a request looks
    up twice (the kiosk device checked by the decorator and again by the
    service, a shop and then its receipt) would be read from the database again
    once the first caller dropped it. Kept, the second look-up by primary key is
    answered from memory (a commit still expires it, as every object).
    """
    if obj is not None:
        db.session.info.setdefault("kept", []).append(obj)
    return obj


def attach_inserted(obj):
    """Make ``obj`` (a new model instance holding every column of a row this transaction has just inserted
    with SQLAlchemy Core, its primary key included) the session's object for that row, and return it.

    No read back and no unit of work: the row's values are the ones just written. A stale object of the
    same identity (a row rolled back earlier in this session, whose id SQLite gives out again) is dropped.
    """
    make_transient_to_detached(obj)
    stale = db.session.identity_map.get(inspect(obj).key)
    if stale is not None:
        db.session.expunge(stale)
    db.session.add(obj)
    return obj
