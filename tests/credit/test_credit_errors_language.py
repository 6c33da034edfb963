"""Credit mistakes answer in the reader's language, with record states as people say them and
dates on the district's calendar."""
from datetime import timedelta

from backend.common.time import utcnow
from backend.credit.models import CreditRecord
from backend.extensions import db
from tests.fixtures import assert_chinese, assert_english, in_both_languages


def test_approving_a_record_in_notice_names_the_state_not_in_notice(app, client, auth, village, make_item,
                                                                      log_record):
    client.put("/api/v1/policy", json={"notice_days": 7}, headers=auth(village.admin))
    record = log_record(village.worker, village.alice, make_item("neighbour_help", 10)).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    zh, en = in_both_languages(app, "POST", f"/api/v1/records/{record['id']}/approve", json={},
                               headers=auth(village.reviewer2))
    assert zh["code"] == "invalid_status" and zh["status"] == 409
    assert "公示中" in zh["detail"] and "待审核" in zh["detail"]
    assert_chinese(zh["title"], zh["detail"])
    assert en["detail"] == "The record is in public notice; this needs it to be pending."
    assert "in_notice" not in en["detail"]


def test_repair_date_is_the_districts_calendar_day_not_utcs(app, client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"notice_days": 0, "repair_wait_days": 30}, headers=auth(village.admin))
    record = log_record(village.worker, village.alice, make_item("littering", -2, severity="minor")).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    # finalised at 20:00 UTC: the wait ends at 04:00 the next day in UTC+8
    finalised = (utcnow() - timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    db.session.get(CreditRecord, record["id"]).finalised_at = finalised
    db.session.commit()
    allowed = finalised + timedelta(days=30)
    local_day, utc_day = (allowed + timedelta(hours=8)).date(), allowed.date()
    assert local_day != utc_day
    zh, en = in_both_languages(app, "POST", "/api/v1/repairs", headers=auth(village.alice),
                               json={"record_id": record["id"], "commitment": "我承诺改正，今后遵守村规民约。"})
    assert zh["code"] == "repair_too_early"
    assert zh["detail"] == f"请于 {local_day} 之后申请修复。"
    assert en["detail"] == f"You can apply for repair after {local_day}."
    assert zh["title"] == "尚不能申请修复" and en["title"] == "Too early for repair"


def test_a_deed_in_the_future_is_refused_in_both_languages_down_to_the_field(app, auth, village, make_item):
    item = make_item("neighbour_help", 10)
    zh, en = in_both_languages(app, "POST", "/api/v1/records", headers=auth(village.worker), json={
        "resident_id": village.alice.id, "item_id": item.id,
        "occurred_at": (utcnow() + timedelta(days=3)).replace(microsecond=0).isoformat() + "Z"})
    assert zh["code"] == "occurred_in_future"
    assert zh["detail"] == "事情还没有发生。" and zh["errors"] == {"occurred_at": ["不能是将来的时间。"]}
    assert en["detail"] == "The deed cannot be in the future."
    assert en["errors"] == {"occurred_at": ["Must not be in the future."]}
    assert_english(en["title"])
