"""Sign-in, tokens and sessions.

Every token carries the id of an ``AuthSession``; revoking the session (logout,
a disabled device, a changed role) revokes its access and refresh tokens at
once, on every API process, because the check reads the database.
"""
import uuid

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from ..audit.service import record_audit, summarize
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..org.models import Community, District
from ..residents.models import Resident
from . import throttle
from .models import AuthSession, RoleAssignment, User
from .passwords import burn_time, hash_secret, verify_secret


class LastDistrictAdmin(Conflict):
    code = "last_district_admin"
    title = "Last district admin"

    def __init__(self):
        super().__init__("This is the district's last active district admin: make another admin first.")


def roles_claim(user):
    """``{"worker": [1, 2], "district_admin": None}`` from the user's assignments."""
    roles = {}
    for assignment in user.roles:
        if assignment.role == "district_admin":
            roles["district_admin"] = None
        else:
            roles.setdefault(assignment.role, []).append(assignment.community_id)
    return roles


def issue_tokens(kind, subject_id, district_id, claims=None, *, refresh=True, expires=None):
    """Open a session and return its tokens; ``claims`` are added to both tokens."""
    expires = expires or current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    lifetime = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"] if refresh else expires
    session = AuthSession(
        id=uuid.uuid4().hex, kind=kind, subject_id=subject_id, expires_at=utcnow() + lifetime
    )
    db.session.add(session)
    identity = f"{kind}:{subject_id}"
    all_claims = {"kind": kind, "district_id": district_id, "sid": session.id, **(claims or {})}
    tokens = {
        "access_token": create_access_token(identity, additional_claims=all_claims, expires_delta=expires),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
        "session_id": session.id,
    }
    if refresh:
        tokens["refresh_token"] = create_refresh_token(identity, additional_claims=all_claims)
    return tokens


def session_is_revoked(claims):
    """True unless the token's session is live *and* belongs to the token's subject.

    A token names its owner twice: ``sub`` (``kind:id``) and the session it
    was issued with. A token whose ``sid`` names someone else's session is
    refused as if that session were revoked.
    """
    session_id = claims.get("sid")
    if not isinstance(session_id, str) or not session_id:
        return True
    # every signed-in request asks this: plain columns, no ORM object (the session row is never written here)
    session = db.session.connection().execute(_SESSION_STATE, {"sid": session_id}).first()
    if session is None or session.revoked_at is not None or session.expires_at < utcnow():
        return True
    return claims.get("sub") != f"{session.kind}:{session.subject_id}" or claims.get("kind") != session.kind


_SESSION_STATE = (select(AuthSession.revoked_at, AuthSession.expires_at, AuthSession.kind, AuthSession.subject_id)
                  .where(AuthSession.id == bindparam("sid")))


def revoke_session(session_id):
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


#: the session kinds a resident signs in with: the phone app and a kiosk
RESIDENT_KINDS = ("resident", "kiosk_resident")


def revoke_subject_sessions(kinds, subject_id):
    """End every session of one person now, on every process (the check reads these rows)."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.kind.in_(kinds), AuthSession.subject_id == subject_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_resident_sessions(resident_id):
    """A resident's phone-app and kiosk sessions end (new password or PIN, moved out, deceased)."""
    revoke_subject_sessions(RESIDENT_KINDS, resident_id)


def _user_claims(user):
    if user.merchant_id is not None:
        return "merchant", {"merchant_id": user.merchant_id}
    return "staff", {"roles": roles_claim(user)}


def login_user(username, password, *, expires=None):
    """Tokens for a staff or merchant account; ``expires`` overrides the access token's life (benchmarks).

    Wrong passwords count against the username (``throttle``), whether or not it exists.
    """
    counter = throttle.guard(throttle.throttle_key("user", username))
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    wrong = Unauthorized("Wrong username or password.", code="invalid_credentials")
    if user is None:
        burn_time(password)
        throttle.fail(counter, wrong)
    if not verify_secret(user.password_hash, password):
        throttle.fail(counter, wrong)
    throttle.succeed(counter)
    if not user.is_active:
        raise Unauthorized("This account is disabled.", code="account_disabled")
    kind, claims = _user_claims(user)
    claims["name"] = user.display_name
    return issue_tokens(kind, user.id, user.district_id, claims, expires=expires)


def authenticate_resident(phone, password, district_id=None):
    """The active resident with this phone number and password (app sign-in, the public rating form).

    Both share one counter of wrong passwords per phone number (``throttle``).
    """
    counter = throttle.guard(throttle.throttle_key("resident", phone))
    stmt = select(Resident).where(Resident.phone == (phone or "").strip(), Resident.status == "active")
    if district_id is not None:
        stmt = stmt.where(Resident.district_id == district_id)
    resident = db.session.execute(stmt.order_by(Resident.id)).scalars().first()
    wrong = Unauthorized("Wrong phone number or password.", code="invalid_credentials")
    if resident is None or not resident.password_hash:
        burn_time(password or "")
        throttle.fail(counter, wrong)
    if not verify_secret(resident.password_hash, password or ""):
        throttle.fail(counter, wrong)
    throttle.succeed(counter)
    return resident


def login_resident(phone, password):
    resident = authenticate_resident(phone, password)
    return issue_tokens("resident", resident.id, resident.district_id, {"community_id": resident.community_id})




def refresh_tokens(claims):
    """A new access token for the refresh token's session, with roles read afresh."""
    kind, subject_id = claims["kind"], int(claims["sub"].split(":", 1)[1])
    fresh = {k: v for k, v in claims.items() if k not in ("exp", "iat", "nbf", "jti", "type", "sub", "fresh", "csrf")}
    if kind in ("staff", "merchant"):
        user = db.session.get(User, subject_id)
        if user is None or not user.is_active:
            raise Unauthorized("This account is disabled.", code="account_disabled")
        fresh.update(_user_claims(user)[1])
    elif kind == "resident":
        resident = db.session.get(Resident, subject_id)
        if resident is None or resident.status != "active":
            raise Unauthorized("This resident is no longer active here; ask a community worker.",
                               code="account_inactive")
        fresh["community_id"] = resident.community_id
    else:
        raise Unauthorized("This kind of session cannot be refreshed.", code="token_invalid")
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    token = create_access_token(claims["sub"], additional_claims=fresh, expires_delta=expires)
    return {"access_token": token, "token_type": "Bearer", "expires_in": int(expires.total_seconds()),
            "session_id": claims.get("sid")}


# --- staff accounts (district admins) -------------------------------------------------


def _check_communities(principal, roles):
    ids = {r["community_id"] for r in roles if r["role"] != "district_admin"}
    for r in roles:
        if r["role"] != "district_admin" and r.get("community_id") is None:
            raise ValidationFailed(errors={"roles": [f"Role {r['role']} needs a community_id."]})
    if ids:
        found = set(
            db.session.execute(
                select(Community.id).where(Community.id.in_(ids), Community.district_id == principal.district_id)
            ).scalars()
        )
        missing = ids - found
        if missing:
            raise ValidationFailed(errors={"roles": [f"Unknown community ids: {sorted(missing)}"]})


def _set_roles(user, roles):
    user.roles.clear()
    db.session.flush()
    for r in roles:
        user.roles.append(
            RoleAssignment(role=r["role"], community_id=None if r["role"] == "district_admin" else r["community_id"])
        )


def _staff_summary(user):
    out = summarize(user, ["username", "display_name", "is_active", "merchant_id"])
    out["roles"] = sorted(f"{r.role}@{r.community_id or '*'}" for r in user.roles)
    return out


def list_staff(principal, page):
    stmt = select(User).where(User.district_id == principal.district_id).order_by(User.id)
    return paginate(stmt, page)


def district_communities(principal):
    return db.session.execute(select(Community).where(Community.district_id == principal.district_id)).scalars().all()


def export_staff(principal):
    """Every account of the district with its roles spelt out (role and community ids), streamed."""
    stmt = (
        select(User).where(User.district_id == principal.district_id).order_by(User.id)
        .options(selectinload(User.roles)).execution_options(yield_per=500)
    )
    for user in db.session.execute(stmt).scalars():
        yield {
            "id": user.id, "username": user.username, "display_name": user.display_name,
            "is_active": user.is_active, "merchant_id": user.merchant_id, "created_at": user.created_at,
            "roles": sorted((r.role, r.community_id) for r in user.roles),
        }


def get_staff(principal, user_id):
    user = db.session.get(User, user_id)
    if user is None or user.district_id != principal.district_id:
        raise NotFound("No such staff account.")
    return user


def create_staff(principal, data):
    if db.session.execute(select(User.id).where(User.username == data["username"])).first():
        raise Conflict("This username is taken.", code="username_taken", errors={"username": ["Already taken."]})
    roles = data.get("roles", [])
    if data.get("merchant_id") is not None and roles:
        raise ValidationFailed(errors={"roles": ["Merchant staff have no community roles."]})
    if data.get("merchant_id") is None and not roles:
        raise ValidationFailed(errors={"roles": ["Staff need at least one role."]})
    _check_communities(principal, roles)
    if data.get("merchant_id") is not None:
        # merchants sit far above auth (their staff are users): auth reads the merchant only here, at call time
        from ..merchants.models import Merchant

        merchant = db.session.get(Merchant, data["merchant_id"])
        if merchant is None or merchant.district_id != principal.district_id:
            raise ValidationFailed(errors={"merchant_id": ["Unknown merchant."]})
    user = User(
        district_id=principal.district_id,
        username=data["username"],
        display_name=data["display_name"],
        password_hash=hash_secret(data["password"]),
        merchant_id=data.get("merchant_id"),
        resident_id=data.get("resident_id"),
    )
    db.session.add(user)
    _set_roles(user, roles)
    db.session.flush()
    record_audit(principal, "staff.create", "user", user.id, after=_staff_summary(user))
    return user


def _is_active_admin(user):
    return user.is_active and any(r.role == "district_admin" for r in user.roles)


def _check_not_last_admin(user, data):
    """A district keeps at least one active district admin: the last one can be neither demoted nor
    disabled, not even by itself.

    The district's row is locked first, so two admins demoting each other at
    once are decided one after the other (on SQLite the write lock does this).
    """
    demoted = "roles" in data and not any(r["role"] == "district_admin" for r in data["roles"])
    disabled = data.get("is_active") is False
    if not _is_active_admin(user) or not (demoted or disabled):
        return
    db.session.execute(select(District.id).where(District.id == user.district_id).with_for_update())
    others = db.session.execute(
        select(func.count(func.distinct(User.id)))
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.district_id == user.district_id, User.id != user.id, User.is_active.is_(True),
               RoleAssignment.role == "district_admin")
    ).scalar_one()
    if not others:
        raise LastDistrictAdmin()


def update_staff(principal, user_id, data):
    user = get_staff(principal, user_id)
    before = _staff_summary(user)
    _check_not_last_admin(user, data)
    if "roles" in data:
        if user.merchant_id is not None and data["roles"]:
            raise ValidationFailed(errors={"roles": ["Merchant staff have no community roles."]})
        _check_communities(principal, data["roles"])
        _set_roles(user, data["roles"])
    for name in ("display_name", "is_active"):
        if name in data:
            setattr(user, name, data[name])
    if "password" in data:
        user.password_hash = hash_secret(data["password"])
    db.session.flush()
    # roles and activation live in tokens: make the user sign in again
    revoke_subject_sessions("merchant" if user.merchant_id else "staff", user.id)
    record_audit(principal, "staff.update", "user", user.id, before=before, after=_staff_summary(user))
    return user

