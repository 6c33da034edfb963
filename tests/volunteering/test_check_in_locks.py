"""Scans into one activity on real PostgreSQL row locks: check-ins share the activity's row (they do not
queue behind each other), a close still waits for the check-ins in flight and then finds them on site."""
import time
from datetime import timedelta

from sqlalchemy import text

from backend.extensions import db
from backend.volunteering.models import VolunteerParticipation
from tests.conftest import postgres_only
from tests.fixtures import post_from_another_process


def _signed_up(vol, login, activity):
    resident = vol.resident()
    start = vol.clock()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    assert vol.post(f"/activities/{activity['id']}/sign-up", login(resident)).status_code == 200
    vol.clock.set(start)
    return resident


def _hold_activity_row(activity_id, mode):
    """Another transaction holding the activity's row (``FOR SHARE``: a check-in in flight)."""
    connection = db.engine.connect()
    connection.execute(text(f"SELECT id FROM volunteer_activities WHERE id = :id {mode}"), {"id": activity_id})
    return connection


@postgres_only
def test_a_check_in_does_not_wait_for_another_check_in_into_the_same_activity(vol, login):
    activity = vol.started()
    first, second = _signed_up(vol, login, activity), _signed_up(vol, login, activity)
    vol.clock.advance(minutes=3)
    assert vol.check_in(activity["id"], vol.code(first)).get_json()["outcome"] == "checked_in"  # starts it
    code = vol.code(second)
    held = _hold_activity_row(activity["id"], "FOR SHARE")
    try:
        thread, result = post_from_another_process(f"/api/v1/volunteering/activities/{activity['id']}/check-in", vol.org,
                                    {"code": code})
        thread.join(timeout=20)
        finished_while_held = not thread.is_alive()
    finally:
        held.rollback()
        held.close()
        thread.join(timeout=20)
    assert finished_while_held, "the check-in waited for the other check-in's lock on the activity"
    assert result[0][0] == 200 and result[0][1]["outcome"] == "checked_in", result


@postgres_only
def test_a_close_waits_for_a_check_in_in_flight_and_checks_it_out(vol, login):
    activity = vol.started()
    first = _signed_up(vol, login, activity)
    vol.clock.advance(minutes=3)
    assert vol.check_in(activity["id"], vol.code(first)).get_json()["outcome"] == "checked_in"
    vol.clock.advance(minutes=30)
    held = _hold_activity_row(activity["id"], "FOR SHARE")
    try:
        thread, result = post_from_another_process(f"/api/v1/volunteering/activities/{activity['id']}/close", vol.org, {})
        time.sleep(1.0)
        waited = thread.is_alive()
    finally:
        held.rollback()
        held.close()
        thread.join(timeout=20)
    assert waited, "the close did not wait for the check-in holding the activity"
    assert result[0][0] == 200 and result[0][1]["status"] == "closed", result
    db.session.expire_all()
    part = db.session.query(VolunteerParticipation).filter_by(resident_id=first.id).one()
    assert part.checked_out_at is not None and part.checkout_forgotten


@postgres_only
def test_one_card_scanned_twice_at_once_is_checked_in_once(vol, login):
    from backend.audit.models import AuditLog

    activity = vol.started()
    starter, resident = _signed_up(vol, login, activity), _signed_up(vol, login, activity)
    vol.clock.advance(minutes=3)
    assert vol.check_in(activity["id"], vol.code(starter)).get_json()["outcome"] == "checked_in"
    code = vol.code(resident)
    # both scans get past the activity (shared) and wait on the resident's row, each having read the
    # participation before the other's check-in was committed
    held = _hold_activity_row(activity["id"], "FOR SHARE")
    held.execute(text("SELECT id FROM residents WHERE id = :id FOR UPDATE"), {"id": resident.id})
    path = f"/api/v1/volunteering/activities/{activity['id']}/check-in"
    try:
        scans = [post_from_another_process(path, vol.org, {"code": code}) for _ in range(2)]
        time.sleep(1.0)
    finally:
        held.rollback()
        held.close()
        for thread, _result in scans:
            thread.join(timeout=20)
    results = [result[0] for _thread, result in scans]
    assert sorted(status for status, _ in results) == [200, 200], results
    assert sorted(body["outcome"] for _, body in results) == ["already_checked_in", "checked_in"]
    assert results[0][1]["participation"]["checked_in_at"] == results[1][1]["participation"]["checked_in_at"]
    db.session.expire_all()
    part = db.session.query(VolunteerParticipation).filter_by(resident_id=resident.id).one()
    lines = db.session.query(AuditLog).filter_by(action="volunteering.check_in", target_id=str(part.id)).count()
    assert lines == 1


@postgres_only
def test_one_person_scanned_into_two_overlapping_activities_at_once_is_checked_in_at_one(vol, login):
    first = vol.started(community_ids=[vol.c1.id])
    second = vol.started(community_ids=[vol.c1.id], title_zh="敬老院帮厨", title_en="Kitchen help")
    resident = vol.resident()
    for activity in (first, second):
        start = vol.clock()
        vol.clock.set(activity["start"] - timedelta(hours=1))
        assert vol.post(f"/activities/{activity['id']}/sign-up", login(resident)).status_code == 200
        vol.clock.set(start)
    vol.clock.advance(minutes=3)
    code = vol.code(resident)
    # both scans wait on the resident's row, each having read its participation before the other's commit
    held = db.engine.connect()
    held.execute(text("SELECT id FROM residents WHERE id = :id FOR UPDATE"), {"id": resident.id})
    try:
        scans = [post_from_another_process(f"/api/v1/volunteering/activities/{a['id']}/check-in", vol.org, {"code": code})
                 for a in (first, second)]
        time.sleep(1.0)
    finally:
        held.rollback()
        held.close()
        for thread, _result in scans:
            thread.join(timeout=20)
    results = [result[0] for _thread, result in scans]
    assert sorted(status for status, _ in results) == [200, 409], results
    assert next(body for status, body in results if status == 409)["code"] == "attending_elsewhere"
    db.session.expire_all()
    on_site = db.session.query(VolunteerParticipation).filter(
        VolunteerParticipation.resident_id == resident.id, VolunteerParticipation.checked_in_at.is_not(None)).count()
    assert on_site == 1
