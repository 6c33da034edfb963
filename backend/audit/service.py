"""The audit trail. Services call ``record_audit`` for every staff write."""
from flask import has_request_context, request
from sqlalchemy import and_, false, or_, select

from ..common.auth import Principal
from ..common.pagination import paginate
from ..errors import ValidationFailed
from ..extensions import db
from .models import AuditLog

#: fields never copied into an audit summary
SECRET_FIELDS = {"password", "password_hash", "pin", "pin_hash", "id_number", "id_hash", "token", "pairing_code"}

#: target_type -> ``function(community_id)`` giving a select of the target ids (as text) in that community.
#: The domains that own the targets register them: the audit trail sits below them and imports none.
COMMUNITY_TARGETS = {}


def register_community_targets(target_type, ids_in_community):
    COMMUNITY_TARGETS[target_type] = ids_in_community


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


def check_date_range(args):
    """A ``since``/``until`` filter that ends before (or where) it starts is a mistake, not an empty list."""
    if args.get("since") and args.get("until") and args["until"] <= args["since"]:
        raise ValidationFailed("The date range must end after it starts.", code="date_range_reversed",
                               errors={"until": ["The date range must end after it starts."]})


def audit_query(principal, args):
    """Entries of my district matching the filters, newest first; ``community_id`` keeps those about
    a target of that community (residents, records, objections, repairs … as their domains register)."""
    check_date_range(args)
    stmt = select(AuditLog).where(AuditLog.district_id == principal.district_id)
    for name in ("actor", "action", "target_type", "target_id"):
        if args.get(name):
            stmt = stmt.where(getattr(AuditLog, name) == args[name])
    if args.get("since"):
        stmt = stmt.where(AuditLog.created_at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(AuditLog.created_at < args["until"])
    if args.get("community_id") is not None:
        about = [and_(AuditLog.target_type == kind, AuditLog.target_id.in_(ids(args["community_id"])))
                 for kind, ids in sorted(COMMUNITY_TARGETS.items())]
        stmt = stmt.where(or_(*about) if about else false())
    return stmt.order_by(AuditLog.id.desc())


def list_audit(principal, args, page):
    return paginate(audit_query(principal, args), page)


def export_audit(principal, args):
    """Every matching entry, streamed from the database for an XLSX download."""
    return db.session.execute(audit_query(principal, args).execution_options(yield_per=1000)).scalars()
