"""Volunteering jobs (``flask jobs run``): move activities along by the clock.

* an open activity whose start has come is running;
* a running activity over for ``CLOSE_GRACE`` is closed, and whoever never
  checked out is checked out at the activity's end time, flagged as forgotten.

Each activity is handled under its row lock, so a job racing an organiser's
scan or close sees the other's result; running it twice changes nothing.
"""
from sqlalchemy import select

from ..audit.service import record_audit
from ..extensions import db
from .access import load_activity
from .attendance import close_forgotten_checkouts
from .models import VolunteerActivity
from .rules import CLOSE_GRACE


def _due(status, column, before):
    return db.session.execute(
        select(VolunteerActivity.id)
        .where(VolunteerActivity.status == status, column <= before)
        .order_by(VolunteerActivity.id)
    ).scalars().all()


def _move(activity, status, **stamps):
    before = activity.status
    activity.status = status
    for name, value in stamps.items():
        setattr(activity, name, value)
    record_audit("system", f"volunteering.activity_auto_{status}", "volunteer_activity", activity.id,
                 before={"status": before}, after={"status": status}, district_id=activity.district_id)


def run(now):
    counts = {"started": 0, "closed": 0, "forgotten_checkouts": 0}
    for activity_id in _due("open", VolunteerActivity.starts_at, now):
        activity = load_activity(activity_id, lock=True)
        if activity.status == "open" and activity.starts_at <= now:
            _move(activity, "running", started_at=now)
            counts["started"] += 1
    db.session.flush()
    for activity_id in _due("running", VolunteerActivity.ends_at, now - CLOSE_GRACE):
        activity = load_activity(activity_id, lock=True)
        if activity.status == "running" and activity.ends_at <= now - CLOSE_GRACE:
            counts["forgotten_checkouts"] += close_forgotten_checkouts(activity, activity.ends_at, "system")
            _move(activity, "closed", closed_at=now)
            counts["closed"] += 1
    db.session.flush()
    return counts
