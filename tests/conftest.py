"""Test setup: one database per run (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
schema built once, every table emptied after each test."""
import os
import tempfile

import pytest
from sqlalchemy import text

from backend import create_app
from backend.config import TestConfig
from backend.extensions import db, limiter

pytest_plugins = ["tests.fixtures"]

_TMP = tempfile.mkdtemp(prefix="chengxin-test-")
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


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
    ctx.pop()
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_report_header(config):
    return f"database: {'postgresql' if IS_POSTGRES else 'sqlite'} ({DATABASE_URL.split('@')[-1]})"


postgres_only = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (row locks across connections)")
