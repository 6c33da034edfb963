from flask import jsonify

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.pagination import PageArgs, page_of
from ..common.xlsx import XLSX, english, headed, local_text, xlsx_response
from ..org.service import community_names
from . import service
from .models import CATEGORIES
from .profile import STATUS_LABELS
from .schemas import (
    AllianceArgs, AllianceSchema,
    DiscountsArgs, DiscountTableSchema, MerchantCreateArgs, MerchantExportArgs, MerchantQueryArgs, MerchantRatingSchema,
    MerchantRecordArgs, MerchantRecordSchema, MerchantSchema, MerchantSummarySchema, MerchantUpdateArgs, MySaleSchema, RatingCreateArgs, RatingQueryArgs,
    RatingSchema, ReasonArgs, ReplyArgs, SaleCreateArgs, SaleQueryArgs, SaleSchema, ScanArgs, DiscountPreviewSchema,
    StatusChangeArgs,
)

bp = Blueprint("merchants", __name__, url_prefix="/api/v1",
               description="The merchant alliance (信用商家联盟): discounts, sales and ratings")

ADMIN = ["district_admin"]
STAFF = ["worker", "reviewer", "district_admin"]


def _page(args):
    return {"page": args.pop("page"), "per_page": args.pop("per_page")}


# --- district admin --------------------------------------------------------------------


@bp.route("/merchants", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(MerchantQueryArgs, location="query")
@bp.response(200, page_of(MerchantSchema))
def list_merchants(args):
    """Merchants of my district's alliance."""
    page = _page(args)
    return service.list_merchants(current_principal(), args, page)


@bp.route("/merchants/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(MerchantExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The merchants of the list (same filters, every page)")
def export_merchants(args):
    """The merchant list as an XLSX download (the list's filters, no paging)."""
    principal = current_principal()
    villages, lang = community_names(principal.district_id), 1 if english() else 0
    return xlsx_response("merchants.xlsx", [("商家", headed([
        ("编号", "ID", "id"), ("名称", "Name", "name"),
        ("类别", "Category", lambda m: CATEGORIES.get(m.category, (m.category,) * 2)[lang]),
        ("地址", "Address", "address"), ("营业执照号", "Licence no.", "licence_no"),
        ("联系人", "Contact", "contact_name"), ("联系电话", "Phone", "contact_phone"),
        ("村社区", "Village", lambda m: villages.get(m.community_id, ("", ""))[lang]),
        ("状态", "Status", lambda m: STATUS_LABELS.get(m.status, (m.status,) * 2)[lang]),
        ("状态原因", "Reason", "status_reason"), ("批准时间", "Approved at", lambda m: local_text(m.approved_at)),
        ("登记时间", "Created at", lambda m: local_text(m.created_at)),
    ]), service.streamed_merchants(principal, args))])


@bp.route("/merchants", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(MerchantCreateArgs)
@bp.response(201, MerchantSchema)
def create_merchant(args):
    """Add a merchant (pending until approved)."""
    return service.create_merchant(current_principal(), args)


@bp.route("/merchants/<int:merchant_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, MerchantSchema)
def get_merchant(merchant_id):
    """One merchant."""
    return service.get_merchant(current_principal(), merchant_id)


@bp.route("/merchants/<int:merchant_id>", methods=["PATCH"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(MerchantUpdateArgs)
@bp.response(200, MerchantSchema)
def update_merchant(args, merchant_id):
    """Correct a merchant's profile."""
    return service.update_merchant(current_principal(), merchant_id, args)


@bp.route("/merchants/<int:merchant_id>/approve", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(StatusChangeArgs)
@bp.response(200, MerchantSchema)
def approve_merchant(args, merchant_id):
    """Approve a pending merchant into the alliance; it gets its door card."""
    return service.change_status(current_principal(), merchant_id, "approve", args.get("reason"))


@bp.route("/merchants/<int:merchant_id>/suspend", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(StatusChangeArgs)
@bp.response(200, MerchantSchema)
def suspend_merchant(args, merchant_id):
    """Suspend a merchant (reason required): no discounts until reinstated."""
    return service.change_status(current_principal(), merchant_id, "suspend", args.get("reason"))


@bp.route("/merchants/<int:merchant_id>/reinstate", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(StatusChangeArgs)
@bp.response(200, MerchantSchema)
def reinstate_merchant(args, merchant_id):
    """Reinstate a suspended merchant."""
    return service.change_status(current_principal(), merchant_id, "reinstate", args.get("reason"))


@bp.route("/merchants/<int:merchant_id>/expel", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(StatusChangeArgs)
@bp.response(200, MerchantSchema)
def expel_merchant(args, merchant_id):
    """Expel a merchant from the alliance (reason required); its card page shows it."""
    return service.change_status(current_principal(), merchant_id, "expel", args.get("reason"))


@bp.route("/merchants/<int:merchant_id>/summary", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, MerchantSummarySchema)
def merchant_summary(merchant_id):
    """A merchant's sales today and this month, ratings and credit level."""
    return service.merchant_summary(service.get_merchant(current_principal(), merchant_id))


@bp.route("/merchants/<int:merchant_id>/discounts", methods=["PUT"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(DiscountsArgs)
@bp.response(200, DiscountTableSchema)
def set_merchant_discounts(args, merchant_id):
    """Set a merchant's discount per star level on its behalf, within the district's bounds."""
    principal = current_principal()
    merchant = service.get_merchant(principal, merchant_id)
    return {"levels": service.set_discounts(principal, args["levels"], merchant)}


@bp.route("/merchants/<int:merchant_id>/sales", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SaleQueryArgs, location="query")
@bp.response(200, page_of(SaleSchema))
def merchant_sales(args, merchant_id):
    """A merchant's discounted sales, newest first."""
    page = _page(args)
    merchant = service.get_merchant(current_principal(), merchant_id)
    return service.list_sales(current_principal(), args, page, merchant_id=merchant.id)


@bp.route("/merchants/<int:merchant_id>/ratings", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(RatingQueryArgs, location="query")
@bp.response(200, page_of(RatingSchema))
def merchant_ratings(args, merchant_id):
    """A merchant's ratings, hidden text included (staff only)."""
    page = _page(args)
    merchant = service.get_merchant(current_principal(), merchant_id)
    return service.list_ratings(current_principal(), args, page, merchant_id=merchant.id)


@bp.route("/merchants/<int:merchant_id>/credit-records", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@idempotent
@bp.arguments(MerchantRecordArgs)
@bp.response(201, MerchantRecordSchema)
def log_merchant_record(args, merchant_id):
    """Log a credit record about a merchant (e.g. short weight found by an inspection); final at once."""
    return service.log_merchant_record(current_principal(), merchant_id, args["item_code"], args["note"])


@bp.route("/merchants/sales/<int:sale_id>/void", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(ReasonArgs)
@bp.response(200, SaleSchema)
def admin_void_sale(args, sale_id):
    """Void any sale of my district; the merchant's credit for it is taken back."""
    return service.void_sale(current_principal(), sale_id, args["reason"])


@bp.route("/merchants/ratings/<int:rating_id>/hide", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(ReasonArgs)
@bp.response(200, RatingSchema)
def hide_rating(args, rating_id):
    """Hide abusive rating text (the stars still count; the reason is audited)."""
    return service.hide_rating(current_principal(), rating_id, args["reason"])


# --- merchant staff --------------------------------------------------------------------


@bp.route("/merchant/summary", methods=["GET"])
@auth_required("merchant")
@bp.response(200, MerchantSummarySchema)
def my_summary():
    """My shop: today's and this month's sales and discounts, ratings, credit level."""
    return service.merchant_summary(service.own_merchant(current_principal()))


@bp.route("/merchant/discounts", methods=["GET"])
@auth_required("merchant")
@bp.response(200, DiscountTableSchema)
def my_discounts():
    """My discount per star level, with the district's bounds."""
    return {"levels": service.discount_table(service.own_merchant(current_principal()))}


@bp.route("/merchant/discounts", methods=["PUT"])
@auth_required("merchant")
@bp.arguments(DiscountsArgs)
@bp.response(200, DiscountTableSchema)
def set_my_discounts(args):
    """Set my discount for every discounted star level, within the district's bounds."""
    return {"levels": service.set_discounts(current_principal(), args["levels"])}


@bp.route("/merchant/scan", methods=["POST"])
@auth_required("merchant")
@bp.arguments(ScanArgs)
@bp.response(200, DiscountPreviewSchema)
def scan(args):
    """Scan a resident's phone code: masked name, stars and discount rate (nothing spent)."""
    return service.scan_code(current_principal(), args["code"])


@bp.route("/merchant/sales", methods=["POST"])
@auth_required("merchant")
@idempotent
@bp.arguments(SaleCreateArgs)
@bp.response(201, SaleSchema)
def record_sale(args):
    """Confirm the sale with the bill (fen): the discount is recorded and the code spent."""
    # the service builds the answer SaleSchema describes (a hot path: no ORM object to dump)
    return jsonify(service.record_sale(current_principal(), args["code"], args["bill_amount"])), 201


@bp.route("/merchant/sales", methods=["GET"])
@auth_required("merchant")
@bp.arguments(SaleQueryArgs, location="query")
@bp.response(200, page_of(SaleSchema))
def my_sales(args):
    """My shop's discounted sales, newest first."""
    page = _page(args)
    principal = current_principal()
    return service.list_sales(principal, args, page, merchant_id=principal.merchant_id)


@bp.route("/merchant/sales/<int:sale_id>/void", methods=["POST"])
@auth_required("merchant")
@bp.arguments(ReasonArgs)
@bp.response(200, SaleSchema)
def void_sale(args, sale_id):
    """Void one of my sales made today; the credit it earned is taken back."""
    return service.void_sale(current_principal(), sale_id, args["reason"])


@bp.route("/merchant/ratings", methods=["GET"])
@auth_required("merchant")
@bp.arguments(RatingQueryArgs, location="query")
@bp.response(200, page_of(MerchantRatingSchema))
def my_ratings(args):
    """Ratings of my shop."""
    page = _page(args)
    principal = current_principal()
    return service.list_ratings(principal, args, page, merchant_id=principal.merchant_id)


@bp.route("/merchant/ratings/<int:rating_id>/reply", methods=["POST"])
@auth_required("merchant")
@bp.arguments(ReplyArgs)
@bp.response(200, MerchantRatingSchema)
def reply(args, rating_id):
    """Reply once to a rating of my shop."""
    return service.reply_to_rating(current_principal(), rating_id, args["reply"])


# --- residents -------------------------------------------------------------------------


@bp.route("/me/sales", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(MySaleSchema))
def my_purchases(args):
    """My discounted purchases at alliance merchants, and which I may still rate."""
    return service.list_my_sales(current_principal().id, args)


@bp.route("/me/sales/<int:sale_id>/rating", methods=["POST"])
@auth_required("resident")
@bp.arguments(RatingCreateArgs)
@bp.response(201, RatingSchema)
def rate(args, sale_id):
    """Rate my purchase (1–5 stars, short comment): once per purchase, within 7 days."""
    return service.rate_sale(current_principal().id, sale_id, args["stars"], args.get("comment"))


@bp.route("/me/alliance", methods=["GET"])
@auth_required("resident")
@bp.arguments(AllianceArgs, location="query")
@bp.response(200, AllianceSchema)
def my_alliance(args):
    """The alliance's shops with the discount my star level earns at each and what the next star would."""
    page = _page(args)
    principal = current_principal()
    return service.alliance_for_resident(principal.id, principal.district_id, args, page)
