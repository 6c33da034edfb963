"""异议处理: objections to records in notice (any resident of the community) or final (their subject).

A record in notice that gets an objection is ``disputed`` and counts nothing
until a reviewer upholds it (the record is voided) or dismisses it (the record
becomes final). An upheld objection to a final record reverses it with new
entries. A person objects to a record once: after a decision, not again.
"""
from datetime import timedelta

from sqlalchemy import and_, exists, select

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..residents.households import check_conflict
from ..residents.models import Resident
from . import scoring
from .models import Objection
from .policy import district_policy
from .service import lock_record


def _not_found():
    return NotFound("No such credit record.", code="record_not_found")


def raise_objection(principal, record_id, reason, *, now=None):
    """A resident objects; clear 409s say why when the record cannot be objected to now."""
    now = now or utcnow()
    objector = db.session.get(Resident, principal.id)
    record = lock_record(record_id)
    if record is None or record.district_id != objector.district_id or record.subject_type != "resident":
        raise _not_found()
    is_subject = record.resident_id == objector.id
    previous = db.session.execute(
        select(Objection.status).where(Objection.record_id == record.id,
                                       Objection.objector_resident_id == objector.id)
    ).scalars().all()
    if any(status != "open" for status in previous):
        raise Conflict("您对该记录的异议已有处理结果，不能再次提出。"
                       "Your objection to this record has already been decided; you cannot object again.",
                       code="objection_already_decided")
    if not is_subject and not previous and (record.community_id != objector.community_id
                                            or record.status not in ("in_notice", "disputed")):
        raise _not_found()  # others only see their own community's notice board
    if record.status == "disputed" or any(status == "open" for status in previous) or _has_open(record.id):
        raise Conflict("该记录已有异议正在处理。An objection to this record is already being handled.",
                       code="objection_open")
    if record.status == "in_notice":
        against_final = False
    elif record.status == "final" and is_subject:
        against_final = True
    else:
        raise Conflict(f"该记录（{record.status}）现在不能提出异议。"
                       f"A {record.status} record cannot be objected to.", code="objection_not_allowed")
    policy = district_policy(record.district_id, now)
    objection = Objection(
        district_id=record.district_id, community_id=record.community_id, record_id=record.id,
        objector_resident_id=objector.id, reason=reason, against_final=against_final, status="open",
        due_at=now + timedelta(days=policy.objection_deadline_days), created_at=now,
    )
    db.session.add(objection)
    if not against_final:
        record.status = "disputed"
    db.session.flush()
    record_audit(principal, "objection.create", "credit_record", record.id, district_id=record.district_id,
                 after={"objection_id": objection.id, "record_status": record.status})
    return objection


def _has_open(record_id):
    return db.session.execute(
        select(exists().where(and_(Objection.record_id == record_id, Objection.status == "open")))
    ).scalar()


def _objection_in_scope(principal, objection_id, lock=False):
    stmt = select(Objection).where(Objection.id == objection_id)
    if lock:
        stmt = stmt.with_for_update(of=Objection)
    objection = db.session.execute(stmt).unique().scalar_one_or_none()
    if objection is None or objection.district_id != principal.district_id:
        raise NotFound("No such objection.", code="objection_not_found")
    try:
        require_scope(principal, objection.community_id, "reviewer")
    except NotFound:
        raise NotFound("No such objection.", code="objection_not_found") from None
    return objection


def decide_objection(principal, objection_id, uphold, reason, *, now=None):
    """A reviewer upholds (record voided or reversed) or dismisses (record final) an objection."""
    now = now or utcnow()
    objection = _objection_in_scope(principal, objection_id, lock=True)
    if objection.status != "open":
        raise Conflict("该异议已处理。This objection has already been decided.", code="objection_decided")
    record = lock_record(objection.record_id)
    if record.logged_by_user_id is not None and record.logged_by_user_id == principal.id:
        raise Forbidden("不能裁决针对自己登记记录的异议。You logged this record; another reviewer decides.",
                        code="two_person_rule")
    check_conflict(principal, db.session.get(Resident, record.resident_id),
                   db.session.get(Resident, objection.objector_resident_id))
    before = record.status
    if uphold:
        if record.status == "disputed":
            record.status, record.voided_at, record.void_reason = "voided", now, reason
        elif record.status in ("final", "repaired"):
            scoring.void_final(record, now, principal.ref, reason)
    elif record.status == "disputed":
        scoring.finalise(record, now, principal.ref)
    objection.status = "upheld" if uphold else "dismissed"
    objection.decided_at, objection.decided_by_user_id, objection.decision_note = now, principal.id, reason
    db.session.flush()
    record_audit(principal, "objection.uphold" if uphold else "objection.dismiss", "objection",
                 objection.id, before={"record_status": before},
                 after={"status": objection.status, "record_status": record.status}, reason=reason)
    return objection


def get_objection(principal, objection_id):
    return _objection_in_scope(principal, objection_id)


def objections_query(principal, args, *, now=None):
    """A reviewer's objections, oldest due first; ``overdue`` ones are past the district's deadline."""
    stmt = select(Objection).where(Objection.district_id == principal.district_id)
    scope = principal.communities("reviewer")
    if scope is not None:
        stmt = stmt.where(Objection.community_id.in_(scope))
    if args.get("community_id") is not None:
        stmt = stmt.where(Objection.community_id == args["community_id"])
    if args.get("status"):
        stmt = stmt.where(Objection.status == args["status"])
    if args.get("overdue"):
        stmt = stmt.where(Objection.status == "open", Objection.due_at < (now or utcnow()))
    return stmt.order_by(Objection.due_at, Objection.id)


def list_objections(principal, args, page):
    return paginate(objections_query(principal, args), page)


def export_objections(principal, args):
    """Every matching objection, streamed from the database for an XLSX download."""
    return db.session.execute(objections_query(principal, args).execution_options(yield_per=1000)).scalars()


def list_my_objections(principal, page):
    stmt = select(Objection).where(Objection.objector_resident_id == principal.id).order_by(Objection.id.desc())
    return paginate(stmt, page)
