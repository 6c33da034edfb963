from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import PageArgs, page_of
from ..extensions import limiter
from . import service
from .schemas import DeviceCreateArgs, DeviceDisableArgs, DeviceSchema, DeviceWithCodeSchema, PairArgs, PairedSchema

bp = Blueprint("devices", __name__, url_prefix="/api/v1/devices", description="Kiosk devices and pairing")

ADMIN = ["district_admin"]


def _with_code(device, code):
    device.pairing_code = code  # shown once, never stored in clear
    return device


@bp.route("", methods=["GET"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(DeviceSchema))
def list_devices(args):
    """Kiosk devices of my district."""
    return service.list_devices(current_principal(), args)


@bp.route("", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(DeviceCreateArgs)
@bp.response(201, DeviceWithCodeSchema)
def register_device(args):
    """Register a kiosk; the answer holds its one-time pairing code."""
    return _with_code(*service.register_device(current_principal(), args))


@bp.route("/<int:device_id>/pairing-code", methods=["POST"])
@auth_required("staff", roles=ADMIN)
@bp.response(200, DeviceWithCodeSchema)
def repair_device(device_id):
    """Issue a new pairing code; the device's current token stops working."""
    return _with_code(*service.repair_device(current_principal(), device_id))


@bp.route("/<int:device_id>/disabled", methods=["PUT"])
@auth_required("staff", roles=ADMIN)
@bp.arguments(DeviceDisableArgs)
@bp.response(200, DeviceSchema)
def set_disabled(args, device_id):
    """Disable (revokes its token at once) or enable a kiosk."""
    return service.set_device_disabled(current_principal(), device_id, args["disabled"], args.get("reason"))


@bp.route("/pair", methods=["POST"])
@limiter.limit("10 per minute")
@bp.arguments(PairArgs)
@bp.response(200, PairedSchema)
def pair(args):
    """A kiosk trades its one-time pairing code for a device token."""
    return service.pair_device(args["pairing_code"])
