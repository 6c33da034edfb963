"""Reports on due process and volunteering: objections and their outcomes, repairs, volunteer hours.

Same filters and scope as ``service`` (town, village, local months; a place outside the viewer's
communities answers 404). Each report is one grouped query per table it reads, folded here into
rows; the filters it uses are covered by the tables' own indexes (objections and repairs by
``community_id, status``; volunteering by the activities' ``district_id, starts_at``).
"""
from sqlalchemy import and_, case, func, or_, select

from ..common.time import utcnow
from ..credit.models import CreditRecord, Objection, RepairRequest
from ..extensions import db
from ..residents.models import Resident
from ..volunteering.models import VolunteerActivity, VolunteerParticipation
from ..volunteering.totals import UNCOUNTED_RECORDS
from .service import months_between, report_scope


def month_index(column, months):
    """A CASE that maps a UTC time to its month's position in ``months`` (None outside them)."""
    return case(*[(and_(column >= start, column < end), i) for i, (_label, start, end) in enumerate(months)],
                else_=None)


def in_months(column, months):
    return and_(column >= months[0][1], column < months[-1][2])


def place(community, town):
    return {"community_id": community.id, "community_code": community.code,
            "community_zh": community.name_zh, "community_en": community.name_en,
            "town_id": town.id, "town_zh": town.name_zh, "town_en": town.name_en}


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _filled(months, keys, found):
    """One row per month, zeros where nothing happened, and the totals over all of them."""
    rows = [{"month": label, **{key: found.get(i, {}).get(key, 0) for key in keys}}
            for i, (label, _s, _e) in enumerate(months)]
    return rows, {key: sum(row[key] for row in rows) for key in keys}


# --- objections (异议) and repairs (信用修复) --------------------------------------------------

OBJECTION_KEYS = ("filed", "upheld", "dismissed", "open", "overdue", "decided_late")


def objections_report(principal, args):
    """Objections by the local month they were filed, and what became of them: upheld (record voided
    or reversed), dismissed, still open, ``overdue`` (open past the district's deadline now) and
    ``decided_late`` (decided after the deadline). Counted in the village of the record objected to."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    index = month_index(Objection.created_at, months)
    now = utcnow()
    rows = db.session.execute(
        select(index.label("m"), func.count(), _count(Objection.status == "upheld"),
               _count(Objection.status == "dismissed"), _count(Objection.status == "open"),
               _count(and_(Objection.status == "open", Objection.due_at < now)),
               _count(and_(Objection.status != "open", Objection.decided_at > Objection.due_at)))
        .where(Objection.district_id == principal.district_id,
               Objection.community_id.in_([c.id for c, _t in scope]), in_months(Objection.created_at, months))
        .group_by(index)
    ).all()
    found = {m: dict(zip(OBJECTION_KEYS, map(int, values))) for m, *values in rows if m is not None}
    out, totals = _filled(months, OBJECTION_KEYS, found)
    return {"from": months[0][0], "to": months[-1][0], "months": out, "totals": totals}


REPAIR_KEYS = ("applied", "approved", "rejected", "pending", "points_restored")


def repairs_report(principal, args):
    """Repair requests by the local month they were made: approved, rejected, still pending, and
    the credit points the approved ones gave back. Counted in the village of the repaired record."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    index = month_index(RepairRequest.created_at, months)
    approved = RepairRequest.status == "approved"
    rows = db.session.execute(
        select(index.label("m"), func.count(), _count(approved), _count(RepairRequest.status == "rejected"),
               _count(RepairRequest.status == "pending"),
               func.sum(case((approved, -CreditRecord.points), else_=0)))
        .join(CreditRecord, CreditRecord.id == RepairRequest.record_id)
        .where(RepairRequest.district_id == principal.district_id,
               RepairRequest.community_id.in_([c.id for c, _t in scope]),
               in_months(RepairRequest.created_at, months))
        .group_by(index)
    ).all()
    found = {m: dict(zip(REPAIR_KEYS, (int(v or 0) for v in values))) for m, *values in rows if m is not None}
    out, totals = _filled(months, REPAIR_KEYS, found)
    return {"from": months[0][0], "to": months[-1][0], "months": out, "totals": totals}


# --- volunteering (志愿服务) ---------------------------------------------------------------------

def _volunteer_service(principal, ids, months, *columns):
    """Settled service that counts (as on certificates: not when review rejected or voided its record),
    of residents now living in ``ids``, in activities that started in ``months``."""
    return (
        select(*columns)
        .select_from(VolunteerActivity)
        .join(VolunteerParticipation, VolunteerParticipation.activity_id == VolunteerActivity.id)
        .join(Resident, Resident.id == VolunteerParticipation.resident_id)
        .outerjoin(CreditRecord, CreditRecord.id == VolunteerParticipation.credit_record_id)
        .where(VolunteerActivity.district_id == principal.district_id, in_months(VolunteerActivity.starts_at, months),
               Resident.community_id.in_(ids), VolunteerParticipation.settled_at.is_not(None),
               VolunteerParticipation.credited_minutes > 0,
               or_(CreditRecord.id.is_(None), CreditRecord.status.not_in(UNCOUNTED_RECORDS)))
    )


def _hours(minutes):
    return round(minutes / 60, 1)


def volunteering_report(principal, args):
    """Volunteer hours and volunteers per village and local month (of the activity's start), counted
    in the village the volunteer lives in now; ``villages`` gives each village's period totals
    (a volunteer who served in two months counts once there)."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    ids = [c.id for c, _t in scope]
    index = month_index(VolunteerActivity.starts_at, months)
    volunteers = func.count(func.distinct(VolunteerParticipation.resident_id))
    activities = func.count(func.distinct(VolunteerActivity.id))
    minutes = func.sum(VolunteerParticipation.credited_minutes)
    points = func.sum(func.coalesce(VolunteerParticipation.points, 0))
    # per village and month, and per village over the period: distinct volunteers do not add up
    monthly = db.session.execute(
        _volunteer_service(principal, ids, months, Resident.community_id, index.label("m"), volunteers, activities,
                           minutes, points).group_by(Resident.community_id, index)
    ).all()
    overall = db.session.execute(
        _volunteer_service(principal, ids, months, Resident.community_id, volunteers, activities, minutes, points)
        .group_by(Resident.community_id)
    ).all()
    places = {c.id: place(c, t) for c, t in scope}
    rows = [{"month": months[m][0], **places[cid], "volunteers": int(v), "activities": int(a),
             "minutes": int(mins), "hours": _hours(int(mins)), "points": int(p)}
            for cid, m, v, a, mins, p in monthly if m is not None]
    rows.sort(key=lambda r: (r["month"], r["community_code"]))
    totals = {cid: (int(v), int(a), int(mins), int(p)) for cid, v, a, mins, p in overall}
    villages = []
    for community, _town in scope:
        v, a, mins, p = totals.get(community.id, (0, 0, 0, 0))
        villages.append({**places[community.id], "volunteers": v, "activities": a, "minutes": mins,
                         "hours": _hours(mins), "points": p})
    villages.sort(key=lambda r: (-r["minutes"], r["community_code"]))
    by_month = {}
    for row in rows:
        entry = by_month.setdefault(row["month"], {"minutes": 0, "volunteers": 0})
        entry["minutes"] += row["minutes"]
        entry["volunteers"] += row["volunteers"]  # a volunteer lives in one village: these add up per month
    month_rows = [{"month": label, "minutes": by_month.get(label, {}).get("minutes", 0),
                   "hours": _hours(by_month.get(label, {}).get("minutes", 0)),
                   "volunteers": by_month.get(label, {}).get("volunteers", 0)} for label, _s, _e in months]
    return {"from": months[0][0], "to": months[-1][0], "months": month_rows, "rows": rows, "villages": villages}
