"""One commit per request (Indico's rule): services flush, this wrapper commits.

Every view is wrapped once in ``create_app``; an exception anywhere rolls
the whole request back, so nothing is ever half-written.
"""
import time
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, OperationalError
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
        try:
            return view(*args, **kwargs)
        except OperationalError as error:
            if not getattr(error, "connection_invalidated", False):
                raise
            db.session.rollback()  # the pooled connection had died: once more on a fresh one, as below
            if not is_sqlite():
                db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
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
            stage = "view"
            try:
                response = view(*args, **kwargs)
                stage = "commit"
                db.session.commit()
            except OperationalError as error:
                if stage == "view" and getattr(error, "connection_invalidated", False):
                    # the pooled connection had died (a database restart) before the view could commit: the
                    # server dropped its transaction with it, so the view runs again on a fresh connection
                    # (connections are pinged only after sitting idle: ``ping_idle_connections``)
                    db.session.rollback()
                    response = view(*args, **kwargs)
                    db.session.commit()
                    return response
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


def ping_idle_connections(engine, idle_seconds):
    """Check a pooled connection with a ping before use only when it has sat idle ``idle_seconds``.

    ``pool_pre_ping`` pings on every checkout: one round trip per request, as costly as a statement of
    the request itself (the resident's home: one in four). A connection in steady use needs none; one
    idle for a while may have been closed by a restart or a firewall, and is pinged (and replaced if it
    is dead). One that dies between two requests of a busy worker is caught by ``commit_on_success``,
    which runs the view again on a fresh connection.
    """
    dbapi_error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except dbapi_error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("the idle connection was closed") from error  # the pool reconnects
            raise


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


__all__ = ["commit_on_success", "ping_idle_connections", "read_only", "ReadOnlyRequestWrote", "wrap_views", "configure_sqlite", "is_sqlite", "Engine"]
