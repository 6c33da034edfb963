"""The whole life of a record through the HTTP API: log → approve → notice → objection →
dismissed → final → score, stars and points; the two-person rule; repair; expiry; caps."""
from datetime import timedelta

from backend.common.time import utcnow
from backend.credit import jobs
from backend.credit.models import CreditEntry, CreditRecord
from backend.credit.scoring import check_scores, resident_standing
from backend.extensions import db
from backend.ledger.service import balance_of, check_balances, total_of_all_accounts
from backend.residents.models import ResidentLookup
from tests.credit.conftest import iso
from tests.fixtures import assert_problem


def _run_jobs(at):
    counts = jobs.run(at)
    db.session.commit()
    return counts


def _ledger_ok():
    assert check_balances() == []
    assert total_of_all_accounts() == 0
    assert check_scores() == []


def test_full_lifecycle_log_approve_notice_objection_dismissed_final(client, auth, village, make_item, log_record):
    item = make_item("return_lost_property", 60, category="honesty", title_zh="拾金不昧",
                     title_en="Returning lost property")
    # a worker logs the deed: pending, nothing counts yet
    response = log_record(village.worker, village.alice, item, note="捡到钱包交还失主")
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["status"] == "pending" and record["points"] == 60 and record["title_zh"] == "拾金不昧"
    me = auth(village.alice)
    assert client.get("/api/v1/me/standing", headers=me).get_json()["score"] == 100

    # a reviewer approves: public notice for 7 days
    approved = client.post(f"/api/v1/records/{record['id']}/approve", json={"note": "核实无误"},
                           headers=auth(village.reviewer2))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "in_notice"

    # a neighbour sees it on the notice board with the name masked, and objects
    board = client.get("/api/v1/notice-board", headers=auth(village.carol)).get_json()
    assert [line["masked_name"] for line in board["items"]] == ["王*英"]
    assert "王秀英" not in str(board)
    objection = client.post("/api/v1/objections", json={"record_id": record["id"], "reason": "钱包是我捡的"},
                            headers=auth(village.carol))
    assert objection.status_code == 201, objection.get_json()
    assert db.session.get(CreditRecord, record["id"]).status == "disputed"

    # disputed counts nothing, and the job does not finalise it even after the notice ends
    assert _run_jobs(utcnow() + timedelta(days=8))["finalised"] == 0
    assert resident_standing(village.alice.id)["score"] == 100

    # the reviewer dismisses it: the record is final at once
    objections = client.get("/api/v1/objections?status=open", headers=auth(village.reviewer2)).get_json()
    assert objections["total"] == 1 and objections["items"][0]["overdue"] is False
    dismissed = client.post(f"/api/v1/objections/{objection.get_json()['id']}/dismiss",
                            json={"reason": "经核实由王秀英交还"}, headers=auth(village.reviewer2))
    assert dismissed.status_code == 200, dismissed.get_json()
    assert dismissed.get_json()["status"] == "dismissed"

    # score, stars and points follow
    standing = client.get("/api/v1/me/standing", headers=me).get_json()
    assert standing == {**standing, "score": 160, "stars": 5, "points": 60, "next_star": None,
                        "score_to_next_star": None}
    mine = client.get("/api/v1/me/records", headers=me).get_json()
    assert [(r["id"], r["status"]) for r in mine["items"]] == [(record["id"], "final")]
    ledger = client.get("/api/v1/me/ledger", headers=me).get_json()
    assert ledger["balance"] == 60
    assert [(line["delta"], line["kind"], line["counterparty_kind"]) for line in ledger["items"]] == [
        (60, "credit_award", "community_fund")]
    carol_objections = client.get("/api/v1/me/objections", headers=auth(village.carol)).get_json()
    assert carol_objections["items"][0]["status"] == "dismissed"
    _ledger_ok()


def test_notice_without_objection_becomes_final_through_the_job(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    assert _run_jobs(utcnow() + timedelta(days=6))["finalised"] == 0
    assert resident_standing(village.alice.id) == {"score": 100, "stars": 2, "points": 0, "next_star": 3,
                                                   "score_to_next_star": 10}
    assert _run_jobs(utcnow() + timedelta(days=7, minutes=1))["finalised"] == 1
    assert _run_jobs(utcnow() + timedelta(days=7, minutes=2))["finalised"] == 0  # idempotent
    assert resident_standing(village.alice.id) == {"score": 110, "stars": 3, "points": 10, "next_star": 4,
                                                   "score_to_next_star": 20}
    assert db.session.query(CreditEntry).count() == 1
    _ledger_ok()


def test_flask_jobs_run_command_finalises_due_records(app, client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    db.session.get(CreditRecord, record["id"]).notice_ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "credit.finalised: 1" in result.output
    db.session.expire_all()
    assert db.session.get(CreditRecord, record["id"]).status == "final"
    assert app.test_cli_runner().invoke(args=["ledger", "check"]).exit_code == 0


def test_reviewer_cannot_approve_own_record(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.reviewer, village.alice, item).get_json()  # the reviewer is also a worker
    refused = client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer))
    assert_problem(refused, 403, "two_person_rule")
    assert db.session.get(CreditRecord, record["id"]).status == "pending"
    approved = client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    assert approved.status_code == 200


def test_logger_cannot_rule_on_an_objection_to_their_record(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.reviewer, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    objection = client.post("/api/v1/objections", json={"record_id": record["id"], "reason": "没这回事"},
                            headers=auth(village.carol)).get_json()
    refused = client.post(f"/api/v1/objections/{objection['id']}/uphold", json={"reason": "x"},
                          headers=auth(village.reviewer))
    assert_problem(refused, 403, "two_person_rule")


def test_rejected_record_never_counts(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.alice, item).get_json()
    rejected = client.post(f"/api/v1/records/{record['id']}/reject", json={"reason": "当天无此活动"},
                           headers=auth(village.reviewer2))
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["review_note"] == "当天无此活动"
    _run_jobs(utcnow() + timedelta(days=30))
    assert resident_standing(village.alice.id)["score"] == 100


def test_repair_gives_the_deduction_back_and_keeps_the_record_visible(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"repair_wait_days": 0, "repair_volunteer_hours": 2, "notice_days": 0,
                                       "negatives_take_points": True}, headers=auth(village.admin))
    good = make_item("neighbour_help", 10)
    parking = make_item("illegal_parking", -4, severity="minor", category="civility")
    for item in (good, parking):
        record = log_record(village.worker, village.alice, item).get_json()
        client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    assert resident_standing(village.alice.id)["score"] == 106
    assert resident_standing(village.alice.id)["points"] == 6  # the deduction also took 4 points
    me = auth(village.alice)
    minor = record["id"]
    too_few_hours = client.post("/api/v1/repairs", json={"record_id": minor, "commitment": "今后一定规范停车，不再违规。",
                                                         "volunteer_hours": 1}, headers=me)
    assert_problem(too_few_hours, 422, "volunteer_hours_required")
    applied = client.post("/api/v1/repairs", json={"record_id": minor, "commitment": "今后一定规范停车，不再违规。",
                                                   "volunteer_hours": 3}, headers=me)
    assert applied.status_code == 201, applied.get_json()
    again = client.post("/api/v1/repairs", json={"record_id": minor, "commitment": "今后一定规范停车，不再违规。",
                                                 "volunteer_hours": 3}, headers=me)
    assert_problem(again, 409, "repair_pending")
    queue = client.get("/api/v1/repairs?status=pending", headers=auth(village.reviewer2)).get_json()
    assert queue["total"] == 1 and queue["items"][0]["volunteer_hours"] == 3
    assert queue["items"][0]["verified_volunteer_hours"] == 0  # nothing settled by volunteering: the reviewer sees it
    approved = client.post(f"/api/v1/repairs/{applied.get_json()['id']}/approve", json={"note": "表现良好"},
                           headers=auth(village.reviewer2))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["record"]["status"] == "repaired"
    assert resident_standing(village.alice.id) == {**resident_standing(village.alice.id), "score": 110, "points": 10}
    mine = client.get("/api/v1/me/records?status=repaired", headers=me).get_json()
    assert [r["id"] for r in mine["items"]] == [minor] and mine["items"][0]["repaired_at"]
    kinds = [e.kind for e in db.session.query(CreditEntry).filter_by(record_id=minor).order_by(CreditEntry.id)]
    assert kinds == ["final", "repair"]
    assert_problem(client.post("/api/v1/repairs", json={"record_id": minor, "commitment": "再申请一次修复可以吗？"},
                               headers=me), 409, "already_repaired")
    _ledger_ok()


def test_serious_records_cannot_be_repaired_and_waiting_period_applies(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 30}, headers=auth(village.admin))
    serious = make_item("court_defaulter", -50, severity="serious", category="honesty")
    minor = make_item("littering", -2, severity="minor")
    ids = []
    for item in (serious, minor):
        record = log_record(village.worker, village.alice, item).get_json()
        client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
        ids.append(record["id"])
    me = auth(village.alice)
    body = {"commitment": "我承诺改正，今后遵守村规民约。"}
    assert_problem(client.post("/api/v1/repairs", json={**body, "record_id": ids[0]}, headers=me), 409,
                   "serious_not_repairable")
    too_early = assert_problem(client.post("/api/v1/repairs", json={**body, "record_id": ids[1]}, headers=me), 409,
                               "repair_too_early")
    assert "repair" in too_early["detail"]


def test_points_expire_through_the_ledger_first_in_first_out(client, auth, village, make_item, log_record, make_staff):
    client.put("/api/v1/policy", json={"notice_days": 0, "points_life_days": 30}, headers=auth(village.admin))
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    spent = client.post("/api/v1/ledger/adjustments", json={"resident_id": village.alice.id, "direction": "deduct",
                                                           "amount": 3, "reason": "兑换毛巾一条"},
                        headers=auth(village.admin))
    assert spent.status_code == 201, spent.get_json()
    assert _run_jobs(utcnow() + timedelta(days=29))["expired_points"] == 0
    counts = _run_jobs(utcnow() + timedelta(days=31))
    assert counts["expired_points"] == 7 and counts["expired_accounts"] == 1
    assert _run_jobs(utcnow() + timedelta(days=32))["expired_points"] == 0  # nothing twice
    assert balance_of("resident", village.alice.id) == 0
    assert balance_of("expiry", village.alice.district_id) == 7
    # spending and expiry never lower the score
    assert resident_standing(village.alice.id)["score"] == 110
    history = client.get("/api/v1/me/ledger", headers=auth(village.alice)).get_json()
    assert [(line["kind"], line["delta"]) for line in history["items"]] == [
        ("expiry", -7), ("adjustment", -3), ("credit_award", 10)]
    _ledger_ok()


def test_cap_per_period_is_enforced_with_a_clear_error(client, auth, village, make_item, log_record):
    item = make_item("village_cleanup", 2, cap=(3, "month"))
    # the 15th of last month: three earlier days in the same month, all in the past whatever today is
    now = (utcnow().replace(day=1) - timedelta(days=1)).replace(day=15, hour=4)
    moments = [now - timedelta(days=n) for n in (1, 2, 3)]
    for moment in moments:
        assert log_record(village.worker, village.alice, item, occurred_at=moment).status_code == 201
    capped = log_record(village.worker, village.alice, item, occurred_at=now - timedelta(days=4))
    body = assert_problem(capped, 409, "cap_reached")
    assert "3" in body["detail"] and "month" in body["detail"]
    assert db.session.query(CreditRecord).count() == 3
    # another person, or another month, is not capped
    assert log_record(village.worker, village.bob, item, occurred_at=moments[0]).status_code == 201
    assert log_record(village.worker, village.alice, item,
                      occurred_at=now.replace(day=1) - timedelta(days=2)).status_code == 201
    # a rejected record frees its place
    first = db.session.query(CreditRecord).filter_by(resident_id=village.alice.id).first()
    client.post(f"/api/v1/records/{first.id}/reject", json={"reason": "重复登记"}, headers=auth(village.reviewer2))
    assert log_record(village.worker, village.alice, item, occurred_at=now - timedelta(days=4)).status_code == 201


def test_staff_reading_a_residents_archive_is_logged(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 10)
    record = log_record(village.worker, village.alice, item).get_json()
    reviewer = auth(village.reviewer2)
    assert client.get(f"/api/v1/records?resident_id={village.alice.id}", headers=reviewer).status_code == 200
    assert client.get(f"/api/v1/records/{record['id']}", headers=reviewer).status_code == 200
    assert client.get(f"/api/v1/residents/{village.alice.id}/standing", headers=reviewer).status_code == 200
    assert client.get(f"/api/v1/residents/{village.alice.id}/ledger", headers=reviewer).status_code == 200
    logged = [row.what for row in db.session.query(ResidentLookup).filter_by(resident_id=village.alice.id)
              .order_by(ResidentLookup.id)]
    assert logged == ["records", "record", "standing", "ledger"]
    seen = client.get("/api/v1/residents/me/lookups", headers=auth(village.alice)).get_json()
    assert seen["total"] == 4
    # staff of another community cannot read it at all
    outsider = auth(village.outsider_worker)
    assert_problem(client.get(f"/api/v1/residents/{village.alice.id}/standing", headers=outsider), 404)
    assert_problem(client.get(f"/api/v1/records/{record['id']}", headers=outsider), 404, "record_not_found")


def test_standing_can_be_explained_at_a_past_moment_under_the_policy_then(client, auth, village, make_item,
                                                                        log_record):
    admin = auth(village.admin)
    client.put("/api/v1/policy", json={"notice_days": 0}, headers=admin)
    item = make_item("neighbour_help", 15)
    record = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    before_change = utcnow()
    later = before_change + timedelta(minutes=5)
    changed = client.put("/api/v1/policy", json={"star_thresholds": [60, 90, 100, 115, 150],
                                                 "effective_from": iso(later)}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    me = auth(village.alice)
    now = client.get("/api/v1/me/standing", headers=me).get_json()
    assert (now["score"], now["stars"], now["policy_version"]) == (115, 3, 1)
    then = client.get(f"/api/v1/me/standing?at={iso(later + timedelta(minutes=1))}", headers=me).get_json()
    assert (then["score"], then["stars"], then["policy_version"]) == (115, 4, 2)
    earlier = client.get(f"/api/v1/me/standing?at={iso(before_change - timedelta(days=1))}", headers=me).get_json()
    assert (earlier["score"], earlier["stars"], earlier["policy_version"]) == (100, 2, 0)
