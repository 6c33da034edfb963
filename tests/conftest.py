"""Test setup: one database per run (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
schema built once, every table emptied after each test.

Under pytest-xdist (``-n``) every worker has its own database: its own SQLite
file, or ``<TEST_DATABASE_URL>_gw0``, ``_gw1`` … created on the same server.
"""
import os
import tempfile

import pytest
from sqlalchemy import create_engine, text

from backend import create_app
from backend.config import TestConfig
from backend.credit.catalogue import forget_cached_catalogue
from backend.credit.policy import forget_cached_policies
from backend.extensions import db, limiter

pytest_plugins = ["tests.fixtures"]

_TMP = tempfile.mkdtemp(prefix="chengxin-test-")
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"
IS_POSTGRES = DATABASE_URL.startswith("postgresql")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database(url, worker):
    """``url`` with the worker's own database, created when missing."""
    server, name = url.rsplit("/", 1)
    name = f"{name}_{worker}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


if IS_POSTGRES and _WORKER:
    DATABASE_URL = _worker_database(DATABASE_URL, _WORKER)


def make_app(**overrides):
    settings = dict(
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        PASSWORD_HASH_CHEAP=True,
        UPLOAD_FOLDER=os.path.join(_TMP, "uploads"),
        PUBLIC_BASE_URL="https://credit.example.cn",
    )
    settings.update(overrides)
    return create_app(TestConfig, **settings)


@pytest.fixture(scope="session")
def _schema():
    app = make_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if IS_POSTGRES:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first() else None


@pytest.fixture(scope="session")
def _shared_app(_schema):
    # building the app (routes, OpenAPI) takes about a second: build it once per run
    return make_app()


@pytest.fixture
def app(_shared_app):
    app = _shared_app
    saved = dict(app.config)
    limiter.reset()
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    _empty_tables()
    forget_cached_policies()  # the next test's district 1 is another district
    forget_cached_catalogue()
    ctx.pop()
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def client(app):
    """Reads errors in English (most tests assert English texts); ``zh_client`` gets the default, zh-CN."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def zh_client(app):
    """Sends no Accept-Language: errors answer in zh-CN, the default."""
    return app.test_client()


def pytest_report_header(config):
    return f"database: {'postgresql' if IS_POSTGRES else 'sqlite'} ({DATABASE_URL.split('@')[-1]})"


postgres_only = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (row locks across connections)")
