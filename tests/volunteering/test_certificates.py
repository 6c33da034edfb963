"""Volunteer totals by kind and year, and the certificate (志愿服务证明) with its verifying QR code."""
from datetime import datetime, timedelta

from backend.extensions import db
from backend.residents.models import ResidentLookup
from backend.volunteering import service
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation
from tests.fixtures import assert_problem
from tests.volunteering.conftest import add_item


def _served(vol, resident, item, starts_at, minutes, *, settled=True):
    """A settled activity in the past with ``resident``'s credited minutes (built directly)."""
    activity = VolunteerActivity(
        district_id=vol.district.id, item_id=item.id, title_zh="活动", title_en="Activity", place="村委会",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=4), capacity=10, points_per_hour=10,
        status="settled" if settled else "closed", organiser_id=vol.organiser.id)
    activity.communities = [VolunteerActivityCommunity(community_id=resident.community_id)]
    db.session.add(activity)
    db.session.flush()
    db.session.add(VolunteerParticipation(
        district_id=vol.district.id, activity_id=activity.id, resident_id=resident.id, status="confirmed",
        checked_in_at=starts_at, checked_out_at=starts_at + timedelta(minutes=minutes),
        credited_minutes=minutes if settled else None, points=minutes // 6 if settled else None,
        settled_at=starts_at + timedelta(hours=5) if settled else None))
    db.session.commit()
    return activity


def _history(vol, resident):
    checkpoint = add_item(vol.district, code="epidemic_checkpoint", title_zh="疫情卡点值守",
                          title_en="Epidemic checkpoint duty")
    _served(vol, resident, vol.item, datetime(2023, 6, 1, 1), 120)
    _served(vol, resident, vol.item, datetime(2024, 3, 2, 1), 90)
    _served(vol, resident, checkpoint, datetime(2024, 4, 2, 1), 60)
    # 1 January 2025, 01:00 in China is still 2024 in UTC: it counts for 2025
    _served(vol, resident, checkpoint, datetime(2024, 12, 31, 17), 45)
    _served(vol, resident, vol.item, datetime(2024, 5, 2, 1), 200, settled=False)  # not settled: not counted
    return checkpoint


def test_totals_by_kind_and_year(vol, login):
    resident = vol.resident(name="王秀英")
    checkpoint = _history(vol, resident)
    totals = vol.get("/me/totals", login(resident)).get_json()
    assert totals["total_minutes"] == 315 and totals["total_hours"] == 5.25 and totals["activities"] == 4
    assert [(y["year"], y["minutes"]) for y in totals["by_year"]] == [(2025, 45), (2024, 150), (2023, 120)]
    kinds = {(k["year"], k["item_id"]): (k["minutes"], k["title_zh"]) for k in totals["by_kind"]}
    assert kinds == {(2025, checkpoint.id): (45, "疫情卡点值守"), (2024, vol.item.id): (90, "志愿服务"),
                     (2024, checkpoint.id): (60, "疫情卡点值守"), (2023, vol.item.id): (120, "志愿服务")}
    assert service.volunteer_minutes_since(resident.id, datetime(2024, 4, 1)) == 105
    year = vol.get("/me/totals", login(resident), year=2024).get_json()
    assert year["total_minutes"] == 150 and year["total_hours"] == 2.5 and len(year["by_kind"]) == 2


def test_staff_see_totals_of_their_residents_and_the_look_up_is_logged(vol):
    resident = vol.resident()
    _history(vol, resident)
    response = vol.get(f"/residents/{resident.id}/totals", vol.rev)
    assert response.status_code == 200 and response.get_json()["total_minutes"] == 315
    assert db.session.query(ResidentLookup).filter_by(resident_id=resident.id, what="volunteer_hours").count() == 1
    assert_problem(vol.get(f"/residents/{resident.id}/totals", vol.out), 404)


def test_settled_activity_counts_in_the_totals(vol, login):
    activity = vol.started()
    resident = vol.resident()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    vol.clock.set(activity["start"])
    vol.check_in(activity["id"], vol.code(resident))
    vol.clock.advance(minutes=97)
    vol.check_out(activity["id"], vol.code(resident))
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 0
    vol.post(f"/activities/{activity['id']}/close")
    vol.post(f"/activities/{activity['id']}/settle")
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 90


def test_hours_of_a_rejected_record_do_not_count(vol, login):
    activity = vol.started()
    resident = vol.resident()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    vol.clock.set(activity["start"])
    vol.check_in(activity["id"], vol.code(resident))
    vol.clock.advance(minutes=60)
    vol.check_out(activity["id"], vol.code(resident))
    vol.post(f"/activities/{activity['id']}/close")
    vol.post(f"/activities/{activity['id']}/settle")
    record_id = db.session.query(VolunteerParticipation).one().credit_record_id
    rejected = vol.client.post(f"/api/v1/records/{record_id}/reject", json={"reason": "签到照片显示本人不在场"},
                               headers=vol.rev)
    assert rejected.status_code == 200, rejected.get_json()
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 0


def test_certificate_prints_with_a_qr_code_that_verifies_it(vol, app):
    resident = vol.resident(name="王秀英")
    _history(vol, resident)
    issued = vol.post("/certificates", resident_id=resident.id)
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert body["number"].startswith("VS") and body["total_minutes"] == 315 and body["total_hours"] == 5.25
    assert body["verify_url"].startswith("https://credit.example.cn/v/")
    printed = vol.client.get(body["print_url"], headers=vol.org)
    assert printed.status_code == 200 and printed.mimetype == "text/html"
    page = printed.get_data(as_text=True)
    assert "志愿服务证明" in page and "王秀英" in page and "5.25" in page and vol.district.name_zh in page
    assert service.qr_svg(body["verify_url"]) in page and "<svg" in page
    # anyone who scans it sees that it is genuine, with the name masked
    verify = vol.client.get(body["verify_url"].replace("https://credit.example.cn", ""),
                            headers={"Accept": "text/html"})
    text = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "证明真实有效" in text and "王*英" in text and "王秀英" not in text
    as_json = vol.client.get(body["verify_url"].replace("https://credit.example.cn", ""),
                             headers={"Accept": "application/json"}).get_json()
    assert as_json["valid"] is True and as_json["masked_name"] == "王*英" and as_json["total_minutes"] == 315


def test_year_certificate_covers_only_that_year(vol):
    resident = vol.resident()
    _history(vol, resident)
    body = vol.post("/certificates", resident_id=resident.id, year=2024).get_json()
    assert body["year"] == 2024 and body["total_minutes"] == 150
    page = vol.client.get(body["print_url"], headers=vol.org).get_data(as_text=True)
    assert "2024 年度" in page and "2.5" in page


def test_forged_or_unknown_certificate_codes_do_not_verify(vol):
    resident = vol.resident()
    body = vol.post("/certificates", resident_id=resident.id).get_json()
    path = body["verify_url"].replace("https://credit.example.cn", "")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    page = vol.client.get(forged, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "证明无效" in page.get_data(as_text=True)
    assert_problem(vol.client.get(forged, headers={"Accept": "application/json"}), 404, "certificate_not_found")
    assert_problem(vol.client.get("/v/nonsense!!", headers={"Accept": "application/json"}), 404,
                   "certificate_not_found")
    # a card token is not a certificate
    card_path = vol.code(resident).replace("https://credit.example.cn/c/", "/v/")
    assert_problem(vol.client.get(card_path, headers={"Accept": "application/json"}), 404)


def test_resident_issues_their_own_certificate_and_only_sees_their_own(vol, login):
    resident, neighbour = vol.resident(), vol.resident()
    _history(vol, resident)
    mine = vol.post("/me/certificates", login(resident))
    assert mine.status_code == 201 and mine.get_json()["total_minutes"] == 315
    assert mine.get_json()["resident_id"] == resident.id
    assert vol.client.get(mine.get_json()["print_url"], headers=login(resident)).status_code == 200
    assert_problem(vol.client.get(mine.get_json()["print_url"], headers=login(neighbour)), 404,
                   "certificate_not_found")
    assert_problem(vol.client.get(mine.get_json()["print_url"], headers=vol.out), 404)
    assert_problem(vol.post("/certificates", vol.out, resident_id=resident.id), 404)
