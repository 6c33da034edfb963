"""Pooled connections are pinged only after sitting idle (no round trip per request); a request whose
connection died meanwhile (a database restart) runs again on a fresh one instead of failing."""
import pytest
from sqlalchemy import create_engine, event, text

from backend.extensions import db
from tests.conftest import IS_POSTGRES, make_app
from tests.perf.test_statement_budgets import resident_headers

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs a database server whose connections can be lost")


def _terminate_pooled_connections(engine):
    """What a restart does to the pool: every connection of this database but the killer's is closed."""
    killer = create_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=None)
    with killer.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    killer.dispose()
    return killed


@pytest.mark.parametrize("path", ["/api/v1/me/home", "/api/v1/me/standing"])  # read-only view, ordinary view
def test_request_on_a_connection_that_died_runs_again_on_a_fresh_one(app, client, community, make_resident, path):
    headers = resident_headers(make_resident(community))
    assert client.get(path, headers=headers).status_code == 200
    db.session.remove()  # every connection back in the pool, as between two requests
    assert _terminate_pooled_connections(db.engine) >= 1
    try:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.get_json()
    finally:
        db.session.remove()
        db.engine.dispose()


def test_idle_connection_is_pinged_and_replaced_before_use(app, community, make_resident):
    headers = resident_headers(make_resident(community))
    db.session.commit()
    db.session.remove()
    idle_app = make_app(DB_PING_IDLE_SECONDS=0)  # every connection counts as idle
    retries = []
    try:
        client = idle_app.test_client()
        assert client.get("/api/v1/me/standing", headers=headers).status_code == 200
        with idle_app.app_context():
            engine = db.engine
        assert _terminate_pooled_connections(engine) >= 1
        def on_error(context):
            retries.append(context.original_exception)

        event.listen(engine, "handle_error", on_error)
        answer = client.get("/api/v1/me/standing", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        assert retries == []  # the ping found the dead connection: no statement of the request failed
    finally:
        with idle_app.app_context():
            db.engine.dispose()
        db.engine.dispose()  # the shared app's pool lost its connections too
