"""Bad input gets a clear problem+json error with a stable code and changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.common.time import utcnow
from backend.credit.models import CreditEntry, CreditRecord, Objection, RepairRequest
from backend.extensions import db
from backend.ledger.models import Account, Transfer
from backend.ledger.service import check_balances
from tests.credit.conftest import iso
from tests.fixtures import assert_problem


def snapshot():
    """Everything a bad request could have touched."""
    db.session.expire_all()
    counts = {model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
              for model in (CreditRecord, CreditEntry, Objection, RepairRequest, Transfer, AuditLog)}
    counts["statuses"] = sorted(db.session.execute(select(CreditRecord.id, CreditRecord.status)).all())
    counts["balances"] = sorted(db.session.execute(select(Account.id, Account.balance)).all())
    return counts


@pytest.fixture
def world(client, auth, village, make_item, log_record):
    """One item, one final record of alice (10 points), one record in notice and one decided objection."""
    client.put("/api/v1/policy", json={"notice_days": 7}, headers=auth(village.admin))
    item = make_item("neighbour_help", 10)
    final = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{final['id']}/approve", json={}, headers=auth(village.reviewer2))
    objection = client.post("/api/v1/objections", json={"record_id": final["id"], "reason": "不属实"},
                            headers=auth(village.carol)).get_json()
    client.post(f"/api/v1/objections/{objection['id']}/dismiss", json={"reason": "属实"},
                headers=auth(village.reviewer2))
    notice = log_record(village.worker, village.bob, item).get_json()
    client.post(f"/api/v1/records/{notice['id']}/approve", json={}, headers=auth(village.reviewer2))
    return {"item": item, "final": final["id"], "notice": notice["id"], "objection": objection["id"]}


def _unchanged(before):
    assert snapshot() == before
    assert check_balances() == []


def test_unknown_item(village, world, log_record):
    before = snapshot()
    response = log_record(village.worker, village.alice, type("Item", (), {"id": 99999})())
    body = assert_problem(response, 422, "unknown_item")
    assert body["errors"]["item_id"]
    _unchanged(before)


def test_item_of_another_community(village, world, make_item, log_record):
    theirs = make_item("orchard_watch", 2, scope="community", community=village.other)
    before = snapshot()
    assert_problem(log_record(village.worker, village.alice, theirs), 422, "item_not_available")
    _unchanged(before)


def test_resident_of_another_community(village, world, log_record):
    before = snapshot()
    assert_problem(log_record(village.worker, village.stranger, world["item"]), 404, "resident_not_found")
    _unchanged(before)


def test_approving_twice(client, auth, village, world):
    before = snapshot()
    response = client.post(f"/api/v1/records/{world['notice']}/approve", json={}, headers=auth(village.reviewer2))
    assert_problem(response, 409, "invalid_status")
    _unchanged(before)


def test_rejecting_an_approved_record(client, auth, village, world):
    before = snapshot()
    response = client.post(f"/api/v1/records/{world['final']}/reject", json={"reason": "改主意了"},
                           headers=auth(village.reviewer2))
    assert_problem(response, 409, "invalid_status")
    _unchanged(before)


def test_objecting_after_a_decision(client, auth, village, world):
    before = snapshot()
    response = client.post("/api/v1/objections", json={"record_id": world["final"], "reason": "我还是不同意"},
                           headers=auth(village.carol))
    assert_problem(response, 409, "objection_already_decided")
    _unchanged(before)


def test_deciding_an_objection_twice(client, auth, village, world):
    before = snapshot()
    response = client.post(f"/api/v1/objections/{world['objection']}/uphold", json={"reason": "再议"},
                           headers=auth(village.reviewer2))
    assert_problem(response, 409, "objection_decided")
    _unchanged(before)


def test_neighbour_cannot_object_to_a_final_record(client, auth, village, world, make_resident):
    dora = make_resident(village.community, name="孙凤兰")
    before = snapshot()
    response = client.post("/api/v1/objections", json={"record_id": world["final"], "reason": "不属实"},
                           headers=auth(dora))
    assert_problem(response, 404, "record_not_found")
    _unchanged(before)


@pytest.mark.parametrize("amount", [0, -5, 2.5, "5", True])
def test_negative_zero_or_non_integer_amounts(client, auth, village, world, amount):
    before = snapshot()
    response = client.post("/api/v1/ledger/adjustments", json={"resident_id": village.alice.id, "direction": "grant",
                                                               "amount": amount, "reason": "测试"},
                           headers=auth(village.admin))
    body = assert_problem(response, 422, "validation_failed")
    assert "amount" in body["errors"]
    _unchanged(before)


@pytest.mark.parametrize("points", [0, -3, 10001])
def test_zero_or_wrong_sign_points_on_a_variable_item(village, world, make_item, log_record, points):
    volunteering = make_item("volunteer_service", 2, variable=True)
    before = snapshot()
    assert_problem(log_record(village.worker, village.alice, volunteering, points=points), 422, "invalid_points")
    _unchanged(before)


def test_points_on_a_fixed_item(village, world, log_record):
    before = snapshot()
    assert_problem(log_record(village.worker, village.alice, world["item"], points=50), 422, "points_not_variable")
    _unchanged(before)


def test_zero_points_in_a_catalogue_item(client, auth, village, world):
    before = snapshot()
    response = client.post("/api/v1/catalogue/items", json={
        "code": "nothing", "scope": "district", "title_zh": "无", "title_en": "Nothing", "category": "civility",
        "points": 0}, headers=auth(village.admin))
    assert_problem(response, 422, "invalid_item")
    _unchanged(before)


def test_overspending_is_a_409_and_moves_nothing(client, auth, village, world):
    before = snapshot()
    response = client.post("/api/v1/ledger/adjustments", json={"resident_id": village.alice.id, "direction": "deduct",
                                                               "amount": 11, "reason": "兑换"},
                           headers=auth(village.admin))
    assert_problem(response, 409, "insufficient_points")
    _unchanged(before)


def test_retried_request_with_same_key_and_different_body_is_409(client, auth, village, world):
    headers = {**auth(village.admin), "Idempotency-Key": "adjust-1"}
    body = {"resident_id": village.alice.id, "direction": "deduct", "amount": 4, "reason": "兑换毛巾"}
    first = client.post("/api/v1/ledger/adjustments", json=body, headers=headers)
    assert first.status_code == 201
    before = snapshot()
    replay = client.post("/api/v1/ledger/adjustments", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json() == first.get_json()
    changed = client.post("/api/v1/ledger/adjustments", json={**body, "amount": 5}, headers=headers)
    assert_problem(changed, 409, "idempotency_key_reused")
    _unchanged(before)


def test_retried_approval_with_same_key_replays(client, auth, village, world, log_record):
    record = log_record(village.worker, village.carol, world["item"]).get_json()
    headers = {**auth(village.reviewer2), "Idempotency-Key": "approve-1"}
    first = client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=headers)
    before = snapshot()
    again = client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    other_body = client.post(f"/api/v1/records/{record['id']}/approve", json={"note": "x"}, headers=headers)
    assert_problem(other_body, 409, "idempotency_key_reused")
    _unchanged(before)


def test_future_and_ancient_deeds(village, world, log_record):
    before = snapshot()
    assert_problem(log_record(village.worker, village.alice, world["item"],
                              occurred_at=utcnow() + timedelta(days=1)), 422, "occurred_in_future")
    assert_problem(log_record(village.worker, village.alice, world["item"],
                              occurred_at=utcnow() - timedelta(days=400)), 422, "occurred_too_long_ago")
    _unchanged(before)


def test_missing_evidence_and_someone_elses_evidence(client, auth, village, world, make_item, log_record):
    needs_proof = make_item("brave_deed", 30, evidence=True)
    upload = client.post("/api/v1/evidence", data={"file": (__import__("io").BytesIO(b"%PDF-1.4 test"), "a.pdf")},
                         headers=auth(village.reviewer), content_type="multipart/form-data")
    assert upload.status_code == 201
    before = snapshot()
    assert_problem(log_record(village.worker, village.alice, needs_proof), 422, "evidence_required")
    assert_problem(log_record(village.worker, village.alice, needs_proof, evidence_ids=[upload.get_json()["id"]]),
                   422, "unknown_evidence")
    _unchanged(before)


def test_malformed_bodies(client, auth, village, world):
    before = snapshot()
    headers = auth(village.worker)
    assert_problem(client.post("/api/v1/records", json={"resident_id": "x"}, headers=headers), 422,
                   "validation_failed")
    malformed = client.post("/api/v1/records", data="{nope", headers={**headers, "Content-Type": "application/json"})
    assert_problem(malformed, 400)
    assert_problem(client.post("/api/v1/records", json={"resident_id": village.alice.id, "item_id": world["item"].id,
                                                        "occurred_at": "yesterday"}, headers=headers), 422)
    _unchanged(before)


def test_wrong_kind_of_caller(client, auth, village, world):
    before = snapshot()
    assert_problem(client.post(f"/api/v1/records/{world['notice']}/approve", json={}, headers=auth(village.alice)),
                   403, "wrong_principal_kind")
    assert_problem(client.post(f"/api/v1/records/{world['notice']}/approve", json={}, headers=auth(village.worker)),
                   403, "role_required")
    assert_problem(client.put("/api/v1/policy", json={"notice_days": 1}, headers=auth(village.reviewer)), 403,
                   "role_required")
    _unchanged(before)


def test_policy_that_contradicts_itself(client, auth, village, world):
    before = snapshot()
    admin = auth(village.admin)
    assert_problem(client.put("/api/v1/policy", json={"star_thresholds": [60, 50, 110, 130, 160]}, headers=admin),
                   422, "invalid_policy")
    assert_problem(client.put("/api/v1/policy", json={"discount_bounds": {"3": {"min_percent": 10,
                                                                              "max_percent": 5}}}, headers=admin), 422)
    assert_problem(client.put("/api/v1/policy", json={"effective_from": iso(utcnow() - timedelta(days=2))},
                              headers=admin), 422, "effective_in_past")
    _unchanged(before)
