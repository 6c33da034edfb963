"""信用修复: a resident asks to have a final minor deduction given back after a waiting period.

Serious records are never repairable. The policy sets the waiting period and
whether volunteer hours since the record are required; the reviewer sees the
hours the volunteering domain has settled since, next to what the resident reports.
"""
from datetime import timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..residents.households import check_conflict
from ..residents.models import Resident
from . import scoring
from .models import CatalogueItemVersion, CreditRecord, Objection, RepairRequest
from .periods import local_date
from .policy import district_policy
from .service import lock_record


def apply_repair(principal, record_id, commitment, volunteer_hours=0, *, now=None):
    """The subject applies with a written commitment (and volunteer hours if the policy asks)."""
    now = now or utcnow()
    record = lock_record(record_id)
    if record is None or record.resident_id != principal.id:
        raise NotFound("No such credit record.", code="record_not_found")
    if record.status == "repaired":
        raise Conflict("该记录已修复。This record has already been repaired.", code="already_repaired")
    if record.status != "final" or record.points > 0:
        raise Conflict("只有已生效的扣分记录可以修复。Only a final negative record can be repaired.",
                       code="not_repairable")
    if record.severity == "serious":
        raise Conflict("严重失信记录不能修复。Serious records cannot be repaired.", code="serious_not_repairable")
    policy = district_policy(record.district_id, now)
    allowed_at = record.finalised_at + timedelta(days=policy.repair_wait_days)
    if now < allowed_at:
        day = local_date(allowed_at)  # the district's calendar day, not UTC's (a day early for UTC+8)
        raise Conflict(f"请于 {day} 之后申请修复。You can apply for repair after {day}.",
                       code="repair_too_early", errors={"record_id": [f"Not before {allowed_at.isoformat()}Z."]})
    if volunteer_hours < policy.repair_volunteer_hours:
        raise ValidationFailed(
            f"修复需要至少 {policy.repair_volunteer_hours} 小时志愿服务。"
            f"Repair needs at least {policy.repair_volunteer_hours} volunteer hours since the record.",
            code="volunteer_hours_required",
            errors={"volunteer_hours": [f"At least {policy.repair_volunteer_hours}."]})
    if db.session.execute(select(exists().where(and_(
        RepairRequest.record_id == record.id, RepairRequest.status == "pending")))).scalar():
        raise Conflict("该记录已有修复申请在处理。A repair request for this record is already pending.",
                       code="repair_pending")
    if _objection_open(record.id):
        raise Conflict("该记录的异议尚未处理完。An objection to this record is still open.", code="objection_open")
    repair = RepairRequest(district_id=record.district_id, community_id=record.community_id, record_id=record.id,
                           resident_id=principal.id, commitment=commitment, volunteer_hours=volunteer_hours,
                           status="pending", created_at=now)
    db.session.add(repair)
    db.session.flush()
    record_audit(principal, "repair.create", "repair", repair.id, district_id=record.district_id,
                 after={"record_id": record.id, "volunteer_hours": volunteer_hours})
    return repair


def _objection_open(record_id):
    return db.session.execute(select(exists().where(and_(
        Objection.record_id == record_id, Objection.status == "open")))).scalar()


def _repair_in_scope(principal, repair_id, lock=False):
    stmt = select(RepairRequest).where(RepairRequest.id == repair_id)
    if lock:
        stmt = stmt.with_for_update(of=RepairRequest)
    repair = db.session.execute(stmt).unique().scalar_one_or_none()
    if repair is None or repair.district_id != principal.district_id:
        raise NotFound("No such repair request.", code="repair_not_found")
    try:
        require_scope(principal, repair.community_id, "reviewer")
    except NotFound:
        raise NotFound("No such repair request.", code="repair_not_found") from None
    return repair


def decide_repair(principal, repair_id, approve, reason=None, *, now=None):
    """Approval gives the deduction back (score, and points if any were taken); the record shows repaired."""
    now = now or utcnow()
    repair = _repair_in_scope(principal, repair_id, lock=True)
    if repair.status != "pending":
        raise Conflict("该修复申请已处理。This repair request has already been decided.", code="repair_decided")
    check_conflict(principal, db.session.get(Resident, repair.resident_id))
    record = lock_record(repair.record_id)
    if approve:
        if _objection_open(record.id):
            raise Conflict("该记录的异议尚未处理完。An objection to this record is still open.", code="objection_open")
        if record.status != "final":
            raise Conflict(f"该记录当前为 {record.status}，不能修复。The record is {record.status}; it cannot be repaired.",
                           code="not_repairable")
        scoring.repair(record, now, principal.ref)
    repair.status = "approved" if approve else "rejected"
    repair.decided_at, repair.decided_by_user_id, repair.decision_note = now, principal.id, reason
    db.session.flush()
    record_audit(principal, f"repair.{'approve' if approve else 'reject'}", "repair", repair.id,
                 after={"status": repair.status, "record_status": record.status}, reason=reason)
    return repair


def verified_volunteer_hours(repair):
    """Volunteer hours the volunteering domain has settled for the applicant since the deed, for the
    reviewer to compare with what the resident reports."""
    # volunteering builds on credit (settling logs records): credit asks it for hours only here, at call time
    from ..volunteering.totals import volunteer_minutes_since

    return round(volunteer_minutes_since(repair.resident_id, repair.record.occurred_at) / 60, 1)


def get_repair(principal, repair_id):
    return _repair_in_scope(principal, repair_id)


def repairs_query(principal, args):
    stmt = select(RepairRequest).where(RepairRequest.district_id == principal.district_id)
    scope = principal.communities("reviewer")
    if scope is not None:
        stmt = stmt.where(RepairRequest.community_id.in_(scope))
    if args.get("community_id") is not None:
        stmt = stmt.where(RepairRequest.community_id == args["community_id"])
    if args.get("status"):
        stmt = stmt.where(RepairRequest.status == args["status"])
    # the queue names each applicant: they come with the page, not one query per row
    return stmt.options(joinedload(RepairRequest.resident)).order_by(RepairRequest.id)


def list_repairs(principal, args, page):
    return paginate(repairs_query(principal, args), page)


def export_repairs(principal, args):
    """Every matching repair request, streamed from the database for an XLSX download."""
    return db.session.execute(repairs_query(principal, args).execution_options(yield_per=1000)).scalars()


def list_my_repairs(principal, page):
    stmt = select(RepairRequest).where(RepairRequest.resident_id == principal.id).order_by(RepairRequest.id.desc())
    return paginate(stmt, page)


def my_repair_options(principal, *, now=None):
    """What the resident may ask to repair: each final deduction of theirs not yet repaired, whether it
    can be repaired at all (serious ones never), from when (the district's calendar day), and what stands
    in the way today (a pending request, an open objection, the waiting period)."""
    now = now or utcnow()
    records = db.session.execute(
        select(CreditRecord.id, CreditRecord.district_id, CreditRecord.points, CreditRecord.severity,
               CreditRecord.occurred_at, CreditRecord.finalised_at,
               CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en)
        .join(CatalogueItemVersion, CatalogueItemVersion.id == CreditRecord.item_version_id)
        .where(CreditRecord.resident_id == principal.id, CreditRecord.status == "final", CreditRecord.points < 0)
        .order_by(CreditRecord.id.desc())
    ).all()
    ids = [r.id for r in records]
    pending = dict(db.session.execute(
        select(RepairRequest.record_id, RepairRequest.id)
        .where(RepairRequest.record_id.in_(ids), RepairRequest.status == "pending")).all()) if ids else {}
    disputed = set(db.session.execute(
        select(Objection.record_id).where(Objection.record_id.in_(ids), Objection.status == "open")).scalars()) \
        if ids else set()
    policy = district_policy(principal.district_id, now)
    options = []
    for r in records:
        repair_from = r.finalised_at + timedelta(days=policy.repair_wait_days)
        if r.severity == "serious":
            blocked = "serious_not_repairable"
        elif r.id in pending:
            blocked = "repair_pending"
        elif r.id in disputed:
            blocked = "objection_open"
        elif now < repair_from:
            blocked = "repair_too_early"
        else:
            blocked = None
        options.append({
            "record_id": r.id, "title_zh": r.title_zh, "title_en": r.title_en, "points": r.points,
            "severity": r.severity, "occurred_at": r.occurred_at, "finalised_at": r.finalised_at,
            "repairable": r.severity != "serious",
            "repair_from": None if r.severity == "serious" else repair_from,
            "repair_from_local": None if r.severity == "serious" else local_date(repair_from),
            "can_apply": blocked is None, "blocked_by": blocked, "pending_repair_id": pending.get(r.id),
        })
    return {"items": options, "volunteer_hours_required": policy.repair_volunteer_hours,
            "wait_days": policy.repair_wait_days}
