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
