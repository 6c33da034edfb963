"""Residents: registration by workers, look-ups that leave a trace, the kiosk PIN and app activation codes."""
import re
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import String, cast, or_, select, update

from ..audit.service import check_date_range, record_audit, register_community_targets, summarize
from ..auth.passwords import burn_time, hash_secret, verify_secret
from ..auth.service import issue_tokens, revoke_resident_sessions, revoke_subject_sessions
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, DomainError, Locked, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..org.models import Community, Household, Town
from . import idnumbers
from .models import ActivationCode, Resident, ResidentLookup

AUDITED = ["name", "gender", "birth_year", "phone", "community_id", "household_id", "id_last4", "status"]
WRITE_ROLES = ("worker",)
READ_ROLES = ("worker", "reviewer")

# the audit log's community filter finds entries about these targets
register_community_targets("resident", lambda community_id: select(cast(Resident.id, String)).where(
    Resident.community_id == community_id))
register_community_targets("household", lambda community_id: select(cast(Household.id, String)).where(
    Household.community_id == community_id))
register_community_targets("community", lambda community_id: [str(community_id)])


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


def _resident_filters(principal, args):
    """The WHERE clauses of a resident search (list and export share them)."""
    where = [Resident.district_id == principal.district_id]
    scope = principal.communities(*READ_ROLES)
    if scope is not None:
        where.append(Resident.community_id.in_(scope))
    if args.get("community_id") is not None:
        where.append(Resident.community_id == args["community_id"])
    if args.get("household_id") is not None:
        where.append(Resident.household_id == args["household_id"])
    if args.get("q"):
        like = f"%{args['q']}%"
        matches = [Resident.name.like(like), Resident.phone.like(like)]
        if re.fullmatch(r"\d{3}[\dXx]", args["q"]):
            # four characters an ID number may end with: the counter asks "the last four of your ID?"
            matches.append(Resident.id_last4 == args["q"].upper())
        where.append(or_(*matches))
    if args.get("id_number"):
        where.append(Resident.id_hash == idnumbers.id_hash(args["id_number"]))
    return where


def list_residents(principal, args, page):
    return paginate(select(Resident).where(*_resident_filters(principal, args)).order_by(Resident.id), page)


#: the ID number as the console shows it: only its last 4 characters
ID_MASK = "*" * 14


def export_residents(principal, args):
    """Every resident the same search finds, as dicts, streamed from the database.

    Plain columns (no ORM objects) fetched ``yield_per`` rows at a time, so a district of
    800,000 residents goes out in constant memory; the ID number stays masked as on screen.
    """
    stmt = (
        select(Resident.id, Resident.name, Resident.gender, Resident.birth_year, Resident.phone, Resident.status,
               Resident.id_last4, Resident.created_at, Community.name_zh.label("community_zh"),
               Community.name_en.label("community_en"), Town.name_zh.label("town_zh"), Town.name_en.label("town_en"),
               Household.code.label("household_code"), Household.name.label("household_name"))
        .join(Community, Community.id == Resident.community_id)
        .join(Town, Town.id == Community.town_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(*_resident_filters(principal, args))
        .order_by(Resident.id)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(stmt):
        out = row._asdict()
        out["id_masked"] = ID_MASK + row.id_last4 if row.id_last4 else None
        yield out


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
    status_changed = "status" in data and data["status"] != resident.status
    for name in ("name", "gender", "birth_year", "phone", "status"):
        if name in data:
            setattr(resident, name, data[name])
    if data.get("id_number"):
        _apply_id_number(principal, resident, data["id_number"])
    if data.get("password"):
        resident.password_hash = hash_secret(data["password"])
    if data.get("password") or status_changed:
        # a reset password or a resident who moved out or died: every open session ends now
        revoke_resident_sessions(resident.id)
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
    # whoever signed in with the old PIN (a lost card) is signed out everywhere
    revoke_resident_sessions(resident.id)
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


# --- app activation codes ---------------------------------------------------------------

WRONG_ACTIVATION = "Wrong phone number, activation code or ID digits."


class ActivationCodeExpired(DomainError):
    status = 410
    code = "activation_code_expired"
    title = "Activation code expired"


def issue_activation_code(principal, resident_id):
    """A worker hands a resident a one-time code to set their app password.

    The code is returned once and only its hash is kept. Any older unused code
    of the resident stops working, which also makes this the "forgot password" path.
    """
    resident = get_resident_for_staff(principal, resident_id, WRITE_ROLES)
    if resident.status != "active":
        raise Conflict("Only an active resident can be given an activation code.", code="resident_not_active")
    if not resident.phone:
        raise Conflict("Record the resident's phone number first: they sign in with it.", code="phone_missing",
                       errors={"phone": ["Missing."]})
    now = utcnow()
    db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.resident_id == resident.id, ActivationCode.used_at.is_(None),
               ActivationCode.retired_at.is_(None))
        .values(retired_at=now)
    )
    code = f"{secrets.randbelow(10**8):08d}"
    row = ActivationCode(
        district_id=resident.district_id, resident_id=resident.id, code_hash=hash_secret(code),
        issued_by=principal.ref, created_at=now,
        expires_at=now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"]),
    )
    db.session.add(row)
    db.session.flush()
    record_audit(principal, "resident.activation_code_issued", "resident", resident.id)
    return {"resident_id": resident.id, "code": code, "phone": resident.phone, "expires_at": row.expires_at}


def _live_activation_code(phone):
    """The newest unused, unretired code of the active resident with this phone (or None)."""
    return db.session.execute(
        select(ActivationCode)
        .join(Resident, Resident.id == ActivationCode.resident_id)
        .where(Resident.phone == phone, Resident.status == "active", ActivationCode.used_at.is_(None),
               ActivationCode.retired_at.is_(None))
        .order_by(ActivationCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def redeem_activation_code(phone, code, id_last4):
    """Spend a resident's activation code; the resident it belongs to, or a refusal.

    A wrong code or wrong last 4 ID digits counts as a wrong try: like the kiosk
    PIN, 5 wrong tries lock the code for 15 minutes, and the tries are committed
    although the request fails. The code works once and until it expires.
    """
    row = _live_activation_code(phone)
    if row is None:
        burn_time(code)
        raise Unauthorized(WRONG_ACTIVATION, code="invalid_activation")
    now = utcnow()
    if row.locked_until and row.locked_until > now:
        raise Locked("Too many wrong tries; activation is locked for a while.", code="activation_locked",
                     errors={"locked_until": [row.locked_until.isoformat() + "Z"]})
    resident = db.session.get(Resident, row.resident_id)
    code_ok = verify_secret(row.code_hash, code)
    id_ok = not resident.id_last4 or (id_last4 or "").upper() == resident.id_last4.upper()
    if code_ok and id_ok:
        if row.expires_at <= now:
            raise ActivationCodeExpired("This activation code has expired; ask your community worker for a new one.")
        row.used_at = now
        row.failed_count = 0
        db.session.flush()
        return resident
    max_tries = current_app.config["ACTIVATION_MAX_TRIES"]
    row.failed_count = (row.failed_count or 0) + 1
    if row.failed_count >= max_tries:
        row.failed_count = 0
        minutes = current_app.config["ACTIVATION_LOCK_MINUTES"]
        row.locked_until = now + timedelta(minutes=minutes)
        db.session.flush()
        raise Locked(f"Too many wrong tries; activation is locked for {minutes} minutes.",
                     code="activation_locked", commit=True,
                     errors={"locked_until": [row.locked_until.isoformat() + "Z"]})
    db.session.flush()
    left = max_tries - row.failed_count
    raise Unauthorized(f"Wrong phone number, activation code or ID digits. {left} tries left.",
                       code="invalid_activation", commit=True,
                       errors={"tries_left": [str(left)]})


def list_my_lookups(principal, page):
    stmt = (
        select(ResidentLookup)
        .where(ResidentLookup.resident_id == principal.id)
        .order_by(ResidentLookup.id.desc())
    )
    return paginate(stmt, page)


#: who may read the look-up log of their communities (查询登记): the reviewer oversees the village's staff
LOOKUP_LOG_ROLES = ("reviewer",)


def lookups_query(principal, args):
    """Staff look-ups of residents' archives in my district (my communities for a reviewer), newest first."""
    check_date_range(args)
    stmt = (select(ResidentLookup, Resident.name, Resident.community_id)
            .join(Resident, Resident.id == ResidentLookup.resident_id)
            .where(ResidentLookup.district_id == principal.district_id))
    scope = principal.communities(*LOOKUP_LOG_ROLES)
    if scope is not None:
        stmt = stmt.where(Resident.community_id.in_(scope))
    if args.get("community_id") is not None:
        stmt = stmt.where(Resident.community_id == args["community_id"])
    for name in ("actor", "what", "resident_id"):
        if args.get(name) is not None and args.get(name) != "":
            stmt = stmt.where(getattr(ResidentLookup, name) == args[name])
    if args.get("since"):
        stmt = stmt.where(ResidentLookup.created_at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(ResidentLookup.created_at < args["until"])
    return stmt.order_by(ResidentLookup.id.desc())


def _lookup_row(lookup, resident_name, community_id):
    return {"id": lookup.id, "resident_id": lookup.resident_id, "resident_name": resident_name,
            "community_id": community_id, "actor": lookup.actor, "actor_name": lookup.actor_name,
            "what": lookup.what, "ip": lookup.ip, "created_at": lookup.created_at}


def list_lookups(principal, args, page):
    result = paginate(lookups_query(principal, args), page, scalars=False)
    result["items"] = [_lookup_row(*row) for row in result["items"]]
    return result


def export_lookups(principal, args):
    """Every matching look-up, read a thousand at a time, for an XLSX download."""
    stmt = lookups_query(principal, args)

    def rows():
        for chunk in db.session.execute(stmt.execution_options(yield_per=1000)).partitions():
            yield from (_lookup_row(*row) for row in chunk)
    return rows()


def activate_resident(phone, code, id_last4, password):
    """Spend a worker's activation code, set the resident's password and sign them in.

    Sessions opened with an earlier password end: this is also how a forgotten password is reset.
    """
    resident = redeem_activation_code(phone, code, id_last4)
    resident.password_hash = hash_secret(password)
    revoke_subject_sessions("resident", resident.id)
    record_audit(f"resident:{resident.id}", "resident.activated", "resident", resident.id,
                 district_id=resident.district_id)
    db.session.flush()
    return issue_tokens("resident", resident.id, resident.district_id, {"community_id": resident.community_id})
