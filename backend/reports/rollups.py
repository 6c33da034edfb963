"""Monthly roll-ups and per-resident summaries behind the district reports, refreshed by ``flask jobs run``.

At 800,000 residents the ledger holds tens of millions of transfers and the credit archive 20 million
records; summing them on every report request takes seconds. The job adds what is new since its last run
(its *watermark*: the highest transfer, score entry, resident change and resident id it has counted) to
small monthly tables, and a report reads those tables plus a live query over the rows after the watermark,
in one statement (one snapshot), so the answer is exact at any moment: a job that stops only makes the live
part, and so the report, slower.

Only append-only rows are rolled up: transfers (never edited) and score entries (a record counts as final
from its ``final`` entry until a ``void`` entry). Residents are counted in the village they live in now;
a move after the roll-up was cut is corrected from the change log (``resident_changes``). The villages and
households reports build on one summary row per resident (village, household, active, score, good months),
and on what the job counts from them: active residents per (village, score) and per (village, last good
month), and per household (members, score sum, lowest); only the villages and households of the residents
it re-summarises are recounted. A report reads those aggregates and, for a resident with a score entry, a
change or an id after the watermark, takes off their summarised part and adds their live one.

Exactness of the watermark on PostgreSQL: an id is taken before its row commits, so a row with an id below
the highest visible one may still be in flight. The job therefore reads the highest ids under ``SHARE``
locks on the tables it counts, on a connection of its own (waiting, at most two seconds, for the writers in
flight, and holding new writers back only while four ids are read); every row up to those ids is then
committed and visible to the counting that follows. One refresh at a time per district across every
machine: an advisory lock (a second run meanwhile skips), and the state row locked ``FOR UPDATE``.
"""
from datetime import timedelta

from sqlalchemy import (
    BigInteger, Float, Integer, and_, case, cast, delete, distinct, func, literal, select, text, union, union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from ..common.calendar import offset
from ..common.time import utcnow
from ..credit.models import CreditEntry, CreditRecord, CreditSubject
from ..credit.policy import district_policy
from ..extensions import db
from ..ledger.models import Account, Transfer
from ..residents.models import Resident, ResidentChange
from .models import (
    HouseholdSummary, PointsRollup, RecordsRollup, ResidentSummary, RollupState, VillageParticipation, VillageScore,
)

#: ``pg_try_advisory_xact_lock(LOCK_KEY, district_id)``: one refresh per district at a time
LOCK_KEY = 1_668_834_160
#: counted tables whose new rows the job waits for (PostgreSQL ``LOCK … IN SHARE MODE``)
COUNTED_TABLES = "transfers, credit_entries, resident_changes, residents"
#: how long the job waits for writers in flight before it gives up until its next run
LOCK_TIMEOUT = "2s"
DIRECTIONS = (("in", Transfer.to_account_id), ("out", Transfer.from_account_id))
#: months a resident summary can tell apart (bits of a signed 64-bit integer, one to spare)
WINDOW = 62
#: a new summary window starts this many months before the current one (so reports of the last four years,
#: and the next year, read the summaries); it moves on once the current month is ``SHIFT_AFTER`` past its start
WINDOW_BACK, SHIFT_AFTER = 48, 58


def _dialect():
    return db.session.get_bind().dialect.name


def offset_minutes():
    return int(offset().total_seconds() // 60)


def month_of(column):
    """``YYYY-MM`` of the local calendar month of a UTC time column, in SQL."""
    minutes = offset_minutes()
    if _dialect() == "postgresql":
        return func.to_char(column + timedelta(minutes=minutes), "YYYY-MM")
    return func.strftime("%Y-%m", column, f"{minutes:+d} minutes")


def month_index(label):
    """``YYYY-MM`` → year × 12 + month − 1 (consecutive months are consecutive numbers)."""
    return int(label[:4]) * 12 + int(label[5:7]) - 1


def month_index_of(column):
    """:func:`month_index` of a UTC time column's local month, in SQL."""
    label = month_of(column)
    return cast(func.substr(label, 1, 4), Integer) * 12 + cast(func.substr(label, 6, 2), Integer) - 1


def bit(position):
    """``1 << position`` as a 64-bit integer, in SQL."""
    return literal(1, BigInteger).op("<<")(position)


def _upsert(model, keys, values, stmt):
    """``INSERT … SELECT … ON CONFLICT (keys) DO UPDATE SET v = v + excluded.v``: adds to the roll-up."""
    module = postgresql if _dialect() == "postgresql" else sqlite
    insert = module.insert(model).from_select(["district_id", *keys, *values], stmt)
    insert = insert.on_conflict_do_update(
        index_elements=["district_id", *keys],
        set_={name: getattr(model, name) + getattr(insert.excluded, name) for name in values})
    db.session.execute(insert)


def state_of(district_id):
    """The district's roll-up state as a scalar subquery per column (0 before the first refresh)."""
    def column(name):
        return func.coalesce(select(getattr(RollupState, name)).where(RollupState.district_id == district_id)
                             .scalar_subquery(), 0)
    return column("transfer_id"), column("entry_id"), column("change_id")


def state_columns(district_id):
    """Every watermark of the district as scalar subqueries: transfer, entry, change, resident, months base."""
    def column(name, default=0):
        value = select(getattr(RollupState, name)).where(RollupState.district_id == district_id).scalar_subquery()
        return func.coalesce(value, default) if default is not None else value
    return (column("transfer_id"), column("entry_id"), column("change_id"), column("resident_id"),
            column("months_base", None))


def marks(district_id):
    """The watermarks as numbers (0 before the first refresh): one statement.

    A report uses them only as *hints* next to the same watermarks read as subqueries inside its one
    statement (``id > :hint AND id > (SELECT …)``): the numbers let PostgreSQL see that only a few rows
    lie past the watermark (a subquery alone makes it plan for millions), the subqueries keep the
    answer consistent with the roll-ups of the statement's own snapshot if the job commits in between."""
    row = db.session.execute(
        select(RollupState.transfer_id, RollupState.entry_id, RollupState.change_id, RollupState.resident_id)
        .where(RollupState.district_id == district_id)).first()
    return dict(zip(("transfer", "entry", "change", "resident"), row or (0, 0, 0, 0)))


def touched_since(district_id, entry_after, change_after, resident_after, entry_upto=None, change_upto=None,
                  resident_upto=None, hints=None):
    """Residents with a score entry, a change or an id past the watermarks (up to the bounds, if given)."""
    hints = hints or {}

    def between(column, after, upto, name):
        return ([column > after] + ([column <= upto] if upto is not None else [])
                + ([column > hints[name]] if name in hints else []))
    return union(
        select(CreditSubject.resident_id).join(CreditEntry, CreditEntry.subject_id == CreditSubject.id)
        .where(CreditEntry.district_id == district_id, CreditSubject.resident_id.is_not(None),
               *between(CreditEntry.id, entry_after, entry_upto, "entry")),
        select(ResidentChange.resident_id)
        .where(ResidentChange.district_id == district_id,
               *between(ResidentChange.id, change_after, change_upto, "change")),
        select(Resident.id).where(Resident.district_id == district_id,
                                  *between(Resident.id, resident_after, resident_upto, "resident")),
    )


def good_months(district_id, base, which):
    """Per resident (``which(resident_id column)``): the bits of the local months, from ``base``, in which they
    did a final (or repaired) good deed."""
    index = month_index_of(CreditRecord.occurred_at) - base
    return (select(CreditRecord.resident_id.label("resident_id"), func.sum(distinct(bit(index))).label("months"))
            .where(CreditRecord.district_id == district_id, CreditRecord.subject_type == "resident",
                   CreditRecord.status.in_(("final", "repaired")), CreditRecord.points > 0,
                   index >= 0, index < WINDOW, which(CreditRecord.resident_id))
            .group_by(CreditRecord.resident_id).subquery())


def _summaries(district_id, base, which):
    """The summary rows of the residents ``which`` selects, from the base tables now."""
    months = good_months(district_id, base, which)
    return (select(literal(district_id), Resident.id, Resident.community_id, Resident.household_id,
                   Resident.status == "active", func.coalesce(CreditSubject.score_delta, 0),
                   func.coalesce(months.c.months, 0))
            .select_from(Resident).outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
            .outerjoin(months, months.c.resident_id == Resident.id)
            .where(Resident.district_id == district_id, which(Resident.id)))


def last_bit(months):
    """The highest set bit of a positive ``months`` (0..61), in SQL: how many of the powers of two it reaches."""
    return sum((case((months >= literal(1 << i, BigInteger), 1), else_=0) for i in range(1, WINDOW)), literal(0))


def stars_of(score, thresholds):
    """The star level of a score expression under a policy's thresholds, in SQL."""
    return sum((case((score >= t, 1), else_=0) for t in thresholds), literal(0))


def policy_key(policy):
    """What ``report_village_scores`` depends on in a policy: base score and star thresholds."""
    return f"{policy.base_score}:{','.join(str(t) for t in policy.star_thresholds)}"


def _recount(district_id, base, policy, communities=None, households=None):
    """Recount the villages' and households' aggregates from the resident summaries: every one of the
    district's (None), or only those listed; star levels under ``policy``."""
    if communities is None or communities:
        def villages(column):
            return column.in_(communities) if communities is not None else literal(True)
        for model in (VillageScore, VillageParticipation):
            db.session.execute(delete(model).where(model.district_id == district_id, villages(model.community_id)))
        active = and_(ResidentSummary.district_id == district_id, ResidentSummary.active.is_(True),
                      villages(ResidentSummary.community_id))
        stars = stars_of(policy.base_score + ResidentSummary.score_delta, policy.star_thresholds)
        db.session.execute(VillageScore.__table__.insert().from_select(
            ["district_id", "community_id", "stars", "residents", "score_sum"],
            select(literal(district_id), ResidentSummary.community_id, stars, func.count(),
                   func.sum(ResidentSummary.score_delta))
            .where(active).group_by(ResidentSummary.community_id, stars)))
        last = literal(base) + last_bit(ResidentSummary.months)
        db.session.execute(VillageParticipation.__table__.insert().from_select(
            ["district_id", "community_id", "last_month", "residents"],
            select(literal(district_id), ResidentSummary.community_id, last, func.count())
            .where(active, ResidentSummary.months != 0).group_by(ResidentSummary.community_id, last)))
    if households is None or households:
        def in_households(column):
            return column.in_(households) if households is not None else column.is_not(None)
        db.session.execute(delete(HouseholdSummary).where(HouseholdSummary.district_id == district_id,
                                                          in_households(HouseholdSummary.household_id)))
        db.session.execute(HouseholdSummary.__table__.insert().from_select(
            ["district_id", "household_id", "members", "score_sum", "lowest", "average"],
            select(literal(district_id), ResidentSummary.household_id, func.count(),
                   func.sum(ResidentSummary.score_delta), func.min(ResidentSummary.score_delta),
                   cast(func.sum(ResidentSummary.score_delta), Float) / func.count())
            .where(ResidentSummary.district_id == district_id, ResidentSummary.active.is_(True),
                   in_households(ResidentSummary.household_id))
            .group_by(ResidentSummary.household_id)))


def _places_of(district_id, residents):
    """The villages and households the summaries of ``residents`` (a subquery of ids) count in."""
    rows = db.session.execute(
        select(ResidentSummary.community_id, ResidentSummary.household_id)
        .where(ResidentSummary.district_id == district_id, ResidentSummary.resident_id.in_(residents))
        .distinct()).all()
    return {c for c, _h in rows}, {h for _c, h in rows if h is not None}


SUMMARY_COLUMNS = ["district_id", "resident_id", "community_id", "household_id", "active", "score_delta", "months"]


# --- what the job counts ------------------------------------------------------------------------

def _points_since(district_id, after, upto, moves_upto):
    """Residents' transfers with ids in (after, upto], summed by village, month, kind and direction.

    The village is the resident's as of move ``moves_upto``: a move committed since is the report's (and
    the next run's) to carry along, so it must not be counted here already."""
    first_later_move = (select(ResidentChange.resident_id, ResidentChange.from_community_id)
                        .where(ResidentChange.id.in_(
                            select(func.min(ResidentChange.id))
                            .where(ResidentChange.district_id == district_id, ResidentChange.id > moves_upto)
                            .group_by(ResidentChange.resident_id)))
                        .subquery())
    village = func.coalesce(first_later_move.c.from_community_id, Resident.community_id)
    parts = [
        select(village.label("community_id"), month_of(Transfer.created_at).label("month"),
               Transfer.kind.label("kind"), literal(direction).label("direction"), Transfer.amount.label("amount"))
        .select_from(Transfer)
        .join(Account, and_(Account.id == column, Account.kind == "resident"))
        .join(Resident, Resident.id == Account.owner_id)
        .outerjoin(first_later_move, first_later_move.c.resident_id == Resident.id)
        .where(Transfer.district_id == district_id, Transfer.id > after, Transfer.id <= upto)
        for direction, column in DIRECTIONS
    ]
    u = union_all(*parts).subquery()
    return (select(literal(district_id), u.c.community_id, u.c.month, u.c.kind, u.c.direction, func.sum(u.c.amount))
            .group_by(u.c.community_id, u.c.month, u.c.kind, u.c.direction))


def _shift_moved(district_id, move, upto):
    """A resident moved after the roll-up counted their transfers up to ``upto``: carry them along."""
    if move.from_community_id == move.to_community_id:
        return  # a household or status change: the points stay in the village
    for community_id, sign in ((move.from_community_id, -1), (move.to_community_id, 1)):
        for direction, column in DIRECTIONS:
            month = month_of(Transfer.created_at)
            _upsert(PointsRollup, ["community_id", "month", "kind", "direction"], ["amount"],
                    select(literal(district_id), literal(community_id), month, Transfer.kind, literal(direction),
                           sign * func.sum(Transfer.amount))
                    .select_from(Transfer)
                    .join(Account, and_(Account.id == column, Account.kind == "resident",
                                        Account.owner_id == move.resident_id))
                    .where(Transfer.id <= upto)
                    .group_by(month, Transfer.kind))


def record_counts(sign, good):
    """good, bad, good_points, bad_points of one record counted ``sign`` times (+1, or −1 when undone)."""
    return (case((good, sign), else_=0), case((good, 0), else_=sign),
            case((good, sign * CreditRecord.points), else_=0), case((good, 0), else_=sign * CreditRecord.points))


def _records_since(district_id, after, upto):
    """Score entries with ids in (after, upto] as final records gained (+1) or undone (−1)."""
    sign = case((CreditEntry.kind == "final", 1), else_=-1)
    month = month_of(CreditRecord.occurred_at)
    good, bad, good_points, bad_points = record_counts(sign, CreditRecord.points > 0)
    return (select(literal(district_id), CreditRecord.community_id, month, CreditRecord.category,
                   func.sum(good), func.sum(bad), func.sum(good_points), func.sum(bad_points))
            .select_from(CreditEntry).join(CreditRecord, CreditRecord.id == CreditEntry.record_id)
            .where(CreditEntry.district_id == district_id, CreditEntry.id > after, CreditEntry.id <= upto,
                   CreditEntry.kind.in_(("final", "void")), CreditRecord.subject_type == "resident",
                   CreditRecord.community_id.is_not(None))
            .group_by(CreditRecord.community_id, month, CreditRecord.category))


# --- the job ------------------------------------------------------------------------------------

def _lock_state(district_id):
    if db.session.get(RollupState, district_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(RollupState(district_id=district_id, offset_minutes=offset_minutes()))
        except IntegrityError:
            pass
    return db.session.execute(
        select(RollupState).where(RollupState.district_id == district_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def _settled_tops():
    """The highest transfer, score entry and move ids, every row up to them committed; None if busy.

    PostgreSQL: read on a connection of its own under ``SHARE`` locks, which wait (at most ``LOCK_TIMEOUT``)
    for the writers in flight and hold new ones back only while the three ids are read; the locks end with
    that connection's transaction, before any counting starts."""
    names = ("transfer", "entry", "move", "resident")
    tops = [select(func.coalesce(func.max(model.id), 0)) for model in (Transfer, CreditEntry, ResidentChange, Resident)]
    if _dialect() != "postgresql":
        # SQLite has one writer at a time: the highest id read is the highest committed
        return dict(zip(names, (db.session.execute(q).scalar_one() for q in tops)))
    try:
        with db.engine.connect() as conn, conn.begin():
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            conn.execute(text(f"LOCK TABLE {COUNTED_TABLES} IN SHARE MODE"))
            return dict(zip(names, (conn.execute(q).scalar_one() for q in tops)))
    except OperationalError:
        return None


def refresh(district_id, now=None):
    """Add what is new since the watermark to the district's roll-ups; idempotent.

    Returns counts, or None when another refresh of this district is running (or writers held the tables
    longer than ``LOCK_TIMEOUT``): the next run catches up, and reports stay exact meanwhile."""
    now = now or utcnow()
    if _dialect() == "postgresql" and not db.session.execute(
            select(func.pg_try_advisory_xact_lock(LOCK_KEY, district_id))).scalar():
        return None
    top = _settled_tops()
    if top is None:
        return None
    state = _lock_state(district_id)
    minutes = offset_minutes()
    rebuilt = state.offset_minutes != minutes or (state.transfer_id, state.entry_id, state.resident_id) == (0, 0, 0)
    if rebuilt:
        # the months were cut in another calendar (or nothing was counted yet): start afresh, counting
        # residents where they live now, so the changes so far are already reflected
        for model in (PointsRollup, RecordsRollup):
            db.session.execute(delete(model).where(model.district_id == district_id))
        state.transfer_id, state.entry_id, state.change_id, state.offset_minutes = 0, 0, top["move"], minutes
        state.months_base = None
    moves = db.session.execute(
        select(ResidentChange).where(ResidentChange.district_id == district_id, ResidentChange.id > state.change_id,
                                     ResidentChange.id <= top["move"]).order_by(ResidentChange.id)).scalars().all()
    if state.transfer_id:
        for move in moves:
            _shift_moved(district_id, move, state.transfer_id)
    if top["transfer"] > state.transfer_id:
        _upsert(PointsRollup, ["community_id", "month", "kind", "direction"], ["amount"],
                _points_since(district_id, state.transfer_id, top["transfer"], top["move"]))
    if top["entry"] > state.entry_id:
        _upsert(RecordsRollup, ["community_id", "month", "category"], ["good", "bad", "good_points", "bad_points"],
                _records_since(district_id, state.entry_id, top["entry"]))
    current = month_index(f"{now + offset():%Y-%m}")
    if state.months_base is None or current - state.months_base > SHIFT_AFTER:
        # every resident afresh (the first run, or the window moves on): a few minutes at 800,000 residents
        state.months_base = current - WINDOW_BACK
        db.session.execute(delete(ResidentSummary).where(ResidentSummary.district_id == district_id))
        which = (lambda column: column <= top["resident"])  # noqa: E731
        summaries = top["resident"]
        places = None
    else:
        touched = touched_since(district_id, state.entry_id, state.change_id, state.resident_id,
                                top["entry"], top["move"], top["resident"]).subquery()
        touched_ids = select(touched.c[0])
        places = _places_of(district_id, touched_ids)
        db.session.execute(delete(ResidentSummary).where(ResidentSummary.district_id == district_id,
                                                         ResidentSummary.resident_id.in_(touched_ids)))
        which = (lambda column: and_(column.in_(touched_ids), column <= top["resident"]))  # noqa: E731
        summaries = None
    inserted = db.session.execute(ResidentSummary.__table__.insert().from_select(
        SUMMARY_COLUMNS, _summaries(district_id, state.months_base, which))).rowcount
    policy = district_policy(district_id, now)
    if places is None or state.policy_key != policy_key(policy):
        # every village and household afresh (new summaries, or the star thresholds changed)
        _recount(district_id, state.months_base, policy)
        state.policy_key = policy_key(policy)
    else:
        # the villages and households these residents were counted in before, and are counted in now
        now_in = _places_of(district_id, touched_ids)
        _recount(district_id, state.months_base, policy, places[0] | now_in[0], places[1] | now_in[1])
    counts = {"transfers": top["transfer"] - state.transfer_id, "entries": top["entry"] - state.entry_id,
              "moves": len(moves), "residents": summaries if summaries is not None else max(inserted, 0),
              "rebuilt": int(rebuilt)}
    state.transfer_id, state.entry_id, state.change_id = top["transfer"], top["entry"], top["move"]
    state.resident_id = top["resident"]
    state.refreshed_at = now
    db.session.flush()
    return counts
