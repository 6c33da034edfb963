"""A view marked ``read_only`` runs its reads without a transaction (no BEGIN, no COMMIT round trip) and
cannot write: a write fails loudly before anything reaches the database."""
import pytest
from sqlalchemy import func, select

from backend.common.tx import ReadOnlyRequestWrote, commit_on_success, is_sqlite, read_only
from backend.extensions import db
from backend.org.models import District
from tests.conftest import make_app


def _in_transaction():
    raw = db.session.connection().connection.dbapi_connection
    if is_sqlite():
        return raw.in_transaction
    from psycopg.pq import TransactionStatus
    return raw.info.transaction_status != TransactionStatus.IDLE


@pytest.fixture
def ro_app(app):  # the shared app's fixture empties the tables afterwards
    other = make_app()

    def reads():
        count = db.session.execute(select(func.count()).select_from(District)).scalar_one()
        return {"districts": count, "in_transaction": _in_transaction()}

    def writes():
        db.session.add(District(code="RO", name_zh="只读区", name_en="Read only"))
        db.session.flush()
        return {}

    def ordinary():
        db.session.execute(select(func.count()).select_from(District)).scalar_one()
        return {"in_transaction": _in_transaction()}

    other.add_url_rule("/ro/read", "ro_read", commit_on_success(read_only(reads)))
    other.add_url_rule("/ro/write", "ro_write", commit_on_success(read_only(writes)))
    other.add_url_rule("/ro/ordinary", "ro_ordinary", commit_on_success(ordinary))
    yield other
    with other.app_context():
        db.engine.dispose()


def test_read_only_view_reads_outside_a_transaction(ro_app):
    answer = ro_app.test_client().get("/ro/read")
    assert answer.status_code == 200
    assert answer.get_json()["in_transaction"] is False


def test_ordinary_view_still_reads_inside_its_transaction(ro_app):
    answer = ro_app.test_client().get("/ro/ordinary")
    assert answer.status_code == 200
    assert answer.get_json()["in_transaction"] is True


def test_read_only_view_that_writes_is_refused_and_writes_nothing(ro_app):
    seen = []
    ro_app.register_error_handler(ReadOnlyRequestWrote, lambda error: (seen.append(error), ("refused", 500))[1])
    assert ro_app.test_client().get("/ro/write").status_code == 500
    assert len(seen) == 1
    with ro_app.app_context():
        assert db.session.execute(select(District).where(District.code == "RO")).first() is None
