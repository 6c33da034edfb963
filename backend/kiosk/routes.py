import copy
from functools import wraps

from flask import Blueprint as FlaskBlueprint, request, send_from_directory
from flask_jwt_extended import get_jwt

from ..announcements.schemas import KioskAnnouncementsSchema
from ..common.auth import auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.idempotency import HEADER, idempotent
from ..config import ROOT
from ..supermarket.schemas import SupermarketOrderCreateArgs
from . import service
from .schemas import (
    KioskCatalogueSchema, KioskConfigSchema, KioskDeviceInfoSchema, KioskHomeSchema, KioskReceiptSchema,
    KioskSessionCreateArgs, KioskSessionSchema,
)

bp = Blueprint("kiosk", __name__, url_prefix="/api/v1/kiosk",
               description="The self-service kiosk: resident sign-in, catalogue and redemption")
#: the kiosk's static UI (no build step), served at /kiosk/, and the modules every web front-end
#: shares (API client, error texts, scanner), served at /webcommon/
public_bp = FlaskBlueprint("kiosk_ui", __name__)
KIOSK_DIR = ROOT / "kiosk"
WEBCOMMON_DIR = ROOT / "webcommon"


def kiosk_resident_required(view):
    """A resident signed in at a kiosk that is still enabled and paired as it was."""

    @wraps(view)
    def checked(*args, **kwargs):
        service.check_session(current_principal(), get_jwt().get("device_sid"))
        return view(*args, **kwargs)

    checked._apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
    return auth_required("kiosk_resident")(checked)


@bp.route("/config", methods=["GET"])
@bp.doc(security=[])
@bp.response(200, KioskConfigSchema)
def kiosk_config():
    """Idle timeout and session length for the kiosk page."""
    return service.config()


@bp.route("/device", methods=["GET"])
@auth_required("device")
@bp.response(200, KioskDeviceInfoSchema)
def device_info():
    """This kiosk, its supermarket and its settings."""
    return service.device_info(current_principal())


@bp.route("/announcements", methods=["GET"])
@auth_required("device")
@bp.response(200, KioskAnnouncementsSchema)
def announcements():
    """Notices showing now to the communities this kiosk's supermarket serves (the welcome screen)."""
    return {"items": service.announcements(current_principal())}


@bp.route("/sessions", methods=["POST"])
@auth_required("device")
@bp.arguments(KioskSessionCreateArgs)
@bp.response(201, KioskSessionSchema)
def sign_in(args):
    """Sign a resident in by phone code, or printed card plus PIN (short-lived, this kiosk only)."""
    return service.sign_in(current_principal(), args["code"], args.get("pin"))


@bp.route("/sessions/current", methods=["DELETE"])
@auth_required("kiosk_resident")
@bp.response(204)
def sign_out():
    """Sign the resident out of the kiosk."""
    service.sign_out(current_principal())


@bp.route("/me", methods=["GET"])
@kiosk_resident_required
@bp.response(200, KioskHomeSchema)
def home():
    """The signed-in resident: masked name, stars, score, points and recent history."""
    return service.home(current_principal())


@bp.route("/catalogue", methods=["GET"])
@kiosk_resident_required
@bp.response(200, KioskCatalogueSchema)
def catalogue():
    """Items of this kiosk's supermarket with stock and the resident's remaining limits."""
    return service.catalogue(current_principal())


@bp.route("/orders", methods=["POST"])
@kiosk_resident_required
@idempotent
@bp.arguments(SupermarketOrderCreateArgs)
@bp.response(201, KioskReceiptSchema)
def place_order(args):
    """Redeem the cart: points and stock are taken at once; the answer is the receipt."""
    return service.place_order(current_principal(), args["lines"], request.headers.get(HEADER))


@public_bp.route("/kiosk/")
def kiosk_index():
    return send_from_directory(KIOSK_DIR, "index.html", max_age=0)


@public_bp.route("/kiosk/<path:filename>")
def kiosk_file(filename):
    return send_from_directory(KIOSK_DIR, filename, max_age=300)


@public_bp.route("/webcommon/<path:filename>")
def webcommon_file(filename):
    return send_from_directory(WEBCOMMON_DIR, filename, max_age=300)
