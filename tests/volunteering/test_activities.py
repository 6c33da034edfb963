"""The life of an activity through the API: draft → open → running → closed → settled, or cancelled."""
from datetime import timedelta

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.volunteering.models import VolunteerActivity, VolunteerParticipation
from tests.fixtures import assert_problem
from tests.volunteering.conftest import add_item, iso


def test_activity_lifecycle_from_draft_to_settled(vol, login):
    resident = vol.resident()
    me = login(resident)
    draft = vol.started(open_=False)
    assert draft["status"] == "draft"
    assert draft["community_ids"] == [vol.c1.id] and draft["organiser_id"] == vol.organiser.id
    # residents do not see drafts
    assert_problem(vol.post(f"/activities/{draft['id']}/sign-up", me), 404, "activity_not_found")
    opened = vol.post(f"/activities/{draft['id']}/open")
    assert opened.status_code == 200 and opened.get_json()["status"] == "open"
    vol.clock.set(draft["start"] - timedelta(hours=1))
    signed = vol.post(f"/activities/{draft['id']}/sign-up", me)
    assert signed.status_code == 200 and signed.get_json()["status"] == "confirmed"
    vol.clock.set(draft["start"] + timedelta(minutes=2))
    checked_in = vol.check_in(draft["id"], vol.code(resident))
    assert checked_in.get_json()["outcome"] == "checked_in"
    assert vol.get(f"/activities/{draft['id']}").get_json()["status"] == "running"
    vol.clock.advance(hours=1, minutes=58)
    assert vol.check_out(draft["id"], vol.code(resident)).get_json()["outcome"] == "checked_out"
    closed = vol.post(f"/activities/{draft['id']}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    settled = vol.post(f"/activities/{draft['id']}/settle")
    assert settled.status_code == 200, settled.get_json()
    assert settled.get_json()["status"] == "settled" and settled.get_json()["settled_at"]
    actions = [a.action for a in db.session.query(AuditLog).order_by(AuditLog.id)]
    for action in ("volunteering.activity_create", "volunteering.activity_open", "volunteering.activity_start",
                   "volunteering.check_in", "volunteering.check_out", "volunteering.activity_close",
                   "volunteering.activity_settle"):
        assert action in actions


def test_activity_in_several_communities_lets_both_sign_up(vol, login):
    activity = vol.activity(community_ids=[vol.c1.id, vol.c2.id])
    assert activity["community_ids"] == sorted([vol.c1.id, vol.c2.id])
    for community in (vol.c1, vol.c2):
        response = vol.post(f"/activities/{activity['id']}/sign-up", login(vol.resident(community)))
        assert response.get_json()["status"] == "confirmed"
    outsider = vol.resident(vol.c3)
    assert_problem(vol.post(f"/activities/{activity['id']}/sign-up", login(outsider)), 404, "activity_not_found")


def test_wrong_state_transitions_are_409_and_change_nothing(vol):
    activity = vol.activity()
    assert_problem(vol.post(f"/activities/{activity['id']}/open"), 409, "wrong_activity_state")
    assert_problem(vol.post(f"/activities/{activity['id']}/settle"), 409, "wrong_activity_state")
    # closing before the start is refused: cancel instead
    assert_problem(vol.post(f"/activities/{activity['id']}/close"), 422, "outside_activity_time")
    cancelled = vol.post(f"/activities/{activity['id']}/cancel", reason="台风预警 Typhoon warning")
    assert cancelled.get_json()["status"] == "cancelled"
    for action in ("open", "start", "close", "settle"):
        assert_problem(vol.post(f"/activities/{activity['id']}/{action}"), 409, "wrong_activity_state")
    assert_problem(vol.post(f"/activities/{activity['id']}/cancel", reason="again"), 409, "wrong_activity_state")
    assert db.session.get(VolunteerActivity, activity["id"]).cancel_reason == "台风预警 Typhoon warning"


def test_cancelled_activity_shows_as_cancelled_to_signed_up_residents(vol, login):
    activity = vol.activity(capacity=1)
    first, second = vol.resident(), vol.resident()
    vol.post(f"/activities/{activity['id']}/sign-up", login(first))
    vol.post(f"/activities/{activity['id']}/sign-up", login(second))
    assert_problem(vol.post(f"/activities/{activity['id']}/cancel"), 422)  # a reason is required
    vol.post(f"/activities/{activity['id']}/cancel", reason="场地被占用 The square is taken")
    for resident, status in ((first, "confirmed"), (second, "waiting")):
        mine = vol.get("/me/participations", login(resident)).get_json()["items"]
        assert len(mine) == 1 and mine[0]["status"] == status
        assert mine[0]["activity"]["status"] == "cancelled"
        assert mine[0]["activity"]["cancel_reason"] == "场地被占用 The square is taken"
    # and it is no longer offered
    assert vol.get("/me/activities", login(first)).get_json()["total"] == 0


def test_create_validates_times_communities_and_item(vol, district):
    now = vol.clock()
    body = {"community_ids": [vol.c1.id], "item_id": vol.item.id, "title_zh": "活动", "title_en": "Activity",
            "place": "村委会", "starts_at": iso(now + timedelta(hours=2)), "ends_at": iso(now + timedelta(hours=1)),
            "capacity": 5, "points_per_hour": 10}
    post = lambda **kw: vol.post("/activities", **{**body, **kw})  # noqa: E731
    assert "ends_at" in assert_problem(post(), 422)["errors"]
    assert "ends_at" in assert_problem(post(starts_at=iso(now - timedelta(hours=3)),
                                            ends_at=iso(now - timedelta(hours=1))), 422)["errors"]
    assert "ends_at" in assert_problem(post(ends_at=iso(now + timedelta(hours=30))), 422)["errors"]
    ok_times = {"ends_at": iso(now + timedelta(hours=4))}
    assert_problem(post(community_ids=[99999], **ok_times), 422)
    assert_problem(post(community_ids=[vol.c1.id, vol.c3.id], **ok_times), 403, "out_of_scope")
    fixed = add_item(district, code="fixed_points", variable_points=False, points=5)
    assert_problem(post(item_id=fixed.id, **ok_times), 422, "not_volunteering_item")
    other = add_item(district, code="clean_lane", category="environment")
    assert_problem(post(item_id=other.id, **ok_times), 422, "not_volunteering_item")
    assert_problem(post(item_id=424242, **ok_times), 422, "unknown_item")
    assert_problem(post(capacity=0, **ok_times), 422)
    assert db.session.query(VolunteerActivity).count() == 0
    assert post(**ok_times).status_code == 201


def test_times_sent_with_an_offset_are_stored_as_utc(vol):
    start = (vol.clock() + timedelta(days=2)).replace(hour=1, minute=0, second=0)
    activity = vol.activity(starts_at=(start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                            ends_at=(start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%S+08:00"))
    assert activity["starts_at"] == iso(start)
    assert db.session.get(VolunteerActivity, activity["id"]).starts_at == start


def test_reviewer_cannot_organise_and_other_communities_cannot_see(vol):
    assert_problem(vol.post("/activities", vol.rev, title_zh="x"), 403, "role_required")
    activity = vol.activity()
    # the reviewer of the community can read, the worker of another community cannot even see it
    assert vol.get(f"/activities/{activity['id']}", vol.rev).status_code == 200
    assert_problem(vol.get(f"/activities/{activity['id']}", vol.out), 404, "activity_not_found")
    assert_problem(vol.post(f"/activities/{activity['id']}/cancel", vol.out, reason="no"), 404)
    assert vol.get("/activities", vol.out).get_json()["total"] == 0
    assert vol.get("/activities", vol.rev).get_json()["total"] == 1


def test_update_open_activity_and_more_places_move_the_waiting_list_up(vol, login):
    activity = vol.activity(capacity=1)
    first, second, third = vol.resident(), vol.resident(), vol.resident()
    for resident in (first, second, third):
        vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    changed = vol.client.patch(f"/api/v1/volunteering/activities/{activity['id']}", json={"capacity": 2,
                               "place": "文化广场"}, headers=vol.org)
    assert changed.status_code == 200 and changed.get_json()["confirmed_count"] == 2
    assert changed.get_json()["waiting_count"] == 1 and changed.get_json()["place"] == "文化广场"
    promoted = db.session.query(VolunteerParticipation).filter_by(resident_id=second.id).one()
    assert promoted.status == "confirmed" and promoted.promoted_at is not None
    smaller = vol.client.patch(f"/api/v1/volunteering/activities/{activity['id']}", json={"capacity": 1},
                               headers=vol.org)
    assert_problem(smaller, 409, "capacity_below_confirmed")
    communities = vol.client.patch(f"/api/v1/volunteering/activities/{activity['id']}",
                                   json={"community_ids": [vol.c2.id]}, headers=vol.org)
    assert_problem(communities, 409, "wrong_activity_state")


def test_upcoming_list_hides_finished_and_cancelled_activities(vol):
    ahead = vol.activity()
    vol.activity(open_=False)
    gone = vol.activity()
    vol.post(f"/activities/{gone['id']}/cancel", reason="取消")
    upcoming = vol.get("/activities", upcoming="true").get_json()
    assert upcoming["total"] == 2 and ahead["id"] in [a["id"] for a in upcoming["items"]]
    assert vol.get("/activities", status="cancelled").get_json()["total"] == 1
    assert vol.get("/activities", status="open,draft").get_json()["total"] == 2
    assert_problem(vol.get("/activities", status="finished"), 422)


def test_cancelling_a_running_activity_sends_everyone_home(vol, login):
    activity = vol.started()
    resident = vol.resident()
    vol.clock.set(activity["start"] - timedelta(minutes=30))
    vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    vol.check_in(activity["id"], vol.code(resident))
    vol.clock.advance(minutes=40)
    cancelled = vol.post(f"/activities/{activity['id']}/cancel", reason="突降暴雨 Sudden storm")
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["on_site_count"] == 0
    part = db.session.query(VolunteerParticipation).one()
    assert part.checked_out_at == activity["start"] + timedelta(minutes=10) and part.checkout_forgotten
    assert_problem(vol.post(f"/activities/{activity['id']}/settle"), 409, "wrong_activity_state")
