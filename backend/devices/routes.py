from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import PageArgs, page_of
from ..common.xlsx import XLSX, english, headed, local_text, xlsx_response
from ..extensions import limiter
from ..org.service import community_names
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


@bp.route("/export.xlsx", methods=["GET"])
@auth_required("staff", roles=ADMIN)
@bp.response(200, content_type=XLSX, description="The kiosk devices of the district")
def export_devices():
    """Kiosk devices as an XLSX download."""
    principal = current_principal()
    lang = 1 if english() else 0
    villages, shops = community_names(principal.district_id), service.supermarket_names(principal.district_id)
    state = (("已停用", "Disabled"), ("已配对", "Paired"), ("待配对", "Not paired"))

    def state_of(device):
        return state[0 if device.disabled_at else 1 if device.paired_at else 2][lang]

    return xlsx_response("kiosks.xlsx", [("自助终端", headed([
        ("编号", "ID", "id"), ("名称", "Name", "name"),
        ("村社区", "Village", lambda d: villages.get(d.community_id, ("", ""))[lang]),
        ("信用超市", "Supermarket", lambda d: shops[d.supermarket_id][lang] if d.supermarket_id in shops else None),
        ("状态", "State", state_of), ("配对时间", "Paired at", lambda d: local_text(d.paired_at)),
        ("停用时间", "Disabled at", lambda d: local_text(d.disabled_at)),
        ("登记时间", "Registered at", lambda d: local_text(d.created_at)),
    ]), service.streamed_devices(principal))])


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
