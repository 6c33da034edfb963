from flask import current_app
from flask_jwt_extended import get_jwt

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.i18n import language
from ..common.pagination import page_of
from ..common.xlsx import XLSX, headed, local_text, worded, words, xlsx_response
from ..extensions import limiter
from ..residents import service as residents
from . import service
from .schemas import (
    LoginArgs, MeSchema, ResidentActivateArgs, ResidentLoginArgs, StaffCreateArgs, StaffListArgs, StaffSchema, StaffUpdateArgs,
    TokenSchema,
)

bp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in, tokens and staff accounts")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/auth/login", methods=["POST"])
@limiter.limit(_login_limit)
@bp.arguments(LoginArgs)
@bp.response(200, TokenSchema)
def login(args):
    """Sign in as staff or merchant staff with username and password."""
    return service.login_user(args["username"], args["password"])


@bp.route("/auth/resident-login", methods=["POST"])
@limiter.limit(_login_limit)
@bp.arguments(ResidentLoginArgs)
@bp.response(200, TokenSchema)
def resident_login(args):
    """Sign in as a resident (mobile app) with phone number and password."""
    return service.login_resident(args["phone"], args["password"])


@bp.route("/auth/resident-activate", methods=["POST"])
@limiter.limit(_login_limit)
@bp.arguments(ResidentActivateArgs)
@bp.response(200, TokenSchema)
def resident_activate(args):
    """Activate the app as a resident: phone, the worker's one-time code, ID last 4 and a new password."""
    return residents.activate_resident(args["phone"], args["code"], args["id_last4"], args["password"])


@bp.route("/auth/refresh", methods=["POST"])
@auth_required(refresh=True)
@bp.response(200, TokenSchema)
def refresh():
    """Exchange a refresh token for a new access token."""
    return service.refresh_tokens(get_jwt())


@bp.route("/auth/logout", methods=["POST"])
@auth_required()
@bp.response(204)
def logout():
    """Revoke this session: its access and refresh tokens stop working everywhere."""
    service.revoke_session(current_principal().session_id)


@bp.route("/auth/me", methods=["GET"])
@auth_required()
@bp.response(200, MeSchema)
def me():
    """Who this token belongs to."""
    return current_principal()


@bp.route("/staff", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(StaffListArgs, location="query")
@bp.response(200, page_of(StaffSchema))
def list_staff(args):
    """List staff and merchant staff accounts of my district."""
    return service.list_staff(current_principal(), args)


def _staff_columns():
    english = language() == "en"
    names = {c.id: (c.name_en if english else c.name_zh) for c in service.district_communities(current_principal())}

    def roles(row):
        return "；".join(worded(role) + (f"（{names.get(community, community)}）" if community else "")
                        for role, community in row["roles"])

    return headed([
        ("编号", "No.", "id"), ("用户名", "Username", "username"), ("姓名", "Name", "display_name"),
        ("角色与村社区", "Roles and villages", roles), ("商户编号", "Merchant no.", "merchant_id"),
        ("状态", "Status", lambda r: words("在用", "active") if r["is_active"] else words("已停用", "disabled")),
        ("创建时间", "Created", lambda r: local_text(r["created_at"])),
    ])


@bp.route("/staff/export.xlsx", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.response(200, content_type=XLSX, description="Every staff and merchant staff account with its roles")
def export_staff():
    """Download the staff accounts of my district as XLSX."""
    return xlsx_response("staff.xlsx", [(words("工作人员", "Staff"), _staff_columns(),
                                         service.export_staff(current_principal()))])


@bp.route("/staff", methods=["POST"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(StaffCreateArgs)
@bp.response(201, StaffSchema)
def create_staff(args):
    """Create a staff account with community-scoped roles, or a merchant staff account."""
    return service.create_staff(current_principal(), args)


@bp.route("/staff/<int:user_id>", methods=["GET"])
@auth_required("staff", roles=["district_admin"])
@bp.response(200, StaffSchema)
def get_staff(user_id):
    """One staff account."""
    return service.get_staff(current_principal(), user_id)


@bp.route("/staff/<int:user_id>", methods=["PATCH"])
@auth_required("staff", roles=["district_admin"])
@bp.arguments(StaffUpdateArgs)
@bp.response(200, StaffSchema)
def update_staff(args, user_id):
    """Change roles, name, password or activation; the account's sessions are revoked."""
    return service.update_staff(current_principal(), user_id, args)
