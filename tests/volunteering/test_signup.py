"""Sign-up, capacity and the waiting list; walk-ins added by the organiser."""
from datetime import timedelta

from backend.extensions import db
from backend.volunteering.models import VolunteerParticipation
from tests.fixtures import assert_problem


def _sign_up(vol, login, activity, resident):
    return vol.post(f"/activities/{activity['id']}/sign-up", login(resident))


def test_capacity_is_enforced_and_the_rest_wait_in_order(vol, login):
    activity = vol.activity(capacity=2)
    people = [vol.resident() for _ in range(4)]
    answers = [_sign_up(vol, login, activity, p).get_json() for p in people]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [a["waiting_position"] for a in answers] == [None, None, 1, 2]
    detail = vol.get(f"/activities/{activity['id']}").get_json()
    assert (detail["confirmed_count"], detail["waiting_count"]) == (2, 2)
    offered = vol.get("/me/activities", login(people[0])).get_json()["items"]
    assert offered[0]["confirmed_count"] == 2 and offered[0]["capacity"] == 2


def test_withdrawal_gives_the_place_to_the_first_on_the_waiting_list(vol, login):
    activity = vol.activity(capacity=2)
    a, b, c, d = (vol.resident() for _ in range(4))
    for person in (a, b, c, d):
        _sign_up(vol, login, activity, person)
    gone = vol.client.delete(f"/api/v1/volunteering/activities/{activity['id']}/sign-up", headers=login(a))
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    status = {p.resident_id: p.status for p in db.session.query(VolunteerParticipation)}
    assert status == {a.id: "withdrawn", b.id: "confirmed", c.id: "confirmed", d.id: "waiting"}
    mine = vol.get("/me/participations", login(d)).get_json()["items"][0]
    assert mine["waiting_position"] == 1
    # a waiting person withdrawing moves nobody up
    vol.client.delete(f"/api/v1/volunteering/activities/{activity['id']}/sign-up", headers=login(d))
    assert db.session.query(VolunteerParticipation).filter_by(status="confirmed").count() == 2
    # signing up again after withdrawing goes to the back of the queue
    again = _sign_up(vol, login, activity, a).get_json()
    assert again["status"] == "waiting" and again["waiting_position"] == 1


def test_organiser_withdraws_a_participant_with_a_reason(vol, login):
    activity = vol.activity(capacity=1)
    a, b = vol.resident(), vol.resident()
    first = _sign_up(vol, login, activity, a).get_json()
    _sign_up(vol, login, activity, b)
    assert_problem(vol.post(f"/activities/{activity['id']}/participants/{first['id']}/withdraw"), 422)
    out = vol.post(f"/activities/{activity['id']}/participants/{first['id']}/withdraw", reason="本人电话告知")
    assert out.status_code == 200 and out.get_json()["status"] == "withdrawn"
    assert db.session.query(VolunteerParticipation).filter_by(resident_id=b.id).one().status == "confirmed"


def test_signing_up_twice_changes_nothing(vol, login):
    activity = vol.activity(capacity=1)
    a, b = vol.resident(), vol.resident()
    first = _sign_up(vol, login, activity, a).get_json()
    assert _sign_up(vol, login, activity, a).get_json()["id"] == first["id"]
    waiting = _sign_up(vol, login, activity, b).get_json()
    again = _sign_up(vol, login, activity, b).get_json()
    assert again["status"] == "waiting" and again["signed_up_at"] == waiting["signed_up_at"]
    assert db.session.query(VolunteerParticipation).count() == 2


def test_sign_up_refused_for_other_communities_age_and_after_the_start(vol, login):
    activity = vol.activity(min_age=18)
    assert_problem(_sign_up(vol, login, activity, vol.resident(vol.c3)), 404, "activity_not_found")
    child_birth_year = (vol.clock() + timedelta(days=1)).year - 12
    child = vol.resident(birth_year=child_birth_year)
    assert_problem(_sign_up(vol, login, activity, child), 422, "below_minimum_age")
    adult = vol.resident()
    vol.clock.advance(days=1, minutes=1)  # the activity has started
    assert_problem(_sign_up(vol, login, activity, adult), 409, "sign_up_closed")
    assert db.session.query(VolunteerParticipation).count() == 0


def test_staff_cannot_use_resident_sign_up(vol):
    activity = vol.activity()
    assert_problem(vol.post(f"/activities/{activity['id']}/sign-up", vol.org), 403, "wrong_principal_kind")


def test_withdraw_without_sign_up_is_409(vol, login):
    activity = vol.activity()
    response = vol.client.delete(f"/api/v1/volunteering/activities/{activity['id']}/sign-up",
                                 headers=login(vol.resident()))
    assert_problem(response, 409, "not_signed_up")


def test_walk_ins_by_card_number_code_or_id_respect_capacity(vol, login):
    activity = vol.started(capacity=2)
    a, b, c = vol.resident(), vol.resident(vol.c1), vol.resident()
    by_number = vol.post(f"/activities/{activity['id']}/walk-ins", card_number=vol.card(a).number.lower())
    assert by_number.status_code == 201 and by_number.get_json()["source"] == "walk_in"
    by_code = vol.post(f"/activities/{activity['id']}/walk-ins", code=vol.code(b))
    assert by_code.status_code == 201 and by_code.get_json()["status"] == "confirmed"
    full = vol.post(f"/activities/{activity['id']}/walk-ins", resident_id=c.id)
    assert_problem(full, 409, "activity_full")
    # the same person again is harmless
    assert vol.post(f"/activities/{activity['id']}/walk-ins", resident_id=a.id).status_code == 201
    assert_problem(vol.post(f"/activities/{activity['id']}/walk-ins", resident_id=a.id, code="x"), 422)
    assert db.session.query(VolunteerParticipation).count() == 2


def test_walk_in_of_another_communitys_resident_is_refused(vol):
    activity = vol.started()
    stranger = vol.resident(vol.c3)
    assert_problem(vol.post(f"/activities/{activity['id']}/walk-ins", resident_id=stranger.id), 422,
                   "wrong_community")
    assert_problem(vol.post(f"/activities/{activity['id']}/walk-ins", resident_id=987654), 404,
                   "resident_not_found")
