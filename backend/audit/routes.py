import json

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.i18n import language
from ..common.pagination import page_of, split_page
from ..common.xlsx import XLSX, headed, local, xlsx_response
from . import service
from .schemas import AuditFilterArgs, AuditLogSchema, AuditQueryArgs

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit log of staff writes")


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


AUDIT_COLUMNS = [
    ("编号", "No.", lambda e: e.id), ("时间", "Time", lambda e: local(e.created_at)),
    ("操作人", "Actor", lambda e: e.actor), ("操作", "Action", lambda e: e.action),
    ("对象类型", "Target type", lambda e: e.target_type), ("对象编号", "Target", lambda e: e.target_id),
    ("原因", "Reason", lambda e: e.reason), ("操作前", "Before", lambda e: _json(e.before)),
    ("操作后", "After", lambda e: _json(e.after)), ("IP 地址", "IP address", lambda e: e.ip),
]


@bp.route("", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(AuditQueryArgs, location="query")
@bp.response(200, page_of(AuditLogSchema))
def list_audit(args):
    """List audit entries of my district, newest first."""
    page = split_page(args)
    return service.list_audit(current_principal(), args, page)


@bp.route("/export.xlsx", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(AuditFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The filtered audit log as an XLSX workbook")
def export_audit(args):
    """The audit log with the list's filters, all rows, as an XLSX download."""
    rows = service.export_audit(current_principal(), args)
    title = "Audit log" if language() == "en" else "操作日志"
    return xlsx_response("audit-log.xlsx", [(title, headed(AUDIT_COLUMNS), rows)])
