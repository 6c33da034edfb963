"""Bulk review: several pending records approved or rejected in one request, each by the rules of one."""
import itertools
import threading

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.ledger.service import balance_of, check_balances
from tests.conftest import make_app, postgres_only
from tests.fixtures import assert_chinese, assert_english, assert_problem

URL = "/api/v1/records/bulk-review"


_items = itertools.count(1)


def _pending(village, make_item, log_record, *residents, who=None):
    item = make_item(f"neighbour_help_{next(_items)}", 10)
    ids = []
    for resident in residents:
        response = log_record(who or village.worker, resident, item)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def _status(record_id):
    db.session.expire_all()
    return db.session.get(CreditRecord, record_id).status


def _by_id(body):
    return {row["id"]: row for row in body["results"]}


def test_bulk_approve_refuses_the_reviewers_own_record_while_the_others_pass(client, auth, village, make_item,
                                                                             log_record):
    own = _pending(village, make_item, log_record, village.carol, who=village.reviewer)[0]
    others = _pending(village, make_item, log_record, village.alice, village.bob)
    response = client.post(URL, json={"ids": [own, *others], "decision": "approve"}, headers=auth(village.reviewer))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["done"], body["refused"]) == (2, 1)
    assert [row["id"] for row in body["results"]] == [own, *others]  # the order asked for
    rows = _by_id(body)
    assert rows[own]["ok"] is False and rows[own]["code"] == "two_person_rule" and rows[own]["status"] == 403
    assert all(rows[i]["ok"] is True and rows[i]["record_status"] == "in_notice" for i in others)
    assert _status(own) == "pending"
    assert [_status(i) for i in others] == ["in_notice", "in_notice"]
    audited = db.session.execute(select(AuditLog.target_id).where(AuditLog.action == "credit_record.approve")).scalars()
    assert sorted(audited) == sorted(str(i) for i in others)


def test_bulk_review_refuses_out_of_scope_and_unknown_records_as_not_found(client, auth, village, make_item,
                                                                          log_record):
    mine = _pending(village, make_item, log_record, village.carol)[0]
    theirs = _pending(village, make_item, log_record, village.stranger, who=village.outsider_worker)[0]
    response = client.post(URL, json={"ids": [theirs, mine, 987654], "decision": "approve"},
                           headers=auth(village.reviewer2))
    rows = _by_id(response.get_json())
    assert rows[theirs]["code"] == "record_not_found" and rows[theirs]["status"] == 404
    assert rows[987654]["code"] == "record_not_found"
    assert rows[mine]["ok"] is True
    assert _status(theirs) == "pending"


def test_bulk_review_refuses_records_that_are_not_pending(client, auth, village, make_item, log_record):
    approved, rejected, pending = _pending(village, make_item, log_record, village.alice, village.bob, village.carol)
    headers = auth(village.reviewer2)
    assert client.post(f"/api/v1/records/{approved}/approve", json={}, headers=headers).status_code == 200
    assert client.post(f"/api/v1/records/{rejected}/reject", json={"reason": "重复"}, headers=headers).status_code == 200
    body = client.post(URL, json={"ids": [approved, rejected, pending], "decision": "reject", "reason": "不属实"},
                       headers=headers).get_json()
    rows = _by_id(body)
    assert rows[approved]["code"] == rows[rejected]["code"] == "invalid_status"
    assert rows[pending]["ok"] is True and rows[pending]["record_status"] == "rejected"
    assert (_status(approved), _status(rejected), _status(pending)) == ("in_notice", "rejected", "rejected")


def test_bulk_review_refuses_a_record_of_the_reviewers_household(client, auth, village, make_item, log_record):
    bob, carol = _pending(village, make_item, log_record, village.bob, village.carol)
    db.session.get(User, village.reviewer2.id).resident_id = village.alice.id  # alice and bob share a household
    db.session.commit()
    rows = _by_id(client.post(URL, json={"ids": [bob, carol], "decision": "approve"},
                              headers=auth(village.reviewer2)).get_json())
    assert rows[bob]["code"] == "conflict_of_interest"
    assert rows[carol]["ok"] is True
    assert _status(bob) == "pending"


def test_bulk_reject_gives_every_record_the_reason(client, auth, village, make_item, log_record):
    ids = _pending(village, make_item, log_record, village.alice, village.carol)
    body = client.post(URL, json={"ids": ids, "decision": "reject", "reason": "证据不足"},
                       headers=auth(village.reviewer2)).get_json()
    assert body["done"] == 2
    db.session.expire_all()
    assert [db.session.get(CreditRecord, i).review_note for i in ids] == ["证据不足", "证据不足"]


def test_bulk_reject_needs_a_reason(client, auth, village, make_item, log_record):
    ids = _pending(village, make_item, log_record, village.alice)
    body = assert_problem(client.post(URL, json={"ids": ids, "decision": "reject"}, headers=auth(village.reviewer2)),
                          422, "validation_failed")
    assert "reason" in body["errors"]
    assert _status(ids[0]) == "pending"


def test_bulk_review_takes_at_most_200_ids(client, auth, village, make_item, log_record):
    ids = _pending(village, make_item, log_record, village.alice)
    too_many = ids + list(range(100000, 100200))
    body = assert_problem(client.post(URL, json={"ids": too_many, "decision": "approve"},
                                      headers=auth(village.reviewer2)), 422, "validation_failed")
    assert "ids" in body["errors"]
    assert _status(ids[0]) == "pending"
    at_limit = ids + list(range(100000, 100199))
    response = client.post(URL, json={"ids": at_limit, "decision": "approve"}, headers=auth(village.reviewer2))
    assert response.status_code == 200
    assert (response.get_json()["done"], response.get_json()["refused"]) == (1, 199)


def test_bulk_review_refuses_duplicate_ids(client, auth, village, make_item, log_record):
    ids = _pending(village, make_item, log_record, village.alice)
    body = assert_problem(client.post(URL, json={"ids": ids + ids, "decision": "approve"},
                                      headers=auth(village.reviewer2)), 422, "validation_failed")
    assert "ids" in body["errors"]
    assert _status(ids[0]) == "pending"


def test_bulk_review_refuses_empty_and_malformed_lists(client, auth, village):
    headers = auth(village.reviewer2)
    for body in ({"ids": [], "decision": "approve"}, {"ids": ["x"], "decision": "approve"},
                 {"ids": [1], "decision": "maybe"}, {"ids": 5, "decision": "approve"}, {"decision": "approve"},
                 {"ids": [0], "decision": "approve"}, {"ids": [2**40], "decision": "approve"},
                 {"ids": [1.5], "decision": "approve"}, {"ids": [1], "decision": "reject", "reason": ""}):
        assert_problem(client.post(URL, json=body, headers=headers), 422, "validation_failed")
    assert_problem(client.post(URL, data="[", headers={**headers, "Content-Type": "application/json"}), 400)


def test_worker_cannot_bulk_review(client, auth, village, make_item, log_record):
    ids = _pending(village, make_item, log_record, village.alice)
    assert_problem(client.post(URL, json={"ids": ids, "decision": "approve"}, headers=auth(village.worker)), 403,
                   "role_required")
    assert _status(ids[0]) == "pending"


def test_bulk_review_says_each_problem_in_the_readers_language(app, auth, village, make_item, log_record):
    own = _pending(village, make_item, log_record, village.carol, who=village.reviewer)[0]
    pending = _pending(village, make_item, log_record, village.alice)[0]
    headers = auth(village.reviewer)
    zh = app.test_client().post(URL, json={"ids": [own, 987654], "decision": "approve"}, headers=headers)
    en = app.test_client().post(URL, json={"ids": [own, 987654], "decision": "approve"},
                                headers={**headers, "Accept-Language": "en"})
    for row in zh.get_json()["results"]:
        assert_chinese(row["title"], row["message"])
    for row in en.get_json()["results"]:
        assert_english(row["title"], row["message"])
    assert [r["code"] for r in zh.get_json()["results"]] == [r["code"] for r in en.get_json()["results"]]
    assert _status(pending) == "pending"


def test_bulk_review_replays_the_first_answer_for_the_same_idempotency_key(client, auth, village, make_item,
                                                                         log_record):
    ids = _pending(village, make_item, log_record, village.alice, village.carol)
    headers = {**auth(village.reviewer2), "Idempotency-Key": "bulk-1"}
    first = client.post(URL, json={"ids": ids, "decision": "approve"}, headers=headers)
    again = client.post(URL, json={"ids": ids, "decision": "approve"}, headers=headers)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    assert all(row["ok"] for row in again.get_json()["results"])
    assert db.session.query(AuditLog).filter_by(action="credit_record.approve").count() == 2
    assert_problem(client.post(URL, json={"ids": ids[:1], "decision": "approve"}, headers=headers), 409,
                   "idempotency_key_reused")


def test_bulk_approve_without_notice_credits_only_the_records_that_pass(client, auth, village, make_item,
                                                                        log_record):
    response = client.put("/api/v1/policy", json={"notice_days": 0}, headers=auth(village.admin))
    assert response.status_code == 200, response.get_json()
    own = _pending(village, make_item, log_record, village.carol, who=village.reviewer)[0]
    alice, bob = _pending(village, make_item, log_record, village.alice, village.bob)
    body = client.post(URL, json={"ids": [alice, own, bob], "decision": "approve"},
                       headers=auth(village.reviewer)).get_json()
    assert [row["record_status"] for row in body["results"]] == ["final", None, "final"]
    assert balance_of("resident", village.alice.id) == balance_of("resident", village.bob.id) == 10
    assert balance_of("resident", village.carol.id) == 0
    assert check_balances() == []


def _race(requests):
    """Run ``(path, headers, json)`` POSTs at the same moment, each thread with its own app and client."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)
    apps = [make_app() for _ in requests]  # built one after the other: each touches the shared OpenAPI spec

    def run(index, path, headers, body):
        with apps[index].app_context():
            client = apps[index].test_client()
            barrier.wait(timeout=30)
            response = client.post(path, headers=headers, json=body)
            results[index] = (response.status_code, response.get_json())
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@postgres_only
def test_two_overlapping_bulk_approvals_approve_each_record_once(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"notice_days": 0}, headers=auth(village.admin))
    ids = _pending(village, make_item, log_record, village.alice, village.bob, village.carol)
    first, second = auth(village.reviewer2), auth(village.admin)
    results = _race([(URL, first, {"ids": ids, "decision": "approve"}),
                     (URL, second, {"ids": ids[::-1], "decision": "approve"})])
    assert [status for status, _ in results] == [200, 200], results
    rows = [row for _, body in results for row in body["results"]]
    assert sum(row["ok"] for row in rows) == 3
    assert {row["code"] for row in rows if not row["ok"]} <= {"invalid_status"}
    assert [_status(i) for i in ids] == ["final"] * 3
    assert db.session.query(AuditLog).filter_by(action="credit_record.approve").count() == 3
    assert [balance_of("resident", r.id) for r in (village.alice, village.bob, village.carol)] == [10, 10, 10]
    assert check_balances() == []
