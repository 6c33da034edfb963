"""One commit per request (Indico's rule): services flush, this wrapper commits.

Every view is wrapped once in ``create_app``; an exception anywhere rolls
the whole request back, so nothing is ever half-written.
"""
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..errors import DomainError
from ..extensions import db


def commit_on_success(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
            db.session.commit()
            return response
        except DomainError as error:
            # a refusal that must leave a trace (a wrong PIN counts toward lockout)
            db.session.commit() if error.commit else db.session.rollback()
            raise
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


def wrap_views(app):
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static":
            continue
        app.view_functions[endpoint] = commit_on_success(view)


READ_METHODS = ("GET", "HEAD", "OPTIONS")


def configure_sqlite(engine):
    """WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writes.

    pysqlite's own transaction handling is switched off so that a write
    request takes SQLite's write lock when it starts instead of failing with
    "database is locked" when a read transaction tries to upgrade.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        read_only = has_request_context() and request.method in READ_METHODS
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_sqlite(engine=None):
    return (engine or db.engine).dialect.name == "sqlite"


__all__ = ["commit_on_success", "wrap_views", "configure_sqlite", "is_sqlite", "Engine"]
