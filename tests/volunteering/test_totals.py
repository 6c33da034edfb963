"""A resident's volunteer hours: totals by kind and local year, what counts, and who may see them."""
from datetime import datetime, timedelta

from backend.extensions import db
from backend.residents.models import ResidentLookup
from backend.volunteering.models import VolunteerParticipation
from backend.volunteering.totals import volunteer_minutes_since
from tests.fixtures import assert_problem
from tests.volunteering.conftest import add_history


def test_totals_by_kind_and_year(vol, login):
    resident = vol.resident(name="王秀英")
    checkpoint = add_history(vol, resident)
    totals = vol.get("/me/totals", login(resident)).get_json()
    assert totals["total_minutes"] == 315 and totals["total_hours"] == 5.25 and totals["activities"] == 4
    assert [(y["year"], y["minutes"]) for y in totals["by_year"]] == [(2025, 45), (2024, 150), (2023, 120)]
    kinds = {(k["year"], k["item_id"]): (k["minutes"], k["title_zh"]) for k in totals["by_kind"]}
    assert kinds == {(2025, checkpoint.id): (45, "疫情卡点值守"), (2024, vol.item.id): (90, "志愿服务"),
                     (2024, checkpoint.id): (60, "疫情卡点值守"), (2023, vol.item.id): (120, "志愿服务")}
    assert volunteer_minutes_since(resident.id, datetime(2024, 4, 1)) == 105
    year = vol.get("/me/totals", login(resident), year=2024).get_json()
    assert year["total_minutes"] == 150 and year["total_hours"] == 2.5 and len(year["by_kind"]) == 2


def test_staff_see_totals_of_their_residents_and_the_look_up_is_logged(vol):
    resident = vol.resident()
    add_history(vol, resident)
    response = vol.get(f"/residents/{resident.id}/totals", vol.rev)
    assert response.status_code == 200 and response.get_json()["total_minutes"] == 315
    assert db.session.query(ResidentLookup).filter_by(resident_id=resident.id, what="volunteer_hours").count() == 1
    assert_problem(vol.get(f"/residents/{resident.id}/totals", vol.out), 404)


def _attend(vol, login, minutes):
    """A resident signs up for a started activity, checks in at its start and out ``minutes`` later."""
    activity = vol.started()
    resident = vol.resident()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    vol.clock.set(activity["start"])
    vol.check_in(activity["id"], vol.code(resident))
    vol.clock.advance(minutes=minutes)
    vol.check_out(activity["id"], vol.code(resident))
    return activity, resident


def _close_and_settle(vol, activity):
    vol.post(f"/activities/{activity['id']}/close")
    vol.post(f"/activities/{activity['id']}/settle")


def test_settled_activity_counts_in_the_totals(vol, login):
    activity, resident = _attend(vol, login, 97)
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 0
    _close_and_settle(vol, activity)
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 90


def test_hours_of_a_rejected_record_do_not_count(vol, login):
    activity, resident = _attend(vol, login, 60)
    _close_and_settle(vol, activity)
    record_id = db.session.query(VolunteerParticipation).one().credit_record_id
    rejected = vol.client.post(f"/api/v1/records/{record_id}/reject", json={"reason": "签到照片显示本人不在场"},
                               headers=vol.rev)
    assert rejected.status_code == 200, rejected.get_json()
    assert vol.get("/me/totals", login(resident)).get_json()["total_minutes"] == 0
