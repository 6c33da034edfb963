"""Kiosk devices: an admin registers one and gets a one-time pairing code; the kiosk
trades the code for a device token. Disabling a device revokes its token at once."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..audit.service import record_audit, summarize
from ..auth.service import issue_tokens, revoke_session
from ..common.pagination import paginate
from ..common.sql import keep
from ..common.time import utcnow
from ..common.xlsx import streamed
from ..errors import Conflict, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..org.models import Community
from ..supermarket.models import Supermarket
from ..supermarket.service import supermarket_serves
from .models import KioskDevice

PAIRING_HOURS = 24
DEVICE_TOKEN_DAYS = 365
#: no 0/O/1/I: the code is read off a screen and typed on a kiosk
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
AUDITED = ["name", "community_id", "supermarket_id", "paired_at", "disabled_at"]


def _hash(code):
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _new_pairing_code(device):
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    device.pairing_code_hash = _hash(code)
    device.pairing_expires_at = utcnow() + timedelta(hours=PAIRING_HOURS)
    return code


def get_device(principal, device_id):
    device = keep(db.session.get(KioskDevice, device_id))  # the kiosk's requests look it up twice
    if device is None or device.district_id != principal.district_id:
        raise NotFound("No such device.")
    return device


def devices_query(principal):
    return select(KioskDevice).where(KioskDevice.district_id == principal.district_id).order_by(KioskDevice.id)


def list_devices(principal, page):
    return paginate(devices_query(principal), page)


def streamed_devices(principal):
    return streamed(devices_query(principal))


def supermarket_names(district_id):
    """``{supermarket id: (name_zh, name_en)}`` of a district (the export names a kiosk's shop)."""
    rows = db.session.execute(select(Supermarket.id, Supermarket.name_zh, Supermarket.name_en)
                              .where(Supermarket.district_id == district_id))
    return {row.id: (row.name_zh, row.name_en) for row in rows}


def register_device(principal, data):
    """Register a kiosk; returns ``(device, pairing_code)`` — the code is shown only once."""
    community = db.session.get(Community, data["community_id"])
    if community is None or community.district_id != principal.district_id:
        raise ValidationFailed(errors={"community_id": ["Unknown community."]})
    _check_supermarket(principal, data.get("supermarket_id"), community.id)
    device = KioskDevice(district_id=principal.district_id, community_id=community.id,
                         supermarket_id=data.get("supermarket_id"), name=data["name"])
    code = _new_pairing_code(device)
    db.session.add(device)
    db.session.flush()
    record_audit(principal, "device.register", "kiosk_device", device.id, after=summarize(device, AUDITED))
    return device, code


def _check_supermarket(principal, supermarket_id, community_id):
    """Hook for the supermarket domain: a kiosk may only serve a supermarket of its district."""
    if supermarket_id is None:
        return
    if not supermarket_serves(principal.district_id, supermarket_id, community_id):
        raise ValidationFailed(errors={"supermarket_id": ["Unknown supermarket for this community."]})


def repair_device(principal, device_id):
    """A new pairing code; the old device token stops working."""
    device = get_device(principal, device_id)
    if device.session_id:
        revoke_session(device.session_id)
    device.session_id = None
    device.paired_at = None
    code = _new_pairing_code(device)
    db.session.flush()
    record_audit(principal, "device.repair", "kiosk_device", device.id)
    return device, code


def set_device_disabled(principal, device_id, disabled, reason=None):
    device = get_device(principal, device_id)
    before = summarize(device, AUDITED)
    if disabled and device.disabled_at is None:
        device.disabled_at = utcnow()
        if device.session_id:
            revoke_session(device.session_id)
    elif not disabled:
        device.disabled_at = None
    db.session.flush()
    record_audit(principal, "device.disable" if disabled else "device.enable", "kiosk_device", device.id,
                 before=before, after=summarize(device, AUDITED), reason=reason)
    return device


def pair_device(code):
    """Exchange a one-time pairing code for a long-lived device token."""
    device = db.session.execute(
        select(KioskDevice).where(KioskDevice.pairing_code_hash == _hash(code))
    ).scalar_one_or_none()
    if device is None or device.pairing_expires_at < utcnow():
        raise Unauthorized("Unknown or expired pairing code.", code="invalid_pairing_code")
    if device.disabled_at is not None:
        raise Conflict("This device is disabled.", code="device_disabled")
    tokens = issue_tokens(
        "device", device.id, device.district_id,
        {"device_id": device.id, "supermarket_id": device.supermarket_id, "community_id": device.community_id},
        refresh=False, expires=timedelta(days=DEVICE_TOKEN_DAYS),
    )
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.paired_at = utcnow()
    device.session_id = tokens["session_id"]
    db.session.flush()
    record_audit(f"device:{device.id}", "device.pair", "kiosk_device", device.id, district_id=device.district_id)
    return {"device": device, **tokens}
