from flask import jsonify, send_file
from flask_smorest.fields import Upload
from marshmallow import Schema

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.inputs import clean_filename
from ..common.pagination import PageArgs, page_of, split_page
from ..common.time import utcnow
from ..common.tx import read_only
from ..common.xlsx import XLSX, english, headed, words, xlsx_response
from ..residents.service import get_resident_for_staff
from . import catalogue, evidence, exports, lists, objections, policy, repairs, scoring, service
from .schemas import (
    ApproveArgs, BulkReviewArgs, ItemExportArgs, BulkReviewSchema, CategorySchema, EvidenceSchema, HomeSchema, ItemCreateArgs, ItemDetailSchema, ItemQueryArgs, ItemSchema,
    ItemUpdateArgs, ListArgs, ListEntrySchema, ListFilterArgs, MyObjectionSchema, MyRecordQueryArgs, MyRecordSchema, MyRepairSchema,
    NoticeBoardArgs, NoticeSchema, ObjectionCreateArgs, ObjectionDecisionArgs, ObjectionFilterArgs, ObjectionQueryArgs, ObjectionSchema,
    PolicySchema, PolicyUpdateArgs, PublicListArgs, PublicListEntrySchema, RecordCreateArgs, RecordFilterArgs, RecordQueryArgs,
    RecordDetailSchema, RecordSchema, RejectArgs, RepairCreateArgs, RepairFilterArgs, RepairOptionsSchema, RepairQueryArgs, RepairSchema, StandingQueryArgs, StandingSchema,
)

bp = Blueprint("credit", __name__, url_prefix="/api/v1",
               description="Credit records, review and notice, objections, repair, standing and red/black lists")

STAFF = ("worker", "reviewer", "district_admin")
WORKERS = ("worker", "district_admin")
REVIEWERS = ("reviewer", "district_admin")
ADMIN = ("district_admin",)


class UploadArgs(Schema):
    file = Upload(required=True)


# --- catalogue ------------------------------------------------------------------------------


@bp.route("/catalogue/categories", methods=["GET"])
@auth_required("staff", "resident")
@bp.response(200, CategorySchema(many=True))
def list_categories():
    """Categories of catalogue items, in Chinese and English."""
    return [{"code": code, "name_zh": zh, "name_en": en} for code, (zh, en) in catalogue.CATEGORIES.items()]


@bp.route("/catalogue/items", methods=["GET"])
@auth_required("staff", "resident")
@bp.arguments(ItemQueryArgs, location="query")
@bp.response(200, page_of(ItemSchema))
def list_items(args):
    """Catalogue items (村规民约): of one community with overrides applied, or all of the district."""
    page = split_page(args)
    return catalogue.list_items(current_principal(), args, page)


@bp.route("/catalogue/items/export.xlsx", methods=["GET"])
@auth_required("staff")
@bp.arguments(ItemExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The catalogue items of the list (same filters, every page)")
def export_items(args):
    """Catalogue items (the version in force today) as an XLSX download."""
    lang = 1 if english() else 0
    scopes = {"district": ("全区", "District"), "town": ("镇街", "Town"), "community": ("村社区", "Village")}
    periods = {"day": ("每天", "a day"), "week": ("每周", "a week"), "month": ("每月", "a month"),
               "quarter": ("每季度", "a quarter"), "year": ("每年", "a year")}
    yes_no = (("否", "No"), ("是", "Yes"))

    def cap(row):
        if row["cap_count"] is None:
            return None
        period = periods.get(row["cap_period"], (row["cap_period"],) * 2)[lang]
        return f"{period} {row['cap_count']} 次" if not lang else f"{row['cap_count']} times {period}"

    return xlsx_response("catalogue-items.xlsx", [("信用事项", headed([
        ("代码", "Code", "code"), ("范围", "Scope", lambda r: scopes[r["scope"]][lang]),
        ("事项", "Title", "title_zh"), ("事项（英文）", "Title (English)", "title_en"),
        ("类别", "Category", "category_en" if lang else "category_zh"), ("分值", "Points", "points"),
        ("上限", "Cap", cap), ("需要证据", "Evidence required", lambda r: yes_no[bool(r["evidence_required"])][lang]),
        ("严重程度", "Severity", lambda r: {"minor": ("轻微", "Minor"), "serious": ("严重", "Serious")}
         .get(r["severity"], (None, None))[lang]), ("启用", "Active", lambda r: yes_no[bool(r["active"])][lang]),
        ("版本", "Version", "version"), ("生效日期", "Effective from", lambda r: r["effective_from"].isoformat()),
    ]), catalogue.item_rows(current_principal(), args))])


@bp.route("/catalogue/items", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(ItemCreateArgs)
@bp.response(201, ItemDetailSchema)
def create_item(args):
    """Add an item: district or town (credit centre) or community (its reviewer)."""
    return catalogue.create_item(current_principal(), args)


@bp.route("/catalogue/items/<int:item_id>", methods=["GET"])
@auth_required("staff")
@bp.response(200, ItemDetailSchema)
def get_item(item_id):
    """One item with all its versions."""
    return catalogue.get_item(current_principal(), item_id)


@bp.route("/catalogue/items/<int:item_id>", methods=["PUT"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(ItemUpdateArgs)
@bp.response(200, ItemDetailSchema)
def update_item(args, item_id):
    """Change an item from a date on (a new version; past records keep theirs)."""
    return catalogue.update_item(current_principal(), item_id, args)


# --- evidence -------------------------------------------------------------------------------


@bp.route("/evidence", methods=["POST"])
@auth_required("staff", roles=STAFF)
@bp.arguments(UploadArgs, location="files")
@bp.response(201, EvidenceSchema)
def upload_evidence(args):
    """Upload a photo (JPEG, PNG, WebP) or PDF to attach to a record."""
    return evidence.save_evidence(current_principal(), args["file"])


@bp.route("/evidence/<int:evidence_id>", methods=["GET"])
@auth_required("staff", "resident")
@bp.doc(responses={"200": {
    "description": "The file, as the type it was stored as (images inline, anything else as a download)",
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in evidence.CONTENT_TYPES}}})
def download_evidence(evidence_id):
    """Download an evidence file (staff of the community, its uploader, or the record's subject)."""
    path, row = evidence.open_evidence(current_principal(), evidence_id)
    # names stored before they were cleaned may hold a NUL; anything not an image is a download
    return send_file(path, mimetype=row.content_type, download_name=clean_filename(row.filename, "evidence"),
                     as_attachment=not row.content_type.startswith("image/"))


# --- records --------------------------------------------------------------------------------


@bp.route("/records", methods=["POST"])
@auth_required("staff", roles=WORKERS)
@idempotent
@bp.arguments(RecordCreateArgs)
@bp.response(201, RecordSchema)
def create_record(args):
    """Log a deed of a resident of my community (pending until a reviewer approves)."""
    return service.create_record(current_principal(), args["resident_id"], args["item_id"], args["occurred_at"],
                                 args.get("note"), points=args.get("points"), evidence_ids=args["evidence_ids"])


@bp.route("/records", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(RecordQueryArgs, location="query")
@bp.response(200, page_of(RecordDetailSchema))
def list_records(args):
    """Records of my communities (e.g. ``status=pending`` is the review queue)."""
    page = split_page(args)
    return service.list_records(current_principal(), args, page)


@bp.route("/records/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(RecordFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The records the list shows, every page")
def export_records(args):
    """Records of my communities as an XLSX download (the list's filters, no paging)."""
    rows = service.export_records(current_principal(), args)
    return xlsx_response("records.xlsx", [(words("信用记录", "Records"), exports.headed_record_columns(),
                                           rows)])


@bp.route("/records/<int:record_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, RecordDetailSchema)
def get_record(record_id):
    """One record (the look-up is logged for the resident to see)."""
    return service.get_record_for_staff(current_principal(), record_id)


@bp.route("/records/<int:record_id>/approve", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@idempotent
@bp.arguments(ApproveArgs)
@bp.response(200, RecordSchema)
def approve_record(args, record_id):
    """Approve a pending record (never one I logged): it goes on the notice board."""
    return service.approve_record(current_principal(), record_id, args.get("note"))


@bp.route("/records/<int:record_id>/reject", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(RejectArgs)
@bp.response(200, RecordSchema)
def reject_record(args, record_id):
    """Reject a pending record, with the reason."""
    return service.reject_record(current_principal(), record_id, args["reason"])


@bp.route("/records/bulk-review", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@idempotent
@bp.arguments(BulkReviewArgs)
@bp.response(200, BulkReviewSchema)
def bulk_review(args):
    """Approve or reject up to 200 pending records at once; each id answers ``ok`` or the problem that refused it."""
    return service.review_records(current_principal(), args["ids"], args["decision"], reason=args.get("reason"),
                                  note=args.get("note"))


@bp.route("/notice-board", methods=["GET"])
@auth_required("staff", "resident")
@bp.arguments(NoticeBoardArgs, location="query")
@bp.response(200, page_of(NoticeSchema))
def notice_board(args):
    """公示栏: records in public notice in my community (names masked)."""
    page = split_page(args)
    return service.notice_board(current_principal(), args, page)


# --- objections -----------------------------------------------------------------------------


@bp.route("/objections", methods=["POST"])
@auth_required("resident")
@idempotent
@bp.arguments(ObjectionCreateArgs)
@bp.response(201, MyObjectionSchema)
def raise_objection(args):
    """Object to a record on my community's notice board, or to one of my own final records."""
    return objections.raise_objection(current_principal(), args["record_id"], args["reason"])


@bp.route("/objections", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(ObjectionQueryArgs, location="query")
@bp.response(200, page_of(ObjectionSchema))
def list_objections(args):
    """Objections in my communities, the oldest due first (``overdue`` flags late ones)."""
    page = split_page(args)
    return objections.list_objections(current_principal(), args, page)


@bp.route("/objections/export.xlsx", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(ObjectionFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The filtered objections as an XLSX workbook")
def export_objections(args):
    """Objections with the list's filters, all rows, as an XLSX download."""
    rows = objections.export_objections(current_principal(), args)
    return xlsx_response("objections.xlsx", [(words("异议", "Objections"),
                                              exports.headed_objection_columns(utcnow()), rows)])


@bp.route("/objections/<int:objection_id>", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.response(200, ObjectionSchema)
def get_objection(objection_id):
    """One objection with its record."""
    return objections.get_objection(current_principal(), objection_id)


@bp.route("/objections/<int:objection_id>/uphold", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@idempotent
@bp.arguments(ObjectionDecisionArgs)
@bp.response(200, ObjectionSchema)
def uphold_objection(args, objection_id):
    """Uphold: the record is voided (a final one is reversed by new entries)."""
    return objections.decide_objection(current_principal(), objection_id, True, args["reason"])


@bp.route("/objections/<int:objection_id>/dismiss", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@idempotent
@bp.arguments(ObjectionDecisionArgs)
@bp.response(200, ObjectionSchema)
def dismiss_objection(args, objection_id):
    """Dismiss: a disputed record becomes final at once."""
    return objections.decide_objection(current_principal(), objection_id, False, args["reason"])


# --- repairs --------------------------------------------------------------------------------


@bp.route("/repairs", methods=["POST"])
@auth_required("resident")
@bp.arguments(RepairCreateArgs)
@bp.response(201, MyRepairSchema)
def apply_repair(args):
    """Ask for credit repair (信用修复) of one of my final minor deductions."""
    return repairs.apply_repair(current_principal(), args["record_id"], args["commitment"], args["volunteer_hours"])


@bp.route("/repairs", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(RepairQueryArgs, location="query")
@bp.response(200, page_of(RepairSchema))
def list_repairs(args):
    """Repair requests in my communities."""
    page = split_page(args)
    return repairs.list_repairs(current_principal(), args, page)


@bp.route("/repairs/export.xlsx", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(RepairFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The filtered repair requests as an XLSX workbook")
def export_repairs(args):
    """Repair requests with the list's filters, all rows, as an XLSX download."""
    rows = repairs.export_repairs(current_principal(), args)
    return xlsx_response("repairs.xlsx", [(words("信用修复", "Repairs"),
                                           exports.headed_repair_columns(repairs.verified_volunteer_hours), rows)])


@bp.route("/repairs/<int:repair_id>", methods=["GET"])
@auth_required("staff", roles=REVIEWERS)
@bp.response(200, RepairSchema)
def get_repair(repair_id):
    """One repair request with its record."""
    return repairs.get_repair(current_principal(), repair_id)


@bp.route("/repairs/<int:repair_id>/approve", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@idempotent
@bp.arguments(ApproveArgs)
@bp.response(200, RepairSchema)
def approve_repair(args, repair_id):
    """Approve: the deduction is given back and the record shows as repaired."""
    return repairs.decide_repair(current_principal(), repair_id, True, args.get("note"))


@bp.route("/repairs/<int:repair_id>/reject", methods=["POST"])
@auth_required("staff", roles=REVIEWERS)
@bp.arguments(RejectArgs)
@bp.response(200, RepairSchema)
def reject_repair(args, repair_id):
    """Reject a repair request, with the reason."""
    return repairs.decide_repair(current_principal(), repair_id, False, args["reason"])


# --- the resident's own view -----------------------------------------------------------------


@bp.route("/me/standing", methods=["GET"])
@auth_required("resident")
@bp.arguments(StandingQueryArgs, location="query")
@bp.response(200, StandingSchema)
def my_standing(args):
    """My score, stars, points and how far the next star is (or as it stood ``at`` a past moment)."""
    return scoring.standing_view(current_principal().id, args.get("at"))


@bp.route("/me/home", methods=["GET"])
@auth_required("resident")
@bp.response(200, HomeSchema)
@read_only
def my_home():
    """My home screen: score, stars, points, the next star and my 20 newest records."""
    # already in HomeSchema's shape (a hot path: no dump); the schema documents it
    return jsonify(service.resident_home(current_principal().id))


@bp.route("/me/records", methods=["GET"])
@auth_required("resident")
@bp.arguments(MyRecordQueryArgs, location="query")
@bp.response(200, page_of(MyRecordSchema))
def my_records(args):
    """My credit records, newest first, with their status."""
    page = split_page(args)
    return service.list_my_records(current_principal(), args, page)


@bp.route("/me/objections", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(MyObjectionSchema))
def my_objections(args):
    """The objections I raised and how they were decided."""
    return objections.list_my_objections(current_principal(), args)


@bp.route("/me/repairs", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(MyRepairSchema))
def my_repairs(args):
    """My credit repair requests."""
    return repairs.list_my_repairs(current_principal(), args)


@bp.route("/me/repair-options", methods=["GET"])
@auth_required("resident")
@bp.response(200, RepairOptionsSchema)
def my_repair_options():
    """Which of my final deductions I may ask to repair, and from when (serious ones never)."""
    return repairs.my_repair_options(current_principal())


@bp.route("/residents/<int:resident_id>/standing", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(StandingQueryArgs, location="query")
@bp.response(200, StandingSchema)
def resident_standing(args, resident_id):
    """A resident's score, stars and points (the look-up is logged)."""
    resident = get_resident_for_staff(current_principal(), resident_id, what="standing")
    return scoring.standing_view(resident.id, args.get("at"))


# --- red and black lists ---------------------------------------------------------------------


@bp.route("/red-list", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ListArgs, location="query")
@bp.response(200, page_of(ListEntrySchema))
def red_list(args):
    """红名单: residents (or households, ``kind=household``) at the top star level."""
    page = split_page(args)
    return lists.red_list(current_principal(), args, page)


@bp.route("/black-list", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ListArgs, location="query")
@bp.response(200, page_of(ListEntrySchema))
def black_list(args):
    """黑名单: residents with serious final records."""
    page = split_page(args)
    return lists.black_list(current_principal(), args, page)


@bp.route("/red-list/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ListFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The red list (residents or households) as an XLSX workbook")
def export_red_list(args):
    """The red list with the list's filters, all lines, as an XLSX download."""
    rows = lists.export_red_list(current_principal(), args)
    return xlsx_response("red-list.xlsx", [(words("红名单", "Red list"),
                                            exports.headed_list_columns(args.get("kind")), rows)])


@bp.route("/black-list/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(ListFilterArgs, location="query")
@bp.response(200, content_type=XLSX, description="The black list as an XLSX workbook")
def export_black_list(args):
    """The black list with the list's filters, all lines, as an XLSX download."""
    rows = lists.export_black_list(current_principal(), args)
    return xlsx_response("black-list.xlsx", [(words("黑名单", "Black list"),
                                              exports.headed_list_columns("resident"), rows)])


@bp.route("/public/red-list", methods=["GET"])
@bp.doc(security=[])
@bp.arguments(PublicListArgs, location="query")
@bp.response(200, page_of(PublicListEntrySchema))
def public_red_list(args):
    """Public red list of a district or community: masked names only."""
    page = split_page(args)
    return lists.public_red_list(args, page)


@bp.route("/public/black-list", methods=["GET"])
@bp.doc(security=[])
@bp.arguments(PublicListArgs, location="query")
@bp.response(200, page_of(PublicListEntrySchema))
def public_black_list(args):
    """Public black list of a district or community: masked names only."""
    page = split_page(args)
    return lists.public_black_list(args, page)


# --- policy ---------------------------------------------------------------------------------


@bp.route("/policy", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, PolicySchema)
def get_policy():
    """The district's credit policy in force now."""
    return policy.district_policy(current_principal().district_id)


@bp.route("/policy", methods=["PUT"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(PolicyUpdateArgs)
@bp.response(200, PolicySchema)
def update_policy(args):
    """Change the policy (a new version from ``effective_from``; history is kept)."""
    return policy.update_policy(current_principal(), args)


@bp.route("/policy/versions", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(PolicySchema))
def policy_versions(args):
    """Every saved version of the policy, newest first."""
    return policy.list_policy_versions(current_principal(), args)
