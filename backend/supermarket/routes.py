from flask import send_file

from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.pagination import PageArgs, page_of, split_page
from ..common.xlsx import XLSX, english, headed, local_text, xlsx_response
from . import photos, service
from .schemas import (
    StockMovementExportArgs, SupermarketItemExportArgs, SupermarketOrderExportArgs,
    StockAdjustmentCreateArgs, StockIntakeCreateArgs, StockMovementQueryArgs, StockMovementSchema,
    SupermarketCreateArgs, SupermarketItemCreateArgs, SupermarketItemPhotoArgs, SupermarketItemQueryArgs,
    SupermarketItemSchema, SupermarketItemUpdateArgs, SupermarketOrderCancelArgs, SupermarketOrderQueryArgs,
    SupermarketOrderSchema,
    SupermarketPickupArgs, SupermarketPickupQueryArgs, SupermarketPickupSchema, SupermarketSchema, SupermarketUpdateArgs,
)

bp = Blueprint("supermarket", __name__, url_prefix="/api/v1/supermarkets",
               description="Credit supermarkets: items, stock from donors, redemption orders and pickup")

STAFF = ["worker", "reviewer", "district_admin"]
RUN = ["worker", "district_admin"]
ADMIN = ["district_admin"]


@bp.route("", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(SupermarketSchema))
def list_supermarkets(args):
    """Supermarkets serving my communities."""
    return service.list_supermarkets(current_principal(), args)


@bp.route("", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(SupermarketCreateArgs)
@bp.response(201, SupermarketSchema)
def create_supermarket(args):
    """Open a credit supermarket in a community (it may serve several)."""
    return service.create_supermarket(current_principal(), args)


@bp.route("/<int:supermarket_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, SupermarketSchema)
def get_supermarket(supermarket_id):
    """One supermarket serving my communities."""
    return service.get_supermarket_for_staff(current_principal(), supermarket_id)


@bp.route("/<int:supermarket_id>", methods=["PATCH"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(SupermarketUpdateArgs)
@bp.response(200, SupermarketSchema)
def update_supermarket(args, supermarket_id):
    """Rename, close or reopen a supermarket, or change the communities it serves."""
    return service.update_supermarket(current_principal(), supermarket_id, args)


@bp.route("/<int:supermarket_id>/items", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SupermarketItemQueryArgs, location="query")
@bp.response(200, page_of(SupermarketItemSchema))
def list_items(args, supermarket_id):
    """Items of a supermarket with their stock on hand."""
    page = split_page(args)
    return service.list_items(current_principal(), supermarket_id, args, page)


@bp.route("/<int:supermarket_id>/items", methods=["POST"])
@auth_required("staff", roles=RUN)
@bp.arguments(SupermarketItemCreateArgs)
@bp.response(201, SupermarketItemSchema)
def create_item(args, supermarket_id):
    """Add an item (no stock yet: record an intake)."""
    return service.create_item(current_principal(), supermarket_id, args)


@bp.route("/<int:supermarket_id>/items/<int:item_id>", methods=["PATCH"])
@auth_required("staff", roles=RUN)
@bp.arguments(SupermarketItemUpdateArgs)
@bp.response(200, SupermarketItemSchema)
def update_item(args, supermarket_id, item_id):
    """Change an item's name, photo, price, limit or whether it is offered (never its stock)."""
    return service.update_item(current_principal(), supermarket_id, item_id, args)


@bp.route("/<int:supermarket_id>/items/<int:item_id>/photo", methods=["POST"])
@auth_required("staff", roles=RUN)
@bp.arguments(SupermarketItemPhotoArgs, location="files")
@bp.response(200, SupermarketItemSchema)
def upload_item_photo(args, supermarket_id, item_id):
    """Upload an item's photo (JPEG, PNG or WebP, checked by content); the item shows it from then on."""
    return photos.set_item_photo(current_principal(), supermarket_id, item_id, args["file"])


@bp.route("/photos/<string:name>", methods=["GET"])
@bp.doc(security=[], responses={"200": {
    "description": "The photo; its name is the hash of its content, so it may be kept for a year",
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in photos.CONTENT_TYPES.values()}}})
def item_photo(name):
    """An item's photo, for anyone (the kiosk shows goods to everyone)."""
    path, content_type = photos.open_photo(name)
    response = send_file(path, mimetype=content_type, max_age=photos.MAX_AGE, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.route("/<int:supermarket_id>/items/<int:item_id>/intakes", methods=["POST"])
@auth_required("staff", roles=RUN)
@idempotent
@bp.arguments(StockIntakeCreateArgs)
@bp.response(201, StockMovementSchema)
def record_intake(args, supermarket_id, item_id):
    """Record goods given by a donor."""
    return service.record_intake(current_principal(), supermarket_id, item_id, args)


@bp.route("/<int:supermarket_id>/items/<int:item_id>/adjustments", methods=["POST"])
@auth_required("staff", roles=RUN)
@idempotent
@bp.arguments(StockAdjustmentCreateArgs)
@bp.response(201, StockMovementSchema)
def record_adjustment(args, supermarket_id, item_id):
    """Correct an item's stock by a signed quantity, with a reason."""
    return service.record_adjustment(current_principal(), supermarket_id, item_id, args)


@bp.route("/<int:supermarket_id>/stock-movements", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(StockMovementQueryArgs, location="query")
@bp.response(200, page_of(StockMovementSchema))
def list_movements(args, supermarket_id):
    """Every stock movement of a supermarket, newest first."""
    page = split_page(args)
    return service.list_movements(current_principal(), supermarket_id, args, page)


@bp.route("/<int:supermarket_id>/low-stock", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, SupermarketItemSchema(many=True))
def low_stock(supermarket_id):
    """Items on sale at or below their low-stock mark."""
    return service.low_stock(current_principal(), supermarket_id)


@bp.route("/<int:supermarket_id>/orders", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SupermarketOrderQueryArgs, location="query")
@bp.response(200, page_of(SupermarketOrderSchema))
def list_orders(args, supermarket_id):
    """Redemption orders of a supermarket, newest first."""
    page = split_page(args)
    return service.list_orders(current_principal(), supermarket_id, args, page)


@bp.route("/orders/<int:order_id>", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.response(200, SupermarketOrderSchema)
def get_order(order_id):
    """One redemption order."""
    return service.get_order_for_staff(current_principal(), order_id)


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@auth_required("staff", roles=RUN)
@idempotent
@bp.arguments(SupermarketOrderCancelArgs)
@bp.response(200, SupermarketOrderSchema)
def cancel_order(args, order_id):
    """Cancel an order not yet collected: points and stock come back."""
    return service.cancel_order(current_principal(), order_id, args["reason"])


@bp.route("/pickups/<string:code>", methods=["GET"])
@auth_required("staff", roles=RUN)
@bp.arguments(SupermarketPickupQueryArgs, location="query")
@bp.response(200, SupermarketPickupSchema)
def find_pickup(args, code):
    """What a scanned pickup code stands for, before handing the goods over."""
    return service.find_order_by_pickup_code(current_principal(), code, args.get("supermarket_id"))


@bp.route("/pickups", methods=["POST"])
@auth_required("staff", roles=RUN)
@idempotent
@bp.arguments(SupermarketPickupArgs)
@bp.response(200, SupermarketPickupSchema)
def collect_order(args):
    """Hand the goods over: the scanned pickup code marks the order collected (once; a retry with the same
    Idempotency-Key gets the first answer again instead of "already collected")."""
    return service.collect_order(current_principal(), args["code"], args.get("supermarket_id"))


# --- exports (the lists above, same filters, every page) ------------------------------------

DONOR_KINDS = {"government": ("镇街政府", "Town government"), "school": ("学校", "School"),
               "company": ("企业", "Company"), "individual": ("个人", "Individual")}
MOVEMENT_KINDS = {"intake": ("入库", "Intake"), "adjustment": ("调整", "Adjustment"),
                  "redemption": ("兑换", "Redemption"), "cancellation": ("取消退回", "Cancellation")}
ORDER_STATUSES = {"placed": ("待领取", "Placed"), "collected": ("已领取", "Collected"),
                  "cancelled": ("已取消", "Cancelled")}


def _label(labels, lang):
    return lambda code: labels.get(code, (code, code))[lang] if code else None


@bp.route("/<int:supermarket_id>/items/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SupermarketItemExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The items with their stock on hand")
def export_items(args, supermarket_id):
    """Items and stock on hand as an XLSX download (the list's filters, no paging)."""
    lang = 1 if english() else 0
    category = _label(service.CATEGORY_NAMES, lang)
    return xlsx_response("supermarket-items.xlsx", [("物品库存", headed([
        ("编号", "ID", "id"), ("名称", "Name (Chinese)", "name_zh"), ("英文名称", "Name (English)", "name_en"),
        ("类别", "Category", lambda i: category(i.category)), ("兑换积分", "Points", "price_points"),
        ("库存", "Stock", "stock"), ("库存价值（积分）", "Stock value (points)", lambda i: i.stock * i.price_points),
        ("低库存提醒", "Low stock at", "low_stock_at"), ("限兑数量", "Limit", "limit_quantity"),
        ("限兑周期", "Limit period", "limit_period"), ("上架", "On sale", "active"),
        ("照片", "Photo", "photo"),
    ]), service.streamed_items(current_principal(), supermarket_id, args))])


@bp.route("/<int:supermarket_id>/stock-movements/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(StockMovementExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The stock movements, newest first")
def export_movements(args, supermarket_id):
    """Stock movements as an XLSX download (the list's filters, no paging)."""
    lang = 1 if english() else 0
    rows = service.streamed_movements(current_principal(), supermarket_id, args)  # checks the shop first
    names = service.item_names(supermarket_id)
    kind, donor = _label(MOVEMENT_KINDS, lang), _label(DONOR_KINDS, lang)
    return xlsx_response("stock-movements.xlsx", [("库存变动", headed([
        ("编号", "ID", "id"), ("时间", "Time", lambda m: local_text(m.created_at)),
        ("物品", "Item", lambda m: names.get(m.item_id, ("", ""))[lang]), ("类型", "Kind", lambda m: kind(m.kind)),
        ("数量", "Quantity", "quantity"), ("变动后库存", "Stock after", "stock_after"),
        ("捐赠方", "Donor", "donor_name"), ("捐赠方类型", "Donor kind", lambda m: donor(m.donor_kind)),
        ("原因", "Reason", "reason"), ("备注", "Note", "note"), ("操作人", "By", "actor"),
    ]), rows)])


@bp.route("/<int:supermarket_id>/orders/export.xlsx", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(SupermarketOrderExportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The redemption orders, newest first")
def export_orders(args, supermarket_id):
    """Redemption orders as an XLSX download (the list's filters, no paging)."""
    lang = 1 if english() else 0
    status = _label(ORDER_STATUSES, lang)

    def lines(row):
        return "；".join(f"{(line.item.name_en if lang else line.item.name_zh)} × {line.quantity}"
                        for line in row["order"].lines)

    return xlsx_response("supermarket-orders.xlsx", [("兑换订单", headed([
        ("小票号", "Receipt", lambda r: r["order"].receipt_no),
        ("下单时间", "Placed at", lambda r: local_text(r["order"].created_at)),
        ("居民", "Resident", "resident_name"), ("物品", "Items", lines),
        ("积分合计", "Points", lambda r: r["order"].total_points),
        ("状态", "Status", lambda r: status(r["order"].status)),
        ("领取时间", "Collected at", lambda r: local_text(r["order"].collected_at)),
        ("取消时间", "Cancelled at", lambda r: local_text(r["order"].cancelled_at)),
        ("取消原因", "Cancel reason", lambda r: r["order"].cancel_reason),
    ]), service.streamed_orders(current_principal(), supermarket_id, args))])
