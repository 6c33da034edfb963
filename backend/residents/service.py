"""Residents: registration by workers, look-ups that leave a trace, and the kiosk PIN."""
import re
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import or_, select

from ..audit.service import record_audit, summarize
from ..auth.passwords import hash_secret, verify_secret
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, Locked, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..org.models import Community, Household
from . import idnumbers
from .models import Resident, ResidentLookup

AUDITED = ["name", "gender", "birth_year", "phone", "community_id", "household_id", "id_last4", "status"]
WRITE_ROLES = ("worker",)
READ_ROLES = ("worker", "reviewer")


def get_resident(resident_id):
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("No such resident.", code="resident_not_found")
    return resident


def get_resident_for_staff(principal, resident_id, roles=READ_ROLES, *, what=None):
    """The resident if ``principal`` is staff of their community (else 404); logs the look-up."""
    resident = db.session.get(Resident, resident_id)
    if resident is None or resident.district_id != principal.district_id:
        raise NotFound("No such resident.", code="resident_not_found")
    require_scope(principal, resident.community_id, *roles)
    if what:
        log_lookup(principal, resident, what)
    return resident


def log_lookup(principal, resident, what):
    db.session.add(
        ResidentLookup(
            district_id=resident.district_id,
            resident_id=resident.id,
            actor=principal.ref,
            actor_name=principal.name or principal.ref,
            what=what,
            ip=request.remote_addr if has_request_context() else None,
        )
    )


def list_residents(principal, args, page):
    scope = principal.communities(*READ_ROLES)
    stmt = select(Resident).where(Resident.district_id == principal.district_id)
    if scope is not None:
        stmt = stmt.where(Resident.community_id.in_(scope))
    if args.get("community_id") is not None:
        stmt = stmt.where(Resident.community_id == args["community_id"])
    if args.get("household_id") is not None:
        stmt = stmt.where(Resident.household_id == args["household_id"])
    if args.get("q"):
        like = f"%{args['q']}%"
        matches = [Resident.name.like(like), Resident.phone.like(like)]
        if re.fullmatch(r"\d{3}[\dXx]", args["q"]):
            # four characters an ID number may end with: the counter asks "the last four of your ID?"
            matches.append(Resident.id_last4 == args["q"].upper())
        stmt = stmt.where(or_(*matches))
    if args.get("id_number"):
        stmt = stmt.where(Resident.id_hash == idnumbers.id_hash(args["id_number"]))
    return paginate(stmt.order_by(Resident.id), page)


def _check_placement(principal, community_id, household_id):
    community = db.session.get(Community, community_id)
    if community is None or community.district_id != principal.district_id:
        raise ValidationFailed(errors={"community_id": ["Unknown community."]})
    require_scope(principal, community_id, *WRITE_ROLES, hide=False)
    if household_id is not None:
        household = db.session.get(Household, household_id)
        if household is None or household.community_id != community_id:
            raise ValidationFailed(errors={"household_id": ["Not a household of this community."]})


def _apply_id_number(principal, resident, id_number):
    if not idnumbers.is_valid(id_number):
        raise ValidationFailed(errors={"id_number": ["Not a valid 18-character ID number."]})
    hashed = idnumbers.id_hash(id_number)
    clash = db.session.execute(
        select(Resident.id).where(
            Resident.district_id == principal.district_id, Resident.id_hash == hashed, Resident.id != resident.id
        )
    ).first()
    if clash:
        raise Conflict("A resident with this ID number is already registered.", code="id_number_taken",
                       errors={"id_number": ["Already registered."]})
    resident.id_hash = hashed
    resident.id_last4 = idnumbers.normalize(id_number)[-4:]


def _check_phone(principal, resident, phone):
    if phone and db.session.execute(
        select(Resident.id).where(
            Resident.district_id == principal.district_id, Resident.phone == phone, Resident.id != resident.id
        )
    ).first():
        raise Conflict("This phone number belongs to another resident.", code="phone_taken",
                       errors={"phone": ["Already registered."]})


def create_resident(principal, data):
    _check_placement(principal, data["community_id"], data.get("household_id"))
    resident = Resident(
        district_id=principal.district_id,
        community_id=data["community_id"],
        household_id=data.get("household_id"),
        name=data["name"],
        gender=data["gender"],
        birth_year=data["birth_year"],
        phone=data.get("phone"),
    )
    _check_phone(principal, resident, resident.phone)
    if data.get("id_number"):
        _apply_id_number(principal, resident, data["id_number"])
    if data.get("password"):
        resident.password_hash = hash_secret(data["password"])
    db.session.add(resident)
    db.session.flush()
    record_audit(principal, "resident.create", "resident", resident.id, after=summarize(resident, AUDITED))
    return resident


def update_resident(principal, resident_id, data):
    resident = get_resident_for_staff(principal, resident_id, WRITE_ROLES)
    before = summarize(resident, AUDITED)
    if "community_id" in data or "household_id" in data:
        community_id = data.get("community_id", resident.community_id)
        household_id = data.get("household_id", resident.household_id if community_id == resident.community_id else None)
        _check_placement(principal, community_id, household_id)
        resident.community_id, resident.household_id = community_id, household_id
    if "phone" in data:
        _check_phone(principal, resident, data["phone"])
    for name in ("name", "gender", "birth_year", "phone", "status"):
        if name in data:
            setattr(resident, name, data[name])
    if data.get("id_number"):
        _apply_id_number(principal, resident, data["id_number"])
    if data.get("password"):
        resident.password_hash = hash_secret(data["password"])
    db.session.flush()
    record_audit(principal, "resident.update", "resident", resident.id, before=before,
                 after=summarize(resident, AUDITED))
    return resident


def set_pin(principal, resident_id, pin):
    """A worker sets or resets the kiosk PIN; it also lifts a lockout."""
    resident = get_resident_for_staff(principal, resident_id, WRITE_ROLES)
    resident.pin_hash = hash_secret(pin)
    resident.pin_failed_count = 0
    resident.pin_locked_until = None
    db.session.flush()
    record_audit(principal, "resident.pin_set", "resident", resident.id)
    return resident


def verify_pin(resident, pin):
    """Check a kiosk PIN: 5 wrong tries lock the card for 15 minutes.

    Failed tries are committed even though the request fails, so a lockout
    holds across kiosks and API processes.
    """
    now = utcnow()
    if resident.pin_locked_until and resident.pin_locked_until > now:
        raise Locked("Too many wrong PINs; the card is locked for a while.", code="pin_locked",
                     errors={"locked_until": [resident.pin_locked_until.isoformat() + "Z"]})
    if not resident.pin_hash:
        raise Unauthorized("No PIN has been set for this card; ask a community worker.", code="pin_not_set")
    if verify_secret(resident.pin_hash, pin):
        if resident.pin_failed_count:
            resident.pin_failed_count = 0
            resident.pin_locked_until = None
        return resident
    max_tries = current_app.config["PIN_MAX_TRIES"]
    resident.pin_failed_count = (resident.pin_failed_count or 0) + 1
    if resident.pin_failed_count >= max_tries:
        resident.pin_failed_count = 0
        resident.pin_locked_until = now + timedelta(minutes=current_app.config["PIN_LOCK_MINUTES"])
        db.session.flush()
        raise Locked("Too many wrong PINs; the card is locked for 15 minutes.", code="pin_locked", commit=True)
    db.session.flush()
    left = max_tries - resident.pin_failed_count
    raise Unauthorized(f"Wrong PIN; {left} tries left.", code="wrong_pin", commit=True,
                       errors={"pin": [f"Wrong PIN; {left} tries left."]})


def list_my_lookups(principal, page):
    stmt = (
        select(ResidentLookup)
        .where(ResidentLookup.resident_id == principal.id)
        .order_by(ResidentLookup.id.desc())
    )
    return paginate(stmt, page)
