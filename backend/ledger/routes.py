from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import idempotent
from ..common.pagination import PageArgs
from ..residents.service import get_resident_for_staff
from . import points
from .schemas import AdjustmentArgs, AdjustmentSchema, LedgerHistorySchema

bp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="Points: balances and their history")

STAFF = ("worker", "reviewer", "district_admin")


@bp.route("/me/ledger", methods=["GET"])
@auth_required("resident")
@bp.arguments(PageArgs, location="query")
@bp.response(200, LedgerHistorySchema)
def my_ledger(args):
    """My points balance and its history, newest first."""
    return points.resident_history(current_principal().id, args)


@bp.route("/residents/<int:resident_id>/ledger", methods=["GET"])
@auth_required("staff", roles=STAFF)
@bp.arguments(PageArgs, location="query")
@bp.response(200, LedgerHistorySchema)
def resident_ledger(args, resident_id):
    """A resident's points history (the look-up is logged)."""
    resident = get_resident_for_staff(current_principal(), resident_id, what="ledger")
    return points.resident_history(resident.id, args)


@bp.route("/ledger/adjustments", methods=["POST"])
@auth_required("staff", roles=["district_admin"])
@idempotent
@bp.arguments(AdjustmentArgs)
@bp.response(201, AdjustmentSchema)
def adjust_points(args):
    """Grant or deduct a resident's points by hand, with a reason (never below zero)."""
    return points.adjust_resident_points(current_principal(), args["resident_id"], args["direction"],
                                         args["amount"], args["reason"])
