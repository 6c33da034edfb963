"""Cards and codes: issue, revoke, resolve a scan, spend a phone code once."""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..audit.service import record_audit
from ..common.time import utcnow
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..residents.models import Resident
from . import tokens
from .models import Card, DynamicCodeUse


class CardRevoked(DomainError):
    status = 410
    code = "card_revoked"
    title = "Card revoked"


class CodeAlreadyUsed(Conflict):
    code = "code_already_used"
    title = "Code already used"


class WrongCodeKind(DomainError):
    status = 422
    code = "wrong_code_kind"
    title = "Wrong kind of code"


@dataclass
class Scan:
    """What a scanned code stands for."""

    payload: tokens.Payload
    card: Card | None = None
    resident: Resident | None = None
    merchant_id: int | None = None

    @property
    def kind(self):
        return self.payload.kind_name


def _card_number(kind, subject_id, serial):
    return f"{'R' if kind == 'resident' else 'M'}{subject_id:07d}-{serial}"


def issue_card(district_id, kind, subject_id, actor=None):
    """Issue a card; any earlier active card of the subject is revoked (lost card → new card)."""
    previous = db.session.execute(
        select(Card).where(Card.kind == kind, Card.subject_id == subject_id).order_by(Card.id)
    ).scalars().all()
    for old in previous:
        if old.status == "active":
            old.status, old.revoked_at, old.revoke_reason = "revoked", utcnow(), "reissued"
    card = Card(district_id=district_id, kind=kind, subject_id=subject_id, nonce=tokens.new_nonce(),
                number=_card_number(kind, subject_id, len(previous) + 1))
    db.session.add(card)
    db.session.flush()
    if actor is not None:
        record_audit(actor, "card.issue", "card", card.id, after={"kind": kind, "subject_id": subject_id,
                                                                    "number": card.number})
    return card


def active_card(kind, subject_id):
    return db.session.execute(
        select(Card).where(Card.kind == kind, Card.subject_id == subject_id, Card.status == "active")
    ).scalar_one_or_none()


def ensure_card(district_id, kind, subject_id, actor=None):
    return active_card(kind, subject_id) or issue_card(district_id, kind, subject_id, actor)


def revoke_card(actor, card, reason):
    if card.status == "revoked":
        return card
    card.status, card.revoked_at, card.revoke_reason = "revoked", utcnow(), reason
    db.session.flush()
    record_audit(actor, "card.revoke", "card", card.id, reason=reason)
    return card


def card_token(card):
    kind = tokens.KIND_RESIDENT_CARD if card.kind == "resident" else tokens.KIND_MERCHANT_CARD
    return tokens.sign(kind, card.id, nonce=card.nonce)


def card_url(card):
    return tokens.public_url(card_token(card))


def issue_dynamic_code(resident):
    """A phone code valid ~75 s (DYNAMIC_CODE_SECONDS), good for one use."""
    ttl = current_app.config["DYNAMIC_CODE_SECONDS"]
    token = tokens.sign(tokens.KIND_DYNAMIC, resident.id, ttl=ttl)
    return {"token": token, "url": tokens.public_url(token), "expires_in": ttl}


def resolve(raw, *kinds):
    """Verify a scanned code (URL or bare token) and load what it stands for.

    ``kinds`` limits which code kinds are acceptable here (``resident_card``,
    ``merchant_card``, ``dynamic``). Revoked cards and inactive residents are
    refused. A dynamic code is *not* spent here; see ``consume_dynamic_code``.
    """
    payload = tokens.verify(raw)
    if kinds and payload.kind_name not in kinds:
        raise WrongCodeKind(f"A {payload.kind_name.replace('_', ' ')} cannot be used here.")
    if payload.kind == tokens.KIND_DYNAMIC:
        resident = db.session.get(Resident, payload.subject_id)
        if resident is None or resident.status != "active":
            raise NotFound("This code belongs to no active resident.", code="resident_not_found")
        return Scan(payload=payload, resident=resident)
    card = db.session.get(Card, payload.subject_id)
    if card is None or card.nonce != payload.nonce:
        raise tokens.InvalidToken("This card is unknown.")
    if card.status != "active":
        raise CardRevoked("This card has been revoked; please use the new card.")
    if card.kind == "resident":
        resident = db.session.get(Resident, card.subject_id)
        if resident is None or resident.status != "active":
            raise NotFound("This card belongs to no active resident.", code="resident_not_found")
        return Scan(payload=payload, card=card, resident=resident)
    return Scan(payload=payload, card=card, merchant_id=card.subject_id)


def resolve_resident(raw, *, allow_static=True):
    """A resident from a phone code or (if allowed) a printed card, for organisers and workers."""
    kinds = ("dynamic", "resident_card") if allow_static else ("dynamic",)
    return resolve(raw, *kinds)


def find_card_by_number(number):
    card = db.session.execute(select(Card).where(Card.number == number.strip().upper())).scalar_one_or_none()
    if card is None:
        raise NotFound("No card with this number.", code="card_not_found")
    if card.status != "active":
        raise CardRevoked("This card has been revoked; please use the new card.")
    return card


def consume_dynamic_code(scan, purpose, ref=None):
    """Spend a phone code once. A second use — on any process — raises ``CodeAlreadyUsed``."""
    if scan.payload.kind != tokens.KIND_DYNAMIC:
        raise WrongCodeKind("Only a phone code can be spent.")
    try:
        with db.session.begin_nested():
            db.session.add(DynamicCodeUse(district_id=scan.resident.district_id, resident_id=scan.resident.id,
                                          nonce=scan.payload.nonce, purpose=purpose,
                                          ref=None if ref is None else str(ref)))
    except IntegrityError:
        raise CodeAlreadyUsed("This code has already been used; show a fresh one.") from None


def set_dynamic_code_ref(scan, ref):
    """Attach what the code paid for, once it is known (e.g. the sale id)."""
    db.session.execute(
        update(DynamicCodeUse)
        .where(DynamicCodeUse.resident_id == scan.resident.id, DynamicCodeUse.nonce == scan.payload.nonce)
        .values(ref=str(ref))
    )
