"""What a record does once it counts: score entries, the subject row, and points through the ledger.

The only code that writes ``CreditEntry`` and ``CreditSubject``. Each effect
(final, void, repair) is one entry — unique per record and kind, so running it
twice changes nothing — plus an atomic ``UPDATE`` of the subject's running
total in the same transaction, so reading a score never scans history.
"""
from sqlalchemy import bindparam, func, select, update

from ..common.sql import insert_or_nothing
from ..common.time import utcnow
from ..errors import NotFound
from ..extensions import db
from ..ledger import service as ledger
from ..ledger.models import Account
from ..residents.models import Resident
from .models import CAP_COUNTING, CreditEntry, CreditRecord, CreditSubject
from .policy import district_policy, merchant_level_for, next_star, stars_for


def _owner_column(subject_type):
    return CreditSubject.resident_id if subject_type == "resident" else CreditSubject.merchant_id


def get_subject(subject_type, subject_id):
    stmt = select(CreditSubject).where(CreditSubject.subject_type == subject_type,
                                       _owner_column(subject_type) == subject_id)
    return db.session.execute(stmt).scalar_one_or_none()


def _new_subject(district_id, subject_type, subject_id):
    """``INSERT`` of the subject's row unless it exists (race-safe, no savepoint: ``ON CONFLICT DO NOTHING``,
    so ``RETURNING`` answers no row when it was there already)."""
    return insert_or_nothing(CreditSubject).values(
        district_id=district_id, subject_type=subject_type, score_delta=0, serious_count=0,
        updated_at=utcnow(),
        **{"resident_id" if subject_type == "resident" else "merchant_id": subject_id},
    )


#: the subject row's id, locked; built once per subject type (a hot path of log_record)
_LOCK_SUBJECT = {
    subject_type: select(CreditSubject.id).where(CreditSubject.subject_type == subject_type,
                                                 _owner_column(subject_type) == bindparam("owner_id"))
    .with_for_update()
    for subject_type in ("resident", "merchant")
}


def lock_subject(district_id, subject_type, subject_id):
    """The subject row's id, locked for this transaction (created on first use, race-safe): what the cap
    check and the record's ``subject_id`` need, in one Core statement, no ORM object built.
    """
    stmt = _LOCK_SUBJECT[subject_type]
    found = db.session.execute(stmt, {"owner_id": subject_id}).scalar_one_or_none()
    if found is None:
        db.session.execute(_new_subject(district_id, subject_type, subject_id))
        found = db.session.execute(stmt, {"owner_id": subject_id}).scalar_one()
    return found


def add_to_subject(district_id, subject_type, subject_id, delta, serious_change, now, under_cap=None):
    """Move a subject's running total ahead of the record that will justify it; returns the subject's id.

    One ``UPDATE … RETURNING`` that also locks the row (created on first use), where a locking read
    and, after the record, an update were two statements. The caller inserts the record and its entry
    (``finalise(record, total_moved=True)``) in the same transaction, or gives the total back with
    ``take_from_subject`` when the record is refused (its cap reached): the row stays locked meanwhile,
    so nobody sees the total without its record.

    ``under_cap`` (``(item_id, start, end, cap)``): the update only happens while the subject's counting
    records of the item in ``[start, end)`` are fewer than ``cap``, and None comes back when they are not:
    a subject already at its cap (a shop past today's discounts) is then neither locked nor updated. The
    count in that statement sees what was committed when it started, so it can only refuse early: a
    subject it lets through is counted again under the lock by the caller's insert, which decides.
    """
    if under_cap is None:
        stmt, params = _ADD_TO_SUBJECT[subject_type], {}
    else:
        item_id, start, end, cap = under_cap
        stmt, params = _ADD_UNDER_CAP[subject_type], {"item_id": item_id, "cap_start": start, "cap_end": end,
                                                      "cap": cap}
    params.update(owner_id=subject_id, delta=delta, serious=serious_change, now=now)
    found = db.session.execute(stmt, params).scalar_one_or_none()
    if found is None:
        created = db.session.execute(
            _new_subject(district_id, subject_type, subject_id).returning(CreditSubject.id)).first()
        if under_cap is not None and not created:
            return None  # the subject exists: its cap is reached
        found = db.session.execute(stmt, params).scalar_one_or_none()
        if found is None:  # a new subject under a cap of 0
            return None
    _expire_subject(found)
    return found


def cap_count(subject_id, item_id, start, end):
    """``SELECT count(*)`` of a subject's records of an item that count toward its cap in ``[start, end)``;
    the arguments are values, columns or bind parameters (the one rule, for every statement that counts it)."""
    return select(func.count()).select_from(CreditRecord).where(
        CreditRecord.subject_id == subject_id, CreditRecord.item_id == item_id,
        CreditRecord.occurred_at >= start, CreditRecord.occurred_at < end, CreditRecord.status.in_(CAP_COUNTING))


def _add_statement(subject_type, under_cap):
    subjects = CreditSubject.__table__
    stmt = (update(subjects)
            .where(subjects.c.subject_type == subject_type,
                   subjects.c[_owner_column(subject_type).key] == bindparam("owner_id"))
            .values(score_delta=subjects.c.score_delta + bindparam("delta"),
                    serious_count=subjects.c.serious_count + bindparam("serious"), updated_at=bindparam("now"))
            .returning(subjects.c.id))
    if under_cap:
        window = CreditRecord.occurred_at.type
        counted = cap_count(subjects.c.id, bindparam("item_id"), bindparam("cap_start", type_=window),
                            bindparam("cap_end", type_=window))
        stmt = stmt.where(counted.scalar_subquery() < bindparam("cap"))
    return stmt


#: built once per subject type (a hot path of sales and ratings)
_ADD_TO_SUBJECT = {kind: _add_statement(kind, False) for kind in ("resident", "merchant")}
_ADD_UNDER_CAP = {kind: _add_statement(kind, True) for kind in ("resident", "merchant")}


def take_from_subject(subject_row_id, delta, serious_change):
    """Undo ``add_to_subject`` when its record was not made (the row is still locked by this transaction)."""
    db.session.execute(update(CreditSubject.__table__).where(CreditSubject.id == subject_row_id).values(
        score_delta=CreditSubject.score_delta - delta, serious_count=CreditSubject.serious_count - serious_change))
    _expire_subject(subject_row_id)


def _expire_subject(subject_row_id):
    subject = db.session.identity_map.get(db.session.identity_key(CreditSubject, subject_row_id))
    if subject is not None:
        db.session.expire(subject, ["score_delta", "serious_count", "updated_at"])


def _add_entry(record, kind, delta, actor, now, serious_change=0, *, total_moved=False):
    """Insert the entry and move the running total; False if this record already had this entry.

    The entry is unique per (record, kind): ``ON CONFLICT DO NOTHING RETURNING`` says whether this call
    added it, in one statement instead of a savepoint around the insert. ``total_moved``: the caller
    moved the running total already (``add_to_subject``), for a record it has just inserted, which
    can have no entry yet (the unique key stays the last line of defence).
    """
    added = db.session.execute(insert_or_nothing(CreditEntry).values(
        district_id=record.district_id, subject_id=record.subject_id, record_id=record.id, kind=kind,
        delta=delta, actor=actor, created_at=now,
    ).returning(CreditEntry.id)).first()
    if added is None:
        if total_moved:
            raise RuntimeError(f"record {record.id} already had its {kind!r} entry")
        return False
    if total_moved:
        return True
    db.session.execute(
        update(CreditSubject).where(CreditSubject.id == record.subject_id).values(
            score_delta=CreditSubject.score_delta + delta,
            serious_count=CreditSubject.serious_count + serious_change,
            updated_at=now,
        ),
        execution_options={"synchronize_session": False},
    )
    _expire_subject(record.subject_id)
    return True


def _is_serious(record):
    return record.points < 0 and record.severity == "serious"


def _community_fund(record):
    community_id = record.community_id
    if community_id is None:
        community_id = db.session.get(Resident, record.resident_id).community_id
    return ledger.ensure_account(record.district_id, "community_fund", community_id)


def _resident_account(record):
    return ledger.ensure_account(record.district_id, "resident", record.resident_id)


def award_key(record):
    return f"record:{record.id}:award"


def penalty_key(record):
    return f"record:{record.id}:penalty"


def finalise(record, now=None, actor="system", *, total_moved=False):
    """The record counts: score entry, and points (award, or a penalty if the policy says so).

    ``total_moved``: the subject's running total already holds the record (``add_to_subject``).
    """
    now = now or utcnow()
    record.status = "final"
    record.finalised_at = now
    db.session.flush()
    _add_entry(record, "final", record.points, actor, now, serious_change=1 if _is_serious(record) else 0,
               total_moved=total_moved)
    if record.subject_type != "resident":
        return record
    if record.points > 0:
        ledger.transfer(_community_fund(record), _resident_account(record), record.points, kind="credit_award",
                        key=award_key(record), ref_type="credit_record", ref_id=record.id, actor=actor)
    elif district_policy(record.district_id, now).negatives_take_points:
        _take_penalty(record, actor)
    return record


def _take_penalty(record, actor):
    """Take up to the deduction from the balance, never below zero (retries if a spend races us)."""
    taken = ledger.get_by_key(penalty_key(record))
    if taken is not None:
        return taken
    account = _resident_account(record)
    for _attempt in range(3):
        db.session.refresh(account, ["balance"])
        amount = min(account.balance, -record.points)
        if amount <= 0:
            return None
        try:
            return ledger.transfer(account, _community_fund(record), amount, kind="credit_penalty",
                                   key=penalty_key(record), ref_type="credit_record", ref_id=record.id, actor=actor)
        except ledger.InsufficientPoints:
            continue
    return None


def void_final(record, now=None, actor="system", reason=None):
    """Undo a final record with new entries (score back, points back); the record stays, ``voided``."""
    now = now or utcnow()
    record.status = "voided"
    record.voided_at = now
    record.void_reason = reason
    db.session.flush()
    counted = db.session.execute(
        select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(CreditEntry.record_id == record.id)
    ).scalar_one()
    if counted:  # a repaired record already gave its deduction back: only the rest is undone
        _add_entry(record, "void", -int(counted), actor, now, serious_change=-1 if _is_serious(record) else 0)
    if record.subject_type == "resident":
        _reverse(award_key(record), actor, partial=True)
        _reverse(penalty_key(record), actor)
    return record


def repair(record, now=None, actor="system"):
    """信用修复: the deduction is given back (score and any points taken); the record shows ``repaired``."""
    now = now or utcnow()
    record.status = "repaired"
    record.repaired_at = now
    db.session.flush()
    _add_entry(record, "repair", -record.points, actor, now)
    _reverse(penalty_key(record), actor)
    return record


def _reverse(key, actor, partial=False):
    original = ledger.get_by_key(key)
    if original is None:
        return None
    return ledger.reverse(original, key=f"{key}:reversal", actor=actor, partial=partial)


# --- reading ---------------------------------------------------------------------------


def _subject_district(subject_type, subject_id):
    if subject_type == "resident":
        Model = Resident
    else:
        # merchants build on credit (they earn it): credit names a merchant subject only here, at call time
        from ..merchants.models import Merchant as Model
    district_id = db.session.execute(select(Model.district_id).where(Model.id == subject_id)).scalar_one_or_none()
    if district_id is None:
        raise NotFound(f"No such {subject_type}.", code=f"{subject_type}_not_found")
    return district_id


def _score(subject_type, subject_id, policy):
    subject = get_subject(subject_type, subject_id)
    return policy.base_score + (subject.score_delta if subject is not None else 0)


def resident_standing(resident_id):
    """Score, stars, spendable points and the way to the next star: one indexed look-up (a hot path).

    Read on the session's connection without an autoflush: the running totals and balances it reads
    are only ever written by statements that run at once (``add_to_subject``, the ledger), never left
    pending in the session."""
    row = db.session.connection().execute(_STANDING, {"resident_id": resident_id}).first()
    if row is None:
        raise NotFound("No such resident.", code="resident_not_found")
    policy = district_policy(row.district_id)
    score = policy.base_score + (row.score_delta or 0)
    following, missing = next_star(score, policy)
    return {
        "score": int(score),
        "stars": stars_for(score, policy),
        "points": int(row.balance or 0),
        "next_star": following,
        "score_to_next_star": missing,
    }


_STANDING = (
    select(Resident.district_id, CreditSubject.score_delta, Account.balance)
    .select_from(Resident)
    .outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
    .outerjoin(Account, (Account.kind == "resident") & (Account.owner_id == Resident.id))
    .where(Resident.id == bindparam("resident_id"))
)


def subject_score(subject_type, subject_id, *, district_id=None):
    """``{"score", "stars"}`` for residents, ``{"score", "level"}`` ('A'…'E') for merchants.

    A caller that holds the subject passes its ``district_id`` and saves the look-up.
    """
    if subject_type not in ("resident", "merchant"):
        raise ValueError(f"unknown subject type {subject_type!r}")
    policy = district_policy(district_id if district_id is not None else _subject_district(subject_type, subject_id))
    return _score_view(subject_type, subject_id, policy, _score(subject_type, subject_id, policy))


def subject_score_of(subject_type, subject_id, district_id, score_delta):
    """``subject_score`` for a caller that read the subject's ``score_delta`` (None: no subject row yet)
    with its other rows, in the same statement (the merchant's card page)."""
    policy = district_policy(district_id)
    return _score_view(subject_type, subject_id, policy, policy.base_score + (score_delta or 0))


def _score_view(subject_type, subject_id, policy, score):
    score = int(score)
    out = {"subject_type": subject_type, "subject_id": subject_id, "score": score}
    if subject_type == "merchant":
        out["level"] = merchant_level_for(score, policy)
    else:
        out["stars"] = stars_for(score, policy)
    return out


def score_at(subject_type, subject_id, at):
    """The score and stars as they stood at ``at``, under the policy then in force (explains a past level)."""
    policy = district_policy(_subject_district(subject_type, subject_id), at)
    subject = get_subject(subject_type, subject_id)
    delta = 0
    if subject is not None:
        delta = db.session.execute(
            select(func.coalesce(func.sum(CreditEntry.delta), 0))
            .where(CreditEntry.subject_id == subject.id, CreditEntry.created_at <= at)
        ).scalar_one()
    score = int(policy.base_score + delta)
    following, missing = next_star(score, policy)
    return {"score": score, "stars": stars_for(score, policy), "next_star": following,
            "score_to_next_star": missing, "policy_version": policy.version, "at": at,
            "base_score": policy.base_score, "star_thresholds": list(policy.star_thresholds)}


def standing_view(resident_id, at=None):
    """The resident's standing with the thresholds behind it; with ``at``, as it stood then."""
    if at is not None:
        return {**score_at("resident", resident_id, at), "points": None}
    out = resident_standing(resident_id)
    policy = district_policy(_subject_district("resident", resident_id))
    out.update(base_score=policy.base_score, star_thresholds=list(policy.star_thresholds),
               policy_version=policy.version, at=None)
    return out


def check_scores():
    """Subjects whose running total differs from the sum of their entries (should be none)."""
    sums = (
        select(CreditEntry.subject_id, func.sum(CreditEntry.delta).label("total"))
        .group_by(CreditEntry.subject_id).subquery()
    )
    expected = func.coalesce(sums.c.total, 0)
    rows = db.session.execute(
        select(CreditSubject.id, CreditSubject.score_delta, expected.label("expected"))
        .outerjoin(sums, sums.c.subject_id == CreditSubject.id)
        .where(CreditSubject.score_delta != expected)
    ).all()
    return [row._asdict() for row in rows]


__all__ = ["CreditRecord", "lock_subject", "finalise", "void_final", "repair", "resident_standing",
           "subject_score", "score_at", "check_scores"]
