from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import page_of, split_page
from . import service
from .schemas import AuditLogSchema, AuditQueryArgs

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit log of staff writes")


@bp.route("", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(AuditQueryArgs, location="query")
@bp.response(200, page_of(AuditLogSchema))
def list_audit(args):
    """List audit entries of my district, newest first."""
    page = split_page(args)
    return service.list_audit(current_principal(), args, page)
