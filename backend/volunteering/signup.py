"""Sign-up and the waiting list: a place while there is room, first come first
served after that; whoever withdraws gives their place to the first in line."""
from sqlalchemy import and_, or_, select

from ..audit.service import record_audit
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict
from ..extensions import db
from ..residents.models import Resident
from .access import (check_age, confirmed_count, count, get_activity_for_resident, get_activity_for_staff,
                     participation, participation_of, require_state, with_counts)
from .errors import ActivityFull, NotSignedUp, WrongActivityState
from .models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation
from .rules import ATTENDANCE


def _waiting_position(part):
    if part.status != "waiting":
        return None
    ahead = count(
        part.activity_id,
        VolunteerParticipation.status == "waiting",
        or_(VolunteerParticipation.signed_up_at < part.signed_up_at,
            and_(VolunteerParticipation.signed_up_at == part.signed_up_at, VolunteerParticipation.id < part.id)),
    )
    return ahead + 1


def with_position(part):
    """Attach ``waiting_position`` (1 = next in line; ``None`` unless waiting)."""
    part.waiting_position = _waiting_position(part)
    return part


def promote_waiting(activity):
    """Give free places to the waiting list, first come first served (activity row locked)."""
    if activity.status not in ATTENDANCE:
        return []
    free = activity.capacity - confirmed_count(activity.id)
    if free <= 0:
        return []
    promoted = db.session.execute(
        select(VolunteerParticipation)
        .where(VolunteerParticipation.activity_id == activity.id, VolunteerParticipation.status == "waiting")
        .order_by(VolunteerParticipation.signed_up_at, VolunteerParticipation.id)
        .limit(free)
    ).scalars().all()
    now = utcnow()
    for part in promoted:
        part.status, part.promoted_at = "confirmed", now
    db.session.flush()
    return promoted


def enrol(activity, resident, *, source, added_by=None):
    """Give ``resident`` a place, or a place on the waiting list when full (walk-ins: 409)."""
    part = participation(activity.id, resident.id)
    if part is not None and part.status in ("confirmed", "waiting") and source == "sign_up":
        return part
    full = confirmed_count(activity.id) >= activity.capacity
    if source == "walk_in":
        if part is not None and part.status == "confirmed":
            return part
        if full:
            raise ActivityFull(f"{activity.capacity} 个名额已满。All {activity.capacity} places are taken.")
    status = "waiting" if full else "confirmed"
    now = utcnow()
    if part is None:
        part = VolunteerParticipation(district_id=activity.district_id, activity_id=activity.id,
                                      resident_id=resident.id)
        db.session.add(part)
    part.status, part.source, part.signed_up_at, part.added_by = status, source, now, added_by
    part.withdrawn_at = part.promoted_at = None
    db.session.flush()
    return part


def list_open_activities(principal, page):
    """Activities of the resident's community still open for sign-up, soonest first."""
    resident = db.session.get(Resident, principal.id)
    stmt = (
        select(VolunteerActivity)
        .join(VolunteerActivityCommunity, VolunteerActivityCommunity.activity_id == VolunteerActivity.id)
        .where(VolunteerActivityCommunity.community_id == resident.community_id,
               VolunteerActivity.status == "open", VolunteerActivity.starts_at > utcnow())
        .order_by(VolunteerActivity.starts_at, VolunteerActivity.id)
    )
    result = paginate(stmt, page)
    with_counts(result["items"])
    return result


def sign_up(principal, activity_id):
    """A resident signs up; beyond capacity they join the waiting list. Signing up twice is harmless."""
    resident = db.session.get(Resident, principal.id)
    activity = get_activity_for_resident(resident, activity_id, lock=True)
    require_state(activity, ("open",), "sign up")
    if utcnow() >= activity.starts_at:
        raise WrongActivityState("活动已开始，报名已截止，请到现场联系组织者。"
                                 "Sign-up closed when the activity started; ask the organiser on site.",
                                 code="sign_up_closed")
    check_age(activity, resident)
    return with_position(enrol(activity, resident, source="sign_up"))


def _withdraw(activity, part):
    if part.status == "withdrawn":
        return part
    if part.checked_in_at is not None:
        raise Conflict("已签到，不能取消报名，请联系组织者签退。Already checked in; ask the organiser to check you out.",
                       code="already_checked_in")
    was_confirmed = part.status == "confirmed"
    part.status, part.withdrawn_at = "withdrawn", utcnow()
    db.session.flush()
    if was_confirmed:
        promote_waiting(activity)
    return part


def withdraw(principal, activity_id):
    """A resident withdraws; the first on the waiting list gets the place."""
    resident = db.session.get(Resident, principal.id)
    activity = get_activity_for_resident(resident, activity_id, lock=True)
    require_state(activity, ATTENDANCE, "withdraw")
    part = participation(activity.id, resident.id)
    if part is None:
        raise NotSignedUp("您没有报名这个活动。You are not signed up for this activity.")
    return with_position(_withdraw(activity, part))


def withdraw_participant(principal, activity_id, participation_id, reason):
    """The organiser takes someone off the list (audited); the waiting list moves up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, ATTENDANCE, "withdraw a participant")
    part = participation_of(activity, participation_id)
    before = part.status
    _withdraw(activity, part)
    record_audit(principal, "volunteering.participant_withdraw", "volunteer_participation", part.id,
                 before={"status": before}, after={"status": part.status}, reason=reason)
    return with_position(part)


def list_my_participations(principal, args, page):
    """A resident's sign-ups, newest activity first; cancelled activities show their reason."""
    stmt = (
        select(VolunteerParticipation)
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerParticipation.activity_id)
        .where(VolunteerParticipation.resident_id == principal.id)
        .order_by(VolunteerActivity.starts_at.desc(), VolunteerParticipation.id.desc())
    )
    if args.get("status"):
        stmt = stmt.where(VolunteerParticipation.status.in_(args["status"]))
    result = paginate(stmt, page)
    for part in result["items"]:
        with_position(part)
    return result
