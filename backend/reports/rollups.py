"""Monthly roll-ups behind the points and records reports, refreshed by ``flask jobs run``.

At 800,000 residents the ledger holds tens of millions of transfers and the credit archive 20 million
records; summing them on every report request takes seconds. The job adds what is new since its last run
(its *watermark*: the highest transfer, score entry and resident move it has counted) to small monthly
tables, and a report reads those tables plus a live query over the rows after the watermark, in one
statement (one snapshot), so the answer is exact at any moment: a job that stops only makes the live part,
and so the report, slower.

Only append-only rows are rolled up: transfers (never edited) and score entries (a record counts as final
from its ``final`` entry until a ``void`` entry). Residents are counted in the village they live in now;
a move after the roll-up was cut is corrected from the move log (``resident_moves``).

Exactness of the watermark on PostgreSQL: an id is taken before its row commits, so a row with an id below
the highest visible one may still be in flight. The job therefore takes ``SHARE`` locks on the three tables
it counts (waiting, at most two seconds, for the writers in flight, and holding new writers back for the
few milliseconds an incremental refresh takes) and reads the highest ids under them; every row up to those
ids is then committed and visible. One refresh at a time per district across every machine: an advisory
lock (a second run meanwhile skips), and the state row locked ``FOR UPDATE`` as well.
"""
from datetime import timedelta

from sqlalchemy import and_, case, delete, func, literal, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from ..common.calendar import offset
from ..common.time import utcnow
from ..credit.models import CreditEntry, CreditRecord
from ..extensions import db
from ..ledger.models import Account, Transfer
from ..residents.models import Resident, ResidentMove
from .models import PointsRollup, RecordsRollup, RollupState

#: ``pg_try_advisory_xact_lock(LOCK_KEY, district_id)``: one refresh per district at a time
LOCK_KEY = 1_668_834_160
#: counted tables whose new rows the job waits for (PostgreSQL ``LOCK … IN SHARE MODE``)
COUNTED_TABLES = "transfers, credit_entries, resident_moves"
#: how long the job waits for writers in flight before it gives up until its next run
LOCK_TIMEOUT = "2s"
DIRECTIONS = (("in", Transfer.to_account_id), ("out", Transfer.from_account_id))


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
    return column("transfer_id"), column("entry_id"), column("move_id")


# --- what the job counts ------------------------------------------------------------------------

def _points_since(district_id, after, upto):
    """Residents' transfers with ids in (after, upto], summed by current village, month, kind and direction."""
    parts = [
        select(Resident.community_id.label("community_id"), month_of(Transfer.created_at).label("month"),
               Transfer.kind.label("kind"), literal(direction).label("direction"), Transfer.amount.label("amount"))
        .select_from(Transfer)
        .join(Account, and_(Account.id == column, Account.kind == "resident"))
        .join(Resident, Resident.id == Account.owner_id)
        .where(Transfer.district_id == district_id, Transfer.id > after, Transfer.id <= upto)
        for direction, column in DIRECTIONS
    ]
    u = union_all(*parts).subquery()
    return (select(literal(district_id), u.c.community_id, u.c.month, u.c.kind, u.c.direction, func.sum(u.c.amount))
            .group_by(u.c.community_id, u.c.month, u.c.kind, u.c.direction))


def _shift_moved(district_id, move, upto):
    """A resident moved after the roll-up counted their transfers up to ``upto``: carry them along."""
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


def _settle():
    """PostgreSQL: wait for the writers in flight on the counted tables, hold new ones back; False if busy."""
    if _dialect() != "postgresql":
        return True  # SQLite has one writer at a time: the highest id read is the highest committed
    try:
        with db.session.begin_nested():
            db.session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            db.session.execute(text(f"LOCK TABLE {COUNTED_TABLES} IN SHARE MODE"))
    except OperationalError:
        return False
    db.session.execute(text("SET LOCAL lock_timeout = 0"))
    return True


def refresh(district_id, now=None):
    """Add what is new since the watermark to the district's roll-ups; idempotent.

    Returns counts, or None when another refresh of this district is running (or writers held the tables
    longer than ``LOCK_TIMEOUT``): the next run catches up, and reports stay exact meanwhile."""
    now = now or utcnow()
    if _dialect() == "postgresql" and not db.session.execute(
            select(func.pg_try_advisory_xact_lock(LOCK_KEY, district_id))).scalar():
        return None
    if not _settle():
        return None
    state = _lock_state(district_id)
    top = {name: db.session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()
           for name, model in (("transfer", Transfer), ("entry", CreditEntry), ("move", ResidentMove))}
    minutes = offset_minutes()
    rebuilt = state.offset_minutes != minutes or (state.transfer_id == 0 and state.entry_id == 0)
    if rebuilt:
        # the months were cut in another calendar (or nothing was counted yet): start afresh, counting
        # residents where they live now, so the moves so far are already reflected
        for model in (PointsRollup, RecordsRollup):
            db.session.execute(delete(model).where(model.district_id == district_id))
        state.transfer_id, state.entry_id, state.move_id, state.offset_minutes = 0, 0, top["move"], minutes
    moves = db.session.execute(
        select(ResidentMove).where(ResidentMove.district_id == district_id, ResidentMove.id > state.move_id,
                                   ResidentMove.id <= top["move"]).order_by(ResidentMove.id)).scalars().all()
    if state.transfer_id:
        for move in moves:
            _shift_moved(district_id, move, state.transfer_id)
    if top["transfer"] > state.transfer_id:
        _upsert(PointsRollup, ["community_id", "month", "kind", "direction"], ["amount"],
                _points_since(district_id, state.transfer_id, top["transfer"]))
    if top["entry"] > state.entry_id:
        _upsert(RecordsRollup, ["community_id", "month", "category"], ["good", "bad", "good_points", "bad_points"],
                _records_since(district_id, state.entry_id, top["entry"]))
    counts = {"transfers": top["transfer"] - state.transfer_id, "entries": top["entry"] - state.entry_id,
              "moves": len(moves), "rebuilt": int(rebuilt)}
    state.transfer_id, state.entry_id, state.move_id = top["transfer"], top["entry"], top["move"]
    state.refreshed_at = now
    db.session.flush()
    return counts
