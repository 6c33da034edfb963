"""The self-service kiosk (自助终端): owns no tables, composes other domains' services.

Two tokens are in play. The *device* token comes from pairing (devices) and
names the one supermarket the kiosk serves. A resident signs in at the
kiosk with a phone code (spent once) or a printed card plus PIN; that gives a
short-lived ``kiosk_resident`` token bound to the kiosk and to the device's
own session, so disabling or re-pairing the kiosk ends the resident's
session at once too.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased, joinedload

from ..announcements import service as announcements_service
from ..auth.service import issue_tokens, revoke_session
from ..cards import service as cards
from ..common.masking import mask_name
from ..common.sql import keep
from ..devices.models import KioskDevice
from ..extensions import db
from ..ledger.models import Account
from ..residents.models import Resident
from ..supermarket.models import Supermarket
from ..common.qr import qr_svg_data_uri
from ..credit.service import record_titles, resident_standing
from ..devices.service import get_device
from ..errors import Conflict, Forbidden, NotFound, Unauthorized
from ..ledger import service as ledger
from ..residents import service as residents
from ..supermarket import service as supermarket

HISTORY_SIZE = 5


def config():
    """What the kiosk page needs before anyone signs in."""
    idle = current_app.config["KIOSK_IDLE_SECONDS"]
    # the "are you still there?" countdown that follows the idle time (15 s after 60 s idle)
    warning = current_app.config.get("KIOSK_IDLE_WARNING_SECONDS") or max(2, min(15, idle // 4))
    return {
        "idle_seconds": idle,
        "idle_warning_seconds": warning,
        "session_minutes": current_app.config["KIOSK_SESSION_MINUTES"],
    }


def active_device(principal):
    """The calling kiosk, if it is still enabled, paired and assigned to a supermarket."""
    try:
        device = get_device(principal, principal.device_id)
    except NotFound:
        raise Forbidden("This kiosk is not registered.", code="device_unknown") from None
    if device.disabled_at is not None:
        raise Forbidden("This kiosk has been disabled.", code="device_disabled")
    if device.supermarket_id is None:
        raise Conflict("This kiosk is not assigned to a supermarket.", code="kiosk_not_assigned")
    return device


def device_info(principal):
    device = active_device(principal)
    return {"device": device, "supermarket": supermarket.get_supermarket(device.supermarket_id),
            **config()}


def announcements(principal):
    """The notices on the welcome screen: those of every community the kiosk's supermarket serves."""
    device = active_device(principal)
    shop = supermarket.get_supermarket(device.supermarket_id, device.district_id)
    return announcements_service.current_for_communities(device.district_id, shop.served_community_ids)


def sign_in(principal, code, pin=None):
    """Sign a resident in at this kiosk by phone code, or printed card and PIN.

    A printed card without a PIN is answered ``pin_required`` (the kiosk then
    asks for it); a wrong PIN counts toward the lockout. A phone code is spent
    only when everything else has passed.
    """
    device = active_device(principal)
    scan = cards.resolve(code, "dynamic", "resident_card")
    resident = scan.resident
    if resident.district_id != device.district_id:
        raise NotFound("This code belongs to no resident here.", code="resident_not_found")
    if not supermarket.supermarket_serves(device.district_id, device.supermarket_id, resident.community_id):
        raise Forbidden("This supermarket does not serve your community.", code="wrong_community")
    if scan.kind == "resident_card":
        if not pin:
            raise Unauthorized("Enter the 6-digit PIN of this card.", code="pin_required")
        residents.verify_pin(resident, pin)
        method = "card"
    else:
        cards.consume_dynamic_code(scan, "kiosk_login", ref=f"device:{device.id}")
        method = "phone"
    tokens = issue_tokens(
        "kiosk_resident", resident.id, resident.district_id,
        {"device_id": device.id, "supermarket_id": device.supermarket_id, "device_sid": device.session_id},
        refresh=False, expires=timedelta(minutes=current_app.config["KIOSK_SESSION_MINUTES"]),
    )
    return {**tokens, "method": method, "resident": {"masked_name": mask_name(resident.name)}}


def _session_rows_statement():
    shop_account, own_account = aliased(Account), aliased(Account)
    return (
        select(KioskDevice, Supermarket, shop_account, Resident, own_account)
        .select_from(KioskDevice)
        .outerjoin(Supermarket, Supermarket.id == KioskDevice.supermarket_id)
        .outerjoin(shop_account, (shop_account.kind == "supermarket") & (shop_account.owner_id == Supermarket.id))
        .outerjoin(Resident, Resident.id == bindparam("resident_id"))
        .outerjoin(own_account, (own_account.kind == "resident") & (own_account.owner_id == Resident.id))
        .options(joinedload(Supermarket.served))
        .where(KioskDevice.id == bindparam("device_id"))
    )


#: built once: every resident request of a kiosk runs it
_SESSION_ROWS = _session_rows_statement()


def _read_session_rows(principal):
    """The kiosk, its supermarket (with the villages it serves) and the shop's points account, the
    signed-in resident and theirs: one statement where every resident request of a kiosk (a redemption
    above all) read them in four. Kept in the session, so the services that ask for them next
    (``get_device``, ``get_supermarket``, ``get_resident``, ``ledger.ensure_accounts``) find them in
    memory. SQLAlchemy Core-level reads of other domains' tables on purpose: STYLE rule 12 (a hot path)."""
    rows = db.session.execute(
        _SESSION_ROWS, {"resident_id": principal.id, "device_id": principal.device_id}).unique().all()
    for obj in (obj for row in rows for obj in row):
        if obj is not None:
            keep(obj)


def check_session(principal, device_sid):
    """Refuse a resident session whose kiosk has been disabled or re-paired since sign-in."""
    _read_session_rows(principal)
    device = active_device(principal)
    if device_sid is None or device.session_id != device_sid:
        raise Forbidden("This kiosk has been paired again; sign in again.", code="device_disabled")
    return device


def sign_out(principal):
    revoke_session(principal.session_id)


def home(principal):
    """The signed-in resident's screen: masked name, stars, score, points and recent history."""
    resident = residents.get_resident(principal.id)
    account = ledger.get_account("resident", resident.id)
    history = ledger.history(account, {"page": 1, "per_page": HISTORY_SIZE})["items"] if account else []
    standing = resident_standing(resident.id)
    what_for = _what_for([t for t, _delta in history])
    return {
        "masked_name": mask_name(resident.name),
        "community_name_zh": resident.community.name_zh,
        "community_name_en": resident.community.name_en,
        "points": standing["points"],
        "score": standing["score"],
        "stars": standing["stars"],
        "next_star": standing["next_star"],
        "score_to_next_star": standing["score_to_next_star"],
        "history": [{"id": t.id, "kind": t.kind, "delta": delta, "memo": t.memo, "created_at": t.created_at,
                     **what_for.get(t.id, {})} for t, delta in history],
        "pending_orders": supermarket.orders_of_resident(resident.id, status="placed", limit=5),
    }


def _ref_id(transfer):
    return int(transfer.ref_id) if transfer.ref_id and transfer.ref_id.isdigit() else None


def _what_for(transfers):
    """{transfer id: {"for_zh", "for_en"}}: the rule's title, the goods taken (or given back) or the
    staff's stated reason, so that a history line says more than its kind."""
    # a refund points at the payment it reverses; the payment names the order
    sources = {}
    for moved in transfers:
        original = ledger.get_transfer(_ref_id(moved)) if moved.ref_type == "transfer" and _ref_id(moved) else None
        sources[moved.id] = original or moved
    ids = {kind: [_ref_id(s) for s in sources.values() if s.ref_type == kind and _ref_id(s)]
           for kind in ("credit_record", "supermarket_order")}
    titles = record_titles(ids["credit_record"])
    orders = supermarket.orders_by_id(ids["supermarket_order"])
    found = {}
    for moved in transfers:
        source = sources[moved.id]
        if source.ref_type == "credit_record" and _ref_id(source) in titles:
            zh, en = titles[_ref_id(source)]
        elif source.ref_type == "supermarket_order" and _ref_id(source) in orders:
            lines = orders[_ref_id(source)].lines
            zh = "、".join(f"{line.item.name_zh}×{line.quantity}" for line in lines)
            en = ", ".join(f"{line.item.name_en or line.item.name_zh} ×{line.quantity}" for line in lines)
        elif moved.kind == "adjustment" and moved.memo:
            zh = en = moved.memo
        else:
            continue
        found[moved.id] = {"for_zh": zh, "for_en": en}
    return found


def catalogue(principal):
    device = check_shop(principal)
    shop = supermarket.get_supermarket(device.supermarket_id)
    return {"supermarket": shop, **supermarket.catalogue(shop.id, principal.id),
            "points": ledger.balance_of("resident", principal.id)}


def check_shop(principal):
    device = active_device(principal)
    if principal.supermarket_id is not None and principal.supermarket_id != device.supermarket_id:
        raise Forbidden("This kiosk now serves another supermarket; sign in again.", code="device_disabled")
    return device


def place_order(principal, lines, key=None):
    """Redeem the cart at this kiosk's supermarket, for the signed-in resident.

    ``key`` is the request's ``Idempotency-Key``: the route's ``idempotent`` record has claimed it before
    this runs (a retry was answered with the first receipt and never gets here), so the service need not
    look it up again (``key_claimed``). The receipt's QR code is drawn before the shop's hot rows are locked.
    """
    device = check_shop(principal)
    resident = residents.get_resident(principal.id)
    drawn = {}
    order = supermarket.redeem_order(resident, device.supermarket_id, lines, actor=principal.ref,
                                     device_id=device.id, key=key, key_claimed=key is not None,
                                     before_locks=lambda placed: drawn.update(qr=pickup_qr(placed.pickup_code)))
    return receipt(order, resident, drawn.get("qr"))


def receipt(order, resident, qr=None):
    shop = supermarket.get_supermarket(order.supermarket_id)
    balance_after = getattr(order, "balance_after", None)
    return {
        "order": order,
        "supermarket": shop,
        "masked_name": mask_name(resident.name),
        # a new order knows the balance its payment left (the ledger's UPDATE … RETURNING); a replay asks
        "balance_after": balance_after if balance_after is not None else ledger.balance_of("resident", resident.id),
        "pickup_qr": qr or pickup_qr(order.pickup_code),
    }


#: the receipt's QR mask: a fixed one saves qrcode's trial of all eight (1 ms of a redemption's few); the
#: code is a short one shown on the kiosk's screen, which any mask leaves as readable
PICKUP_QR_MASK = 2


def pickup_qr(code):
    """The pickup code as an SVG data URI for the receipt (drawn here: the kiosk has no QR library)."""
    return qr_svg_data_uri(code, mask_pattern=PICKUP_QR_MASK)
