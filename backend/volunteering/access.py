"""Finding an activity or a participation, the guards every use case shares, and
the activity's state: who may act on which activity, in which state, for whom.

Every write that changes who may take part or who is on site first locks the
activity row (``lock=True``), so capacity and the waiting list hold across API
processes (a plain check-in only needs the state to hold: it shares the lock); a check-in also locks the resident row, so one person cannot be
checked in at two overlapping activities by two organisers at once.
"""
from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import joinedload, lazyload

from ..audit.service import record_audit
from ..common.calendar import local_date
from ..errors import NotFound
from ..extensions import db
from ..residents.models import Resident
from .errors import ActivityNotFound, BelowMinimumAge, WrongActivityState, WrongCommunity
from .models import VolunteerActivity, VolunteerParticipation
from .rules import below_minimum_age

WRITE_ROLES = ("worker",)
READ_ROLES = ("worker", "reviewer")
STATE_ZH = {"draft": "草稿", "open": "报名中", "running": "进行中", "closed": "已结束", "settled": "已结算",
            "cancelled": "已取消"}


def _activity_statement(lock):
    stmt = select(VolunteerActivity).where(VolunteerActivity.id == bindparam("activity_id"))
    if lock == "share":
        # the caller knows the villages (an activity under way keeps them): the row alone
        stmt = (stmt.options(lazyload(VolunteerActivity.communities))
                .with_for_update(read=True, of=VolunteerActivity)
                .execution_options(populate_existing=True))
    elif lock:
        # the row locked and its villages read in the same statement (only the activity's row is locked)
        stmt = (stmt.options(joinedload(VolunteerActivity.communities))
                .with_for_update(of=VolunteerActivity)
                .execution_options(populate_existing=True))
    return stmt


#: built once (a hot path: every scan reads its activity); the id is the parameter
_ACTIVITY = {lock: _activity_statement(lock) for lock in (False, True, "share")}


def load_activity(activity_id, *, lock=False):
    """The activity (or None). ``lock=True`` locks its row for this transaction (``FOR UPDATE``): the
    writes that change who takes part, or the activity's state, take turns on it. ``lock="share"`` locks
    it ``FOR SHARE``: any number of check-ins hold it at once, and a close or a cancel (``FOR UPDATE``)
    waits until they are committed, so the state they checked holds until then; its villages are not
    read (the caller sets them: ``check_in`` knows them for an activity under way)."""
    result = db.session.execute(_ACTIVITY[lock], {"activity_id": activity_id})
    return result.unique().scalar_one_or_none() if lock else result.scalar_one_or_none()


def get_activity_for_staff(principal, activity_id, roles=WRITE_ROLES, *, lock=False):
    """The activity if ``principal`` has one of ``roles`` in one of its communities (else 404)."""
    return check_staff_access(principal, load_activity(activity_id, lock=lock), roles)


def check_staff_access(principal, activity, roles=WRITE_ROLES):
    """``activity`` if ``principal`` has one of ``roles`` in one of its communities (else 404)."""
    if activity is None or activity.district_id != principal.district_id:
        raise ActivityNotFound("没有这个活动。No such activity.")
    if not any(principal.can(community_id, *roles) for community_id in activity.community_ids):
        raise ActivityNotFound("没有这个活动。No such activity.")
    return activity


def get_activity_for_resident(resident, activity_id, *, lock=False):
    if resident is None or resident.status != "active":
        raise NotFound("没有这位居民。No such resident.", code="resident_not_found")
    activity = load_activity(activity_id, lock=lock)
    if activity is None or activity.district_id != resident.district_id or activity.status == "draft" \
            or resident.community_id not in activity.community_ids:
        raise ActivityNotFound("没有这个活动。No such activity.")
    return activity


def require_state(activity, allowed, doing):
    if activity.status not in allowed:
        raise WrongActivityState(
            f"活动当前状态（{STATE_ZH[activity.status]}）不能进行此操作。"
            f"Cannot {doing}: the activity is {activity.status} (possible when {' or '.join(allowed)}).",
            errors={"status": [activity.status]},
        )


def participation(activity_id, resident_id):
    return db.session.execute(
        select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity_id, VolunteerParticipation.resident_id == resident_id
        )
    ).scalar_one_or_none()


def participation_of(activity, participation_id):
    part = db.session.get(VolunteerParticipation, participation_id)
    if part is None or part.activity_id != activity.id:
        raise NotFound("本活动没有这位参与者。No such participant in this activity.", code="participant_not_found")
    return part


def count(activity_id, *conditions):
    return db.session.execute(
        select(func.count()).select_from(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity_id, *conditions
        )
    ).scalar_one()


def confirmed_count(activity_id):
    return count(activity_id, VolunteerParticipation.status == "confirmed")


#: built once (a hot path: every scan); the ids are the parameters
_RESIDENT_AND_PARTICIPATION = (
    select(Resident.id, VolunteerParticipation)
    .outerjoin(VolunteerParticipation, (VolunteerParticipation.resident_id == Resident.id)
               & (VolunteerParticipation.activity_id == bindparam("activity_id")))
    .where(Resident.id == bindparam("resident_id"))
    # the activity and the resident are in the session already: no join to read them again
    .options(lazyload(VolunteerParticipation.activity), lazyload(VolunteerParticipation.resident))
    .with_for_update(of=Resident)
)


def lock_resident_and_participation(activity_id, resident_id):
    """Lock the resident's row (``lock_resident``) and read their participation in the activity (or
    None), in one statement where there were two."""
    row = db.session.execute(_RESIDENT_AND_PARTICIPATION,
                             {"activity_id": activity_id, "resident_id": resident_id}).first()
    return row[1] if row is not None else None


def lock_resident(resident_id):
    db.session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())


def local_year(value):
    return local_date(value).year


def check_age(activity, resident):
    if below_minimum_age(activity.min_age, resident.birth_year, local_year(activity.starts_at)):
        raise BelowMinimumAge(f"本活动仅限 {activity.min_age} 岁及以上人员参加。"
                              f"This activity is for people aged {activity.min_age} and over.")


def check_eligible(activity, resident):
    if resident.district_id != activity.district_id or resident.status != "active":
        raise NotFound("没有这位居民。No such resident.", code="resident_not_found")
    if resident.community_id not in activity.community_ids:
        raise WrongCommunity("该居民不属于本活动面向的社区。This resident lives in a community the activity is not for.",
                             errors={"resident_id": [f"Community {resident.community_id} is not taking part."]})


# --- the activity's state and counts ------------------------------------------------------


def transition(principal, activity, status, action, *, reason=None, **stamps):
    """Move the activity to ``status`` (audited as ``volunteering.activity_<action>``)."""
    before = activity.status
    activity.status = status
    for name, value in stamps.items():
        setattr(activity, name, value)
    db.session.flush()
    record_audit(principal, f"volunteering.activity_{action}", "volunteer_activity", activity.id,
                 before={"status": before}, after={"status": status}, reason=reason,
                 district_id=activity.district_id)
    return with_counts([activity])[0]


def with_counts(activities):
    """Attach ``confirmed``/``waiting``/``on_site`` counts (one grouped query for a page)."""
    activities = [a for a in activities if a is not None]
    if not activities:
        return activities
    on_site = and_(VolunteerParticipation.checked_in_at.is_not(None), VolunteerParticipation.checked_out_at.is_(None))
    rows = db.session.execute(
        select(
            VolunteerParticipation.activity_id,
            func.sum(case((VolunteerParticipation.status == "confirmed", 1), else_=0)),
            func.sum(case((VolunteerParticipation.status == "waiting", 1), else_=0)),
            func.sum(case((on_site, 1), else_=0)),
        )
        .where(VolunteerParticipation.activity_id.in_([a.id for a in activities]))
        .group_by(VolunteerParticipation.activity_id)
    ).all()
    counts = {row[0]: row[1:] for row in rows}
    for activity in activities:
        confirmed, waiting, here = counts.get(activity.id, (0, 0, 0))
        activity.counts = {"confirmed": int(confirmed or 0), "waiting": int(waiting or 0), "on_site": int(here or 0)}
    return activities
