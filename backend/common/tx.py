"""One commit per request (Indico's rule): services flush, this wrapper commits.

Every view is wrapped once in ``create_app``; an exception anywhere rolls
the whole request back, so nothing is ever half-written.
"""
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..errors import DomainError
from ..extensions import db


def read_only(view):
    """Mark a view that never writes (innermost decorator): its reads run without a transaction.

    Such a request sends no ``BEGIN`` and no ``COMMIT``: two round trips of a hot read (the resident's
    home, a card page), whose few statements need no common snapshot. Anything that tries to write in
    it fails loudly (``ReadOnlyRequestWrote``), so a later change cannot write half a request unnoticed.
    """
    view._read_only = True
    return view


class ReadOnlyRequestWrote(RuntimeError):
    pass


def _run_read_only(view, args, kwargs):
    g.read_only_request = True
    if not is_sqlite():
        # PostgreSQL: psycopg opens a transaction before the first statement unless the connection is in
        # autocommit (SQLite's reads skip the BEGIN in ``configure_sqlite``'s listener)
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        return view(*args, **kwargs)
    finally:
        # no transaction is open on the server: this sends nothing, and ends the session's bookkeeping
        db.session.rollback()
        g.read_only_request = False


def _refuse_write(session, *_args):
    if has_request_context() and g.get("read_only_request"):
        raise ReadOnlyRequestWrote("a view marked read_only tried to write")


@event.listens_for(Session, "do_orm_execute")
def _refuse_dml(state):
    if (state.is_insert or state.is_update or state.is_delete) and has_request_context() \
            and g.get("read_only_request"):
        raise ReadOnlyRequestWrote("a view marked read_only tried to write")


event.listen(Session, "before_flush", _refuse_write)


def commit_on_success(view):
    if getattr(view, "_read_only", False):
        @wraps(view)
        def read(*args, **kwargs):
            if db.session().in_transaction():  # something before the view read already: an ordinary request
                return _ordinary(*args, **kwargs)
            return _run_read_only(view, args, kwargs)

        _ordinary = _commit_on_success(view)
        return read
    return _commit_on_success(view)


def _commit_on_success(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            try:
                response = view(*args, **kwargs)
                db.session.commit()
            except OperationalError as error:
                if not _read_must_write(error):
                    raise
                # a read that writes (a logged look-up) lost SQLite's lock race: run it again holding
                # the write lock from its first statement, where the busy timeout applies
                db.session.rollback()
                g.sqlite_write_lock = True
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


def _read_must_write(error):
    """A GET on SQLite was refused its upgrade from a read to a write transaction."""
    return (has_request_context() and request.method in READ_METHODS and not g.get("sqlite_write_lock")
            and is_sqlite() and ("locked" in str(error.orig) or "busy" in str(error.orig)))


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
    "database is locked" when a read transaction tries to upgrade (SQLite
    refuses that upgrade at once once another process has written: the busy
    timeout never applies). Reads begin deferred so they run side by side;
    the few that write (logged look-ups) are re-run by ``commit_on_success``
    with the write lock when SQLite refuses their upgrade.
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
        if has_request_context() and g.get("read_only_request"):
            return  # a read-only view: each statement on its own, nothing to commit (``read_only``)
        read_only = has_request_context() and request.method in READ_METHODS and not g.get("sqlite_write_lock")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_sqlite(engine=None):
    return (engine or db.engine).dialect.name == "sqlite"


__all__ = ["commit_on_success", "read_only", "ReadOnlyRequestWrote", "wrap_views", "configure_sqlite", "is_sqlite", "Engine"]
