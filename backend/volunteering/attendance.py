"""On site: walk-ins, check-in and check-out by scanning, corrections of times,
forgotten check-outs, and the attendance sheet (签到表).

A check-in locks the resident row as well as the activity row (shared with the
other check-ins: ``_activity_for_check_in``), so one person cannot be checked in
at two overlapping activities by two organisers at once.
"""
import csv
import io
from types import SimpleNamespace

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.service import record_audit
from ..cards import service as cards
from ..common.pagination import paginate
from ..common.spreadsheet import safe_row
from ..common.time import utcnow
from ..common.calendar import offset
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..residents.models import Resident
from .access import (READ_ROLES, WRITE_ROLES, check_age, check_eligible, check_staff_access, get_activity_for_staff,
                     load_activity, lock_resident,
                     lock_resident_and_participation,
                     participation, participation_of, require_state, transition)
from .errors import AlreadyCheckedOut, AttendingElsewhere, NotCheckedIn, NotSignedUp, OnWaitingList, OutsideActivityTime
from .models import VolunteerActivity, VolunteerParticipation
from .rules import (ATTENDANCE, EDITABLE, RATABLE, credited_minutes, in_check_in_window, local_text, quality_text,
                    volunteer_settings)
from .signup import enrol, with_position


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
    check_eligible(activity, resident)
    return resident


def add_walk_in(principal, activity_id, data):
    """The organiser adds someone who came without signing up (capacity still holds)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, ATTENDANCE, "add a walk-in")
    resident = _scanned_resident(activity, data)
    check_age(activity, resident)
    part = enrol(activity, resident, source="walk_in", added_by=principal.id)
    record_audit(principal, "volunteering.walk_in", "volunteer_participation", part.id,
                 after={"activity_id": activity.id, "resident_id": resident.id})
    return with_position(part)


def _check_in_window(activity, at):
    if not in_check_in_window(activity.starts_at, activity.ends_at, at):
        raise OutsideActivityTime(
            "签到时间为活动开始前一小时至活动结束。"
            "Check-in is possible from an hour before the start until the end of the activity.",
            errors={"time": [f"{activity.starts_at.isoformat()}Z – {activity.ends_at.isoformat()}Z"]},
        )


def _attending_elsewhere(participation, activity):
    """Another attendance of resident ``:who`` (not ``:participation_id``), in an activity not cancelled, whose
    time (until the check-out, else the activity's end) overlaps [``:start``, ``:end``): the overlap rule, on
    the tables or aliases given (so it can also sit in an UPDATE of the participations table itself)."""
    when = VolunteerParticipation.checked_in_at.type
    return (select(participation.activity_id, activity.title_zh, activity.title_en)
            .join(activity, activity.id == participation.activity_id)
            .where(participation.resident_id == bindparam("who"), participation.id != bindparam("participation_id"),
                   participation.checked_in_at.is_not(None), participation.checked_in_at < bindparam("end", type_=when),
                   activity.status != "cancelled",
                   func.coalesce(participation.checked_out_at, activity.ends_at) > bindparam("start", type_=when)))


#: the first such attendance, to name it; built once (a hot path of the scan)
_OVERLAPPING = _attending_elsewhere(VolunteerParticipation, VolunteerActivity).limit(1)


def _check_no_overlap(part, start, end):
    """Refuse time at ``part``'s activity that overlaps time the resident spends at another (one Core
    statement; it was one query plus one per other activity)."""
    other = db.session.execute(_OVERLAPPING, {"who": part.resident_id, "participation_id": part.id,
                                              "start": start, "end": end}).first()
    if other is not None:
        raise AttendingElsewhere(
            f"该居民同一时间正在参加“{other.title_zh}”，请先在那里签退。"
            f"Already attending “{other.title_en}” at this time; check out there first.",
            errors={"activity_id": [str(other.activity_id)]})


#: activities this process has seen past ``open`` (running, closed, settled, cancelled), by id: their
#: ``created_at`` and villages. An activity never goes back to ``open``, and its villages are fixed once
#: it is no longer editable (``EDITABLE``), so a check-in there needs no exclusive lock to start it
#: and no read of its villages (see ``_activity_for_check_in``)
_under_way = {}
_UNDER_WAY_MAX = 10000


def _remember_under_way(activity):
    if len(_under_way) >= _UNDER_WAY_MAX:
        _under_way.clear()
    _under_way[activity.id] = (activity.created_at, tuple(activity.community_ids))


def _activity_for_check_in(principal, activity_id, walk_in):
    """The activity, locked as much as the check-in needs.

    The bench (and a village's morning) scans everyone into one activity, so its row is the hot row.
    A plain check-in only needs the activity's state to hold until the commit: it locks the row
    ``FOR SHARE`` (check-ins do not wait for each other; a close or a cancel waits for them and then
    finds them on site), and takes its villages from an earlier scan in this process (they are fixed
    once the activity is under way). A walk-in counts the places (capacity) and the first check-in
    starts the activity: those lock it ``FOR UPDATE`` and read its villages as before, as does the
    first scan of a process, which finds out whether the activity is under way.
    """
    known = None if walk_in else _under_way.get(activity_id)
    if known is not None:
        activity = load_activity(activity_id, lock="share")
        # the same activity (not an id reused by another database: tests), still under way
        if activity is not None and activity.created_at == known[0] and activity.status not in EDITABLE:
            set_committed_value(activity, "communities", [SimpleNamespace(community_id=c) for c in known[1]])
            return check_staff_access(principal, activity)
        _under_way.pop(activity_id, None)
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    if activity.status not in EDITABLE:
        _remember_under_way(activity)
    return activity


_PARTICIPATIONS = VolunteerParticipation.__table__
#: the check-in itself, built once: the time is set only where none is, and only if the resident is not
#: on site elsewhere at the time (the overlap rule, in the same statement)
_CHECK_IN = (
    update(_PARTICIPATIONS)
    .where(_PARTICIPATIONS.c.id == bindparam("participation_id"), _PARTICIPATIONS.c.checked_in_at.is_(None),
           ~_attending_elsewhere(aliased(VolunteerParticipation), aliased(VolunteerActivity)).exists())
    .values(checked_in_at=bindparam("at", type_=VolunteerParticipation.checked_in_at.type),
            checked_in_by=bindparam("by"))
)


def _mark_checked_in(part, at, by, until):
    """Set the check-in time unless it is set already, or the resident is on site elsewhere then.

    Check-ins share the activity's lock, so two scans of one card take turns only on the resident's
    row, in the statement that also read the participation (its snapshot may predate the other
    scan's commit). The ``checked_in_at IS NULL`` in the update is re-checked on the row's newest
    version after the wait: the second scan changes nothing. The overlap rule (``_check_no_overlap``)
    is tested in the same statement, which starts after the resident's row is locked: one round trip
    where there were two. Core on a hot path; the loaded participation is told its new values, so
    nothing is flushed or read back. When nothing was set, the participation is read again to say why:
    another scan was first (returns False), or the resident is elsewhere (``AttendingElsewhere``).
    """
    done = db.session.execute(_CHECK_IN, {"participation_id": part.id, "who": part.resident_id,
                                          "start": at, "end": until, "at": at, "by": by}).rowcount
    if done:
        set_committed_value(part, "checked_in_at", at)
        set_committed_value(part, "checked_in_by", by)
        return True
    db.session.refresh(part)
    if part.checked_in_at is not None:
        return False
    _check_no_overlap(part, at, until)
    raise Conflict("The request conflicts with the current state; retry it.")


def check_in(principal, activity_id, data):
    """Scan someone in; returns ``(participation, outcome)``. A second scan changes nothing.

    Two scans of one person take turns on the resident's row (``lock_resident_and_participation``), so
    nobody is checked in twice, nor at two overlapping activities at once."""
    activity = _activity_for_check_in(principal, activity_id, bool(data.get("walk_in")))
    require_state(activity, ATTENDANCE, "check in")
    now = utcnow()
    _check_in_window(activity, now)
    resident = _scanned_resident(activity, data)
    part = lock_resident_and_participation(activity.id, resident.id)
    if part is None or part.status == "withdrawn" or (part.status == "waiting" and data.get("walk_in")):
        if not data.get("walk_in"):
            raise NotSignedUp("该居民未报名，可作为现场报名加入。Not signed up for this activity; add them as a walk-in.")
        check_age(activity, resident)
        part = enrol(activity, resident, source="walk_in", added_by=principal.id)
    if part.status == "waiting":
        raise OnWaitingList("该居民仍在候补名单上。Still on the waiting list; add them as a walk-in if there is room.")
    if part.checked_out_at is not None:
        raise AlreadyCheckedOut("已签到并签退；如又回到现场，请更正时间。"
                                "Already checked in and out; correct the times if they came back.")
    if part.checked_in_at is not None:
        return with_position(part), "already_checked_in"
    if not _mark_checked_in(part, now, principal.id, activity.ends_at):
        # the same card scanned twice at once: the other scan read the participation first and won
        return with_position(part), "already_checked_in"
    if activity.status == "open":
        transition(principal, activity, "running", "start", started_at=now)
        _remember_under_way(activity)  # (should this request roll back, the next scan finds it open and locks)
    record_audit(principal, "volunteering.check_in", "volunteer_participation", part.id,
                 after={"checked_in_at": now.isoformat(), "how": "code" if data.get("code") else "card_number"})
    return with_position(part), "checked_in"


def check_out(principal, activity_id, data):
    """Scan someone out; a check-out before a check-in is refused, a second one changes nothing."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, ("running",), "check out")
    resident = _scanned_resident(activity, data)
    part = participation(activity.id, resident.id)
    if part is None or part.status != "confirmed":
        raise NotSignedUp("该居民未参加本活动。Not taking part in this activity.")
    if part.checked_in_at is None:
        raise NotCheckedIn("尚未签到，请先扫码签到。Not checked in yet; scan the check-in first.")
    if part.checked_out_at is not None:
        return with_position(part), "already_checked_out"
    # time after the end does not count; forgotten check-outs are closed at the end too
    part.checked_out_at, part.checked_out_by = min(utcnow(), activity.ends_at), principal.id
    db.session.flush()
    record_audit(principal, "volunteering.check_out", "volunteer_participation", part.id,
                 after={"checked_out_at": part.checked_out_at.isoformat()})
    return with_position(part), "checked_out"


def correct_times(principal, activity_id, participation_id, data):
    """The organiser corrects a check-in or check-out time; the reason goes to the audit log."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, RATABLE, "correct times")
    part = participation_of(activity, participation_id)
    if part.status != "confirmed":
        raise NotSignedUp("只有报名成功的人才有签到时间。Only people with a place can have attendance times.")
    new_in = data.get("checked_in_at", part.checked_in_at)
    new_out = data.get("checked_out_at", part.checked_out_at)
    if new_in is None:
        raise ValidationFailed(errors={"checked_in_at": ["A check-in time is needed."]})
    now = utcnow()
    for name, value in (("checked_in_at", new_in), ("checked_out_at", new_out)):
        if value is not None and not in_check_in_window(activity.starts_at, activity.ends_at, value):
            raise OutsideActivityTime(errors={name: ["Outside the activity's time."]})
        if value is not None and value > now:
            raise OutsideActivityTime(errors={name: ["In the future."]})
    if new_out is not None and new_out < new_in:
        raise ValidationFailed(errors={"checked_out_at": ["Must not be before the check-in."]})
    if new_out is None and activity.status == "closed":
        raise ValidationFailed(errors={"checked_out_at": ["The activity is closed: a check-out time is needed."]})
    lock_resident(part.resident_id)
    _check_no_overlap(part, new_in, new_out or activity.ends_at)
    before = {"checked_in_at": part.checked_in_at, "checked_out_at": part.checked_out_at}
    part.checked_in_at, part.checked_out_at, part.time_corrected = new_in, new_out, True
    part.checked_in_by = part.checked_in_by or principal.id
    db.session.flush()
    iso = {k: (v.isoformat() if v else None) for k, v in before.items()}
    record_audit(principal, "volunteering.time_correct", "volunteer_participation", part.id, before=iso,
                 after={"checked_in_at": new_in.isoformat(), "checked_out_at": new_out and new_out.isoformat()},
                 reason=data["reason"])
    return with_position(part)


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
        with_position(part)
    return result


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
            local_text(part.checked_in_at, offset()), local_text(part.checked_out_at, offset()),
            "是 yes" if part.checkout_forgotten else "", "是 yes" if part.time_corrected else "",
            "" if minutes is None else minutes, quality_text(quality),
            "" if part.points is None else part.points, part.credit_record_id or "",
        ]))
    return "\ufeff" + out.getvalue(), f"attendance-{activity.id}.csv"
