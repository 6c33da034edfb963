"""Settlement: credit records for review with the right points, and settling twice (the arithmetic: test_rules.py)."""
from datetime import timedelta

from backend.credit import service as credit
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.ledger.service import check_balances
from backend.volunteering.models import VolunteerParticipation
from tests.fixtures import assert_problem


def _sign_up(vol, login, activity, *people):
    vol.clock.set(activity["start"] - timedelta(hours=1))
    for resident in people:
        assert vol.post(f"/activities/{activity['id']}/sign-up", login(resident)).status_code == 200


def _scan(vol, activity, resident, direction, minute):
    """Scan ``resident`` in or out ``minute`` minutes after the start."""
    vol.clock.set(activity["start"] + timedelta(minutes=minute))
    scan = vol.check_in if direction == "in" else vol.check_out
    response = scan(activity["id"], vol.code(resident))
    assert response.status_code == 200, response.get_json()


def _attend(vol, login, activity, resident, minutes):
    """Sign up, check in at the start and out ``minutes`` later."""
    _sign_up(vol, login, activity, resident)
    _scan(vol, activity, resident, "in", 0)
    _scan(vol, activity, resident, "out", minutes)


def _part(resident):
    return db.session.query(VolunteerParticipation).filter_by(resident_id=resident.id).one()


def _settled_scene(vol, login):
    """Three attendees (2 h rated 1.2, 52 min rated 0.8, a forgotten check-out) and a no-show."""
    activity = vol.started(points_per_hour=10)
    people = {name: vol.resident(name=name) for name in ("王秀英", "李建国", "张志强", "刘丽娟")}
    _sign_up(vol, login, activity, *people.values())
    _scan(vol, activity, people["王秀英"], "in", 0)
    _scan(vol, activity, people["李建国"], "in", 10)
    _scan(vol, activity, people["张志强"], "in", 30)  # never checks out
    _scan(vol, activity, people["李建国"], "out", 62)
    _scan(vol, activity, people["王秀英"], "out", 120)
    vol.clock.set(activity["start"] + timedelta(hours=2, minutes=15))
    closed = vol.post(f"/activities/{activity['id']}/close", ratings=[
        {"participation_id": _part(people["王秀英"]).id, "quality": "1.2"},
        {"participation_id": _part(people["李建国"]).id, "quality": 0.8},
    ])
    assert closed.status_code == 200, closed.get_json()
    return activity, people


def test_settlement_turns_hours_into_pending_records_with_the_right_points(vol, login):
    activity, people = _settled_scene(vol, login)
    settled = vol.post(f"/activities/{activity['id']}/settle")
    assert settled.status_code == 200, settled.get_json()
    expected = {"王秀英": (120, 24, 120), "李建国": (45, 6, 80), "张志强": (90, 15, 100)}
    for name, (minutes, points, quality) in expected.items():
        part = _part(people[name])
        assert (part.credited_minutes, part.points, part.quality_percent) == (minutes, points, quality), name
        record = db.session.get(CreditRecord, part.credit_record_id)
        assert record.status == "pending" and record.points == points and record.item_id == vol.item.id
        assert record.source_ref == f"activity:{activity['id']}:resident:{people[name].id}"
        assert record.logged_by_user_id == vol.organiser.id and record.resident_id == people[name].id
    no_show = _part(people["刘丽娟"])
    assert no_show.credit_record_id is None and no_show.credited_minutes is None
    assert db.session.query(CreditRecord).count() == 3
    listed = vol.get(f"/activities/{activity['id']}/participants").get_json()["items"]
    assert {p["resident_name"]: p["quality"] for p in listed if p["points"]} == {
        "王秀英": 1.2, "李建国": 0.8, "张志强": 1.0}
    assert check_balances() == []


def test_settling_twice_creates_nothing_twice(vol, login):
    activity, people = _settled_scene(vol, login)
    first = vol.post(f"/activities/{activity['id']}/settle")
    records = {r.id: r.points for r in db.session.query(CreditRecord)}
    second = vol.post(f"/activities/{activity['id']}/settle")
    assert second.status_code == 200 and second.get_json()["settled_at"] == first.get_json()["settled_at"]
    assert {r.id: r.points for r in db.session.query(CreditRecord)} == records
    replay = vol.client.post(f"/api/v1/volunteering/activities/{activity['id']}/settle", json={},
                             headers={**vol.org, "Idempotency-Key": "settle-1"})
    assert replay.status_code == 200
    assert db.session.query(CreditRecord).count() == 3
    assert check_balances() == []


def test_settlement_finds_records_already_made_for_the_same_source(vol, login):
    """A crash between the credit call and our commit cannot double the credit: the source ref finds it."""
    activity, people = _settled_scene(vol, login)
    ref = f"activity:{activity['id']}:resident:{people['王秀英'].id}"
    earlier = credit.create_record(vol.principal(vol.organiser), people["王秀英"].id, vol.item.id,
                                   activity["start"] + timedelta(hours=2), points=24, source_ref=ref)
    db.session.commit()
    vol.post(f"/activities/{activity['id']}/settle")
    assert _part(people["王秀英"]).credit_record_id == earlier.id
    assert db.session.query(CreditRecord).filter_by(resident_id=people["王秀英"].id).count() == 1


def test_whoever_settled_cannot_approve_the_records_a_different_reviewer_can(vol, login, make_staff):
    secretary = make_staff(worker=[vol.c1], reviewer=[vol.c1], username="secretary")
    activity = vol.started(headers=login(secretary))
    resident = vol.resident()
    _attend(vol, login, activity, resident, 120)
    vol.clock.set(activity["start"] + timedelta(hours=3))
    assert vol.post(f"/activities/{activity['id']}/close", login(secretary)).status_code == 200
    assert vol.post(f"/activities/{activity['id']}/settle", login(secretary)).status_code == 200
    record_id = _part(resident).credit_record_id
    approve = f"/api/v1/records/{record_id}/approve"
    assert_problem(vol.client.post(approve, json={}, headers=login(secretary)), 403, "two_person_rule")
    assert db.session.get(CreditRecord, record_id).status == "pending"
    approved = vol.client.post(approve, json={}, headers=vol.rev)
    assert approved.status_code == 200, approved.get_json()
    db.session.expire_all()
    record = db.session.get(CreditRecord, record_id)
    assert record.status == "in_notice" and record.reviewed_by_user_id == vol.reviewer.id
    assert check_balances() == []


def test_settle_needs_a_closed_activity_and_valid_ratings(vol, login):
    activity = vol.started()
    resident = vol.resident()
    _attend(vol, login, activity, resident, 60)
    assert_problem(vol.post(f"/activities/{activity['id']}/settle"), 409, "wrong_activity_state")
    part = _part(resident)
    bad = vol.client.put(f"/api/v1/volunteering/activities/{activity['id']}/ratings",
                         json={"ratings": [{"participation_id": part.id, "quality": 0.9}]}, headers=vol.org)
    assert_problem(bad, 422, "invalid_quality")
    unknown = vol.client.put(f"/api/v1/volunteering/activities/{activity['id']}/ratings",
                             json={"ratings": [{"participation_id": 999999, "quality": 1.0}]}, headers=vol.org)
    assert_problem(unknown, 404, "participant_not_found")
    good = vol.client.put(f"/api/v1/volunteering/activities/{activity['id']}/ratings",
                          json={"ratings": [{"participation_id": part.id, "quality": 1.2}]}, headers=vol.org)
    assert good.status_code == 200 and _part(resident).quality_percent == 120
    vol.clock.set(activity["start"] + timedelta(hours=3))
    vol.post(f"/activities/{activity['id']}/close")
    # a bad rating given with the settlement leaves everything as it was
    response = vol.post(f"/activities/{activity['id']}/settle",
                        ratings=[{"participation_id": part.id, "quality": 2}])
    assert_problem(response, 422, "invalid_quality")
    assert vol.get(f"/activities/{activity['id']}").get_json()["status"] == "closed"
    assert db.session.query(CreditRecord).count() == 0
    assert _part(resident).quality_percent == 120 and _part(resident).settled_at is None


def test_only_a_worker_of_every_community_settles(vol, login, make_staff):
    activity = vol.started(community_ids=[vol.c1.id, vol.c2.id])
    resident = vol.resident(vol.c2)
    _attend(vol, login, activity, resident, 60)
    vol.clock.set(activity["start"] + timedelta(hours=3))
    vol.post(f"/activities/{activity['id']}/close")
    half = make_staff(worker=[vol.c1], username="half")
    assert_problem(vol.post(f"/activities/{activity['id']}/settle", login(half)), 403, "out_of_scope")
    assert db.session.query(CreditRecord).count() == 0
    assert vol.post(f"/activities/{activity['id']}/settle", login(vol.colleague)).status_code == 200
    record = db.session.query(CreditRecord).one()
    # logged by the colleague who settled: the colleague is the one who may not approve it
    assert record.logged_by_user_id == vol.colleague.id


def test_rounding_to_zero_creates_no_record(vol, login):
    activity = vol.started(points_per_hour=1)
    resident = vol.resident()
    _attend(vol, login, activity, resident, 5)
    vol.clock.set(activity["start"] + timedelta(hours=3))
    vol.post(f"/activities/{activity['id']}/close")
    vol.post(f"/activities/{activity['id']}/settle")
    part = _part(resident)
    assert (part.credited_minutes, part.points, part.credit_record_id) == (0, 0, None)
    assert db.session.query(CreditRecord).count() == 0
    assert part.settled_at is not None
