from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.pagination import PageArgs, page_of, split_page
from . import service
from .schemas import (
    StockAdjustmentCreateArgs, StockIntakeCreateArgs, StockMovementQueryArgs, StockMovementSchema,
    SupermarketCreateArgs, SupermarketItemCreateArgs, SupermarketItemQueryArgs, SupermarketItemSchema,
    SupermarketItemUpdateArgs, SupermarketOrderCancelArgs, SupermarketOrderQueryArgs, SupermarketOrderSchema,
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
