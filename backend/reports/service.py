"""District reports: read-only, scoped to the viewer's communities, filtered by town, village and month.

Months are the district's local calendar months (``CREDIT_UTC_OFFSET_HOURS``). The points
report is built from the ledger's own transfers, so its totals reconcile exactly with the
balances: opening balance + inflows − outflows = closing balance, per village and in sum.
Residents and their points are counted in the village they belong to now (a resident who moved
takes their history along); records in the village where the deed was logged.
"""
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, select, union_all

from ..common.auth import STAFF_ROLES
from ..common.time import utcnow
from ..credit.models import CreditEntry, CreditRecord, CreditSubject
from ..credit.periods import local_date, local_midnight_utc
from ..credit.policy import district_policy
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..ledger.models import Account, Transfer
from ..org.models import Community, Household, Town
from ..residents.models import Resident, ResidentMove
from . import rollups
from .models import PointsRollup, RecordsRollup

#: at most this many months in one report (three years)
MAX_MONTHS = 36
#: ledger kinds as the report names them; any other kind lands in "other" and still reconciles
INFLOW_KINDS = ("credit_award", "redemption_refund", "adjustment", "reversal")
OUTFLOW_KINDS = ("redemption", "expiry", "credit_penalty", "adjustment", "reversal")
#: record states that are still being decided, per village
BACKLOG_STATES = ("pending", "in_notice", "disputed")


# --- scope and months ------------------------------------------------------------------------

def report_scope(principal, town_id=None, community_id=None):
    """The communities of the viewer's district the report covers, in code order.

    A town or village outside the viewer's communities answers 404, like every other
    out-of-scope look-up, so ids cannot be probed.
    """
    allowed = principal.communities(*STAFF_ROLES)
    stmt = (select(Community, Town).join(Town, Town.id == Community.town_id)
            .where(Community.district_id == principal.district_id).order_by(Town.code, Community.code))
    if town_id is not None:
        stmt = stmt.where(Community.town_id == town_id)
    if community_id is not None:
        stmt = stmt.where(Community.id == community_id)
    rows = [(c, t) for c, t in db.session.execute(stmt).all() if allowed is None or c.id in allowed]
    if not rows and (town_id is not None or community_id is not None):
        raise NotFound("No such town or village in your communities.", code="scope_not_found")
    return rows


def months_between(first: str | None, last: str | None):
    """``[(label, start_utc, end_utc)]`` for local months ``first``..``last`` (``YYYY-MM``).

    Defaults: the twelve months up to the current one."""
    this_month = local_date(utcnow()).replace(day=1)
    end = _parse_month(last, "to") if last else this_month
    start = _parse_month(first, "from") if first else _add_months(end, -11)
    if start > end:
        raise ValidationFailed("The first month is after the last one.", code="invalid_month_range",
                               errors={"from": ["After 'to'."]})
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count > MAX_MONTHS:
        raise ValidationFailed(f"A report covers at most {MAX_MONTHS} months.", code="invalid_month_range",
                               errors={"from": [f"At most {MAX_MONTHS} months."]})
    months = []
    for i in range(count):
        month = _add_months(start, i)
        months.append((f"{month:%Y-%m}", local_midnight_utc(month), local_midnight_utc(_add_months(month, 1))))
    return months


def _parse_month(text, field):
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed("A month is written YYYY-MM.", code="invalid_month",
                               errors={field: ["Use YYYY-MM, e.g. 2026-07."]}) from None


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _month_index(column, months):
    """A CASE that maps a UTC time to its month's position in ``months`` (-1 before, None after)."""
    whens = [(column < months[0][1], -1)]
    whens += [(column < end, i) for i, (_label, _start, end) in enumerate(months)]
    return case(*whens, else_=None)


# --- points: issued, spent, expired, outstanding --------------------------------------------

def _month_label(column, months):
    """A CASE that maps a UTC time to its month's label in ``months`` (``0000-00`` before, None after)."""
    whens = [(column < months[0][1], "0000-00")]
    whens += [(column < end, label) for label, _start, end in months]
    return case(*whens, else_=None)


def points_report(principal, args):
    """Per month: points that came into residents' accounts and went out, by kind, and what
    residents hold at each month's end. ``closing`` of a month = its ``opening`` + ``inflow`` −
    ``outflow``; the last month's closing equals the sum of the balances when it is the current month.

    One statement: the monthly roll-ups up to the watermark, the transfers after it, and for residents
    who moved since, their rolled-up transfers taken from the old village and given to the new one."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    community_ids = [c.id for c, _t in scope]
    district_id = principal.district_id
    transfer_mark, _entry_mark, move_mark = rollups.state_of(district_id)
    label = _month_label(Transfer.created_at, months)
    parts = [select(PointsRollup.month, PointsRollup.kind, PointsRollup.direction, PointsRollup.amount)
             .where(PointsRollup.district_id == district_id, PointsRollup.community_id.in_(community_ids),
                    PointsRollup.month <= months[-1][0])]
    for direction, column in rollups.DIRECTIONS:
        parts.append(
            select(label, Transfer.kind, literal(direction), Transfer.amount)
            .select_from(Transfer)
            .join(Account, and_(Account.id == column, Account.kind == "resident"))
            .join(Resident, Resident.id == Account.owner_id)
            .where(Transfer.district_id == district_id, Transfer.id > transfer_mark,
                   Resident.community_id.in_(community_ids), Transfer.created_at < months[-1][2]))
        moved = (case((ResidentMove.to_community_id.in_(community_ids), 1), else_=0)
                 - case((ResidentMove.from_community_id.in_(community_ids), 1), else_=0))
        parts.append(
            select(label, Transfer.kind, literal(direction), moved * Transfer.amount)
            .select_from(ResidentMove)
            .join(Account, and_(Account.kind == "resident", Account.owner_id == ResidentMove.resident_id))
            .join(Transfer, column == Account.id)
            .where(ResidentMove.district_id == district_id, ResidentMove.id > move_mark,
                   Transfer.id <= transfer_mark, Transfer.created_at < months[-1][2]))
    both = union_all(*parts).subquery()
    position = {label: i for i, (label, _start, _end) in enumerate(months)}
    flows = {}
    for month, kind, direction, amount in db.session.execute(
            select(both.c[0], both.c[1], both.c[2], func.sum(both.c[3])).group_by(both.c[0], both.c[1], both.c[2])):
        if month is None:
            continue
        index = -1 if month < months[0][0] else position[month]
        into = flows.setdefault((index, direction), {})
        into[kind] = into.get(kind, 0) + int(amount)
    opening = sum(flows.get((-1, "in"), {}).values()) - sum(flows.get((-1, "out"), {}).values())
    rows = []
    for i, (label, _start, _end) in enumerate(months):
        inflow, outflow = flows.get((i, "in"), {}), flows.get((i, "out"), {})
        row = {
            "month": label,
            "opening": opening,
            "issued": inflow.get("credit_award", 0),
            "refunded": inflow.get("redemption_refund", 0),
            "adjusted_in": inflow.get("adjustment", 0),
            "reversed_in": inflow.get("reversal", 0),
            "spent": outflow.get("redemption", 0),
            "expired": outflow.get("expiry", 0),
            "penalties": outflow.get("credit_penalty", 0),
            "adjusted_out": outflow.get("adjustment", 0),
            "reversed_out": outflow.get("reversal", 0),
            "other_in": sum(v for k, v in inflow.items() if k not in INFLOW_KINDS),
            "other_out": sum(v for k, v in outflow.items() if k not in OUTFLOW_KINDS),
            "inflow": sum(inflow.values()),
            "outflow": sum(outflow.values()),
        }
        row["closing"] = opening + row["inflow"] - row["outflow"]
        opening = row["closing"]
        rows.append(row)
    return {"months": rows, "outstanding": opening, "communities": len(community_ids)}


# --- villages: stars, average score, participation, ranking -----------------------------------

def _stars_expression(score, thresholds):
    return sum((case((score >= t, 1), else_=0) for t in thresholds), literal(0))


def villages_report(principal, args):
    """Per village: active residents by star level, average score, and participation (the share of
    residents with at least one final good record in the months asked); ranked by average score
    (诚信示范村), ties by participation."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    policy = district_policy(principal.district_id)
    score = policy.base_score + func.coalesce(CreditSubject.score_delta, 0)
    stars = _stars_expression(score, policy.star_thresholds)
    ids = [c.id for c, _t in scope]
    by_star = db.session.execute(
        select(Resident.community_id, stars.label("stars"), func.count(), func.sum(score))
        .select_from(Resident).outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
        .where(Resident.community_id.in_(ids), Resident.status == "active")
        .group_by(Resident.community_id, stars)
    ).all()
    active = db.session.execute(
        select(Resident.community_id, func.count(func.distinct(CreditRecord.resident_id)))
        .join(CreditRecord, CreditRecord.resident_id == Resident.id)
        .where(Resident.community_id.in_(ids), Resident.status == "active",
               CreditRecord.status.in_(("final", "repaired")), CreditRecord.points > 0,
               CreditRecord.occurred_at >= months[0][1], CreditRecord.occurred_at < months[-1][2])
        .group_by(Resident.community_id)
    ).all()
    participants = dict(active)
    stats = {c.id: {"stars": [0] * (len(policy.star_thresholds) + 1), "residents": 0, "score_sum": 0} for c, _ in scope}
    for community_id, star, count, score_sum in by_star:
        entry = stats[community_id]
        entry["stars"][int(star)] += count
        entry["residents"] += count
        entry["score_sum"] += int(score_sum or 0)
    rows = []
    for community, town in scope:
        entry = stats[community.id]
        residents = entry["residents"]
        rows.append({
            "community_id": community.id, "community_code": community.code,
            "community_zh": community.name_zh, "community_en": community.name_en,
            "town_id": town.id, "town_zh": town.name_zh, "town_en": town.name_en,
            "residents": residents, "stars": entry["stars"],
            "average_score": round(entry["score_sum"] / residents, 1) if residents else None,
            "participants": participants.get(community.id, 0),
            "participation": round(participants.get(community.id, 0) / residents, 4) if residents else None,
        })
    ranked = sorted(rows, key=lambda r: (r["average_score"] is None, -(r["average_score"] or 0),
                                         -(r["participation"] or 0), r["community_code"]))
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    return {"from": months[0][0], "to": months[-1][0], "star_thresholds": list(policy.star_thresholds),
            "villages": ranked}


def households_report(principal, args):
    """Households (信用户) ranked by their members' average score (诚信示范户), the best first."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    names = {c.id: c for c, _t in scope}
    policy = district_policy(principal.district_id)
    score = policy.base_score + func.coalesce(CreditSubject.score_delta, 0)
    average = func.avg(score)
    rows = db.session.execute(
        select(Household.id, Household.code, Household.name, Household.community_id,
               func.count(Resident.id), average.label("average"), func.min(score))
        .join(Resident, Resident.household_id == Household.id)
        .outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
        .where(Household.community_id.in_(names), Resident.status == "active")
        .group_by(Household.id, Household.code, Household.name, Household.community_id)
        .order_by(average.desc(), Household.code)
        .limit(args.get("limit", 100))
    ).all()
    return {"households": [
        {"rank": rank, "household_id": hid, "household_code": code, "household_name": name,
         "community_id": cid, "community_zh": names[cid].name_zh, "community_en": names[cid].name_en,
         "members": members, "average_score": round(float(avg), 1), "lowest_score": int(lowest),
         "stars": sum(1 for t in policy.star_thresholds if float(avg) >= t)}
        for rank, (hid, code, name, cid, members, avg, lowest) in enumerate(rows, 1)
    ]}


# --- records: by category per month, and the backlog ------------------------------------------

def records_report(principal, args):
    """Final good and bad records (repaired ones included, as they happened) by category and local month
    of the deed.

    A record counts from its ``final`` score entry until a ``void`` one: the roll-ups up to the watermark
    plus the entries after it, in one statement. A repaired record that is voided later has nothing left to
    undo and so no ``void`` entry: those few are taken off by their status."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    community_ids = [c.id for c, _t in scope]
    district_id = principal.district_id
    _transfer_mark, entry_mark, _move_mark = rollups.state_of(district_id)
    first, last = months[0][0], months[-1][0]
    label = _month_label(CreditRecord.occurred_at, months)
    good = CreditRecord.points > 0
    in_months = and_(CreditRecord.district_id == district_id, CreditRecord.subject_type == "resident",
                     CreditRecord.community_id.in_(community_ids),
                     CreditRecord.occurred_at >= months[0][1], CreditRecord.occurred_at < months[-1][2])
    rolled = (select(RecordsRollup.month, RecordsRollup.category, RecordsRollup.good, RecordsRollup.bad,
                     RecordsRollup.good_points, RecordsRollup.bad_points)
              .where(RecordsRollup.district_id == district_id, RecordsRollup.community_id.in_(community_ids),
                     RecordsRollup.month >= first, RecordsRollup.month <= last))
    sign = case((CreditEntry.kind == "final", 1), else_=-1)
    live = (select(label, CreditRecord.category, *rollups.record_counts(sign, good))
            .select_from(CreditEntry).join(CreditRecord, CreditRecord.id == CreditEntry.record_id)
            .where(CreditEntry.district_id == district_id, CreditEntry.id > entry_mark,
                   CreditEntry.kind.in_(("final", "void")), in_months))
    repaired_then_voided = (select(label, CreditRecord.category, *rollups.record_counts(-1, good))
                            .where(in_months, CreditRecord.status == literal("voided", literal_execute=True),
                                   CreditRecord.repaired_at.is_not(None)))
    both = union_all(rolled, live, repaired_then_voided).subquery()
    c = both.c
    totals = db.session.execute(
        select(c[0], c[1], func.sum(c[2]), func.sum(c[3]), func.sum(c[4]), func.sum(c[5])).group_by(c[0], c[1])
    ).all()
    out = [{"month": month, "category": category, "good": int(g), "bad": int(b),
            "good_points": int(gp), "bad_points": int(bp)}
           for month, category, g, b, gp, bp in totals if month is not None and (g or b)]
    out.sort(key=lambda r: (r["month"], r["category"]))
    return {"from": months[0][0], "to": months[-1][0], "rows": out}


def backlog_report(principal, args):
    """Per village: records waiting for review, in public notice and disputed, with the oldest waiting deed."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    counts = db.session.execute(
        select(CreditRecord.community_id, CreditRecord.status, func.count(), func.min(CreditRecord.created_at))
        .where(CreditRecord.district_id == principal.district_id,
               CreditRecord.community_id.in_([c.id for c, _t in scope]),
               CreditRecord.status.in_(BACKLOG_STATES))
        .group_by(CreditRecord.community_id, CreditRecord.status)
    ).all()
    table = {}
    for community_id, status, count, oldest in counts:
        entry = table.setdefault(community_id, {})
        entry[status] = count
        if status == "pending":
            entry["oldest_pending_at"] = oldest
    rows = []
    for community, town in scope:
        entry = table.get(community.id, {})
        rows.append({"community_id": community.id, "community_code": community.code,
                     "community_zh": community.name_zh, "community_en": community.name_en,
                     "town_zh": town.name_zh, "town_en": town.name_en,
                     **{state: entry.get(state, 0) for state in BACKLOG_STATES},
                     "oldest_pending_at": entry.get("oldest_pending_at")})
    return {"villages": rows}


def ledger_totals(district_id):
    """What residents of a district hold, straight from the balances (the reconciliation's other side)."""
    return int(db.session.execute(
        select(func.coalesce(func.sum(Account.balance), 0))
        .where(Account.district_id == district_id, Account.kind == "resident")
    ).scalar_one())

