"""Volunteer service (志愿服务): activities, sign-up and waiting list, check-in and
check-out by scanning, settlement into credit records, totals and certificates.

Every write that changes who may take part or who is on site first locks the
activity row, so capacity and the waiting list hold across API processes;
a check-in also locks the resident row, so one person cannot be checked in
at two overlapping activities by two organisers at once.
"""
import base64
import binascii
import csv
import io
import secrets
import struct
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from cryptography.exceptions import InvalidSignature
from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from ..audit.service import record_audit, summarize
from ..cards import service as cards
from ..cards import tokens
from ..common.masking import mask_name
from ..common.pagination import paginate
from ..common.qr import qr_svg as render_qr_svg
from ..common.time import utcnow
from ..common.spreadsheet import safe_row
from ..credit import catalogue
from ..credit.models import CatalogueItem, CreditRecord
from ..credit.periods import local_date, offset
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..org.models import Community, District
from ..residents.models import Resident
from ..residents.service import get_resident_for_staff
from .models import VolunteerActivity, VolunteerActivityCommunity, VolunteerCertificate, VolunteerParticipation

#: check-in opens this long before the start, so people arriving early can be scanned
CHECK_IN_EARLY = timedelta(minutes=60)
#: a running activity is closed by the jobs this long after its end; late check-outs count until its end
CLOSE_GRACE = timedelta(minutes=60)
#: one activity is at most a day; longer service is several activities (shifts)
MAX_LENGTH = timedelta(hours=24)
WRITE_ROLES = ("worker",)
READ_ROLES = ("worker", "reviewer")
#: where each action may happen
EDITABLE = ("draft", "open")
CANCELLABLE = ("draft", "open", "running")
ATTENDANCE = ("open", "running")
RATABLE = ("running", "closed")
#: credit record states whose hours no longer count toward totals and certificates
UNCOUNTED_RECORDS = ("rejected", "voided")
STATE_ZH = {"draft": "草稿", "open": "报名中", "running": "进行中", "closed": "已结束", "settled": "已结算",
            "cancelled": "已取消"}
AUDITED = ["item_id", "title_zh", "title_en", "place", "starts_at", "ends_at", "capacity", "points_per_hour",
           "min_age", "status", "community_ids"]


# --- errors (stable codes) ------------------------------------------------------------


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    title = "No such activity"


class WrongActivityState(Conflict):
    code = "wrong_activity_state"
    title = "Not possible in this state of the activity"


class OutsideActivityTime(ValidationFailed):
    code = "outside_activity_time"
    title = "Outside the activity's time"


class WrongCommunity(ValidationFailed):
    code = "wrong_community"
    title = "Resident not of this activity's communities"


class BelowMinimumAge(ValidationFailed):
    code = "below_minimum_age"
    title = "Below the activity's minimum age"


class ActivityFull(Conflict):
    code = "activity_full"
    title = "No place left"


class NotSignedUp(Conflict):
    code = "not_signed_up"
    title = "Not signed up"


class OnWaitingList(Conflict):
    code = "on_waiting_list"
    title = "Still on the waiting list"


class NotCheckedIn(Conflict):
    code = "not_checked_in"
    title = "Not checked in"


class AlreadyCheckedOut(Conflict):
    code = "already_checked_out"
    title = "Already checked out"


class AttendingElsewhere(Conflict):
    code = "attending_elsewhere"
    title = "Attending an overlapping activity"


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    title = "No such certificate"


# --- settings: quality factors and rounding -------------------------------------------


@dataclass(frozen=True)
class VolunteerSettings:
    #: the quality factors an organiser may give, × 100 (0.8 / 1.0 / 1.2)
    quality_percents: tuple = (80, 100, 120)
    #: what an unrated attendee gets
    default_quality_percent: int = 100
    #: attended time is rounded to this many minutes (a quarter hour) …
    rounding_minutes: int = 15
    #: … to the nearest step (half up) or down to a whole step
    rounding_mode: str = "nearest"


def volunteer_settings(district_id):
    """The volunteering settings of a district.

    The credit policy of the district is asked first; the credit domain keeps
    no volunteering settings yet, so the defaults above apply.
    """
    return VolunteerSettings()


def credited_minutes(checked_in_at, checked_out_at, length_minutes, settings):
    """Attended minutes, rounded by policy and capped at the activity's length."""
    seconds = Decimal(int((checked_out_at - checked_in_at).total_seconds()))
    steps = seconds / Decimal(60 * settings.rounding_minutes)
    mode = ROUND_FLOOR if settings.rounding_mode == "down" else ROUND_HALF_UP
    minutes = int(steps.quantize(Decimal(1), rounding=mode)) * settings.rounding_minutes
    return max(0, min(minutes, length_minutes))


def points_for(minutes, points_per_hour, quality_percent):
    """hours × points per hour × quality, rounded half up to whole points."""
    value = Decimal(minutes) * points_per_hour * quality_percent / Decimal(60 * 100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- look-ups and guards ----------------------------------------------------------------


def load_activity(activity_id, *, lock=False):
    stmt = select(VolunteerActivity).where(VolunteerActivity.id == activity_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one_or_none()


def get_activity_for_staff(principal, activity_id, roles=WRITE_ROLES, *, lock=False):
    """The activity if ``principal`` has one of ``roles`` in one of its communities (else 404)."""
    activity = load_activity(activity_id, lock=lock)
    if activity is None or activity.district_id != principal.district_id:
        raise ActivityNotFound("没有这个活动。No such activity.")
    if not any(principal.can(community_id, *roles) for community_id in activity.community_ids):
        raise ActivityNotFound("没有这个活动。No such activity.")
    return activity


def _get_activity_for_resident(resident, activity_id, *, lock=False):
    if resident is None or resident.status != "active":
        raise NotFound("没有这位居民。No such resident.", code="resident_not_found")
    activity = load_activity(activity_id, lock=lock)
    if activity is None or activity.district_id != resident.district_id or activity.status == "draft" \
            or resident.community_id not in activity.community_ids:
        raise ActivityNotFound("没有这个活动。No such activity.")
    return activity


def _require_state(activity, allowed, doing):
    if activity.status not in allowed:
        raise WrongActivityState(
            f"活动当前状态（{STATE_ZH[activity.status]}）不能进行此操作。"
            f"Cannot {doing}: the activity is {activity.status} (possible when {' or '.join(allowed)}).",
            errors={"status": [activity.status]},
        )


def _participation(activity_id, resident_id):
    return db.session.execute(
        select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity_id, VolunteerParticipation.resident_id == resident_id
        )
    ).scalar_one_or_none()


def _participation_of(activity, participation_id):
    part = db.session.get(VolunteerParticipation, participation_id)
    if part is None or part.activity_id != activity.id:
        raise NotFound("本活动没有这位参与者。No such participant in this activity.", code="participant_not_found")
    return part


def _count(activity_id, *conditions):
    return db.session.execute(
        select(func.count()).select_from(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity_id, *conditions
        )
    ).scalar_one()


def _confirmed_count(activity_id):
    return _count(activity_id, VolunteerParticipation.status == "confirmed")


def _lock_resident(resident_id):
    db.session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())


def _local_year(value):
    return local_date(value).year


def _check_age(activity, resident):
    if activity.min_age and _local_year(activity.starts_at) - resident.birth_year < activity.min_age:
        raise BelowMinimumAge(f"本活动仅限 {activity.min_age} 岁及以上人员参加。"
                              f"This activity is for people aged {activity.min_age} and over.")


def _check_eligible(activity, resident):
    if resident.district_id != activity.district_id or resident.status != "active":
        raise NotFound("没有这位居民。No such resident.", code="resident_not_found")
    if resident.community_id not in activity.community_ids:
        raise WrongCommunity("该居民不属于本活动面向的社区。This resident lives in a community the activity is not for.",
                             errors={"resident_id": [f"Community {resident.community_id} is not taking part."]})


def _volunteering_item(district_id, item_id, community_ids, starts_at):
    """The catalogue item an activity credits: usable in each of its communities, of category
    ``volunteering`` and with points computed per record (422 otherwise)."""
    item = None
    for community_id in community_ids:
        item = catalogue.item_for_community(item_id, district_id, db.session.get(Community, community_id))
    version = catalogue.version_in_force(item, local_date(starts_at)) if item else None
    if version is None or version.category != "volunteering" or not version.active:
        raise ValidationFailed("请选择有效的志愿服务类评价项目。Choose an active catalogue item of category volunteering.",
                               code="not_volunteering_item",
                               errors={"item_id": ["Not an active volunteering item on the activity's date."]})
    if not version.variable_points or version.points <= 0:
        raise ValidationFailed("该项目分值固定，志愿服务需按时长计分的项目。"
                               "This item gives fixed points; volunteering needs an item whose points are "
                               "computed from hours.", code="not_volunteering_item",
                               errors={"item_id": ["Not a variable-points item."]})
    return item


def _summary(activity):
    out = summarize(activity, [name for name in AUDITED if name != "community_ids"])
    out["community_ids"] = activity.community_ids
    return out


# --- activities -----------------------------------------------------------------------


def _check_communities(principal, community_ids):
    ids = sorted(set(community_ids))
    found = set(db.session.execute(
        select(Community.id).where(Community.id.in_(ids), Community.district_id == principal.district_id)
    ).scalars())
    if found != set(ids):
        raise ValidationFailed(errors={"community_ids": [f"Unknown communities: {sorted(set(ids) - found)}."]})
    outside = [cid for cid in ids if not principal.can(cid, *WRITE_ROLES)]
    if outside:
        raise Forbidden("只能为本人负责的社区组织活动。You can only organise activities for your own communities.",
                        code="out_of_scope",
                        errors={"community_ids": [f"Not yours: {outside}."]})
    return ids


def _check_times(starts_at, ends_at, *, now=None):
    now = now or utcnow()
    if ends_at <= starts_at:
        raise ValidationFailed(errors={"ends_at": ["Must be after the start."]})
    if ends_at - starts_at > MAX_LENGTH:
        raise ValidationFailed(errors={"ends_at": ["An activity lasts at most 24 hours; plan shifts."]})
    if ends_at <= now:
        raise ValidationFailed(errors={"ends_at": ["Must be in the future."]})


def create_activity(principal, data):
    """A worker plans an activity (a draft) for one or more of their communities."""
    community_ids = _check_communities(principal, data["community_ids"])
    _check_times(data["starts_at"], data["ends_at"])
    _volunteering_item(principal.district_id, data["item_id"], community_ids, data["starts_at"])
    activity = VolunteerActivity(
        district_id=principal.district_id, organiser_id=principal.id, status="draft",
        **{k: data.get(k) for k in ("item_id", "title_zh", "title_en", "place", "description", "starts_at",
                                    "ends_at", "capacity", "points_per_hour", "min_age")},
    )
    activity.communities = [VolunteerActivityCommunity(community_id=cid) for cid in community_ids]
    db.session.add(activity)
    db.session.flush()
    record_audit(principal, "volunteering.activity_create", "volunteer_activity", activity.id,
                 after=_summary(activity))
    return with_counts([activity])[0]


def update_activity(principal, activity_id, data):
    """Change a draft or an open activity; more places move the waiting list up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, EDITABLE, "change the activity")
    before = _summary(activity)
    if "community_ids" in data:
        if activity.status != "draft":
            raise WrongActivityState("活动发布后不能再更改面向的社区。"
                                     "The communities can only change while the activity is a draft.",
                                     errors={"community_ids": ["Fixed once open."]})
        ids = _check_communities(principal, data["community_ids"])
        activity.communities = [link for link in activity.communities if link.community_id in ids] + [
            VolunteerActivityCommunity(community_id=cid) for cid in ids if cid not in activity.community_ids
        ]
    if "starts_at" in data or "ends_at" in data:
        _check_times(data.get("starts_at", activity.starts_at), data.get("ends_at", activity.ends_at))
    if {"item_id", "community_ids", "starts_at"} & set(data):
        _volunteering_item(activity.district_id, data.get("item_id", activity.item_id), activity.community_ids,
                           data.get("starts_at", activity.starts_at))
    if "capacity" in data:
        confirmed = _confirmed_count(activity.id)
        if data["capacity"] < confirmed:
            raise Conflict(f"已有 {confirmed} 人报名成功，名额不能少于此数。"
                           f"{confirmed} people already have a place; withdraw some first.",
                           code="capacity_below_confirmed", errors={"capacity": [f"At least {confirmed}."]})
    for name in ("item_id", "title_zh", "title_en", "place", "description", "starts_at", "ends_at", "capacity",
                 "points_per_hour", "min_age"):
        if name in data:
            setattr(activity, name, data[name])
    db.session.flush()
    _promote_waiting(activity)
    record_audit(principal, "volunteering.activity_update", "volunteer_activity", activity.id, before=before,
                 after=_summary(activity))
    return with_counts([activity])[0]


def _transition(principal, activity, status, action, *, reason=None, **stamps):
    before = activity.status
    activity.status = status
    for name, value in stamps.items():
        setattr(activity, name, value)
    db.session.flush()
    record_audit(principal, f"volunteering.activity_{action}", "volunteer_activity", activity.id,
                 before={"status": before}, after={"status": status}, reason=reason,
                 district_id=activity.district_id)
    return with_counts([activity])[0]


def open_activity(principal, activity_id):
    """Publish a draft: residents of its communities can sign up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ("draft",), "open sign-up")
    if activity.ends_at <= utcnow():
        raise OutsideActivityTime("活动时间已过，请先修改时间。This activity is already over; change its times first.")
    return _transition(principal, activity, "open", "open", opened_at=utcnow())


def start_activity(principal, activity_id):
    """The organiser starts the activity on site (the first check-in also does)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ("open",), "start the activity")
    now = utcnow()
    if not activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at:
        raise OutsideActivityTime("活动开始前一小时至结束前才能开始活动。"
                                  "An activity can be started from an hour before its start until its end.")
    return _transition(principal, activity, "running", "start", started_at=now)


def close_forgotten_checkouts(activity, at, actor):
    """Check out everyone still on site at ``at`` (at most the end), flagged as forgotten."""
    on_site = db.session.execute(
        select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity.id,
            VolunteerParticipation.checked_in_at.is_not(None),
            VolunteerParticipation.checked_out_at.is_(None),
        )
    ).scalars().all()
    for part in on_site:
        part.checked_out_at = max(min(at, activity.ends_at), part.checked_in_at)
        part.checkout_forgotten = True
        record_audit(actor, "volunteering.checkout_forgotten", "volunteer_participation", part.id,
                     after={"checked_out_at": part.checked_out_at.isoformat()}, district_id=activity.district_id)
    return len(on_site)


def close_activity(principal, activity_id, ratings=None):
    """End the activity: whoever is still on site is checked out (flagged); ratings may follow."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    now = utcnow()
    if activity.status == "open" and now < activity.starts_at:
        raise OutsideActivityTime("活动尚未开始，如不举办请取消。This activity has not started yet; cancel it instead.")
    _require_state(activity, ("open", "running"), "close the activity")
    close_forgotten_checkouts(activity, now, principal)
    _transition(principal, activity, "closed", "close", closed_at=now)
    if ratings:
        _apply_ratings(principal, activity, ratings)
    return with_counts([activity])[0]


def cancel_activity(principal, activity_id, reason):
    """Cancel with a reason; everyone signed up sees it cancelled in their list."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, CANCELLABLE, "cancel the activity")
    close_forgotten_checkouts(activity, utcnow(), principal)
    return _transition(principal, activity, "cancelled", "cancel", reason=reason, cancelled_at=utcnow(),
                       cancel_reason=reason)


def list_activities(principal, args, page):
    """Activities of my communities, soonest first; ``upcoming`` hides finished ones."""
    stmt = select(VolunteerActivity).where(VolunteerActivity.district_id == principal.district_id)
    scope = principal.communities(*WRITE_ROLES, *READ_ROLES)
    wanted = [args["community_id"]] if args.get("community_id") else None
    if scope is not None or wanted:
        ids = scope if wanted is None else (set(wanted) if scope is None else scope & set(wanted))
        stmt = stmt.where(VolunteerActivity.id.in_(
            select(VolunteerActivityCommunity.activity_id).where(VolunteerActivityCommunity.community_id.in_(ids))
        ))
    if args.get("status"):
        stmt = stmt.where(VolunteerActivity.status.in_(args["status"]))
    if args.get("upcoming"):
        stmt = stmt.where(VolunteerActivity.ends_at > utcnow(),
                          VolunteerActivity.status.in_(("draft", "open", "running")))
    if args.get("starts_from"):
        stmt = stmt.where(VolunteerActivity.starts_at >= args["starts_from"])
    if args.get("starts_until"):
        stmt = stmt.where(VolunteerActivity.starts_at < args["starts_until"])
    result = paginate(stmt.order_by(VolunteerActivity.starts_at, VolunteerActivity.id), page)
    with_counts(result["items"])
    return result


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


def get_activity(principal, activity_id):
    activity = get_activity_for_staff(principal, activity_id, WRITE_ROLES + READ_ROLES)
    return with_counts([activity])[0]


# --- sign-up and the waiting list -------------------------------------------------------


def _waiting_position(part):
    if part.status != "waiting":
        return None
    ahead = _count(
        part.activity_id,
        VolunteerParticipation.status == "waiting",
        or_(VolunteerParticipation.signed_up_at < part.signed_up_at,
            and_(VolunteerParticipation.signed_up_at == part.signed_up_at, VolunteerParticipation.id < part.id)),
    )
    return ahead + 1


def _with_position(part):
    part.waiting_position = _waiting_position(part)
    return part


def _promote_waiting(activity):
    """Give free places to the waiting list, first come first served (activity row locked)."""
    if activity.status not in ATTENDANCE:
        return []
    free = activity.capacity - _confirmed_count(activity.id)
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


def _enrol(activity, resident, *, source, added_by=None):
    """Give ``resident`` a place, or a place on the waiting list when full (walk-ins: 409)."""
    part = _participation(activity.id, resident.id)
    if part is not None and part.status in ("confirmed", "waiting") and source == "sign_up":
        return part
    full = _confirmed_count(activity.id) >= activity.capacity
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
    activity = _get_activity_for_resident(resident, activity_id, lock=True)
    _require_state(activity, ("open",), "sign up")
    if utcnow() >= activity.starts_at:
        raise WrongActivityState("活动已开始，报名已截止，请到现场联系组织者。"
                                 "Sign-up closed when the activity started; ask the organiser on site.",
                                 code="sign_up_closed")
    _check_age(activity, resident)
    return _with_position(_enrol(activity, resident, source="sign_up"))


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
        _promote_waiting(activity)
    return part


def withdraw(principal, activity_id):
    """A resident withdraws; the first on the waiting list gets the place."""
    resident = db.session.get(Resident, principal.id)
    activity = _get_activity_for_resident(resident, activity_id, lock=True)
    _require_state(activity, ATTENDANCE, "withdraw")
    part = _participation(activity.id, resident.id)
    if part is None:
        raise NotSignedUp("您没有报名这个活动。You are not signed up for this activity.")
    return _with_position(_withdraw(activity, part))


def withdraw_participant(principal, activity_id, participation_id, reason):
    """The organiser takes someone off the list (audited); the waiting list moves up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ATTENDANCE, "withdraw a participant")
    part = _participation_of(activity, participation_id)
    before = part.status
    _withdraw(activity, part)
    record_audit(principal, "volunteering.participant_withdraw", "volunteer_participation", part.id,
                 before={"status": before}, after={"status": part.status}, reason=reason)
    return _with_position(part)


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
        _with_position(part)
    return result


# --- on site: walk-ins, check-in, check-out, corrections ----------------------------------


def _scanned_resident(activity, data):
    """The resident behind a scanned code, a typed card number or (walk-ins) an id."""
    if data.get("code"):
        resident = cards.resolve_resident(data["code"]).resident
    elif data.get("card_number"):
        card = cards.find_card_by_number(data["card_number"])
        if card.kind != "resident":
            raise cards.WrongCodeKind("这是商户的卡，不是居民卡。This is a merchant's card, not a resident's.")
        resident = db.session.get(Resident, card.subject_id)
        if resident is None:
            raise NotFound("这张卡不属于任何居民。This card belongs to no resident.", code="resident_not_found")
    else:
        resident = db.session.get(Resident, data["resident_id"])
        if resident is None:
            raise NotFound("没有这位居民。No such resident.", code="resident_not_found")
    _check_eligible(activity, resident)
    return resident


def add_walk_in(principal, activity_id, data):
    """The organiser adds someone who came without signing up (capacity still holds)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ATTENDANCE, "add a walk-in")
    resident = _scanned_resident(activity, data)
    _check_age(activity, resident)
    part = _enrol(activity, resident, source="walk_in", added_by=principal.id)
    record_audit(principal, "volunteering.walk_in", "volunteer_participation", part.id,
                 after={"activity_id": activity.id, "resident_id": resident.id})
    return _with_position(part)


def _check_in_window(activity, at):
    if not activity.starts_at - CHECK_IN_EARLY <= at <= activity.ends_at:
        raise OutsideActivityTime(
            "签到时间为活动开始前一小时至活动结束。"
            "Check-in is possible from an hour before the start until the end of the activity.",
            errors={"time": [f"{activity.starts_at.isoformat()}Z – {activity.ends_at.isoformat()}Z"]},
        )


def _check_no_overlap(part, start, end):
    """Refuse time at ``part``'s activity that overlaps time the resident spends at another."""
    others = db.session.execute(
        select(VolunteerParticipation)
        .where(VolunteerParticipation.resident_id == part.resident_id,
               VolunteerParticipation.id != part.id,
               VolunteerParticipation.checked_in_at.is_not(None),
               VolunteerParticipation.checked_in_at < end)
    ).scalars().all()
    for other in others:
        if other.activity.status == "cancelled":
            continue
        other_end = other.checked_out_at or other.activity.ends_at
        if other_end > start:
            raise AttendingElsewhere(
                f"该居民同一时间正在参加“{other.activity.title_zh}”，请先在那里签退。"
                f"Already attending “{other.activity.title_en}” at this time; check out there first.",
                errors={"activity_id": [str(other.activity_id)]})


def check_in(principal, activity_id, data):
    """Scan someone in; returns ``(participation, outcome)``. A second scan changes nothing."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ATTENDANCE, "check in")
    now = utcnow()
    _check_in_window(activity, now)
    resident = _scanned_resident(activity, data)
    _lock_resident(resident.id)
    part = _participation(activity.id, resident.id)
    if part is None or part.status == "withdrawn" or (part.status == "waiting" and data.get("walk_in")):
        if not data.get("walk_in"):
            raise NotSignedUp("该居民未报名，可作为现场报名加入。Not signed up for this activity; add them as a walk-in.")
        _check_age(activity, resident)
        part = _enrol(activity, resident, source="walk_in", added_by=principal.id)
    if part.status == "waiting":
        raise OnWaitingList("该居民仍在候补名单上。Still on the waiting list; add them as a walk-in if there is room.")
    if part.checked_out_at is not None:
        raise AlreadyCheckedOut("已签到并签退；如又回到现场，请更正时间。"
                                "Already checked in and out; correct the times if they came back.")
    if part.checked_in_at is not None:
        return _with_position(part), "already_checked_in"
    _check_no_overlap(part, now, activity.ends_at)
    part.checked_in_at, part.checked_in_by = now, principal.id
    if activity.status == "open":
        _transition(principal, activity, "running", "start", started_at=now)
    db.session.flush()
    record_audit(principal, "volunteering.check_in", "volunteer_participation", part.id,
                 after={"checked_in_at": now.isoformat(), "how": "code" if data.get("code") else "card_number"})
    return _with_position(part), "checked_in"


def check_out(principal, activity_id, data):
    """Scan someone out; a check-out before a check-in is refused, a second one changes nothing."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, ("running",), "check out")
    resident = _scanned_resident(activity, data)
    part = _participation(activity.id, resident.id)
    if part is None or part.status != "confirmed":
        raise NotSignedUp("该居民未参加本活动。Not taking part in this activity.")
    if part.checked_in_at is None:
        raise NotCheckedIn("尚未签到，请先扫码签到。Not checked in yet; scan the check-in first.")
    if part.checked_out_at is not None:
        return _with_position(part), "already_checked_out"
    # time after the end does not count; forgotten check-outs are closed at the end too
    part.checked_out_at, part.checked_out_by = min(utcnow(), activity.ends_at), principal.id
    db.session.flush()
    record_audit(principal, "volunteering.check_out", "volunteer_participation", part.id,
                 after={"checked_out_at": part.checked_out_at.isoformat()})
    return _with_position(part), "checked_out"


def correct_times(principal, activity_id, participation_id, data):
    """The organiser corrects a check-in or check-out time; the reason goes to the audit log."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, RATABLE, "correct times")
    part = _participation_of(activity, participation_id)
    if part.status != "confirmed":
        raise NotSignedUp("只有报名成功的人才有签到时间。Only people with a place can have attendance times.")
    new_in = data.get("checked_in_at", part.checked_in_at)
    new_out = data.get("checked_out_at", part.checked_out_at)
    if new_in is None:
        raise ValidationFailed(errors={"checked_in_at": ["A check-in time is needed."]})
    now = utcnow()
    for name, value in (("checked_in_at", new_in), ("checked_out_at", new_out)):
        if value is not None and not (activity.starts_at - CHECK_IN_EARLY <= value <= activity.ends_at):
            raise OutsideActivityTime(errors={name: ["Outside the activity's time."]})
        if value is not None and value > now:
            raise OutsideActivityTime(errors={name: ["In the future."]})
    if new_out is not None and new_out < new_in:
        raise ValidationFailed(errors={"checked_out_at": ["Must not be before the check-in."]})
    if new_out is None and activity.status == "closed":
        raise ValidationFailed(errors={"checked_out_at": ["The activity is closed: a check-out time is needed."]})
    _lock_resident(part.resident_id)
    _check_no_overlap(part, new_in, new_out or activity.ends_at)
    before = {"checked_in_at": part.checked_in_at, "checked_out_at": part.checked_out_at}
    part.checked_in_at, part.checked_out_at, part.time_corrected = new_in, new_out, True
    part.checked_in_by = part.checked_in_by or principal.id
    db.session.flush()
    iso = {k: (v.isoformat() if v else None) for k, v in before.items()}
    record_audit(principal, "volunteering.time_correct", "volunteer_participation", part.id, before=iso,
                 after={"checked_in_at": new_in.isoformat(), "checked_out_at": new_out and new_out.isoformat()},
                 reason=data["reason"])
    return _with_position(part)


def list_participants(principal, activity_id, args, page):
    """Who signed up (or waits, or withdrew) and who is on site now."""
    activity = get_activity_for_staff(principal, activity_id, WRITE_ROLES + READ_ROLES)
    stmt = (
        select(VolunteerParticipation)
        .where(VolunteerParticipation.activity_id == activity.id)
        .order_by(VolunteerParticipation.status, VolunteerParticipation.signed_up_at, VolunteerParticipation.id)
    )
    if args.get("status"):
        stmt = stmt.where(VolunteerParticipation.status.in_(args["status"]))
    if args.get("on_site"):
        stmt = stmt.where(VolunteerParticipation.checked_in_at.is_not(None),
                          VolunteerParticipation.checked_out_at.is_(None))
    result = paginate(stmt, page)
    for part in result["items"]:
        _with_position(part)
    return result


def _local(value):
    """A naive UTC time as local wall-clock text for sheets and certificates."""
    if value is None:
        return ""
    return (value + offset()).strftime("%Y-%m-%d %H:%M")


def attendance_csv(principal, activity_id):
    """The attendance sheet (签到表) as CSV with a BOM, so spreadsheet programs read the Chinese."""
    activity = get_activity_for_staff(principal, activity_id, WRITE_ROLES + READ_ROLES)
    settings = volunteer_settings(activity.district_id)
    rows = db.session.execute(
        select(VolunteerParticipation, Resident)
        .join(Resident, Resident.id == VolunteerParticipation.resident_id)
        .where(VolunteerParticipation.activity_id == activity.id,
               VolunteerParticipation.status == "confirmed")
        .order_by(Resident.community_id, Resident.name, VolunteerParticipation.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["序号 No.", "姓名 Name", "社区 Community", "电话 Phone", "来源 Source",
                     "签到 Check-in (CST)", "签退 Check-out (CST)", "未签退 Forgotten", "已更正 Corrected",
                     "时长(分钟) Minutes", "质量 Quality", "积分 Points", "信用记录 Record"])
    for n, (part, resident) in enumerate(rows, 1):
        minutes = part.credited_minutes
        if minutes is None and part.checked_in_at and part.checked_out_at:
            minutes = credited_minutes(part.checked_in_at, part.checked_out_at, activity.length_minutes, settings)
        quality = part.quality_percent or settings.default_quality_percent
        # names and places are typed by people: a leading "=" must not become a formula
        writer.writerow(safe_row([
            n, resident.name, resident.community.name_zh, resident.phone or "",
            "现场 walk-in" if part.source == "walk_in" else "报名 sign-up",
            _local(part.checked_in_at), _local(part.checked_out_at),
            "是 yes" if part.checkout_forgotten else "", "是 yes" if part.time_corrected else "",
            "" if minutes is None else minutes, f"{Decimal(quality) / 100:.1f}",
            "" if part.points is None else part.points, part.credit_record_id or "",
        ]))
    return "\ufeff" + out.getvalue(), f"attendance-{activity.id}.csv"


# --- rating and settlement --------------------------------------------------------------


def _quality_percent(settings, value):
    percent = int((Decimal(str(value)) * 100).to_integral_value())
    if Decimal(str(value)) * 100 != percent or percent not in settings.quality_percents:
        allowed = ", ".join(f"{Decimal(p) / 100:.1f}" for p in settings.quality_percents)
        raise ValidationFailed(f"服务质量系数只能是 {allowed}。Quality must be one of {allowed}.",
                               code="invalid_quality",
                               errors={"quality": [f"One of {allowed}."]})
    return percent


def _apply_ratings(principal, activity, ratings):
    settings = volunteer_settings(activity.district_id)
    changed = {}
    for rating in ratings:
        part = _participation_of(activity, rating["participation_id"])
        if part.checked_in_at is None:
            raise NotCheckedIn(f"参与者 {part.id} 未到场，无需评价。Participant {part.id} did not attend; nothing to rate.",
                               errors={"participation_id": [str(part.id)]})
        part.quality_percent = _quality_percent(settings, rating["quality"])
        changed[str(part.id)] = part.quality_percent
    db.session.flush()
    if changed:
        record_audit(principal, "volunteering.rate", "volunteer_activity", activity.id, after=changed)


def rate_participants(principal, activity_id, ratings):
    """The organiser rates the quality of each attendee's service (0.8 / 1.0 / 1.2)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    _require_state(activity, RATABLE, "rate participants")
    _apply_ratings(principal, activity, ratings)
    return with_counts([activity])[0]


def settle_activity(principal, activity_id, ratings=None):
    """Turn a closed activity's attendance into pending credit records.

    Minutes are rounded by policy and capped at the activity's length; points
    are hours × points per hour × quality. Each record is logged in the
    settler's name, so a different reviewer must approve it, and carries the
    source reference ``activity:<id>:resident:<id>``, so settling again —
    here or after a crash — finds the records instead of making new ones.
    """
    from ..credit import service as credit

    activity = get_activity_for_staff(principal, activity_id, lock=True)
    if activity.status == "settled":
        return with_counts([activity])[0]
    _require_state(activity, ("closed",), "settle")
    outside = [cid for cid in activity.community_ids if not principal.can(cid, *WRITE_ROLES)]
    if outside:
        # the records are logged in the settler's name, for residents of every community of the activity
        raise Forbidden("只有本活动所有社区的信用采集员才能结算。"
                        "Only a worker of every community of the activity can settle it.", code="out_of_scope",
                        errors={"community_ids": [f"Not yours: {outside}."]})
    if ratings:
        _apply_ratings(principal, activity, ratings)
    settings = volunteer_settings(activity.district_id)
    attendees = db.session.execute(
        select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity.id,
            VolunteerParticipation.status == "confirmed",
            VolunteerParticipation.checked_in_at.is_not(None),
        ).order_by(VolunteerParticipation.id)
    ).scalars().all()
    now = utcnow()
    created = 0
    for part in attendees:
        minutes = credited_minutes(part.checked_in_at, part.checked_out_at or activity.ends_at,
                                   activity.length_minutes, settings)
        part.quality_percent = part.quality_percent or settings.default_quality_percent
        part.credited_minutes = minutes
        part.points = points_for(minutes, activity.points_per_hour, part.quality_percent)
        part.settled_at = now
        if part.points > 0:
            record = credit.create_record(
                principal, part.resident_id, activity.item_id, part.checked_out_at or activity.ends_at,
                note=f"{activity.title_zh} / {activity.title_en}: {minutes} min × {activity.points_per_hour}/h "
                     f"× {Decimal(part.quality_percent) / 100:.1f}",
                points=part.points, source_ref=f"activity:{activity.id}:resident:{part.resident_id}",
            )
            created += part.credit_record_id is None
            part.credit_record_id = record.id
    db.session.flush()
    _transition(principal, activity, "settled", "settle", settled_at=now, settled_by=principal.id)
    record_audit(principal, "volunteering.settlement", "volunteer_activity", activity.id,
                 after={"attendees": len(attendees), "records": created,
                        "points": sum(p.points or 0 for p in attendees)})
    return with_counts([activity])[0]


# --- totals and certificates ------------------------------------------------------------


def _counted_service(resident_id, *columns):
    """Settled service of a resident that counts.

    Hours whose credit record a reviewer rejected, or an upheld objection voided,
    do not count: the review found the service did not happen as recorded.
    """
    return (
        select(*columns)
        .select_from(VolunteerParticipation)
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerParticipation.activity_id)
        .outerjoin(CreditRecord, CreditRecord.id == VolunteerParticipation.credit_record_id)
        .where(VolunteerParticipation.resident_id == resident_id,
               VolunteerParticipation.settled_at.is_not(None),
               VolunteerParticipation.credited_minutes > 0,
               or_(CreditRecord.id.is_(None), CreditRecord.status.not_in(UNCOUNTED_RECORDS)))
    )


def volunteer_minutes_since(resident_id, since):
    """Settled volunteer minutes of activities that started at or after ``since`` (e.g. for credit repair)."""
    return db.session.execute(
        _counted_service(resident_id, func.coalesce(func.sum(VolunteerParticipation.credited_minutes), 0))
        .where(VolunteerActivity.starts_at >= since)
    ).scalar_one()


def volunteer_totals(resident_id, year=None):
    """Settled hours of one resident by kind (catalogue item) and local calendar year."""
    rows = db.session.execute(_counted_service(
        resident_id, VolunteerParticipation.credited_minutes, VolunteerActivity.starts_at, VolunteerActivity.item_id,
    )).all()
    by_kind, by_year, titles = {}, {}, {}
    for minutes, starts_at, item_id in rows:
        row_year = _local_year(starts_at)
        if year is not None and row_year != year:
            continue
        if item_id not in titles:
            version = catalogue.latest_version(db.session.get(CatalogueItem, item_id))
            titles[item_id] = {"title_zh": version.title_zh, "title_en": version.title_en}
        kind = by_kind.setdefault((row_year, item_id), {"year": row_year, "item_id": item_id, **titles[item_id],
                                                        "minutes": 0, "activities": 0})
        kind["minutes"] += minutes
        kind["activities"] += 1
        by_year.setdefault(row_year, {"year": row_year, "minutes": 0, "activities": 0})
        by_year[row_year]["minutes"] += minutes
        by_year[row_year]["activities"] += 1
    kinds = sorted(by_kind.values(), key=lambda k: (-k["year"], -k["minutes"], k["item_id"]))
    years = sorted(by_year.values(), key=lambda y: -y["year"])
    return {
        "resident_id": resident_id,
        "year": year,
        "total_minutes": sum(y["minutes"] for y in years),
        "activities": sum(y["activities"] for y in years),
        "by_kind": kinds,
        "by_year": years,
    }


def resident_totals_for_staff(principal, resident_id, year=None):
    get_resident_for_staff(principal, resident_id, WRITE_ROLES + READ_ROLES, what="volunteer_hours")
    return volunteer_totals(resident_id, year)


_CERT = struct.Struct(">2sB4sQ8s")  # magic "VC", version, signing key id, certificate id, nonce
_CERT_SIG = 64


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate_token(certificate):
    """Ed25519-signed with the card keys, so the published public keys verify it offline too."""
    ring = tokens.keyring()
    body = _CERT.pack(b"VC", 1, bytes.fromhex(ring.signer_kid), certificate.id, bytes.fromhex(certificate.nonce))
    return _b64(body + ring.signer.sign(body))


def certificate_url(certificate):
    return f"{current_app.config['PUBLIC_BASE_URL']}/v/{certificate_token(certificate)}"


def verify_certificate(token):
    """The certificate a token stands for, or ``CertificateNotFound`` for anything forged or unknown."""
    text = tokens.extract(token)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise CertificateNotFound("这不是有效的证明二维码。This is not a valid certificate code.") from None
    if len(data) != _CERT.size + _CERT_SIG:
        raise CertificateNotFound("这不是有效的证明二维码。This is not a valid certificate code.")
    body, signature = data[:_CERT.size], data[_CERT.size:]
    magic, version, kid, certificate_id, nonce = _CERT.unpack(body)
    public = tokens.keyring().public.get(kid.hex())
    if magic != b"VC" or version != 1 or public is None:
        raise CertificateNotFound("此证明不是本信用中心出具的。This certificate was not issued here.")
    try:
        public.verify(signature, body)
    except InvalidSignature:
        raise CertificateNotFound("此证明不是本信用中心出具的。This certificate was not issued here.") from None
    certificate = db.session.get(VolunteerCertificate, certificate_id)
    if certificate is None or certificate.nonce != nonce.hex():
        raise CertificateNotFound("没有这份证明。No such certificate.")
    return certificate


def issue_certificate(principal, resident_id=None, year=None):
    """志愿服务证明: a snapshot of settled hours, for staff of the resident's community or the resident."""
    if principal.kind == "resident":
        resident = db.session.get(Resident, principal.id)
    else:
        resident = get_resident_for_staff(principal, resident_id, WRITE_ROLES + READ_ROLES,
                                          what="volunteer_certificate")
    totals = volunteer_totals(resident.id, year)
    nonce = secrets.token_hex(8)
    certificate = VolunteerCertificate(
        district_id=resident.district_id, resident_id=resident.id, number=f"~{nonce}", year=year,
        total_minutes=totals["total_minutes"], breakdown=totals["by_kind"], nonce=nonce, issued_by=principal.ref,
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.number = f"VS{_local_year(certificate.issued_at)}-{certificate.id:06d}"
    db.session.flush()
    if principal.kind == "staff":
        record_audit(principal, "volunteering.certificate_issue", "volunteer_certificate", certificate.id,
                     after={"resident_id": resident.id, "year": year, "total_minutes": certificate.total_minutes})
    return certificate


def get_certificate(principal, certificate_id):
    certificate = db.session.get(VolunteerCertificate, certificate_id)
    if certificate is None or certificate.district_id != principal.district_id:
        raise CertificateNotFound("没有这份证明。No such certificate.")
    if principal.kind == "resident":
        if certificate.resident_id != principal.id:
            raise CertificateNotFound("没有这份证明。No such certificate.")
    else:
        get_resident_for_staff(principal, certificate.resident_id, WRITE_ROLES + READ_ROLES)
    return certificate


def certificate_view(certificate):
    """Everything the print page and the verification page show."""
    resident = db.session.get(Resident, certificate.resident_id)
    district = db.session.get(District, certificate.district_id)
    return {
        "certificate": certificate,
        "resident": resident,
        "masked_name": mask_name(resident.name),
        "community": resident.community,
        "district": district,
        "hours": hours(certificate.total_minutes),
        "rows": [dict(row, hours=hours(row["minutes"])) for row in certificate.breakdown],
        "issued_local": _local(certificate.issued_at),
        "issued_date": local_date(certificate.issued_at),
        "url": certificate_url(certificate),
    }


def hours(minutes):
    """Minutes as hours for people: 150 → "2.5", 135 → "2.25"."""
    text = f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def public_certificate(view):
    """What anyone holding the certificate's QR code may see: the name masked."""
    certificate = view["certificate"]
    return {
        "valid": True,
        "number": certificate.number,
        "masked_name": view["masked_name"],
        "district_zh": view["district"].name_zh,
        "district_en": view["district"].name_en,
        "community_zh": view["community"].name_zh,
        "community_en": view["community"].name_en,
        "year": certificate.year,
        "total_minutes": certificate.total_minutes,
        "total_hours": view["hours"],
        "issued_at": certificate.issued_at.isoformat() + "Z",
    }


def qr_svg(data):
    """An inline SVG QR code (no image files, prints sharp at any size)."""
    return render_qr_svg(data)
