"""Credit records: logging, review, public notice, finalisation, and the functions other domains call.

Rules carried here:

* a worker logs a deed only for a resident of their own communities, under an
  item that applies there, in force and active on the day of the deed, within
  its cap per period (checked under a lock on the subject row);
* nobody logs, approves or rules for themselves or their own household
  (``conflict_of_interest``), and whoever logged a record never approves it
  (``two_person_rule``);
* an approved record spends ``notice_days`` on the community's notice board;
  the job finalises it when that ends without objection;
* only ``scoring`` makes a record count, and only the ledger moves points.

Public functions for other domains (signatures are a contract):
``resident_standing``, ``create_record``, ``record_system_credit``,
``system_credit_allowance``, ``void_system_credit``, ``subject_score``, ``district_policy``, ``find_item``.
"""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import String, bindparam, cast, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.service import record_audit, register_community_targets
from ..common.auth import Principal, require_scope
from ..common.calendar import PERIOD_LABELS, local_date, period_bounds
from ..common.fields import utc_iso
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..ledger import points
from ..residents.households import check_conflict_with, own_link_columns, own_user_params
from ..residents.models import Resident
from ..residents.service import log_lookup
from . import scoring
from .catalogue import cached_item_and_version, find_item, item_for_community, version_in_force
from .models import CatalogueItem, CatalogueItemVersion, CreditRecord, Evidence, Objection, RepairRequest
from .policy import district_policy
from .scoring import resident_standing, subject_score, subject_score_of


def _ids_in_community(model):
    def ids(community_id):
        return select(cast(model.id, String)).where(model.community_id == community_id)
    return ids


# the audit log's community filter finds entries about records, objections and repairs of a community
for _kind, _model in (("credit_record", CreditRecord), ("objection", Objection), ("repair", RepairRequest)):
    register_community_targets(_kind, _ids_in_community(_model))


#: a deed may be logged up to this long after it happened
MAX_BACKDATE = timedelta(days=366)
#: clocks of phones differ a little
CLOCK_SKEW = timedelta(minutes=5)
MAX_VARIABLE_POINTS = 10000
#: items whose points and cap per day come from the district policy (merchant credit settings)
POLICY_DRIVEN_ITEMS = {"merchant_discount_given": ("merchant_points_per_sale", "merchant_daily_cap", "day")}

__all__ = ["resident_standing", "subject_score_of", "subject_score", "district_policy", "find_item", "create_record",
           "record_system_credit", "system_credit_allowance", "void_system_credit"]


def _actor_ref(actor):
    return actor.ref if isinstance(actor, Principal) else str(actor or "system")


def _staff_user_id(actor):
    return actor.id if isinstance(actor, Principal) and actor.kind == "staff" else None


# --- look-ups ------------------------------------------------------------------------------


def lock_record(record_id):
    """The record, locked for this transaction (``FOR UPDATE`` on PostgreSQL; SQLite writes are serial)."""
    return db.session.execute(
        select(CreditRecord).where(CreditRecord.id == record_id).with_for_update(of=CreditRecord)
        # the item comes with the record; its versions only if someone asks (a review does not); its
        # evidence and its resident (a review checks and answers both) in the same statement
        .options(joinedload(CreditRecord.item).lazyload(CatalogueItem.versions),
                 joinedload(CreditRecord.evidence), joinedload(CreditRecord.resident))
        .execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()


#: a record under review, locked, with its files, its resident (not the resident's village) and the
#: reviewer's own resident link (the conflict rule) in the same statement; built once (approve is a hot
#: path). Its item and version come from the process's catalogue.
_REVIEW_LOCK = (
    select(CreditRecord, *own_link_columns()).where(CreditRecord.id == bindparam("record_id"))
    .with_for_update(of=CreditRecord)
    .options(lazyload(CreditRecord.item), lazyload(CreditRecord.item_version), joinedload(CreditRecord.evidence),
             joinedload(CreditRecord.resident).lazyload(Resident.community))
    .execution_options(populate_existing=True)
)


def _record_for_review(principal, record_id):
    """The record, locked and in ``principal``'s scope as a reviewer, and the reviewer's own
    ``(resident id, household id)`` for ``check_conflict_with``.

    ``lock_record`` without joining the catalogue, whose item and version never change once saved (the
    process's read-only copies stand in; a record of an item the process has not seen yet loads them
    when asked)."""
    row = db.session.execute(_REVIEW_LOCK, {"record_id": record_id, **own_user_params(principal)}).unique().first()
    record = row[0] if row is not None else None
    _check_record_scope(principal, record, "reviewer")
    item, version = cached_item_and_version(record.district_id, record.item_id, record.item_version_id)
    if item is not None:
        set_committed_value(record, "item", item)
        set_committed_value(record, "item_version", version)
    return record, (row.own_resident_id, row.own_household_id)


def _check_record_scope(principal, record, *roles):
    if record is None or record.district_id != principal.district_id:
        raise NotFound("No such credit record.", code="record_not_found")
    try:
        require_scope(principal, record.community_id, *roles)
    except NotFound:
        raise NotFound("No such credit record.", code="record_not_found") from None


def _record_in_scope(principal, record_id, *roles):
    record = db.session.get(CreditRecord, record_id)
    _check_record_scope(principal, record, *roles)
    return record


def get_record_for_staff(principal, record_id):
    """One record; opening it is a look-up of the subject's archive and is logged."""
    record = _record_in_scope(principal, record_id)
    if record.resident_id is not None:
        log_lookup(principal, db.session.get(Resident, record.resident_id), "record")
    return record


def record_titles(record_ids):
    """{record id: (title_zh, title_en)} of the item version each record was made under."""
    if not record_ids:
        return {}
    rows = db.session.execute(
        select(CreditRecord.id, CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en)
        .join(CatalogueItemVersion, CreditRecord.item_version_id == CatalogueItemVersion.id)
        .where(CreditRecord.id.in_(record_ids))
    )
    return {row.id: (row.title_zh, row.title_en) for row in rows}


#: the resident (with their village) and the worker's own resident link, in one statement; built once
_RESIDENT_FOR_WORKER = select(Resident, *own_link_columns()).where(Resident.id == bindparam("resident_id"))


def _resident_for_worker(principal, resident_id):
    """The resident if they live in one of the worker's communities (else 404), and not the worker
    nor one of their household (403 ``conflict_of_interest``)."""
    row = db.session.execute(_RESIDENT_FOR_WORKER, {"resident_id": resident_id, **own_user_params(principal)}
                             ).first()
    resident = row[0] if row is not None else None
    if resident is None or resident.district_id != principal.district_id:
        raise NotFound("No such resident.", code="resident_not_found")
    try:
        require_scope(principal, resident.community_id, "worker")
    except NotFound:
        raise NotFound("没有这位居民（或不在您的社区）。No such resident in your communities.",
                       code="resident_not_found") from None
    check_conflict_with(row.own_resident_id, row.own_household_id, resident)
    return resident


# --- logging a record ----------------------------------------------------------------------


def _by_source_ref(source_ref):
    return db.session.execute(
        select(CreditRecord).where(CreditRecord.source_ref == source_ref)
    ).unique().scalar_one_or_none()


def _check_occurred_at(occurred_at, now):
    if occurred_at > now + CLOCK_SKEW:
        raise ValidationFailed("事情还没有发生。The deed cannot be in the future.", code="occurred_in_future",
                               errors={"occurred_at": ["Must not be in the future."]})
    if occurred_at < now - MAX_BACKDATE:
        raise ValidationFailed("超过一年的事迹不能再登记。Deeds older than a year cannot be logged.",
                               code="occurred_too_long_ago", errors={"occurred_at": ["At most a year ago."]})


def _version_for(item, occurred_at):
    version = version_in_force(item, local_date(occurred_at))
    if version is None:
        raise ValidationFailed("事发当天该项目尚未生效。The item was not yet in force on the day of the deed.",
                               code="item_not_in_force", errors={"item_id": ["Not in force on that day."]})
    return version


def _cap_count(subject, item, occurred_at, period):
    return db.session.execute(scoring.cap_count(subject.id, item.id, *period_bounds(period, occurred_at))).scalar_one()


def _insert_statement(with_cap):
    """``INSERT INTO credit_records (…) SELECT :v_… [WHERE (SELECT count(*) …) < :cap] RETURNING id``,
    every value a parameter, so it is built (and compiled) once per process, not per record."""
    table = CreditRecord.__table__
    columns = [c for c in table.columns if c.key != "id"]
    chosen = select(*[bindparam(f"v_{c.key}", type_=c.type) for c in columns])
    if with_cap:
        window = CreditRecord.occurred_at.type
        counted = scoring.cap_count(bindparam("v_subject_id"), bindparam("v_item_id"),
                                    bindparam("cap_start", type_=window), bindparam("cap_end", type_=window))
        chosen = chosen.where(counted.scalar_subquery() < bindparam("cap"))
    return insert(table).from_select([c.name for c in columns], chosen).returning(table.c.id)


#: column key → attribute name of ``CreditRecord`` (they are the same today; the mapper says so)
_RECORD_KEYS = [(c.key, CreditRecord.__mapper__.get_property_by_column(c).key)
                for c in CreditRecord.__table__.columns if c.key != "id"]
_INSERT = {with_cap: _insert_statement(with_cap) for with_cap in (False, True)}


def _insert_within_cap(record, subject, item, cap, period):
    """Insert ``record`` unless the subject already has ``cap`` counting records of the item in the period.

    The cap is counted in the insert itself — ``INSERT … SELECT … WHERE (SELECT count(*) …) < cap`` —
    one statement where a count and an insert were two; the subject row is locked before, so two
    callers for one subject still take turns. SQLAlchemy Core on purpose (STYLE rule 12: a hot path of
    sale and log_record), the statement built once with every value a parameter; the ORM object is then
    attached as the persistent row it is, with every column known, so nothing is read back. Returns
    False when the cap is reached (nothing inserted).
    """
    values = record.__dict__
    params = {}
    for column_key, attribute in _RECORD_KEYS:
        if attribute not in values:
            setattr(record, attribute, None)  # unset columns are NULL in the row: say so, so none is loaded later
        params[f"v_{column_key}"] = values[attribute]
    if cap is not None:
        params["cap_start"], params["cap_end"] = period_bounds(period, record.occurred_at)
        params["cap"] = cap
    new_id = db.session.execute(_INSERT[cap is not None], params).scalar_one_or_none()
    if new_id is None:
        return False
    record.id = new_id
    make_transient_to_detached(record)
    db.session.add(record)
    return True


def _cap_of(version, policy, item):
    if item.code in POLICY_DRIVEN_ITEMS:
        _points, cap_field, period = POLICY_DRIVEN_ITEMS[item.code]
        return getattr(policy, cap_field), period
    return version.cap_count, version.cap_period


def _points_of(version, policy, item):
    if item.code in POLICY_DRIVEN_ITEMS:
        return getattr(policy, POLICY_DRIVEN_ITEMS[item.code][0])
    return version.points


def _check_points_override(version, points):
    if not version.variable_points:
        raise ValidationFailed("该项目分值固定。This item has fixed points.", code="points_not_variable",
                               errors={"points": ["Only items with variable points take points."]})
    if isinstance(points, bool) or not isinstance(points, int) or points == 0 or (points > 0) != (version.points > 0) \
            or abs(points) > MAX_VARIABLE_POINTS:
        raise ValidationFailed("分值无效。Invalid points.", code="invalid_points",
                               errors={"points": [f"A non-zero whole number with the item's sign, at most "
                                                  f"{MAX_VARIABLE_POINTS}."]})


def _load_evidence(principal, evidence_ids):
    ids = list(dict.fromkeys(evidence_ids or []))
    if not ids:
        return []
    found = db.session.execute(select(Evidence).where(Evidence.id.in_(ids))).scalars().all()
    usable = [e for e in found if e.district_id == principal.district_id and e.record_id is None
              and e.uploaded_by_user_id == _staff_user_id(principal)]
    if len(usable) != len(ids):
        raise ValidationFailed("证据文件无效。Unknown or already used evidence file.", code="unknown_evidence",
                               errors={"evidence_ids": ["Upload the files first; each is attached once."]})
    return usable


def create_record(actor, resident_id, item_id, occurred_at, note=None, *, points=None, source_ref=None,
                  evidence_ids=None):
    """A worker logs a deed of a resident of their community: a ``pending`` record.

    ``actor`` is the staff ``Principal`` (scope and conflict rules apply) or a
    string such as ``"system"`` for a trusted caller. ``points`` is only for
    items with variable points (volunteering); ``source_ref`` makes the call
    idempotent — the same ref returns the record made the first time.
    """
    if source_ref is not None:
        existing = _by_source_ref(source_ref)
        if existing is not None:
            return existing
    now = utcnow()
    if isinstance(actor, Principal):
        resident = _resident_for_worker(actor, resident_id)  # the conflict rule checked with it
    else:
        resident = db.session.get(Resident, resident_id)
        if resident is None:
            raise NotFound("No such resident.", code="resident_not_found")
    if resident.status != "active":
        raise Conflict("该居民不在册。This resident is no longer active.", code="resident_inactive")
    item = item_for_community(item_id, resident.district_id, resident.community)
    if item.subject_type != "resident":
        raise ValidationFailed("这是商户评价项目。This item is for merchants.", code="wrong_subject_type",
                               errors={"item_id": ["Not an item for residents."]})
    _check_occurred_at(occurred_at, now)
    version = _version_for(item, occurred_at)
    if not version.active:
        raise ValidationFailed("该项目已停用。This item is no longer in use.", code="item_inactive",
                               errors={"item_id": ["Inactive on the day of the deed."]})
    if points is not None:
        _check_points_override(version, points)
    evidence = _load_evidence(actor, evidence_ids) if isinstance(actor, Principal) else []
    if version.evidence_required and not evidence:
        raise ValidationFailed("该项目需要上传证据。This item needs evidence (a photo or a PDF).",
                               code="evidence_required", errors={"evidence_ids": ["At least one file."]})
    policy = district_policy(resident.district_id, now)
    subject = SimpleNamespace(id=scoring.lock_subject(resident.district_id, "resident", resident.id))
    cap, period = _cap_of(version, policy, item)
    if source_ref is not None and cap is not None and _cap_count(subject, item, occurred_at, period) >= cap:
        raise _cap_reached(cap, period)
    record = CreditRecord(
        district_id=resident.district_id, subject_type="resident", resident_id=resident.id, subject_id=subject.id,
        community_id=resident.community_id, item_id=item.id, item_version_id=version.id,
        points=points if points is not None else _points_of(version, policy, item), severity=version.severity,
        category=version.category, status="pending", occurred_at=occurred_at, note=note, source_ref=source_ref,
        logged_by=_actor_ref(actor), logged_by_user_id=_staff_user_id(actor), created_at=now,
    )
    if source_ref is None:
        # nothing to recover from (no source_ref): the cap is counted in the insert
        if not _insert_within_cap(record, subject, item, cap, period):
            raise _cap_reached(cap, period)
    else:
        inserted = _insert(record)
        if inserted is not record:  # a concurrent caller with the same source_ref won
            return inserted
    for file in evidence:
        file.record_id = record.id
    if evidence:
        db.session.flush()
    # the answer shows the item and its files: known here, so not loaded again (the item is a read-only copy)
    set_committed_value(record, "item", item)
    set_committed_value(record, "item_version", version)
    set_committed_value(record, "resident", resident)
    set_committed_value(record, "evidence", sorted(evidence, key=lambda e: e.id))
    record_audit(actor, "credit_record.create", "credit_record", record.id, district_id=record.district_id,
                 after=_summary(record))
    return record


def _cap_reached(cap, period):
    zh, en = PERIOD_LABELS[period]
    return Conflict(f"已达上限：{zh}最多{cap}次。Cap reached: at most {cap} times {en} for this item.",
                    code="cap_reached", errors={"item_id": [f"At most {cap} per {period}."]})


def _insert(record):
    """Insert; with a ``source_ref`` a concurrent duplicate returns the first record instead."""
    if record.source_ref is None:
        db.session.add(record)
        db.session.flush()
        return record
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        db.session.expunge(record) if record in db.session else None
        existing = _by_source_ref(record.source_ref)
        if existing is None:
            raise
        return existing
    return record


def _summary(record):
    return {"status": record.status, "subject_type": record.subject_type, "resident_id": record.resident_id,
            "merchant_id": record.merchant_id, "item_id": record.item_id, "item_version_id": record.item_version_id,
            "points": record.points, "occurred_at": record.occurred_at.isoformat()}


# --- system credit (merchants, verified events) ---------------------------------------------


def _system_subject(district_id, subject_type, subject_id, community_id):
    if subject_type == "resident":
        resident = db.session.get(Resident, subject_id)
        if resident is None or resident.district_id != district_id:
            raise NotFound("No such resident.", code="resident_not_found")
        return resident.community_id if community_id is None else community_id
    if subject_type == "merchant":
        # merchants build on credit (they earn it): credit names a merchant subject only here, at call time
        from ..merchants.models import Merchant

        merchant = db.session.get(Merchant, subject_id)
        if merchant is None or merchant.district_id != district_id:
            raise NotFound("No such merchant.", code="merchant_not_found")
        return community_id
    raise ValidationFailed(errors={"subject_type": ["resident or merchant"]})


def record_system_credit(*, district_id, subject_type, subject_id, item_code, source_ref, occurred_at=None,
                         actor="system", community_id=None, new_source=False):
    """A final record at once for a verified system event (a discounted sale, a rating).

    Honours the item's cap per period (for ``merchant_discount_given`` the
    policy's points per sale and daily cap) and returns None when capped or
    when the item is inactive. Idempotent on ``source_ref``.

    ``new_source``: the caller made ``source_ref`` from a row it inserted in this
    very transaction (``sale:<new id>``), so no record can carry it yet: the
    look-up and the savepoint that make the call idempotent are skipped, and the
    unique index on ``source_ref`` stays the last line of defence (a violation
    ends the request). The record is inserted final, not pending and then updated.
    """
    if not new_source:
        existing = _by_source_ref(source_ref)
        if existing is not None:
            return existing
    now = utcnow()
    occurred_at = occurred_at or now
    community_id = _system_subject(district_id, subject_type, subject_id, community_id)
    item = find_item(item_code, district_id=district_id,
                     community_id=community_id if subject_type == "resident" else None)
    if item is None or item.subject_type != subject_type:
        raise ValidationFailed(f"No {subject_type} item with code {item_code!r}.", code="unknown_item",
                               errors={"item_code": ["Unknown item for this subject type."]})
    version = version_in_force(item, local_date(occurred_at))
    if version is None or not version.active:
        return None
    policy = district_policy(district_id, now)
    cap, period = _cap_of(version, policy, item)
    points = _points_of(version, policy, item)
    serious = 1 if points < 0 and version.severity == "serious" else 0
    if new_source:
        # the running total moves first, in the statement that locks the subject row (two callers for one
        # subject still take turns at the cap); a refused record gives it back before anyone can see it.
        # A subject already at its cap is refused by that statement without being locked (``under_cap``).
        under_cap = None if cap is None else (item.id, *period_bounds(period, occurred_at), cap)
        subject_row = scoring.add_to_subject(district_id, subject_type, subject_id, points, serious, now,
                                             under_cap=under_cap)
        if subject_row is None:
            return None
        subject = SimpleNamespace(id=subject_row)
    else:
        subject = SimpleNamespace(id=scoring.lock_subject(district_id, subject_type, subject_id))
        if cap is not None and _cap_count(subject, item, occurred_at, period) >= cap:
            return None
    record = CreditRecord(
        district_id=district_id, subject_type=subject_type, subject_id=subject.id,
        resident_id=subject_id if subject_type == "resident" else None,
        merchant_id=subject_id if subject_type == "merchant" else None,
        community_id=community_id, item_id=item.id, item_version_id=version.id,
        points=points, severity=version.severity, category=version.category,
        status="final", reviewed_at=now, finalised_at=now, occurred_at=occurred_at, source_ref=source_ref,
        logged_by=_actor_ref(actor), logged_by_user_id=_staff_user_id(actor), created_at=now,
    )
    if new_source:
        if not _insert_within_cap(record, subject, item, cap, period):  # the cap counted in the insert
            scoring.take_from_subject(subject.id, points, serious)
            return None
    else:
        inserted = _insert(record)
        if inserted is not record:
            return inserted
    # the record is already final: the flush inserts it so
    scoring.finalise(record, now, _actor_ref(actor), total_moved=new_source)
    record_audit(actor, "credit_record.system_credit", "credit_record", record.id, district_id=district_id,
                 after=_summary(record))
    return record


def system_credit_allowance(*, district_id, subject_type, subject_id, item_code, at=None, count=True):
    """What ``record_system_credit`` would decide for an automatic item at ``at`` (default now), read-only.

    Returns ``in_force`` (the item exists, is in force and active), ``cap`` and
    ``period`` (None: no cap), ``used`` (how many of the subject's records of the
    item count in that period) and ``points`` (what one more would give), so a
    caller can say *why* a sale earned nothing (cap reached, item switched off).
    ``count=False`` leaves ``used`` None and sends no statement (catalogue and policy
    are the process's copies): for a caller that knows the credit was refused.
    """
    at = at or utcnow()
    item = find_item(item_code, district_id=district_id)
    version = version_in_force(item, local_date(at)) if item is not None else None
    if version is None or not version.active or item.subject_type != subject_type:
        return SimpleNamespace(in_force=False, cap=None, period=None, used=0, points=0)
    policy = district_policy(district_id, utcnow())
    cap, period = _cap_of(version, policy, item)
    used = None
    if count:
        subject = scoring.get_subject(subject_type, subject_id)
        used = _cap_count(subject, item, at, period) if subject is not None and period is not None else 0
    return SimpleNamespace(in_force=True, cap=cap, period=period, used=used, points=_points_of(version, policy, item))


def void_system_credit(source_ref, *, actor, reason):
    """Take back what ``record_system_credit`` gave: new reversing entries, the record shows ``voided``.

    Idempotent; a no-op when nothing was given for ``source_ref``. Returns the
    record whose credit was taken back now, else None.
    """
    found = _by_source_ref(source_ref)
    if found is None:
        return None
    record = lock_record(found.id)
    if record.status in ("voided", "rejected"):
        return None
    before = record.status
    if record.status in ("final", "repaired"):
        scoring.void_final(record, utcnow(), _actor_ref(actor), reason)
    else:
        record.status, record.voided_at, record.void_reason = "voided", utcnow(), reason
    db.session.flush()
    record_audit(actor, "credit_record.void", "credit_record", record.id, district_id=record.district_id,
                 before={"status": before}, after={"status": record.status}, reason=reason)
    return record if before in ("final", "repaired") else None


# --- review and notice ------------------------------------------------------------------------


def _require_status(record, *statuses):
    if record.status not in statuses:
        raise Conflict(f"该记录当前状态为 {record.status}，不能这样处理。"
                       f"The record is {record.status}; this needs it to be {' or '.join(statuses)}.",
                       code="invalid_status")


def approve_record(principal, record_id, note=None, *, now=None):
    """A reviewer approves a pending record (never their own): it enters public notice."""
    now = now or utcnow()
    record, own_link = _record_for_review(principal, record_id)
    _require_status(record, "pending")
    if record.logged_by_user_id is not None and record.logged_by_user_id == principal.id:
        raise Forbidden("双人审核：不能审核自己登记的记录。Two-person rule: you cannot approve a record you logged.",
                        code="two_person_rule")
    check_conflict_with(*own_link, record.resident)  # both read with the record (the answer names the resident)
    policy = district_policy(record.district_id, now)
    reviewed = {"reviewed_by_user_id": principal.id, "reviewed_at": now, "review_note": note,
                "status": "in_notice", "notice_ends_at": now + timedelta(days=policy.notice_days)}
    if policy.notice_days == 0:
        for name, value in reviewed.items():
            setattr(record, name, value)
        scoring.finalise(record, now, principal.ref)
        db.session.flush()
    else:
        _write_review(record, reviewed)
    record_audit(principal, "credit_record.approve", "credit_record", record.id, before={"status": "pending"},
                 after={"status": record.status, "notice_ends_at": record.notice_ends_at.isoformat()}, reason=note)
    return record


_REVIEW_UPDATES = {}


def _write_review(record, values):
    """One ``UPDATE`` of the locked record's review columns (Core: a hot path, no unit of work for one
    row); the loaded record is told its new values, so nothing is flushed or read back."""
    names = tuple(values)
    stmt = _REVIEW_UPDATES.get(names)
    if stmt is None:  # approve and reject each write their own columns: one statement each, built once
        table = CreditRecord.__table__
        stmt = _REVIEW_UPDATES[names] = (update(table).where(table.c.id == bindparam("record_id"))
                                         .values({name: bindparam(f"v_{name}") for name in names}))
    db.session.execute(stmt, {"record_id": record.id, **{f"v_{name}": value for name, value in values.items()}})
    for name, value in values.items():
        set_committed_value(record, name, value)


def reject_record(principal, record_id, reason, *, now=None):
    """A reviewer turns a pending record down, with the reason; it never counts."""
    now = now or utcnow()
    record, own_link = _record_for_review(principal, record_id)
    _require_status(record, "pending")
    check_conflict_with(*own_link, record.resident)  # both read with the record
    _write_review(record, {"reviewed_by_user_id": principal.id, "reviewed_at": now, "review_note": reason,
                           "status": "rejected"})
    record_audit(principal, "credit_record.reject", "credit_record", record.id, before={"status": "pending"},
                 after={"status": "rejected"}, reason=reason)
    return record


#: ids one bulk review may carry: a week's queue of a village, small enough for one request
BULK_REVIEW_MAX = 200


def review_records(principal, record_ids, decision, *, reason=None, note=None, now=None):
    """Approve or reject several pending records at once, each by the very rules of one at a time.

    Every record goes through ``approve_record`` / ``reject_record`` (scope, state, the two-person
    rule, conflicts of interest) inside its own savepoint of the request's transaction: a refused
    record rolls back only what it began and is reported with its error; the others stand and
    the request commits them together. Records are taken in id order (two bulk reviews lock rows
    in the same order, so they cannot deadlock); the answer keeps the order of ``record_ids``.
    Returns the counts and ``results``: ``[(record id, record or None, DomainError or None)]``.
    """
    now = now or utcnow()
    done = {}
    for record_id in sorted(set(record_ids)):
        try:
            with db.session.begin_nested():
                if decision == "approve":
                    done[record_id] = (approve_record(principal, record_id, note, now=now), None)
                else:
                    done[record_id] = (reject_record(principal, record_id, reason, now=now), None)
        except DomainError as error:
            done[record_id] = (None, error)
        except IntegrityError:
            # a concurrent request changed the record between our read and our write
            done[record_id] = (None, Conflict("The request conflicts with the current state; retry it."))
    results = [(record_id, *done[record_id]) for record_id in record_ids]
    refused = sum(1 for _id, _record, error in results if error is not None)
    return {"decision": decision, "done": len(results) - refused, "refused": refused, "results": results}


def finalise_due(now, *, batch=500):
    """Finalise every record whose notice ended without objection; returns how many (the job)."""
    done = 0
    while True:
        ids = db.session.execute(
            select(CreditRecord.id)
            # the literal (not a bound parameter) lets the planner prove the partial index applies
            .where(CreditRecord.status == literal("in_notice", literal_execute=True), CreditRecord.notice_ends_at <= now)
            .order_by(CreditRecord.notice_ends_at, CreditRecord.id)
            .limit(batch)
        ).scalars().all()
        if not ids:
            return done
        for record_id in ids:
            record = lock_record(record_id)
            if record.status == "in_notice" and record.notice_ends_at <= now:
                scoring.finalise(record, now)
                done += 1
        db.session.flush()


# --- lists -------------------------------------------------------------------------------------


def records_query(principal, args):
    """Staff: records of their communities (review queues); filtering by resident is a logged look-up."""
    stmt = select(CreditRecord).where(CreditRecord.district_id == principal.district_id)
    scope = principal.communities("worker", "reviewer")
    if scope is not None:
        stmt = stmt.where(CreditRecord.community_id.in_(scope))
    if args.get("community_id") is not None:
        stmt = stmt.where(CreditRecord.community_id == args["community_id"])
    if args.get("resident_id") is not None:
        resident = db.session.get(Resident, args["resident_id"])
        if resident is None or resident.district_id != principal.district_id:
            raise NotFound("No such resident.", code="resident_not_found")
        try:
            require_scope(principal, resident.community_id)
        except NotFound:
            raise NotFound("No such resident.", code="resident_not_found") from None
        log_lookup(principal, resident, "records")
        stmt = select(CreditRecord).where(CreditRecord.resident_id == resident.id)
    if args.get("merchant_id") is not None:
        stmt = stmt.where(CreditRecord.merchant_id == args["merchant_id"])
    if args.get("status"):
        stmt = stmt.where(CreditRecord.status == args["status"])
    if args.get("item_id") is not None:
        stmt = stmt.where(CreditRecord.item_id == args["item_id"])
    # the queue shows each record's resident: one query for the page, not one per row
    return stmt.options(selectinload(CreditRecord.resident)).order_by(CreditRecord.id.desc())


def list_records(principal, args, page):
    return paginate(records_query(principal, args), page)


def export_records(principal, args):
    """Every record the list would show, fetched 1,000 at a time for an XLSX download."""
    return db.session.execute(records_query(principal, args).execution_options(yield_per=1000)).scalars()


def list_my_records(principal, args, page):
    stmt = select(CreditRecord).where(CreditRecord.resident_id == principal.id)
    if args.get("status"):
        stmt = stmt.where(CreditRecord.status == args["status"])
    return paginate(stmt.order_by(CreditRecord.id.desc()), page)


def notice_board(principal, args, page):
    """公示栏: records of a community in notice (and those disputed), names masked by the schema."""
    if principal.kind == "resident":
        community_id = db.session.execute(
            select(Resident.community_id).where(Resident.id == principal.id)).scalar_one()
    else:
        community_id = args.get("community_id")
        if community_id is None:
            raise ValidationFailed(errors={"community_id": ["Which community's notice board?"]})
        require_scope(principal, community_id)
    stmt = (
        select(CreditRecord)
        .where(CreditRecord.community_id == community_id, CreditRecord.status.in_(("in_notice", "disputed")))
        .options(selectinload(CreditRecord.resident))
        .order_by(CreditRecord.id.desc())
    )
    return paginate(stmt, page)


HOME_RECORDS = 20


def resident_home(resident_id):
    """What the app's first screen shows: standing plus the newest records, ready to send as JSON.

    A hot path (measured in bench/): indexed look-ups only, no counting of the resident's whole
    history, and no ORM objects or schema dump: the rows become ``HomeSchema``'s output directly
    (tests compare the two, so the schema stays the contract).
    """
    return {**scoring.resident_standing(resident_id), "records": newest_records(resident_id, HOME_RECORDS)}


def newest_records(resident_id, limit):
    """A resident's newest records as ``MyRecordSchema`` dumps them, with their item's code and titles,
    and their evidence in one more query only if there is any."""
    rows = db.session.connection().execute(_NEWEST_RECORDS, {"resident_id": resident_id, "limit": limit}).all()
    evidence = {}
    with_evidence = [row.id for row in rows if row.has_evidence]
    if with_evidence:
        for item in db.session.execute(
                select(Evidence).where(Evidence.record_id.in_(with_evidence)).order_by(Evidence.id)).scalars():
            evidence.setdefault(item.record_id, []).append({
                "id": item.id, "filename": item.filename, "content_type": item.content_type, "size": item.size,
                "sha256": item.sha256, "url": f"/api/v1/evidence/{item.id}", "created_at": utc_iso(item.created_at)})
    return [{
        "id": row.id, "item_code": row.item_code, "title_zh": row.title_zh, "title_en": row.title_en,
        "category": row.category, "points": row.points, "severity": row.severity, "status": row.status,
        "occurred_at": utc_iso(row.occurred_at), "note": row.note, "review_note": row.review_note,
        "notice_ends_at": utc_iso(row.notice_ends_at), "finalised_at": utc_iso(row.finalised_at),
        "voided_at": utc_iso(row.voided_at), "void_reason": row.void_reason,
        "repaired_at": utc_iso(row.repaired_at), "created_at": utc_iso(row.created_at),
        "evidence": evidence.get(row.id, []),
    } for row in rows]


_MY_RECORD_COLUMNS = ("id", "category", "points", "severity", "status", "occurred_at", "note", "review_note",
                      "notice_ends_at", "finalised_at", "voided_at", "void_reason", "repaired_at", "created_at")
#: built once: a statement's construction costs more Python than its cached compilation
_NEWEST_RECORDS = (
    select(*(getattr(CreditRecord, name) for name in _MY_RECORD_COLUMNS),
           CatalogueItem.code.label("item_code"), CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en,
           select(Evidence.id).where(Evidence.record_id == CreditRecord.id).exists().label("has_evidence"))
    .join(CatalogueItem, CatalogueItem.id == CreditRecord.item_id)
    .join(CatalogueItemVersion, CatalogueItemVersion.id == CreditRecord.item_version_id)
    .where(CreditRecord.resident_id == bindparam("resident_id"))
    .order_by(CreditRecord.id.desc()).limit(bindparam("limit"))
)


# a points history line caused by a record says the rule's title (the ledger asks; it imports nothing of credit)
points.register_purpose("credit_record", record_titles)
