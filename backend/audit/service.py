"""The audit trail. Services call ``record_audit`` for every staff write."""
from flask import has_request_context, request
from sqlalchemy import select

from ..common.auth import Principal
from ..common.pagination import paginate
from ..extensions import db
from .models import AuditLog

#: fields never copied into an audit summary
SECRET_FIELDS = {"password", "password_hash", "pin", "pin_hash", "id_number", "id_hash", "token", "pairing_code"}


def summarize(obj, fields):
    """A small JSON-safe dict of ``fields`` of ``obj`` for before/after summaries."""
    out = {}
    for name in fields:
        if name in SECRET_FIELDS:
            continue
        value = getattr(obj, name, None)
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[name] = value
    return out


def record_audit(actor, action, target_type, target_id=None, *, before=None, after=None, reason=None, district_id=None):
    if isinstance(actor, Principal):
        who, district_id = actor.ref, district_id or actor.district_id
    else:
        who = actor or "system"
    entry = AuditLog(
        district_id=district_id,
        actor=who,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=before,
        after=after,
        reason=reason,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def list_audit(principal, args, page):
    stmt = select(AuditLog).where(AuditLog.district_id == principal.district_id)
    for name in ("actor", "action", "target_type", "target_id"):
        if args.get(name):
            stmt = stmt.where(getattr(AuditLog, name) == args[name])
    if args.get("since"):
        stmt = stmt.where(AuditLog.created_at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(AuditLog.created_at < args["until"])
    return paginate(stmt.order_by(AuditLog.id.desc()), page)
