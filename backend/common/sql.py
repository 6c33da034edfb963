"""Small SQL helpers the hot paths share (SQLAlchemy Core, for SQLite and PostgreSQL alike)."""
from sqlalchemy.dialects import postgresql, sqlite

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
