"""The clock moves activities along: open → running at the start, running → closed after the end."""
from datetime import timedelta

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.volunteering import jobs
from backend.volunteering.models import VolunteerActivity, VolunteerParticipation
from backend.volunteering.rules import CLOSE_GRACE


def _status(activity):
    db.session.expire_all()
    return db.session.get(VolunteerActivity, activity["id"]).status


def test_job_starts_open_activities_at_their_start(vol):
    activity = vol.activity()
    draft = vol.activity(open_=False)
    activity_start = db.session.get(VolunteerActivity, activity["id"]).starts_at
    assert jobs.run(activity_start - timedelta(seconds=1)) == {"started": 0, "closed": 0, "forgotten_checkouts": 0}
    assert jobs.run(activity_start)["started"] == 1
    db.session.commit()
    assert _status(activity) == "running" and _status(draft) == "draft"
    assert jobs.run(activity_start + timedelta(minutes=5))["started"] == 0


def test_job_closes_after_the_grace_and_flags_forgotten_check_outs(vol, login):
    activity = vol.started()
    stayed, left = vol.resident(), vol.resident()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    for resident in (stayed, left):
        vol.post(f"/activities/{activity['id']}/sign-up", login(resident))
    vol.clock.set(activity["start"])
    vol.check_in(activity["id"], vol.code(stayed))
    vol.check_in(activity["id"], vol.code(left))
    vol.clock.advance(minutes=45)
    vol.check_out(activity["id"], vol.code(left))
    ends_at = activity["start"] + timedelta(hours=2)
    assert jobs.run(ends_at + CLOSE_GRACE - timedelta(seconds=1))["closed"] == 0
    counts = jobs.run(ends_at + CLOSE_GRACE)
    db.session.commit()
    assert counts == {"started": 0, "closed": 1, "forgotten_checkouts": 1}
    assert _status(activity) == "closed"
    parts = {p.resident_id: p for p in db.session.query(VolunteerParticipation)}
    assert parts[stayed.id].checked_out_at == ends_at and parts[stayed.id].checkout_forgotten
    assert parts[left.id].checked_out_at == activity["start"] + timedelta(minutes=45)
    assert not parts[left.id].checkout_forgotten
    assert db.session.query(AuditLog).filter_by(action="volunteering.checkout_forgotten", actor="system").count() == 1
    # running it again changes nothing
    assert jobs.run(ends_at + CLOSE_GRACE * 2) == {"started": 0, "closed": 0, "forgotten_checkouts": 0}


def test_an_activity_never_started_by_hand_is_started_and_closed_in_one_run(vol):
    activity = vol.started()
    late = activity["start"] + timedelta(hours=2) + CLOSE_GRACE
    assert jobs.run(late) == {"started": 1, "closed": 1, "forgotten_checkouts": 0}
    db.session.commit()
    assert _status(activity) == "closed"


def test_flask_jobs_run_calls_the_volunteering_job(app, vol):
    vol.started()
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "volunteering.started: 1" in result.output and "volunteering.closed: 1" in result.output
