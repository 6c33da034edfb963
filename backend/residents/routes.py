from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.i18n import language
from ..common.pagination import PageArgs, page_of, split_page
from ..common.xlsx import XLSX, bilingual, headed, local, local_text, worded, words, xlsx_response
from . import roster, service
from .schemas import (
    ActivationCodeSchema, LookupFilterArgs, LookupQueryArgs, LookupSchema, PinArgs, StaffLookupSchema, RosterCommitArgs, RosterImportSchema, RosterUploadArgs,
    ResidentCreateArgs, ResidentExportArgs, ResidentQueryArgs, ResidentSchema, ResidentSelfSchema,
    ResidentUpdateArgs,
)

bp = Blueprint("residents", __name__, url_prefix="/api/v1/residents", description="Residents and their PINs")

STAFF = ("worker", "reviewer", "district_admin")


@bp.route("", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ResidentQueryArgs, location="query")
@bp.response(200, page_of(ResidentSchema))
def list_residents(args):
    """Search residents of my communities (by name, phone, household or ID number)."""
    page = split_page(args)
    return service.list_residents(current_principal(), args, page)


EXPORT_COLUMNS = [
    ("编号", "No.", "id"), ("姓名", "Name", "name"), ("性别", "Gender", lambda r: worded(r["gender"])),
    ("出生年份", "Born", "birth_year"), ("手机号", "Phone", "phone"),
    ("镇街", "Town", lambda r: bilingual(r, "town")), ("村社区", "Village", lambda r: bilingual(r, "community")),
    ("户编码", "Household code", "household_code"), ("信用户", "Household", "household_name"),
    ("身份证号（隐去）", "ID number (masked)", "id_masked"), ("状态", "Status", lambda r: worded(r["status"])),
    ("登记时间", "Registered", lambda r: local_text(r["created_at"])),
]


@bp.route("/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ResidentExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Every resident the search finds, one row each (ID numbers masked)")
def export_residents(args):
    """Download the residents of a search as XLSX (same filters as the list, no paging)."""
    rows = service.export_residents(current_principal(), args)
    return xlsx_response("residents.xlsx", [(words("居民", "Residents"), headed(EXPORT_COLUMNS), rows)])


@bp.route("", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(ResidentCreateArgs)
@bp.response(201, ResidentSchema)
def create_resident(args):
    """Register a resident in one of my communities."""
    return service.create_resident(current_principal(), args)


@bp.route("/me", methods=["GET"])
@auth_required("resident")
@bp.response(200, ResidentSelfSchema)
def my_profile():
    """My own profile (resident)."""
    return service.get_resident(current_principal().id)


@bp.route("/me/lookups", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(LookupSchema))
def my_lookups(args):
    """Who on the staff opened my archive, and when (查询登记)."""
    return service.list_my_lookups(current_principal(), args)


LOOKUP_COLUMNS = [
    ("编号", "No.", "id"), ("时间", "Time", lambda row: local(row["created_at"])),
    ("查询人", "Looked up by", "actor_name"), ("账号", "Account", "actor"), ("查询内容", "What", "what"),
    ("居民编号", "Resident", "resident_id"), ("居民", "Resident name", "resident_name"), ("IP 地址", "IP address", "ip"),
]


@bp.route("/lookups", methods=["GET"])
@auth_required("staff", roles=["district_admin", *service.LOOKUP_LOG_ROLES])
@bp.arguments(LookupQueryArgs, location="query")
@bp.response(200, page_of(StaffLookupSchema))
def list_lookups(args):
    """The look-up log (查询登记): who on the staff opened which resident's archive, newest first."""
    page = split_page(args)
    return service.list_lookups(current_principal(), args, page)


@bp.route("/lookups/export.xlsx", methods=["GET"])
@auth_required("staff", roles=["district_admin", *service.LOOKUP_LOG_ROLES])
@bp.arguments(LookupFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The filtered look-up log as an XLSX workbook")
def export_lookups(args):
    """The look-up log with the list's filters, all rows, as an XLSX download."""
    rows = service.export_lookups(current_principal(), args)
    title = "Look-ups" if language() == "en" else "查询登记"
    return xlsx_response("lookups.xlsx", [(title, headed(LOOKUP_COLUMNS), rows)])


@bp.route("/<int:resident_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, ResidentSchema)
def get_resident(resident_id):
    """One resident of my communities; the look-up is logged for the resident to see."""
    return service.get_resident_for_staff(current_principal(), resident_id, what="profile")


@bp.route("/<int:resident_id>", methods=["PATCH"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(ResidentUpdateArgs)
@bp.response(200, ResidentSchema)
def update_resident(args, resident_id):
    """Correct a resident's details or move them to another community or household."""
    return service.update_resident(current_principal(), resident_id, args)


@bp.route("/<int:resident_id>/pin", methods=["PUT"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(PinArgs)
@bp.response(204)
def set_pin(args, resident_id):
    """Set or reset the resident's 6-digit kiosk PIN (also lifts a lockout)."""
    service.set_pin(current_principal(), resident_id, args["pin"])


@bp.route("/import-template", methods=["GET"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.response(200, content_type=XLSX, description="An empty roster with the columns and instructions")
def roster_template():
    """Download the roster template (XLSX, with instructions in Chinese)."""
    return xlsx_response("roster-template.xlsx", [
        ("居民名册", [(header, i) for i, (header, *_rest) in enumerate(roster.COLUMNS)],
         [dict(enumerate(row)) for row in roster.template_rows()]),
        ("填写说明", [("列", 0), ("必填", 1), ("说明", 2)],
         [{0: header, 1: "是" if required else "否", 2: help_text}
          for header, _key, required, help_text in roster.COLUMNS]),
    ])


@bp.route("/imports", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(RosterUploadArgs, location="files")
@bp.arguments(RosterCommitArgs, location="query")
@bp.response(200, RosterImportSchema)
def import_roster(files, query):
    """Import residents and households from an XLSX roster: preview, then commit all rows or none."""
    return roster.import_roster(current_principal(), files["file"].read(), commit=query["commit"])


@bp.route("/<int:resident_id>/activation-code", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.response(201, ActivationCodeSchema)
def issue_activation_code(resident_id):
    """Give the resident a one-time code to set their app password (shown once; older codes stop working)."""
    return service.issue_activation_code(current_principal(), resident_id)
