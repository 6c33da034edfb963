"""Who is calling: the principal behind a JWT, and the decorators that require one.

Routes say *who may call* (``auth_required``); services decide *on what*
(``require_scope``), because only they know which community a row belongs to.
"""
import copy
from dataclasses import dataclass, field
from functools import wraps

import jwt
from flask import g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from flask_jwt_extended.config import config as jwt_config
from flask_jwt_extended.internal_utils import verify_token_not_blocklisted, verify_token_type

from ..errors import Forbidden, NotFound

STAFF_ROLES = ("worker", "reviewer", "district_admin")
#: principal kinds carried in the ``kind`` claim
KINDS = ("staff", "merchant", "resident", "device", "kiosk_resident")


@dataclass(frozen=True)
class Principal:
    kind: str
    id: int
    district_id: int
    #: role -> list of community ids; ``None`` means every community of the district
    roles: dict = field(default_factory=dict)
    merchant_id: int | None = None
    device_id: int | None = None
    supermarket_id: int | None = None
    session_id: str | None = None
    name: str | None = None

    @property
    def ref(self):
        """A short stable label for logs and idempotency scopes, e.g. ``staff:12``."""
        return f"{self.kind}:{self.id}"

    def has_role(self, *roles):
        return any(role in self.roles for role in roles)

    def communities(self, *roles):
        """Community ids this principal may act on under any of ``roles``; None = all."""
        if "district_admin" in self.roles:
            return None
        ids = set()
        for role in roles:
            ids.update(self.roles.get(role) or [])
        return ids

    def can(self, community_id, *roles):
        roles = roles or STAFF_ROLES
        if "district_admin" in self.roles:
            return True
        return any(community_id in (self.roles.get(role) or []) for role in roles)

    @property
    def is_staff(self):
        return self.kind == "staff"


def principal_from_claims(claims):
    return Principal(
        kind=claims["kind"],
        id=int(claims["sub"].split(":", 1)[1]),
        district_id=claims["district_id"],
        roles={k: (None if v is None else list(v)) for k, v in (claims.get("roles") or {}).items()},
        merchant_id=claims.get("merchant_id"),
        device_id=claims.get("device_id"),
        supermarket_id=claims.get("supermarket_id"),
        session_id=claims.get("sid"),
        name=claims.get("name"),
    )


def current_principal():
    return g.get("principal")


def _decoded(token):
    """``(header, claims)`` of a well-formed, correctly signed, unexpired access or refresh token, else None.

    The same checks as flask-jwt-extended's decoder (its own settings: key, algorithms, leeway, audience,
    issuer), in one parse of the token instead of three: it reads the token unverified twice to find
    the key before verifying it. Every signed-in request pays this, so it counts.
    """
    try:
        found = jwt.decode_complete(
            token, jwt_config.decode_key, algorithms=jwt_config.decode_algorithms, audience=jwt_config.decode_audience,
            issuer=jwt_config.decode_issuer, leeway=jwt_config.leeway,
            options={"verify_aud": jwt_config.decode_audience is not None, "verify_sub": jwt_config.verify_sub})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    claims = found["payload"]
    if jwt_config.identity_claim_key not in claims:
        return None
    claims.setdefault("type", "access")
    claims.setdefault("fresh", False)
    claims.setdefault("jti", None)
    return found["header"], claims


def _verify(refresh):
    """``verify_jwt_in_request`` for the common case, faster (see ``_decoded``).

    A token this cannot vouch for (missing, malformed, forged, expired) goes through
    flask-jwt-extended itself, so every refusal keeps the library's own answer; the token's type
    and its session's revocation are checked here exactly as the library checks them.
    """
    found = None
    if jwt_config.jwt_in_headers:
        prefix = f"{jwt_config.header_type} " if jwt_config.header_type else ""
        header = request.headers.get(jwt_config.header_name, "")
        if prefix and header.startswith(prefix):
            found = _decoded(header[len(prefix):])
    if found is None:
        verify_jwt_in_request(refresh=refresh)
        return get_jwt()
    jwt_header, claims = found
    verify_token_type(claims, refresh)
    verify_token_not_blocklisted(jwt_header, claims)
    # what verify_jwt_in_request leaves for get_jwt() and friends (no user loader is registered)
    g._jwt_extended_jwt_user = {"loaded_user": None}
    g._jwt_extended_jwt_header = jwt_header
    g._jwt_extended_jwt = claims
    g._jwt_extended_jwt_location = "headers"
    return claims


def auth_required(*kinds, roles=None, refresh=False):
    """Require a valid token of one of ``kinds``; for staff optionally one of ``roles``."""
    kinds = kinds or KINDS

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = principal_from_claims(_verify(refresh))
            if principal.kind not in kinds:
                raise Forbidden("This kind of account cannot use this endpoint.", code="wrong_principal_kind")
            if roles and not principal.has_role(*roles):
                raise Forbidden(f"Your role does not allow this; it needs the role {' or '.join(roles)}.",
                                code="role_required")
            g.principal = principal
            return view(*args, **kwargs)

        wrapper._apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = [{"bearerAuth": []}]
        return wrapper

    return decorator


def require_scope(principal, community_id, *roles, hide=True):
    """Raise unless ``principal`` is staff of ``community_id`` with one of ``roles``.

    Outside their scope staff get 404, so they cannot probe which ids exist.
    """
    if principal.kind == "staff" and principal.district_id is not None and principal.can(community_id, *roles):
        return
    if hide:
        raise NotFound()
    raise Forbidden("Outside your communities.", code="out_of_scope")


def require_district(principal, district_id):
    if principal.district_id != district_id:
        raise NotFound()
