from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import PageArgs, page_of, split_page
from ..common.xlsx import XLSX, english, headed, local_text, words, xlsx_response
from . import service
from .schemas import (
    AnnouncementCreateArgs, AnnouncementFilterArgs, AnnouncementQueryArgs, AnnouncementSchema, AnnouncementUpdateArgs,
    AnnouncementWithdrawArgs, PublicAnnouncementSchema,
)

bp = Blueprint("announcements", __name__, url_prefix="/api/v1",
               description="Announcements (公告) to a community or the whole district")

STAFF = ("worker", "reviewer", "district_admin")


@bp.route("/announcements", methods=["POST"])
@auth_required("staff", roles=STAFF)
@bp.arguments(AnnouncementCreateArgs)
@bp.response(201, AnnouncementSchema)
def create_announcement(args):
    """Publish a notice to one of my communities (or, as district admin, to the whole district)."""
    return service.create_announcement(current_principal(), args)


@bp.route("/announcements", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(AnnouncementQueryArgs, location="query")
@bp.response(200, page_of(AnnouncementSchema))
def list_announcements(args):
    """Notices of my communities and the district's, pinned first, newest first."""
    page = split_page(args)
    return service.list_announcements(current_principal(), args, page)


@bp.route("/announcements/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(AnnouncementFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The notices the list shows, every page")
def export_announcements(args):
    """Notices of my communities and the district's as an XLSX download (the list's filters, no paging)."""
    names, rows = service.export_announcements(current_principal(), args)
    lang = 1 if english() else 0

    def where(notice):
        if notice.scope == "district":
            return words("全区", "Whole district")
        return names.get(notice.community_id, ("", ""))[lang]

    return xlsx_response("announcements.xlsx", [(words("公告", "Announcements"), headed([
        ("编号", "No.", "id"), ("范围", "Shown to", where), ("标题", "Title", lambda n: n.title_zh),
        ("英文标题", "Title (English)", lambda n: n.title_en), ("内容", "Text", lambda n: n.body_zh),
        ("置顶", "Pinned", lambda n: n.pinned), ("发布时间", "Published", lambda n: local_text(n.publish_at)),
        ("截止时间", "Expires", lambda n: local_text(n.expire_at)),
        ("撤回时间", "Withdrawn", lambda n: local_text(n.withdrawn_at)),
    ]), rows)])


@bp.route("/announcements/<int:announcement_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, AnnouncementSchema)
def get_announcement(announcement_id):
    """One notice."""
    return service.get_announcement_for_staff(current_principal(), announcement_id)


@bp.route("/announcements/<int:announcement_id>", methods=["PATCH"])
@auth_required("staff", roles=STAFF)
@bp.arguments(AnnouncementUpdateArgs)
@bp.response(200, AnnouncementSchema)
def update_announcement(args, announcement_id):
    """Change a notice's texts, dates or pin (not once withdrawn)."""
    return service.update_announcement(current_principal(), announcement_id, args)


@bp.route("/announcements/<int:announcement_id>/withdraw", methods=["POST"])
@auth_required("staff", roles=STAFF)
@bp.arguments(AnnouncementWithdrawArgs)
@bp.response(200, AnnouncementSchema)
def withdraw_announcement(args, announcement_id):
    """Take a notice down at once (it stays on record)."""
    return service.withdraw_announcement(current_principal(), announcement_id, args.get("reason"))


@bp.route("/me/announcements", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(PublicAnnouncementSchema))
def my_announcements(args):
    """Notices showing now to me: my community's and the district's, pinned first."""
    return service.list_for_resident(current_principal(), split_page(args))
