"""Policy versions are kept per process for a few seconds; a version saved elsewhere arrives after that."""
from datetime import timedelta

from sqlalchemy import insert

from backend.common.time import utcnow
from backend.credit import policy
from backend.credit.models import CreditPolicy
from backend.extensions import db


def test_a_version_saved_by_another_process_arrives_when_the_cache_runs_out(app, district, monkeypatch):
    district_id = district.id
    assert policy.district_policy(district_id).version == 0  # the built-in defaults, now kept
    db.session.commit()  # this request ends; the session holds no transaction (SQLite's write lock)
    # another process saves version 1 (its own connection and transaction, no ORM events here)
    with db.engine.begin() as conn:
        conn.execute(insert(CreditPolicy).values(
            district_id=district_id, version=1, effective_from=utcnow() - timedelta(days=1),
            **{**policy.DEFAULTS, "base_score": 80}))
    assert policy.district_policy(district_id).version == 0
    monkeypatch.setattr(policy, "CACHE_SECONDS", 0)
    fresh = policy.district_policy(district_id)
    assert (fresh.version, fresh.base_score) == (1, 80)


def test_the_session_that_saves_a_version_reads_it_at_once(app, district):
    assert policy.district_policy(district.id).version == 0
    row = CreditPolicy(district_id=district.id, version=1, effective_from=utcnow() - timedelta(days=1),
                       created_by="test")
    for name, value in {**policy.DEFAULTS, "base_score": 70}.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
    assert policy.district_policy(district.id).base_score == 70
