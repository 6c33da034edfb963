"""Cards and codes: issue, revoke, resolve a scan, spend a phone code once, images and pages.

Who may do what with a card:

* a resident card is issued, reissued and revoked by a worker of the resident's
  community (or a district admin); reviewers may look at it; the resident sees
  their own;
* a merchant's door card is issued and revoked by a district admin; the
  merchant's staff see their own;
* anyone may open ``/c/<token>``: the public page shows only masked, public data.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import bindparam, insert

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..common.masking import mask_name
from ..common.pagination import paginate
from ..common.sql import keep
from ..common.time import utcnow
from ..credit import service as credit
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..extensions import db
from ..credit.models import CreditSubject
from ..merchants.models import Merchant, MerchantDiscount
from ..merchants.profile import public_profile, public_summary
from ..org.models import Community, District, Household
from ..residents.models import Resident
from ..residents.service import get_resident_for_staff, log_lookup
from ..common import qr
from . import tokens
from .models import Card, DynamicCodeUse

#: staff roles that may issue, reissue and revoke a resident card; reviewers may also look
WRITE_ROLES = ("worker",)
READ_ROLES = ("worker", "reviewer")


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


def resident_stars(resident_id):
    return credit.resident_standing(resident_id)["stars"]


# --- issuing and revoking --------------------------------------------------------------


def _card_number(kind, subject_id, serial):
    return f"{'R' if kind == 'resident' else 'M'}{subject_id:07d}-{serial}"


def issue_card(district_id, kind, subject_id, actor=None, reason=None):
    """Issue a card; any earlier active card of the subject is revoked at once (lost card → new card)."""
    previous = db.session.execute(
        select(Card).where(Card.kind == kind, Card.subject_id == subject_id).order_by(Card.id)
    ).scalars().all()
    replaced = []
    for old in previous:
        if old.status == "active":
            old.status, old.revoked_at, old.revoke_reason = "revoked", utcnow(), "reissued"
            replaced.append(old.number)
    card = Card(district_id=district_id, kind=kind, subject_id=subject_id, nonce=tokens.new_nonce(),
                number=_card_number(kind, subject_id, len(previous) + 1))
    db.session.add(card)
    db.session.flush()
    if actor is not None:
        record_audit(actor, "card.reissue" if replaced else "card.issue", "card", card.id, reason=reason,
                     after={"kind": kind, "subject_id": subject_id, "number": card.number, "replaced": replaced},
                     district_id=district_id)
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
    record_audit(actor, "card.revoke", "card", card.id, reason=reason, district_id=card.district_id,
                 after={"number": card.number})
    return card


def _merchant(merchant_id):
    return db.session.get(Merchant, merchant_id)


def _authorize(principal, card, *, write=False):
    """Raise 404 unless ``principal`` may see (or, with ``write``, change) ``card``."""
    if card is None or card.district_id != principal.district_id:
        raise NotFound("No such card.", code="card_not_found")
    if card.kind == "resident":
        if principal.kind == "staff":
            get_resident_for_staff(principal, card.subject_id, WRITE_ROLES if write else READ_ROLES)
            return
        if principal.kind == "resident" and not write and card.subject_id == principal.id:
            return
    else:
        if principal.kind == "staff" and principal.has_role("district_admin"):
            return
        if principal.kind == "merchant" and not write and card.subject_id == principal.merchant_id:
            return
    raise NotFound("No such card.", code="card_not_found")


def get_card_for(principal, card_id, *, write=False):
    card = db.session.get(Card, card_id)
    _authorize(principal, card, write=write)
    return card


def _card_filters(principal, args):
    """(WHERE clauses, whether they name the resident) of a card search; list and export share them."""
    where = [Card.district_id == principal.district_id]
    scope = principal.communities(*READ_ROLES)
    by_resident = scope is not None or args.get("community_id") is not None
    if scope is not None:
        where.append(Resident.community_id.in_(scope))
    if args.get("community_id") is not None:
        where.append(Resident.community_id == args["community_id"])
    if args.get("resident_id") is not None:
        where += [Card.kind == "resident", Card.subject_id == args["resident_id"]]
    if args.get("merchant_id") is not None:
        where += [Card.kind == "merchant", Card.subject_id == args["merchant_id"]]
    for name in ("kind", "status"):
        if args.get(name):
            where.append(getattr(Card, name) == args[name])
    if args.get("number"):
        where.append(Card.number == args["number"].strip().upper())
    return where, by_resident


def list_cards(principal, args, page):
    """Cards of my district; workers and reviewers see resident cards of their communities only."""
    where, by_resident = _card_filters(principal, args)
    stmt = select(Card)
    if by_resident:
        stmt = stmt.join(Resident, (Card.kind == "resident") & (Resident.id == Card.subject_id))
    listed = paginate(stmt.where(*where).order_by(Card.id.desc()), page)
    _name_holders(listed["items"])
    return listed


def _name_holders(cards):
    """Sets ``holder_name`` and ``community_id`` on each listed card (one query per kind, not per card);
    the list is already limited to the holders the viewer may see."""
    ids = {"resident": set(), "merchant": set()}
    for card in cards:
        ids[card.kind].add(card.subject_id)
    residents = {row.id: row for row in db.session.execute(
        select(Resident.id, Resident.name, Resident.community_id).where(Resident.id.in_(ids["resident"])))} \
        if ids["resident"] else {}
    merchants = {row.id: row.name for row in db.session.execute(
        select(Merchant.id, Merchant.name).where(Merchant.id.in_(ids["merchant"])))} if ids["merchant"] else {}
    for card in cards:
        if card.kind == "resident" and card.subject_id in residents:
            card.holder_name = residents[card.subject_id].name
            card.community_id = residents[card.subject_id].community_id
        else:
            card.holder_name, card.community_id = merchants.get(card.subject_id), None


def export_cards(principal, args):
    """The cards the list shows, with their holder and village, streamed as dicts (newest first, as listed)."""
    where, _by_resident = _card_filters(principal, args)
    stmt = (
        select(Card.id, Card.number, Card.kind, Card.status, Card.issued_at, Card.revoked_at, Card.revoke_reason,
               Resident.name.label("resident_name"), Merchant.name.label("merchant_name"),
               Community.name_zh.label("community_zh"), Community.name_en.label("community_en"))
        .outerjoin(Resident, (Card.kind == "resident") & (Resident.id == Card.subject_id))
        .outerjoin(Community, Community.id == Resident.community_id)
        .outerjoin(Merchant, (Card.kind == "merchant") & (Merchant.id == Card.subject_id))
        .where(*where)
        .order_by(Card.id.desc())
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(stmt):
        yield row._asdict()


def issue_for(principal, data):
    """Issue (or reissue) the card of one resident or merchant; the old card stops working at once."""
    if data.get("resident_id") is not None:
        resident = get_resident_for_staff(principal, data["resident_id"], WRITE_ROLES)
        if resident.status != "active":
            raise Conflict("Only active residents get a card.", code="resident_not_active")
        return issue_card(resident.district_id, "resident", resident.id, principal, data.get("reason"))
    if not principal.has_role("district_admin"):
        raise NotFound("No such merchant.", code="merchant_not_found")
    merchant = _merchant(data["merchant_id"])
    if merchant is None or merchant.district_id != principal.district_id:
        raise NotFound("No such merchant.", code="merchant_not_found")
    if merchant.status in ("pending", "expelled"):
        raise Conflict("Only merchants of the alliance get a door card.", code="merchant_not_in_alliance")
    return issue_card(merchant.district_id, "merchant", merchant.id, principal, data.get("reason"))


def revoke(principal, card_id, reason):
    card = get_card_for(principal, card_id, write=True)
    if card.status == "revoked":
        raise Conflict("This card is already revoked.", code="card_already_revoked")
    return revoke_card(principal, card, reason)


def _residents_of(principal, community_id, household_id, roles):
    """Active residents of one community or household in ``principal``'s scope."""
    if household_id is not None:
        household = db.session.get(Household, household_id)
        if household is None or household.district_id != principal.district_id:
            raise NotFound("No such household.", code="household_not_found")
        require_scope(principal, household.community_id, *roles)
        where = Resident.household_id == household_id
    else:
        community = db.session.get(Community, community_id)
        if community is None or community.district_id != principal.district_id:
            raise NotFound("No such community.", code="community_not_found")
        require_scope(principal, community.id, *roles)
        where = Resident.community_id == community_id
    return db.session.execute(
        select(Resident).where(where, Resident.status == "active").order_by(Resident.id)
    ).scalars().all()


def issue_missing(principal, data):
    """Give every active resident of a community or household who has none a card (for printing)."""
    residents = _residents_of(principal, data.get("community_id"), data.get("household_id"), WRITE_ROLES)
    have = _active_cards("resident", [r.id for r in residents])
    issued = [issue_card(r.district_id, "resident", r.id, principal) for r in residents if r.id not in have]
    return {"issued": len(issued), "existing": len(have), "numbers": [c.number for c in issued]}


def _active_cards(kind, subject_ids):
    if not subject_ids:
        return {}
    cards = db.session.execute(
        select(Card).where(Card.kind == kind, Card.subject_id.in_(subject_ids), Card.status == "active")
    ).scalars()
    return {c.subject_id: c for c in cards}


def _chosen_residents(principal, resident_ids, roles):
    """Active residents picked by hand, every one of them in ``principal``'s scope (else 404, like one look-up)."""
    residents = db.session.execute(
        select(Resident).where(Resident.id.in_(set(resident_ids)), Resident.district_id == principal.district_id)
        .order_by(Resident.id)
    ).scalars().all()
    scope = principal.communities(*roles)
    # one unknown or out of scope: the same answer, so the sheet tells nothing of other villages
    if len(residents) != len(set(resident_ids)) or (
            scope is not None and any(r.community_id not in scope for r in residents)):
        raise NotFound("No such resident.", code="resident_not_found")
    return [r for r in residents if r.status == "active"]


def print_sheet(principal, community_id=None, household_id=None, resident_ids=None):
    """What the A4 sheet of printed cards shows: masked name, community, card number and QR code.

    Residents without an active card are counted, not printed (``issue_missing`` first).
    """
    if resident_ids:
        return _sheet(principal, _chosen_residents(principal, resident_ids, READ_ROLES), None, None)
    residents = _residents_of(principal, community_id, household_id, READ_ROLES)
    return _sheet(principal, residents, community_id, household_id)


def _sheet(principal, residents, community_id, household_id):
    cards = _active_cards("resident", [r.id for r in residents])
    district = db.session.get(District, principal.district_id)
    entries = [
        {
            "masked_name": mask_name(r.name),
            "community_zh": r.community.name_zh,
            "community_en": r.community.name_en,
            "number": cards[r.id].number,
            "svg": qr.qr_svg(card_url(cards[r.id]), title=cards[r.id].number),
        }
        for r in residents if r.id in cards
    ]
    places = {r.community_id: r.community for r in residents}
    if community_id is None and household_id is None:
        # residents picked by hand: their village when they share one
        place = next(iter(places.values())) if len(places) == 1 else None
        place_zh, place_en = (place.name_zh, place.name_en) if place else ("所选居民", "selected residents")
    else:
        place = residents[0].community if residents else None
        if place is None:
            place = db.session.get(Community, community_id) if community_id is not None else \
                db.session.get(Household, household_id).community
        place_zh, place_en = place.name_zh, place.name_en
    return {
        "district_zh": district.name_zh, "district_en": district.name_en,
        "place_zh": place_zh, "place_en": place_en,
        "entries": entries, "pages": [entries[i:i + 8] for i in range(0, len(entries), 8)],
        "missing": len(residents) - len(entries),
    }


# --- tokens, images --------------------------------------------------------------------


def card_token(card):
    kind = tokens.KIND_RESIDENT_CARD if card.kind == "resident" else tokens.KIND_MERCHANT_CARD
    return tokens.sign(kind, card.id, nonce=card.nonce)


def card_url(card):
    return tokens.public_url(card_token(card))


def door_poster(principal, merchant_id):
    """What the A4 poster at a shop's door shows: name, level, discounts by star and the door card's QR.

    The shop's own staff and district admins may print it; the card must be active."""
    card = active_card("merchant", merchant_id)
    if card is None:
        raise NotFound("This shop has no active door card; the credit centre issues it on approval.",
                       code="card_not_found")
    _authorize(principal, card)
    district = db.session.get(District, card.district_id)
    url = card_url(card)
    return {"merchant": public_profile(_merchant(merchant_id)), "number": card.number, "url": url,
            "svg": qr.qr_svg(url, title=card.number), "district_zh": district.name_zh,
            "district_en": district.name_en}


def card_image(principal, card_id, fmt, box_size=8):
    """(bytes or text, mimetype) of the QR code of a card the principal may see."""
    card = get_card_for(principal, card_id)
    if card.status != "active":
        raise CardRevoked("This card has been revoked; print the new card instead.")
    if fmt == "svg":
        return qr.qr_svg(card_url(card), title=card.number), "image/svg+xml"
    return qr.qr_png(card_url(card), box_size=box_size), "image/png"


def published_keys():
    return {"alg": "Ed25519", "version": tokens.VERSION, "token_length": tokens.TOKEN_LEN,
            "keys": tokens.keyring().published()}


def my_card(resident_id):
    card = active_card("resident", resident_id)
    if card is None:
        raise NotFound("You have no card yet; a community worker issues one.", code="card_not_found")
    return card


def my_merchant_card(merchant_id):
    card = active_card("merchant", merchant_id)
    if card is None:
        raise NotFound("Your shop has no door card; the credit centre issues it on approval.",
                       code="card_not_found")
    return card


# --- dynamic codes ---------------------------------------------------------------------


def issue_dynamic_code(resident, fresh=None):
    """A phone code valid ~75 s (DYNAMIC_CODE_SECONDS), good for one use: a QR (``url``) and the same code as
    a number a merchant can type (``number``); both faces share one nonce, so either spends the code.
    ``resident``: anything with the resident's ``id`` and ``status``.

    Of the candidates (``tokens.dynamic_candidates``) the first not yet spent is given: a phone that asks
    again in the second its last code was taken never gets that code back. ``fresh`` is ``(expires,
    candidates, spent nonces)`` when the caller read them with the resident (``issue_my_dynamic_code``).
    """
    if resident.status != "active":
        raise Conflict("Only active residents get a code.", code="resident_not_active")
    ttl = current_app.config["DYNAMIC_CODE_SECONDS"]
    if fresh is None:
        expires, candidates = tokens.dynamic_candidates(resident.id, ttl)
        fresh = expires, candidates, db.session.execute(_SPENT, _spent_params(resident.id, candidates)).scalar()
    expires, candidates, spent = fresh
    spent = set((spent or "").split(","))
    r, nonce = next((c for c in candidates if c[1] not in spent), candidates[-1])
    token, number = tokens.sign_dynamic(resident.id, expires, r, nonce)
    return {"token": token, "url": tokens.public_url(token), "number": number, "expires_in": ttl,
            "expires_at": _utc(expires)}


def _spent_params(resident_id, candidates):
    return {"resident_id": resident_id, "nonces": [nonce for _r, nonce in candidates]}


#: which of the candidate nonces are spent already, as one comma-joined scalar (an index probe each); built
#: once (a hot path): the candidates' nonces come as an expanding parameter
_SPENT = (select(func.aggregate_strings(DynamicCodeUse.nonce, ","))
          .where(DynamicCodeUse.resident_id == bindparam("resident_id"),
                 DynamicCodeUse.nonce.in_(bindparam("nonces", expanding=True))))
_RESIDENT_AND_SPENT = select(Resident.id, Resident.status, _SPENT.scalar_subquery().label("spent")).where(
    Resident.id == bindparam("resident_id"))


def issue_my_dynamic_code(resident_id):
    """The resident's phone asks for a fresh code (a hot path): the resident and which candidates are spent
    already, in one statement."""
    expires, candidates = tokens.dynamic_candidates(resident_id, current_app.config["DYNAMIC_CODE_SECONDS"])
    row = db.session.connection().execute(_RESIDENT_AND_SPENT, _spent_params(resident_id, candidates)).first()
    if row is None:
        raise NotFound("No such resident.", code="resident_not_found")
    return issue_dynamic_code(row, fresh=(expires, candidates, row.spent))


def my_dynamic_code_status(resident_id, raw):
    """Whether my phone code was taken (by a merchant or a kiosk), so the phone can say "used".

    An expired code answers ``code_expired`` (410); another resident's code is not found. The phone asks
    with the token; a code a merchant took by its typed number shows as used too (they share the nonce).
    """
    payload = tokens.verify(raw)
    if payload.kind != tokens.KIND_DYNAMIC or payload.subject_id != resident_id:
        raise NotFound("This is not one of your phone codes.", code="code_not_found")
    used = db.session.execute(
        select(DynamicCodeUse.purpose).where(DynamicCodeUse.resident_id == resident_id,
                                             DynamicCodeUse.nonce == payload.nonce)
    ).scalar_one_or_none()
    return {"used": used is not None, "purpose": used, "expires_at": expires_at(payload)}


# --- scans -----------------------------------------------------------------------------


def resolve(raw, *kinds):
    """Verify a scanned code (URL or bare token) and load what it stands for.

    ``kinds`` limits which code kinds are acceptable here (``resident_card``,
    ``merchant_card``, ``dynamic``). Revoked cards and inactive residents are
    refused. A dynamic code is *not* spent here; see ``consume_dynamic_code``. A phone code's typed number
    is opened only where a phone code is accepted: elsewhere it is not a code at all (and a card's public
    rating form cannot tell a guessed number from a forged one).
    """
    payload = tokens.verify(raw, typed=not kinds or "dynamic" in kinds)
    if kinds and payload.kind_name not in kinds:
        raise WrongCodeKind(f"A {payload.kind_name.replace('_', ' ')} cannot be used here.")
    if payload.kind == tokens.KIND_DYNAMIC:
        # kept: the answer (a sale's masked name, a check-in's participant) looks the resident up again
        resident = keep(db.session.get(Resident, payload.subject_id))
        if resident is None or resident.status != "active":
            raise NotFound("This code belongs to no active resident.", code="resident_not_found")
        return Scan(payload=payload, resident=resident)
    # the card and, for a resident's card, its resident in one statement
    found = db.session.execute(
        select(Card, Resident).outerjoin(Resident, (Card.kind == "resident") & (Resident.id == Card.subject_id))
        .where(Card.id == payload.subject_id)
    ).first()
    card, holder = found if found is not None else (None, None)
    if card is None or card.nonce != payload.nonce:
        raise tokens.InvalidToken("This card is unknown.")
    if card.status != "active":
        raise CardRevoked("This card has been revoked; please use the new card.")
    if card.kind == "resident":
        resident = keep(holder) if holder is not None else None
        if resident is None or resident.status != "active":
            raise NotFound("This card belongs to no active resident.", code="resident_not_found")
        return Scan(payload=payload, card=card, resident=resident)
    return Scan(payload=payload, card=card, merchant_id=card.subject_id)


_CARDS, _MERCHANTS, _SUBJECTS, _DISCOUNTS = (Card.__table__, Merchant.__table__, CreditSubject.__table__,
                                             MerchantDiscount.__table__)
_RESIDENTS, _COMMUNITIES = Resident.__table__, Community.__table__
#: a discount scan's resident: what the till and the sale read of them, their village's names and their credit
#: subject's total (for the stars), in one statement built once. Core rows, not an ORM ``Resident`` (which
#: joins its community and loads every column): a sale is the alliance's hottest write (STYLE rule 12)
_SCANNED_RESIDENT = (
    select(_RESIDENTS.c.id, _RESIDENTS.c.district_id, _RESIDENTS.c.community_id, _RESIDENTS.c.name,
           _RESIDENTS.c.status, _COMMUNITIES.c.name_zh.label("community_name_zh"),
           _COMMUNITIES.c.name_en.label("community_name_en"), _SUBJECTS.c.score_delta)
    .select_from(_RESIDENTS)
    .outerjoin(_COMMUNITIES, _COMMUNITIES.c.id == _RESIDENTS.c.community_id)
    .outerjoin(_SUBJECTS, (_SUBJECTS.c.subject_type == "resident") & (_SUBJECTS.c.resident_id == _RESIDENTS.c.id))
    .where(_RESIDENTS.c.id == bindparam("resident_id"))
)


def resolve_with_stars(raw):
    """``resolve(raw, "dynamic")`` and the resident's stars, read in one statement (a sale's scan).

    The scan's ``resident`` is a row (id, district_id, community_id, name, status, community_name_zh/_en),
    not an ORM object.
    """
    payload = tokens.verify(raw)
    if payload.kind != tokens.KIND_DYNAMIC:
        return resolve(raw, "dynamic"), None  # refused there, as any code of the wrong kind (WrongCodeKind)
    resident = db.session.execute(_SCANNED_RESIDENT, {"resident_id": payload.subject_id}).first()
    if resident is None or resident.status != "active":
        raise NotFound("This code belongs to no active resident.", code="resident_not_found")
    standing = credit.subject_score_of("resident", resident.id, resident.district_id, resident.score_delta)
    return Scan(payload=payload, resident=resident), standing["stars"]


def resolve_resident(raw, *, allow_static=True):
    """A resident from a phone code or (if allowed) a printed card, for organisers and workers."""
    kinds = ("dynamic", "resident_card") if allow_static else ("dynamic",)
    return resolve(raw, *kinds)


def find_resident_by_code(principal, raw):
    """A worker or reviewer scans a resident's printed card or phone code to open their archive.

    Nothing is spent; the look-up is logged. A resident of a village outside the scanner's scope
    gets a plain refusal that says so (a worker at an event meets people from next door).
    """
    scan = resolve_resident(raw)
    resident = scan.resident
    if resident.district_id != principal.district_id:
        raise NotFound("This code belongs to another district.", code="other_district")
    if not principal.can(resident.community_id, "worker", "reviewer"):
        raise Forbidden("This resident belongs to another village; only its own community staff can open the archive.",
                        code="other_community")
    log_lookup(principal, resident, "card_scan")
    return resident


def find_card_by_number(number):
    card = db.session.execute(select(Card).where(Card.number == number.strip().upper())).scalar_one_or_none()
    if card is None:
        raise NotFound("No card with this number.", code="card_not_found")
    if card.status != "active":
        raise CardRevoked("This card has been revoked; please use the new card.")
    return card


def code_is_used(scan):
    return db.session.execute(
        select(DynamicCodeUse.id).where(DynamicCodeUse.resident_id == scan.resident.id,
                                        DynamicCodeUse.nonce == scan.payload.nonce)
    ).first() is not None


#: a phone code's use, inserted with its values as parameters (built once: ``consume_dynamic_code``)
_INSERT_CODE_USE = insert(DynamicCodeUse.__table__)


def consume_dynamic_code(scan, purpose, ref=None):
    """Spend a phone code once. A second use — on any process — raises ``CodeAlreadyUsed``.

    The unique (resident, nonce) key decides: a concurrent second insert waits
    for the first transaction and then fails, so only one request can win.
    """
    if scan.payload.kind != tokens.KIND_DYNAMIC:
        raise WrongCodeKind("Only a phone code can be spent.")
    try:
        # no savepoint: a second use ends the request, nothing is recovered. Core, not an ORM object flushed:
        # nothing reads the row back, and a sale or a redemption spends a code on every request
        db.session.execute(_INSERT_CODE_USE, {
            "district_id": scan.resident.district_id, "resident_id": scan.resident.id, "nonce": scan.payload.nonce,
            "purpose": purpose, "ref": None if ref is None else str(ref), "used_at": utcnow()})
    except IntegrityError:
        raise CodeAlreadyUsed("This code has already been used; show a fresh one.") from None


def set_dynamic_code_ref(scan, ref):
    """Attach what the code paid for, once it is known (e.g. the sale id)."""
    db.session.execute(
        update(DynamicCodeUse)
        .where(DynamicCodeUse.resident_id == scan.resident.id, DynamicCodeUse.nonce == scan.payload.nonce)
        .values(ref=str(ref))
    )


def expires_at(payload):
    return _utc(payload.expires)


def _utc(expires):
    if not expires:
        return None
    return datetime.fromtimestamp(expires, timezone.utc).replace(tzinfo=None)


def _resident_summary(resident):
    return {
        "masked_name": mask_name(resident.name),
        "community_name_zh": resident.community.name_zh,
        "community_name_en": resident.community.name_en,
        "stars": resident_stars(resident.id),
    }


def preview(principal, raw):
    """What a scanner (staff, merchant staff, kiosk) may learn from a code before acting on it.

    Always masked; a resident scan is logged as a look-up the resident can see.
    """
    scan = resolve(raw)
    if scan.resident is not None and scan.resident.district_id != principal.district_id:
        raise NotFound("This code belongs to another district.", code="other_district")
    if scan.card is not None and scan.card.district_id != principal.district_id:
        raise NotFound("This code belongs to another district.", code="other_district")
    out = {"kind": scan.kind, "expires_at": expires_at(scan.payload), "resident": None, "merchant": None,
           "card_number": scan.card.number if scan.card else None, "used": None}
    if scan.resident is not None:
        out["resident"] = _resident_summary(scan.resident)
        if principal.kind in ("staff", "merchant"):
            log_lookup(principal, scan.resident, "card_scan")
    if scan.kind == "dynamic":
        out["used"] = code_is_used(scan)
    if scan.merchant_id is not None:
        out["merchant"] = public_summary(_merchant(scan.merchant_id))
    return out


# --- the public page -------------------------------------------------------------------


#: ``/c/<token>``'s one read before the ratings: the card and, for a door card, its merchant (what the page
#: shows of it), its credit standing and its discount rates (a row per stored rate). SQLAlchemy Core, built
#: once (STYLE rule 12: the most opened public page; ORM objects cost more Python than the statement)
_CARD_PAGE = (
    select(_CARDS.c.kind, _CARDS.c.subject_id, _CARDS.c.nonce, _CARDS.c.status, _CARDS.c.revoked_at,
           _MERCHANTS.c.id.label("merchant_id"), _MERCHANTS.c.district_id, _MERCHANTS.c.name,
           _MERCHANTS.c.category, _MERCHANTS.c.address, _MERCHANTS.c.status.label("merchant_status"),
           _SUBJECTS.c.score_delta, _DISCOUNTS.c.stars, _DISCOUNTS.c.percent)
    .select_from(_CARDS)
    .outerjoin(_MERCHANTS, (_CARDS.c.kind == "merchant") & (_MERCHANTS.c.id == _CARDS.c.subject_id))
    .outerjoin(_SUBJECTS, (_SUBJECTS.c.subject_type == "merchant") & (_SUBJECTS.c.merchant_id == _MERCHANTS.c.id))
    .outerjoin(_DISCOUNTS, _DISCOUNTS.c.merchant_id == _MERCHANTS.c.id)
    .where(_CARDS.c.id == bindparam("card_id"))
)


@dataclass
class PageMerchant:
    """What the public page reads of a merchant (``merchants.profile.public_profile`` takes it as a merchant)."""

    id: int
    district_id: int
    name: str
    category: str
    address: str
    status: str


def public_view(raw):
    """What ``/c/<token>`` shows to anyone: masked and public data only.

    Forged, truncated and expired tokens raise (the page shows a plain error);
    a revoked card is shown as revoked without its holder's standing. A phone code's typed number is not
    opened here: no QR code holds one, and the page would be an unsigned-in oracle for guessing them.
    """
    payload = tokens.verify(raw, typed=False)
    if payload.kind == tokens.KIND_DYNAMIC:
        resident = db.session.get(Resident, payload.subject_id)
        if resident is None or resident.status != "active":
            raise NotFound("This code belongs to no active resident.", code="resident_not_found")
        return {"kind": "dynamic", "expires_at": expires_at(payload)}
    # the card and, for a door card, its merchant with its credit standing and its discount rates, in one
    # statement: the page then reads only the merchant's ratings
    rows = db.session.execute(_CARD_PAGE, {"card_id": payload.subject_id}).all()
    card = rows[0] if rows else None
    if card is None or card.nonce != payload.nonce:
        raise tokens.InvalidToken("This card is unknown.")
    view = {"kind": card.kind, "status": card.status, "revoked_at": card.revoked_at}
    if card.kind == "resident":
        resident = db.session.get(Resident, card.subject_id)
        if resident is None:
            raise NotFound("This card belongs to no resident.", code="resident_not_found")
        valid = card.status == "active" and resident.status == "active"
        view.update(status="active" if valid else "revoked", masked_name=mask_name(resident.name),
                    community_zh=resident.community.name_zh, community_en=resident.community.name_en,
                    stars=resident_stars(resident.id) if valid else None)
        return view
    if card.merchant_id is None:
        raise tokens.InvalidToken("This card is unknown.")
    merchant = PageMerchant(id=card.merchant_id, district_id=card.district_id, name=card.name,
                            category=card.category, address=card.address, status=card.merchant_status)
    standing = credit.subject_score_of("merchant", merchant.id, merchant.district_id, card.score_delta)
    stored = {row.stars: row.percent for row in rows if row.stars is not None}
    view["merchant"] = public_profile(merchant, full=card.status == "active", standing=standing, stored=stored)
    view["merchant_id"] = merchant.id  # the rating link opens this shop's page in the phone app
    return view
