"""What a resident may ask to repair, and from when: GET /me/repair-options (the phone app's repair screen)."""
from datetime import timedelta

from backend.credit.models import CreditRecord, RepairRequest
from backend.extensions import db
from tests.fixtures import assert_problem

COMMITMENT = "我承诺改正，今后遵守村规民约。"


def _final_records(client, auth, village, log_record, *items):
    ids = []
    for item in items:
        record = log_record(village.worker, village.alice, item).get_json()
        client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
        ids.append(record["id"])
    return ids


def test_repair_options_say_from_which_local_day_a_minor_deduction_may_be_repaired(client, auth, village, make_item,
                                                                                     log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 30}, headers=auth(village.admin))
    serious = make_item("court_defaulter", -50, severity="serious", category="honesty")
    minor = make_item("littering", -2, severity="minor", title_zh="乱扔垃圾", title_en="Littering")
    good = make_item("neighbour_help", 10)
    serious_id, minor_id, good_id = _final_records(client, auth, village, log_record, serious, minor, good)
    # finalised at 20:00 UTC: 04:00 the next day in the district, so the local day is one later than UTC's
    finalised = db.session.get(CreditRecord, minor_id).finalised_at.replace(hour=20, minute=0, second=0,
                                                                           microsecond=0)
    db.session.get(CreditRecord, minor_id).finalised_at = finalised
    db.session.commit()

    answer = client.get("/api/v1/me/repair-options", headers=auth(village.alice))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["wait_days"] == 30 and body["volunteer_hours_required"] == 0
    by_id = {item["record_id"]: item for item in body["items"]}
    assert set(by_id) == {serious_id, minor_id}  # a positive record is nothing to repair
    assert by_id[serious_id]["repairable"] is False and by_id[serious_id]["can_apply"] is False
    assert by_id[serious_id]["blocked_by"] == "serious_not_repairable" and by_id[serious_id]["repair_from"] is None
    item = by_id[minor_id]
    assert (item["title_zh"], item["title_en"], item["points"]) == ("乱扔垃圾", "Littering", -2)
    assert item["repairable"] is True and item["can_apply"] is False and item["blocked_by"] == "repair_too_early"
    repair_from = finalised + timedelta(days=30)
    assert item["repair_from"] == repair_from.isoformat() + "Z"
    assert item["repair_from_local"] == (repair_from + timedelta(days=1)).date().isoformat()
    # the apply endpoint agrees: too early, with the same local day in its message
    refused = assert_problem(client.post("/api/v1/repairs", json={"record_id": minor_id, "commitment": COMMITMENT},
                                         headers=auth(village.alice)), 409, "repair_too_early")
    assert item["repair_from_local"] in refused["detail"]
    assert db.session.query(RepairRequest).count() == 0


def test_repair_options_show_a_pending_request_and_then_allow_none_twice(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 0}, headers=auth(village.admin))
    minor = make_item("littering", -2, severity="minor")
    (minor_id,) = _final_records(client, auth, village, log_record, minor)
    me = auth(village.alice)
    (item,) = client.get("/api/v1/me/repair-options", headers=me).get_json()["items"]
    assert item["can_apply"] is True and item["blocked_by"] is None and item["pending_repair_id"] is None
    applied = client.post("/api/v1/repairs", json={"record_id": minor_id, "commitment": COMMITMENT}, headers=me)
    assert applied.status_code == 201, applied.get_json()
    (item,) = client.get("/api/v1/me/repair-options", headers=me).get_json()["items"]
    assert item["can_apply"] is False and item["blocked_by"] == "repair_pending"
    assert item["pending_repair_id"] == applied.get_json()["id"]
    # another resident sees none of it
    assert client.get("/api/v1/me/repair-options", headers=auth(village.carol)).get_json()["items"] == []
    # staff have no repair options of their own
    assert_problem(client.get("/api/v1/me/repair-options", headers=auth(village.reviewer2)), 403)


def test_repair_with_an_empty_or_short_commitment_is_refused_and_nothing_is_written(client, auth, village, make_item,
                                                                                     log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 0}, headers=auth(village.admin))
    (minor_id,) = _final_records(client, auth, village, log_record, make_item("littering", -2, severity="minor"))
    for commitment in ("", "   ", "改"):
        refused = assert_problem(client.post("/api/v1/repairs", json={"record_id": minor_id, "commitment": commitment},
                                             headers=auth(village.alice)), 422, "validation_failed")
        assert "commitment" in refused["errors"]
    assert db.session.query(RepairRequest).count() == 0


def test_a_reviewer_of_another_village_cannot_see_or_decide_a_repair(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 0}, headers=auth(village.admin))
    (minor_id,) = _final_records(client, auth, village, log_record, make_item("littering", -2, severity="minor"))
    applied = client.post("/api/v1/repairs", json={"record_id": minor_id, "commitment": COMMITMENT},
                          headers=auth(village.alice)).get_json()
    outsider = auth(village.outsider_worker)
    assert client.get("/api/v1/repairs?status=pending", headers=outsider).get_json()["items"] == []
    assert_problem(client.post(f"/api/v1/repairs/{applied['id']}/approve", json={}, headers=outsider), 404,
                   "repair_not_found")
    assert_problem(client.post(f"/api/v1/repairs/{applied['id']}/reject", json={"reason": "不行"}, headers=outsider),
                   404, "repair_not_found")
    db.session.expire_all()
    assert db.session.get(RepairRequest, applied["id"]).status == "pending"
    assert db.session.get(CreditRecord, minor_id).status == "final"
