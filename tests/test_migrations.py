"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""
import os
import tempfile
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from backend.extensions import db
from tests.conftest import DATABASE_URL, IS_POSTGRES, make_app


@pytest.fixture
def empty_database_url():
    if not IS_POSTGRES:
        yield f"sqlite:///{tempfile.mkdtemp()}/migrations.db"
        return
    name = f"chengxin_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _ignorable(diff):
    # SQLite cannot tell server defaults apart reliably; nothing else is ignored
    return diff[0] == "modify_default"


def test_upgrade_from_empty_matches_models_and_downgrades_cleanly(empty_database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(context, db.metadata) if not _ignorable(d)]
        assert diffs == [], f"models and migrations differ: {diffs}"
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"), revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_partial_indexes_keep_their_predicates(empty_database_url):
    # compare_metadata does not compare an index's WHERE; a full index here would hold every resident record
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        sql = ("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'credit_records'" if IS_POSTGRES else
               "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'credit_records'")
        with db.engine.connect() as conn:
            definitions = dict(conn.execute(text(sql)).all())
        def predicate(name):
            return definitions[name].partition(" WHERE ")[2].strip("() ")

        assert predicate("ix_credit_records_merchant_id") == "merchant_id IS NOT NULL"
        assert "status" in predicate("ix_credit_records_in_notice_ends")
        assert "'in_notice'" in predicate("ix_credit_records_in_notice_ends")
        assert "ix_credit_records_status_notice_ends" not in definitions
        db.engine.dispose()
