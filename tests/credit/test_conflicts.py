"""Nobody logs, approves or rules for themselves or their own household."""
from backend.auth.models import User
from backend.credit.models import CreditRecord, Objection
from backend.extensions import db
from tests.fixtures import assert_problem


def _link(user, resident):
    db.session.get(User, user.id).resident_id = resident.id
    db.session.commit()


def test_worker_cannot_log_for_themselves_or_their_household(village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    _link(village.worker, village.alice)
    assert_problem(log_record(village.worker, village.alice, item), 403, "conflict_of_interest")
    assert_problem(log_record(village.worker, village.bob, item), 403, "conflict_of_interest")  # same household
    assert log_record(village.worker, village.carol, item).status_code == 201
    assert db.session.query(CreditRecord).count() == 1


def test_reviewer_cannot_approve_or_reject_for_their_household(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.bob, item).get_json()
    _link(village.reviewer2, village.alice)
    headers = auth(village.reviewer2)
    assert_problem(client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=headers), 403,
                   "conflict_of_interest")
    assert_problem(client.post(f"/api/v1/records/{record['id']}/reject", json={"reason": "x"}, headers=headers), 403,
                   "conflict_of_interest")
    assert db.session.get(CreditRecord, record["id"]).status == "pending"


def test_reviewer_cannot_rule_on_an_objection_by_or_about_their_household(client, auth, village, make_item,
                                                                        log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.carol, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    objection = client.post("/api/v1/objections", json={"record_id": record["id"], "reason": "不属实"},
                            headers=auth(village.bob)).get_json()
    _link(village.reviewer2, village.alice)  # alice shares a household with bob, the objector
    refused = client.post(f"/api/v1/objections/{objection['id']}/uphold", json={"reason": "属实"},
                          headers=auth(village.reviewer2))
    assert_problem(refused, 403, "conflict_of_interest")
    assert db.session.get(Objection, objection["id"]).status == "open"
    upheld = client.post(f"/api/v1/objections/{objection['id']}/uphold", json={"reason": "确无此事"},
                         headers=auth(village.reviewer))
    assert upheld.status_code == 200 and upheld.get_json()["record"]["status"] == "voided"


def test_reviewer_cannot_approve_a_record_about_themselves_and_others_still_can(client, auth, village, make_item,
                                                                                log_record):
    item = make_item("neighbour_help", 10)
    about_carol = log_record(village.worker, village.carol, item).get_json()
    about_alice = log_record(village.worker, village.alice, item).get_json()
    _link(village.reviewer2, village.carol)  # carol has no household: only the record about her is refused
    headers = auth(village.reviewer2)
    assert_problem(client.post(f"/api/v1/records/{about_carol['id']}/approve", json={}, headers=headers), 403,
                   "conflict_of_interest")
    approved = client.post(f"/api/v1/records/{about_alice['id']}/approve", json={}, headers=headers)
    assert approved.status_code == 200 and approved.get_json()["status"] == "in_notice"
    assert approved.get_json()["resident_name"] == village.alice.name
    assert db.session.get(CreditRecord, about_carol["id"]).status == "pending"
