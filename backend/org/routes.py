from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import PageArgs, page_of, split_page
from ..common.xlsx import XLSX, bilingual, headed, local_text, words, xlsx_response
from . import service
from .schemas import (
    CommunityCreateArgs, CommunityFilterArgs, CommunityQueryArgs, CommunitySchema, CommunityUpdateArgs, DistrictSchema,
    DistrictUpdateArgs, HouseholdCreateArgs, HouseholdExportArgs, HouseholdQueryArgs, HouseholdSchema, HouseholdUpdateArgs,
    TownCreateArgs, TownSchema, TownUpdateArgs,
)

bp = Blueprint("org", __name__, url_prefix="/api/v1", description="District, towns, communities, households")

ADMIN = ["district_admin"]
STAFF = ["worker", "reviewer", "district_admin"]


@bp.route("/district", methods=["GET"])
@auth_required("staff")
@bp.response(200, DistrictSchema)
def get_district():
    """My district."""
    return service.get_district(current_principal())


@bp.route("/district", methods=["PATCH"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(DistrictUpdateArgs)
@bp.response(200, DistrictSchema)
def update_district(args):
    """Rename my district."""
    return service.update_district(current_principal(), args)


@bp.route("/towns", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(TownSchema))
def list_towns(args):
    """Towns and streets of my district."""
    return service.list_towns(current_principal(), args)


@bp.route("/towns", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(TownCreateArgs)
@bp.response(201, TownSchema)
def create_town(args):
    """Add a town (镇) or street (街道)."""
    return service.create_town(current_principal(), args)


@bp.route("/towns/<int:town_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, TownSchema)
def get_town(town_id):
    """One town."""
    return service.get_town(current_principal(), town_id)


@bp.route("/towns/<int:town_id>", methods=["PATCH"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(TownUpdateArgs)
@bp.response(200, TownSchema)
def update_town(args, town_id):
    """Change a town."""
    return service.update_town(current_principal(), town_id, args)


@bp.route("/towns/<int:town_id>", methods=["DELETE"])
@auth_required("staff", roles=ADMIN)
@bp.response(204)
def delete_town(town_id):
    """Remove a town that has no communities."""
    service.delete_town(current_principal(), town_id)


@bp.route("/communities", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(CommunityQueryArgs, location="query")
@bp.response(200, page_of(CommunitySchema))
def list_communities(args):
    """Communities and villages of my district."""
    page = split_page(args)
    return service.list_communities(current_principal(), args, page)


@bp.route("/communities/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(CommunityFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The district's villages with their towns")
def export_communities(args):
    """The district's communities and villages as an XLSX download (the list's filter, no paging)."""
    rows = service.export_communities(current_principal(), args)
    return xlsx_response("villages.xlsx", [(words("村社区", "Villages"), headed([
        ("编号", "No.", "id"), ("编码", "Code", "code"), ("镇街", "Town", lambda r: bilingual(r, "town")),
        ("名称", "Name", "name_zh"), ("英文名称", "Name (English)", "name_en"),
        ("类型", "Kind", lambda r: words("村", "village") if r["kind"] == "village" else words("社区", "community")),
    ]), rows)])


@bp.route("/communities", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(CommunityCreateArgs)
@bp.response(201, CommunitySchema)
def create_community(args):
    """Add a community (社区) or village (村)."""
    return service.create_community(current_principal(), args)


@bp.route("/communities/<int:community_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, CommunitySchema)
def get_community(community_id):
    """One community."""
    return service.get_community(current_principal(), community_id)


@bp.route("/communities/<int:community_id>", methods=["PATCH"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(CommunityUpdateArgs)
@bp.response(200, CommunitySchema)
def update_community(args, community_id):
    """Change a community."""
    return service.update_community(current_principal(), community_id, args)


@bp.route("/communities/<int:community_id>", methods=["DELETE"])
@auth_required("staff", roles=ADMIN)
@bp.response(204)
def delete_community(community_id):
    """Remove a community that has no households or residents."""
    service.delete_community(current_principal(), community_id)


@bp.route("/households", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(HouseholdQueryArgs, location="query")
@bp.response(200, page_of(HouseholdSchema))
def list_households(args):
    """Households (信用户) of my communities."""
    page = split_page(args)
    return service.list_households(current_principal(), args, page)


HOUSEHOLD_COLUMNS = [
    ("户编码", "Code", "code"), ("户名", "Household", "name"), ("地址", "Address", "address"),
    ("村社区", "Village", lambda r: bilingual(r, "community")), ("在册成员", "Members", "members"),
    ("登记时间", "Registered", lambda r: local_text(r["created_at"])),
]


@bp.route("/households/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(HouseholdExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Every household the list shows, with its member count")
def export_households(args):
    """Download the households of my communities as XLSX (same filters as the list, no paging)."""
    rows = service.export_households(current_principal(), args)
    return xlsx_response("households.xlsx", [(words("信用户", "Households"), headed(HOUSEHOLD_COLUMNS), rows)])


@bp.route("/households", methods=["POST"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(HouseholdCreateArgs)
@bp.response(201, HouseholdSchema)
def create_household(args):
    """Register a household in one of my communities."""
    return service.create_household(current_principal(), args)


@bp.route("/households/<int:household_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, HouseholdSchema)
def get_household(household_id):
    """One household."""
    return service.get_household(current_principal(), household_id)


@bp.route("/households/<int:household_id>", methods=["PATCH"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.arguments(HouseholdUpdateArgs)
@bp.response(200, HouseholdSchema)
def update_household(args, household_id):
    """Change a household."""
    return service.update_household(current_principal(), household_id, args)


@bp.route("/households/<int:household_id>", methods=["DELETE"])
@auth_required("staff", roles=["worker", "district_admin"])
@bp.response(204)
def delete_household(household_id):
    """Remove a household that has no members."""
    service.delete_household(current_principal(), household_id)
