"""District reports: read-only, scoped to the viewer's communities, filtered by town, village and month.

Months are the district's local calendar months (``CREDIT_UTC_OFFSET_HOURS``). The points
report is built from the ledger's own transfers, so its totals reconcile exactly with the
balances: opening balance + inflows − outflows = closing balance, per village and in sum.
Residents and their points are counted in the village they belong to now (a resident who moved
takes their history along); records in the village where the deed was logged.
"""
from datetime import date, datetime

from sqlalchemy import BigInteger, and_, case, func, literal, select, union, union_all

from ..common.auth import STAFF_ROLES
from ..common.time import utcnow
from ..credit.models import CreditEntry, CreditRecord, CreditSubject
from ..credit.periods import local_date, local_midnight_utc
from ..credit.policy import district_policy
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..ledger.models import Account, Transfer
from ..org.models import Community, Household, Town
from ..residents.models import Resident, ResidentChange
from . import rollups
from .models import (
    HouseholdSummary, PointsRollup, RecordsRollup, ResidentSummary, RollupState, VillageParticipation, VillageScore,
)

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


def _whole_district(principal, args):
    """True when the report covers every village of the district (no village filter is then needed)."""
    return principal.communities(*STAFF_ROLES) is None and not args.get("town_id") and not args.get("community_id")


def _in_scope(principal, args, scope):
    """``in_scope(column)``: the column is one of the scope's villages (always true for the whole district:
    a list of 1,400 ids costs more to send and to plan than the filter saves)."""
    if _whole_district(principal, args):
        return lambda column: literal(True)
    ids = [c.id for c, _t in scope]
    return lambda column: column.in_(ids)


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
    in_scope = _in_scope(principal, args, scope)
    district_id = principal.district_id
    transfer_mark, _entry_mark, move_mark = rollups.state_of(district_id)
    hint = rollups.marks(district_id)
    label = _month_label(Transfer.created_at, months)
    parts = [select(PointsRollup.month, PointsRollup.kind, PointsRollup.direction, PointsRollup.amount)
             .where(PointsRollup.district_id == district_id, in_scope(PointsRollup.community_id),
                    PointsRollup.month <= months[-1][0])]
    for direction, column in rollups.DIRECTIONS:
        parts.append(
            select(label, Transfer.kind, literal(direction), Transfer.amount)
            .select_from(Transfer)
            .join(Account, and_(Account.id == column, Account.kind == "resident"))
            .join(Resident, Resident.id == Account.owner_id)
            .where(Transfer.district_id == district_id, Transfer.id > transfer_mark, Transfer.id > hint["transfer"],
                   in_scope(Resident.community_id), Transfer.created_at < months[-1][2]))
        moved = (case((in_scope(ResidentChange.to_community_id), 1), else_=0)
                 - case((in_scope(ResidentChange.from_community_id), 1), else_=0))
        parts.append(
            select(label, Transfer.kind, literal(direction), moved * Transfer.amount)
            .select_from(ResidentChange)
            .join(Account, and_(Account.kind == "resident", Account.owner_id == ResidentChange.resident_id))
            .join(Transfer, column == Account.id)
            .where(ResidentChange.district_id == district_id, ResidentChange.id > move_mark,
                   ResidentChange.id > hint["change"],
                   ResidentChange.from_community_id != ResidentChange.to_community_id,
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

def _touched(district_id):
    """Residents with a score entry, a change or an id past the watermark: their summaries are out of date."""
    entry_mark, change_mark, resident_mark = rollups.state_columns(district_id)[1:4]
    return rollups.touched_since(district_id, entry_mark, change_mark, resident_mark,
                                 hints=rollups.marks(district_id)).subquery()


def _live_residents(district_id, in_villages, months, which):
    """``(village, household, score delta, took part)`` of active residents ``which`` selects, from the base
    tables now (*took part*: a final or repaired good record of a deed in ``months``)."""
    good = (select(CreditRecord.id).where(
        CreditRecord.resident_id == Resident.id, CreditRecord.status.in_(("final", "repaired")),
        CreditRecord.points > 0, CreditRecord.occurred_at >= months[0][1], CreditRecord.occurred_at < months[-1][2]))
    return (select(Resident.community_id.label("community_id"), Resident.household_id.label("household_id"),
                   func.coalesce(CreditSubject.score_delta, 0).label("score_delta"),
                   case((good.exists(), 1), else_=0).label("took_part"))
            .select_from(Resident).outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
            .where(Resident.district_id == district_id, Resident.status == "active",
                   in_villages(Resident.community_id), which))


def _village_counts(district_id, community_ids, months, policy):
    """``(village, stars, residents, score sum, participants)`` rows whose sums per village and star level are
    the villages report, in one subquery (one snapshot with its watermarks).

    Fast path (the summaries cover the months, nobody's last good month lies after them, and the star levels
    were counted under this policy): the villages' aggregates (``report_village_scores``,
    ``report_village_participation``), minus the summarised part of the residents touched past the
    watermark, plus their live one. Otherwise one row per resident: the summaries, with touched residents
    live; and without summaries (the job never ran), or for months outside their window, every resident
    live: exact, only slower. Each part is switched on or off once per statement by a condition on the
    watermark row, so each keeps its own plan."""
    base = rollups.state_columns(district_id)[4]
    first, last = rollups.month_index(months[0][0]), rollups.month_index(months[-1][0])
    covered = and_(base.is_not(None), first - base >= 0, last - base < rollups.WINDOW)
    latest = func.coalesce(select(func.max(VillageParticipation.last_month))
                           .where(VillageParticipation.district_id == district_id).scalar_subquery(), -1)
    counted_under = func.coalesce(select(RollupState.policy_key).where(RollupState.district_id == district_id)
                                  .scalar_subquery(), "")  # never NULL: ``fast`` and ``~fast`` must cover all
    fast = and_(covered, latest <= last, counted_under == rollups.policy_key(policy))
    wanted = rollups.bit(last - base + 1) - rollups.bit(first - base)
    touched = select(_touched(district_id).c[0])

    def in_villages(column):
        return column.in_(community_ids) if community_ids is not None else literal(True)

    def scored(delta):
        score = policy.base_score + delta
        return rollups.stars_of(score, policy.star_thresholds), score
    took_part = case((ResidentSummary.months.op("&")(wanted) != 0, 1), else_=0)
    summaries = and_(ResidentSummary.district_id == district_id, ResidentSummary.active.is_(True),
                     in_villages(ResidentSummary.community_id))
    one, none = literal(1, BigInteger), literal(0, BigInteger)
    stars, score = scored(ResidentSummary.score_delta)
    scores = (select(VillageScore.community_id, VillageScore.stars, VillageScore.residents,
                     VillageScore.residents * policy.base_score + VillageScore.score_sum, none)
              .where(VillageScore.district_id == district_id, in_villages(VillageScore.community_id), fast))
    took = (select(VillageParticipation.community_id, none, none, none, VillageParticipation.residents)
            .where(VillageParticipation.district_id == district_id,
                   in_villages(VillageParticipation.community_id),
                   VillageParticipation.last_month >= first, VillageParticipation.last_month <= last, fast))
    outdated = (select(ResidentSummary.community_id, stars, -one, -score, -took_part)
                .where(summaries, ResidentSummary.resident_id.in_(touched), fast))
    summarised = (select(ResidentSummary.community_id, stars, one, score, took_part)
                  .where(summaries, covered, ~fast, ResidentSummary.resident_id.not_in(touched)))

    def live(which):
        rows = _live_residents(district_id, in_villages, months, which).subquery()
        live_stars, live_score = scored(rows.c.score_delta)
        return select(rows.c.community_id, live_stars, one, live_score, rows.c.took_part)
    return union_all(scores, took, outdated, live(and_(fast, Resident.id.in_(touched))),
                     summarised, live(and_(covered, ~fast, Resident.id.in_(touched))), live(~covered)).subquery()


def villages_report(principal, args):
    """Per village: active residents by star level, average score, and participation (the share of
    residents with at least one final good record in the months asked); ranked by average score
    (诚信示范村), ties by participation. One statement over the villages' aggregates (see rollups.py)."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    policy = district_policy(principal.district_id)
    ids = [c.id for c, _t in scope]
    counts = _village_counts(principal.district_id, None if _whole_district(principal, args) else ids, months,
                             policy)
    community_id, stars, residents, score_total, took_part = counts.c
    by_star = db.session.execute(
        select(community_id, stars, func.sum(residents), func.sum(score_total), func.sum(took_part))
        .group_by(community_id, stars)
    ).all()
    participants = {}
    for village, _star, _count, _score, took in by_star:
        participants[village] = participants.get(village, 0) + int(took or 0)
    stats = {c.id: {"stars": [0] * (len(policy.star_thresholds) + 1), "residents": 0, "score_sum": 0} for c, _ in scope}
    for village, star, count, score_sum, _took in by_star:
        entry = stats[village]
        entry["stars"][int(star)] += int(count)
        entry["residents"] += int(count)
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


def _household_counts(district_id, community_ids, limit):
    """``(household, members, score deltas' sum, lowest)`` of the households that can be among the ``limit``
    best of ``community_ids``, in one subquery: from the households' summaries as of the watermark, those
    down to the ``limit``-th best average (ties included, read along the average's index), except the
    households of residents touched past it, which are all recounted from their other members' summaries
    and the touched members' live rows."""
    touched = select(_touched(district_id).c[0])
    live = _live_residents(district_id, lambda column: literal(True), months_between(None, None),
                           Resident.id.in_(touched)).subquery()
    affected = union(select(ResidentSummary.household_id).where(ResidentSummary.district_id == district_id,
                                                               ResidentSummary.resident_id.in_(touched)),
                     select(live.c.household_id)).subquery()
    affected_ids = select(affected.c[0]).where(affected.c[0].is_not(None))
    untouched = and_(HouseholdSummary.district_id == district_id, HouseholdSummary.household_id.not_in(affected_ids))
    best = (select(HouseholdSummary.average).join(Household, Household.id == HouseholdSummary.household_id)
            .where(untouched, Household.community_id.in_(community_ids))
            .order_by(HouseholdSummary.average.desc()).limit(limit).subquery())
    cutoff = select(func.min(best.c.average)).scalar_subquery()
    kept = (select(HouseholdSummary.household_id, HouseholdSummary.members, HouseholdSummary.score_sum,
                   HouseholdSummary.lowest)
            .where(untouched, HouseholdSummary.average >= cutoff))
    members = union_all(
        select(ResidentSummary.household_id.label("household_id"), ResidentSummary.score_delta.label("score_delta"))
        .where(ResidentSummary.district_id == district_id, ResidentSummary.active.is_(True),
               ResidentSummary.household_id.in_(affected_ids), ResidentSummary.resident_id.not_in(touched)),
        select(live.c.household_id, live.c.score_delta).where(live.c.household_id.is_not(None))).subquery()
    recounted = (select(members.c.household_id, func.count(), func.sum(members.c.score_delta),
                        func.min(members.c.score_delta))
                 .group_by(members.c.household_id))
    return union_all(kept, recounted).subquery()


def households_report(principal, args):
    """Households (信用户) ranked by their members' average score (诚信示范户), the best first; from the
    households' summaries (see rollups.py), one statement."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    names = {c.id: c for c, _t in scope}
    policy = district_policy(principal.district_id)
    limit = args.get("limit", 100)
    counts = _household_counts(principal.district_id, list(names), limit)
    household_id, members, score_sum, lowest = counts.c
    average = (members * policy.base_score + score_sum) * 1.0 / members
    rows = db.session.execute(
        select(Household.id, Household.code, Household.name, Household.community_id,
               members, average.label("average"), policy.base_score + lowest)
        .join(counts, household_id == Household.id)
        .where(Household.community_id.in_(names))
        .order_by(average.desc(), Household.code)
        .limit(limit)
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
    in_scope = _in_scope(principal, args, scope)
    district_id = principal.district_id
    _transfer_mark, entry_mark, _move_mark = rollups.state_of(district_id)
    hint = rollups.marks(district_id)
    first, last = months[0][0], months[-1][0]
    label = _month_label(CreditRecord.occurred_at, months)
    good = CreditRecord.points > 0
    in_months = and_(CreditRecord.district_id == district_id, CreditRecord.subject_type == "resident",
                     in_scope(CreditRecord.community_id),
                     CreditRecord.occurred_at >= months[0][1], CreditRecord.occurred_at < months[-1][2])
    rolled = (select(RecordsRollup.month, RecordsRollup.category, RecordsRollup.good, RecordsRollup.bad,
                     RecordsRollup.good_points, RecordsRollup.bad_points)
              .where(RecordsRollup.district_id == district_id, in_scope(RecordsRollup.community_id),
                     RecordsRollup.month >= first, RecordsRollup.month <= last))
    sign = case((CreditEntry.kind == "final", 1), else_=-1)
    live = (select(label, CreditRecord.category, *rollups.record_counts(sign, good))
            .select_from(CreditEntry).join(CreditRecord, CreditRecord.id == CreditEntry.record_id)
            .where(CreditEntry.district_id == district_id, CreditEntry.id > entry_mark, CreditEntry.id > hint["entry"],
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
    # the villages of the scope are the district's: no district filter, so an index-only scan of
    # ix_credit_records_community_status (which carries created_at) answers it
    counts = db.session.execute(
        select(CreditRecord.community_id, CreditRecord.status, func.count(), func.min(CreditRecord.created_at))
        .where(CreditRecord.community_id.in_([c.id for c, _t in scope]), CreditRecord.status.in_(BACKLOG_STATES))
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

