"""The merchant alliance (信用商家联盟): merchants, discounts per star, validated sales, ratings.

Rules that live here:

* the district admin adds merchants (``pending``), approves them (they get a
  door card), suspends, reinstates or expels them; only an ``approved``
  merchant validates discounts;
* a merchant's discount per star level stays inside the district policy's
  bounds; where the merchant set nothing the lower bound applies, and a
  stored rate the policy no longer allows is clamped at sale time;
* a sale spends the resident's phone code in the same transaction
  (``consume_dynamic_code``: exactly one of any number of concurrent uses
  wins) and earns the merchant credit (``merchant_discount_given``, capped per
  day by the credit domain); voiding a sale takes that credit back;
* a rating needs a real visit: the resident's own valid sale, at most 7 days
  old, one rating per sale (the unique ``sale_id`` enforces "once"). The proof
  is the resident's own sign-in: in the app they rate a sale by id
  (``/me/sales/<id>/rating``); on the shop's public card page they give phone
  and password (rate-limited like a login) and rate their latest unrated
  purchase there. 4–5 stars earn the merchant ``merchant_good_rating``, 1–2
  cost it ``merchant_bad_rating``. A rating stays if its sale is voided later.
  The merchant replies once; staff may hide abusive text (the stars still
  count, the text stays in the database and the audit log);
* the credit centre logs other merchant records (inspections …); they are
  final at once, like every merchant record.
"""
import uuid
from datetime import timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..audit.service import record_audit, summarize
from ..auth import service as auth
from ..cards import service as cards
from ..common.calendar import period_bounds
from ..common.fields import utc_iso
from ..common.masking import mask_name
from ..common.pagination import paginate
from ..common.time import utcnow
from ..common.xlsx import streamed
from ..credit import service as credit
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..org.models import Community
from ..residents.service import log_lookup
from . import messages
from .models import Merchant, MerchantDiscount, MerchantRating, Sale
from .profile import STATUS_LABELS, _bounds, _stored, credit_standing, discount_table, rating_stats

RATING_WINDOW = timedelta(days=7)
AUDITED = ["name", "category", "address", "licence_no", "contact_name", "contact_phone", "community_id",
           "status", "status_reason"]
#: action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "approve": (("pending",), "approved"),
    "suspend": (("approved",), "suspended"),
    "reinstate": (("suspended",), "approved"),
    "expel": (("pending", "approved", "suspended"), "expelled"),
}


class MerchantNotActive(Conflict):
    code = "merchant_not_active"
    title = "Merchant not active"


# --- merchants (district admin) --------------------------------------------------------


def get_merchant(principal, merchant_id):
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or merchant.district_id != principal.district_id:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return merchant


def own_merchant(principal):
    """The merchant a merchant-staff principal works for."""
    merchant = db.session.get(Merchant, principal.merchant_id) if principal.merchant_id else None
    if merchant is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return merchant


def merchants_query(principal, args):
    """The merchants of my district matching the list's filters (the list and its export)."""
    stmt = select(Merchant).where(Merchant.district_id == principal.district_id)
    for name in ("status", "category", "community_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Merchant, name) == args[name])
    if args.get("q"):
        stmt = stmt.where(Merchant.name.like(f"%{args['q']}%"))
    return stmt.order_by(Merchant.id)


def list_merchants(principal, args, page):
    return paginate(merchants_query(principal, args), page)


def streamed_merchants(principal, args):
    return streamed(merchants_query(principal, args))


def _check_community(principal, community_id):
    if community_id is None:
        return
    community = db.session.get(Community, community_id)
    if community is None or community.district_id != principal.district_id:
        raise ValidationFailed(errors={"community_id": ["Unknown community."]})


def create_merchant(principal, data):
    """Add a merchant to the alliance, ``pending`` until approved."""
    _check_community(principal, data.get("community_id"))
    merchant = Merchant(district_id=principal.district_id, status="pending", **data)
    db.session.add(merchant)
    db.session.flush()
    record_audit(principal, "merchant.create", "merchant", merchant.id, after=summarize(merchant, AUDITED))
    return merchant


def update_merchant(principal, merchant_id, data):
    merchant = get_merchant(principal, merchant_id)
    if "community_id" in data:
        _check_community(principal, data["community_id"])
    before = summarize(merchant, AUDITED)
    for name, value in data.items():
        setattr(merchant, name, value)
    db.session.flush()
    record_audit(principal, "merchant.update", "merchant", merchant.id, before=before,
                 after=summarize(merchant, AUDITED))
    return merchant


def change_status(principal, merchant_id, action, reason=None):
    """Approve, suspend, reinstate or expel; an approved merchant gets its door card."""
    merchant = get_merchant(principal, merchant_id)
    sources, target = TRANSITIONS[action]
    if merchant.status not in sources:
        raise Conflict(f"A {merchant.status} merchant cannot be {target}.", code="invalid_status_transition")
    if action in ("suspend", "expel") and not reason:
        raise ValidationFailed(errors={"reason": ["Say why."]})
    before = summarize(merchant, ["status", "status_reason"])
    merchant.status = target
    merchant.status_reason = reason if target != "approved" else None
    if target == "approved":
        merchant.approved_at = merchant.approved_at or utcnow()
        cards.ensure_card(merchant.district_id, "merchant", merchant.id, principal)
    db.session.flush()
    record_audit(principal, f"merchant.{action}", "merchant", merchant.id, before=before,
                 after=summarize(merchant, ["status", "status_reason"]), reason=reason)
    return merchant


#: items the alliance records by itself; staff log the others (clear prices, short weight, fakes …)
AUTOMATIC_ITEMS = ("merchant_discount_given", "merchant_good_rating", "merchant_bad_rating")


def log_merchant_record(principal, merchant_id, item_code, note):
    """The credit centre logs a record about a merchant (e.g. short weight after an inspection).

    It is final at once through ``record_system_credit`` (merchants have no
    public notice); the note and who logged it are in the audit log.
    """
    merchant = get_merchant(principal, merchant_id)
    item = credit.find_item(item_code, district_id=merchant.district_id)
    if item is None or item.subject_type != "merchant" or item_code in AUTOMATIC_ITEMS:
        raise ValidationFailed("Not a merchant item staff may log.", code="unknown_item",
                               errors={"item_code": ["Unknown merchant item, or one the alliance records itself."]})
    record = credit.record_system_credit(
        district_id=merchant.district_id, subject_type="merchant", subject_id=merchant.id, item_code=item_code,
        source_ref=f"merchant-log:{merchant.id}:{uuid.uuid4().hex}", actor=principal,
        community_id=merchant.community_id,
    )
    if record is None:
        raise Conflict("This item is not in force or its cap for the period is reached.", code="cap_reached")
    record_audit(principal, "merchant.credit_record", "merchant", merchant.id, reason=note,
                 after={"item_code": item_code, "points": record.points, "record_id": record.id})
    return {"record_id": record.id, "item_code": item_code, "points": record.points, "status": record.status,
            "credit": credit_standing(merchant)}


# --- discounts -------------------------------------------------------------------------


def discount_percent(merchant, stars, stored=None):
    """The rate a resident with ``stars`` gets at ``merchant`` (0 if that level gets none)."""
    for row in discount_table(merchant, stored):
        if row["stars"] == stars:
            return row["percent"]
    return 0


def discount_amount(bill_amount, percent):
    """Discount in fen, rounded half up to the fen."""
    return (bill_amount * percent + 50) // 100


def set_discounts(principal, levels, merchant=None):
    """Replace the merchant's table: one rate per discounted star level, each within bounds,
    never less for more stars. ``merchant``: set by the district admin on the shop's behalf
    (a shop without a phone at the counter); otherwise the merchant staff's own shop."""
    merchant = merchant or own_merchant(principal)
    if merchant.status == "expelled":
        raise MerchantNotActive("An expelled merchant gives no discounts.")
    bounds = _bounds(merchant.district_id)
    errors = []
    given = {}
    for level in levels:
        stars, percent = level["stars"], level["percent"]
        if stars in given:
            errors.append(f"{stars}★ is listed twice.")
        elif stars not in bounds:
            errors.append(f"{stars}★ residents get no discount in this district.")
        elif not bounds[stars][0] <= percent <= bounds[stars][1]:
            errors.append(f"{stars}★: {percent}% is outside {bounds[stars][0]}–{bounds[stars][1]}%.")
        given[stars] = percent
    missing = sorted(set(bounds) - set(given))
    if missing:
        errors.append("Give a rate for " + ", ".join(f"{s}★" for s in missing) + ".")
    ordered = [given[s] for s in sorted(given) if s in bounds]
    if not errors and any(b < a for a, b in zip(ordered, ordered[1:])):
        errors.append("More stars never get a smaller discount.")
    if errors:
        raise ValidationFailed("These discounts are outside the district's bounds.",
                               code="discount_out_of_bounds", errors={"levels": errors})
    before = {str(k): v for k, v in _stored(merchant.id).items()}
    rows = {row.stars: row for row in db.session.execute(
        select(MerchantDiscount).where(MerchantDiscount.merchant_id == merchant.id)).scalars()}
    for stars, row in rows.items():
        if stars not in given:
            db.session.delete(row)
    for stars, percent in given.items():
        if stars in rows:
            rows[stars].percent = percent
        else:
            db.session.add(MerchantDiscount(merchant_id=merchant.id, stars=stars, percent=percent))
    db.session.flush()
    record_audit(principal, "merchant.discounts", "merchant", merchant.id, before=before,
                 after={str(k): v for k, v in sorted(given.items())})
    return discount_table(merchant)


# --- scanning and sales ----------------------------------------------------------------


def _require_active(merchant):
    if merchant.status != "approved":
        label = STATUS_LABELS[merchant.status]
        raise MerchantNotActive(f"This merchant cannot give alliance discounts now ({label[1].lower()}).")


_SALES = Sale.__table__
#: a sale's row, inserted with its values as parameters (a statement built once: ``record_sale``)
_INSERT_SALE = insert(_SALES).returning(_SALES.c.id)
#: a scan's and a sale's first read: the staff's merchant and its stored rates, one row per rate, built once.
#: The merchant stays an ORM object: the credit domain looks it up by primary key when the sale earns credit
#: (``record_system_credit``), and the session's identity map answers that without a statement
_OWN_MERCHANT_AND_RATES = (
    select(Merchant, MerchantDiscount.stars, MerchantDiscount.percent)
    .outerjoin(MerchantDiscount, MerchantDiscount.merchant_id == Merchant.id)
    .where(Merchant.id == bindparam("merchant_id"))
)


def _own_merchant_and_rates(principal):
    """The staff's merchant and its stored discount rates, in one statement (a scan's and a sale's first read)."""
    rows = db.session.execute(_OWN_MERCHANT_AND_RATES, {"merchant_id": principal.merchant_id}).all() \
        if principal.merchant_id else []
    if not rows:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return rows[0][0], {stars: percent for _merchant, stars, percent in rows if stars is not None}


def _scan_for_sale(principal, code):
    merchant, stored = _own_merchant_and_rates(principal)
    _require_active(merchant)
    scan, stars = cards.resolve_with_stars(code)  # the resident and their stars in one statement
    if scan.resident.district_id != merchant.district_id:
        raise ValidationFailed("This code belongs to a resident of another district.", code="other_district")
    return merchant, scan, stars, discount_percent(merchant, stars, stored)


def scan_code(principal, code):
    """Preview before the sale: masked name, stars and the rate; nothing is spent."""
    merchant, scan, stars, percent = _scan_for_sale(principal, code)
    if cards.code_is_used(scan):
        raise cards.CodeAlreadyUsed("This code has already been used; ask for a fresh one.")
    log_lookup(principal, scan.resident, "discount_scan")
    return {
        "masked_name": mask_name(scan.resident.name),
        "community_name_zh": scan.resident.community_name_zh,
        "community_name_en": scan.resident.community_name_en,
        "stars": stars,
        "discount_percent": percent,
        "eligible": percent > 0,
        "expires_at": cards.expires_at(scan.payload),
        "merchant_status": merchant.status,
    }


#: the credit a merchant earns for a discount it gives (capped per day by the district policy)
DISCOUNT_ITEM = "merchant_discount_given"


def _discount_allowance(merchant, at=None, count=True):
    return credit.system_credit_allowance(district_id=merchant.district_id, subject_type="merchant",
                                          subject_id=merchant.id, item_code=DISCOUNT_ITEM, at=at, count=count)


def _no_credit_reason(merchant, allowance):
    """(reason_code, text fields) for why a discount earns the merchant nothing, or None if it would earn.
    An allowance not counted (``used`` None) is one whose credit was refused: with the item in force and a
    cap above 0, only the cap refuses it."""
    if merchant.status != "approved":
        zh, en = STATUS_LABELS[merchant.status]
        return "merchant_not_active", {"status_zh": zh, "status_en": en.lower()}
    if not allowance.in_force:
        return "item_inactive", {}
    if allowance.cap == 0:
        return "no_credit_for_discounts", {}
    if allowance.cap is not None and (allowance.used is None or allowance.used >= allowance.cap):
        return "daily_cap_reached", {"cap": allowance.cap}
    return None


def sale_credit_outcome(merchant, record, at):
    """What the sale did to the merchant's credit, said in the request's language.

    ``record`` is what ``record_system_credit`` returned (None: nothing given). The reason a refused sale
    gives is read from the cached catalogue and policy without counting (the cap was counted under the
    merchant subject's lock; counting again cost two statements while that lock was held, and most sales of
    a busy shop's day are past the cap), so a sale can work it out before the credit is even asked.
    """
    if record is not None and record.status in ("final", "repaired"):
        return {"awarded": True, "points": record.points, "reason_code": "credit_awarded",
                "reason": messages.say("credit_awarded", points=record.points)}
    found = _no_credit_reason(merchant, _discount_allowance(merchant, at, count=False))
    code, fields = found or ("no_credit_given", {})
    return {"awarded": False, "points": 0, "reason_code": code, "reason": messages.say(code, **fields)}


def credit_today(merchant):
    """Today's credit for discounts: how many counted, the cap, and whether the next discount earns credit."""
    allowance = _discount_allowance(merchant)
    found = _no_credit_reason(merchant, allowance)
    # the policy always caps discount credit per day (merchant_daily_cap is NOT NULL)
    code, fields = found or ("can_earn_today", {"left": allowance.cap - allowance.used, "cap": allowance.cap})
    return {"earned": allowance.used, "cap": allowance.cap, "points_per_sale": allowance.points,
            "can_earn": found is None, "reason_code": code, "reason": messages.say(code, **fields)}


def record_sale(principal, code, bill_amount, *, now=None):
    """Record a discounted sale and spend the phone code, in one transaction; returns the answer (``SaleSchema``).

    A second use of the code (a retry without ``Idempotency-Key``, another
    till, another API process) fails with ``code_already_used`` and records nothing.
    The sale carries ``merchant_credit``: whether it earned the shop credit and,
    if not, why (today's cap reached …). ``now`` dates the sale (the demo seeds
    sales on earlier days).

    The hottest write of the alliance, so it is SQLAlchemy Core and a hand-built answer (STYLE rule 12): the
    sale is inserted by one ``INSERT … RETURNING id`` instead of an ORM object flushed and dumped through
    ``SaleSchema`` (``tests/merchants/test_sales.py`` checks the answer is what the schema would give). The
    merchant's credit, whose subject row every sale of the shop queues on, comes last: its lock is held
    only for the credit's own statements and the commit.
    """
    merchant, scan, stars, percent = _scan_for_sale(principal, code)
    if percent <= 0:
        raise Conflict(f"Residents with {stars} stars get no discount here.", code="no_discount_for_stars")
    discount = discount_amount(bill_amount, percent)
    created_at = now or utcnow()
    answer = {"merchant_id": merchant.id, "resident_masked_name": mask_name(scan.resident.name),
              "staff_user_id": principal.id, "stars": stars, "discount_percent": percent,
              "bill_amount": bill_amount, "discount_amount": discount, "final_amount": bill_amount - discount,
              "status": "valid"}
    row = {key: value for key, value in answer.items() if key != "resident_masked_name"}
    row.update(district_id=merchant.district_id, resident_id=scan.resident.id, code_nonce=scan.payload.nonce,
               created_at=created_at)
    try:
        # no savepoint: a code used twice (the unique resident + nonce) ends the request, nothing is recovered
        sale_id = db.session.execute(_INSERT_SALE, row).scalar_one()
    except IntegrityError:
        raise cards.CodeAlreadyUsed("This code has already been used; ask for a fresh one.") from None
    cards.consume_dynamic_code(scan, "discount", f"sale:{sale_id}")
    # what to say if the credit refuses this sale, worked out before the merchant's credit row is locked
    refused = sale_credit_outcome(merchant, None, created_at)
    answer.update(id=sale_id, created_at=utc_iso(created_at), voided_at=None, void_reason=None)
    # one idempotency mechanism per promise: the phone code is spent once (the unique code use above); the
    # sale's credit is keyed by the new sale's id, so record_system_credit need not look for an earlier one
    record = credit.record_system_credit(
        district_id=merchant.district_id, subject_type="merchant", subject_id=merchant.id,
        item_code=DISCOUNT_ITEM, source_ref=f"sale:{sale_id}", occurred_at=created_at,
        actor=principal.ref, community_id=merchant.community_id, new_source=True,
    )
    answer["merchant_credit"] = refused if record is None else sale_credit_outcome(merchant, record, created_at)
    return answer


def _get_sale(sale_id):
    sale = db.session.get(Sale, sale_id)
    if sale is None:
        raise NotFound("No such sale.", code="sale_not_found")
    return sale


def void_sale(principal, sale_id, reason):
    """Void a sale: its merchant on the same (local) day, a district admin at any time.

    The credit the sale earned the merchant is taken back; the phone code stays spent.
    """
    sale = _get_sale(sale_id)
    if principal.kind == "merchant":
        if sale.merchant_id != principal.merchant_id:
            raise NotFound("No such sale.", code="sale_not_found")
        day_start, _ = period_bounds("day", utcnow())
        if sale.created_at < day_start:
            raise Conflict("A merchant can void a sale only on the day it was made; ask the credit centre.",
                           code="void_window_closed")
    elif sale.district_id != principal.district_id or not principal.has_role("district_admin"):
        raise NotFound("No such sale.", code="sale_not_found")
    # guarded: of two concurrent voids only one changes the row
    changed = db.session.execute(
        update(Sale).where(Sale.id == sale.id, Sale.status == "valid")
        .values(status="voided", voided_at=utcnow(), voided_by=principal.ref, void_reason=reason)
    ).rowcount
    if changed != 1:
        raise Conflict("This sale is already voided.", code="sale_already_voided")
    db.session.refresh(sale)
    taken = credit.void_system_credit(f"sale:{sale.id}", actor=principal.ref, reason=f"sale voided: {reason}")
    sale.merchant_credit = (
        {"awarded": False, "points": -taken.points, "reason_code": "credit_taken_back",
         "reason": messages.say("credit_taken_back", points=taken.points)} if taken is not None else
        {"awarded": False, "points": 0, "reason_code": "no_credit_to_take_back",
         "reason": messages.say("no_credit_to_take_back")})
    record_audit(principal, "sale.void", "sale", sale.id, reason=reason,
                 before={"status": "valid"}, after={"status": "voided", "discount_amount": sale.discount_amount})
    return sale


def list_sales(principal, args, page, *, merchant_id=None):
    stmt = select(Sale).where(Sale.district_id == principal.district_id)
    if merchant_id is not None:
        stmt = stmt.where(Sale.merchant_id == merchant_id)
    if args.get("status"):
        stmt = stmt.where(Sale.status == args["status"])
    if args.get("since"):
        stmt = stmt.where(Sale.created_at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(Sale.created_at < args["until"])
    return paginate(stmt.order_by(Sale.id.desc()), page)


def list_my_sales(resident_id, page):
    """A resident's own discounted purchases, newest first, with whether each can still be rated."""
    result = paginate(select(Sale).where(Sale.resident_id == resident_id).order_by(Sale.id.desc()), page)
    ids = [s.id for s in result["items"]]
    rated = set(db.session.execute(select(MerchantRating.sale_id).where(MerchantRating.sale_id.in_(ids))).scalars()) \
        if ids else set()
    now = utcnow()
    for sale in result["items"]:
        sale.rated = sale.id in rated
        sale.rateable = not sale.rated and sale.status == "valid" and now - sale.created_at <= RATING_WINDOW
    return result


def _sums(merchant_id, start, end):
    row = db.session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.bill_amount), 0),
               func.coalesce(func.sum(Sale.discount_amount), 0), func.coalesce(func.sum(Sale.final_amount), 0))
        .where(Sale.merchant_id == merchant_id, Sale.status == "valid", Sale.created_at >= start,
               Sale.created_at < end)
    ).one()
    return {"sales": row[0], "bill_amount": int(row[1]), "discount_amount": int(row[2]),
            "final_amount": int(row[3])}


def merchant_summary(merchant):
    """The merchant's own dashboard: today's and this month's sales, ratings, credit level."""
    now = utcnow()
    standing = credit_standing(merchant)
    return {
        "merchant": merchant,
        "today": _sums(merchant.id, *period_bounds("day", now)),
        "month": _sums(merchant.id, *period_bounds("month", now)),
        "ratings": rating_stats(merchant.id),
        "credit": {"score": standing["score"], "level": standing["level"]},
        "credit_today": credit_today(merchant),
        "discounts": discount_table(merchant),
    }


# --- ratings ---------------------------------------------------------------------------


def rate_sale(resident_id, sale_id, stars, comment=None):
    """A resident rates their own valid sale, once, within 7 days of it."""
    sale = db.session.get(Sale, sale_id)
    if sale is None or sale.resident_id != resident_id:
        raise NotFound("No such purchase.", code="sale_not_found")
    if sale.status != "valid":
        raise Conflict("A voided purchase cannot be rated.", code="sale_voided")
    if utcnow() - sale.created_at > RATING_WINDOW:
        raise Conflict("Purchases can be rated within 7 days.", code="rating_window_closed")
    rating = MerchantRating(district_id=sale.district_id, merchant_id=sale.merchant_id, sale_id=sale.id,
                            resident_id=resident_id, stars=stars, comment=(comment or "").strip() or None)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:
        raise Conflict("This purchase has already been rated.", code="already_rated") from None
    item = "merchant_good_rating" if stars >= 4 else "merchant_bad_rating" if stars <= 2 else None
    if item:
        merchant = db.session.get(Merchant, sale.merchant_id)
        credit.record_system_credit(
            district_id=sale.district_id, subject_type="merchant", subject_id=sale.merchant_id, item_code=item,
            source_ref=f"rating:{rating.id}", occurred_at=rating.created_at, actor=f"resident:{resident_id}",
            community_id=merchant.community_id,
        )
    return rating


def authenticate_resident(district_id, phone, password):
    """The resident of this district with this phone and password (the public rating form).

    The same check, and the same per-phone count of wrong passwords, as the app's sign-in.
    """
    return auth.authenticate_resident(phone, password, district_id=district_id)


def rate_from_card(raw, phone, password, stars, comment=None):
    """The public rating form on a shop's card page: the resident signs in with phone and password
    and rates their latest unrated purchase at this shop (within 7 days)."""
    scan = cards.resolve(raw, "merchant_card")
    merchant = db.session.get(Merchant, scan.merchant_id)
    resident = authenticate_resident(merchant.district_id, phone, password)
    rated = select(MerchantRating.sale_id).where(MerchantRating.resident_id == resident.id)
    recent = select(Sale).where(Sale.merchant_id == merchant.id, Sale.resident_id == resident.id,
                                Sale.status == "valid", Sale.created_at >= utcnow() - RATING_WINDOW)
    sale = db.session.execute(recent.where(Sale.id.not_in(rated)).order_by(Sale.id.desc()).limit(1)
                              ).scalar_one_or_none()
    if sale is None and db.session.execute(recent.limit(1)).first() is not None:
        # every recent purchase here is rated already: say so, not "no purchase"
        raise Conflict("You have already rated your purchases here. 您已评价过在本店的消费，每次消费只能评价一次。",
                       code="already_rated")
    if sale is None:
        raise Conflict("You can rate a shop after a discounted purchase there: once per purchase, "
                       "within 7 days.", code="no_purchase_to_rate")
    return rate_sale(resident.id, sale.id, stars, comment)


def _get_rating(rating_id):
    rating = db.session.get(MerchantRating, rating_id)
    if rating is None:
        raise NotFound("No such rating.", code="rating_not_found")
    return rating


def reply_to_rating(principal, rating_id, text):
    rating = _get_rating(rating_id)
    if rating.merchant_id != principal.merchant_id:
        raise NotFound("No such rating.", code="rating_not_found")
    if rating.reply is not None:
        raise Conflict("You have already replied to this rating.", code="already_replied")
    rating.reply, rating.replied_at, rating.replied_by = text.strip(), utcnow(), principal.ref
    db.session.flush()
    return rating


def hide_rating(principal, rating_id, reason):
    """Staff hide abusive text; the stars still count and the text is kept in the audit log."""
    rating = _get_rating(rating_id)
    if rating.district_id != principal.district_id:
        raise NotFound("No such rating.", code="rating_not_found")
    if rating.hidden_at is not None:
        raise Conflict("This rating is already hidden.", code="already_hidden")
    rating.hidden_at, rating.hidden_by, rating.hidden_reason = utcnow(), principal.ref, reason
    db.session.flush()
    record_audit(principal, "rating.hide", "merchant_rating", rating.id, reason=reason,
                 before={"comment": rating.comment, "reply": rating.reply}, after={"hidden": True})
    return rating


def list_ratings(principal, args, page, *, merchant_id=None):
    stmt = select(MerchantRating).where(MerchantRating.district_id == principal.district_id)
    if merchant_id is not None:
        stmt = stmt.where(MerchantRating.merchant_id == merchant_id)
    if args.get("hidden") is not None:
        stmt = stmt.where(MerchantRating.hidden_at.isnot(None) if args["hidden"] else MerchantRating.hidden_at.is_(None))
    return paginate(stmt.order_by(MerchantRating.id.desc()), page)


# --- the alliance as a resident sees it ---------------------------------------------------


def alliance_for_resident(resident_id, district_id, args, page):
    """The approved shops of my district's alliance with the discount my star level earns at each, what the
    next star would earn there, and the newest visit of mine there I may still rate."""
    standing = credit.resident_standing(resident_id)
    stars, next_star = standing["stars"], standing["next_star"]
    stmt = (select(Merchant, Community.name_zh, Community.name_en)
            .outerjoin(Community, Community.id == Merchant.community_id)
            .where(Merchant.district_id == district_id, Merchant.status == "approved"))
    if args.get("category"):
        stmt = stmt.where(Merchant.category == args["category"])
    if args.get("merchant_id") is not None:
        stmt = stmt.where(Merchant.id == args["merchant_id"])
    result = paginate(stmt.order_by(Merchant.name, Merchant.id), page, scalars=False)
    ids = [row[0].id for row in result["items"]]
    stored, stats, rateable = {}, {}, {}
    if ids:
        for merchant_id, level, percent in db.session.execute(
                select(MerchantDiscount.merchant_id, MerchantDiscount.stars, MerchantDiscount.percent)
                .where(MerchantDiscount.merchant_id.in_(ids))):
            stored.setdefault(merchant_id, {})[level] = percent
        for merchant_id, count, average in db.session.execute(
                select(MerchantRating.merchant_id, func.count(MerchantRating.id), func.avg(MerchantRating.stars))
                .where(MerchantRating.merchant_id.in_(ids)).group_by(MerchantRating.merchant_id)):
            stats[merchant_id] = {"count": count, "average": round(float(average), 1)}
        rated = select(MerchantRating.sale_id).where(MerchantRating.resident_id == resident_id)
        for merchant_id, sale_id in db.session.execute(
                select(Sale.merchant_id, func.max(Sale.id))
                .where(Sale.resident_id == resident_id, Sale.merchant_id.in_(ids), Sale.status == "valid",
                       Sale.created_at >= utcnow() - RATING_WINDOW, Sale.id.not_in(rated))
                .group_by(Sale.merchant_id)):
            rateable[merchant_id] = sale_id
    items = []
    for merchant, community_zh, community_en in result["items"]:
        table = discount_table(merchant, stored.get(merchant.id, {}))
        percent = {row["stars"]: row["percent"] for row in table}
        items.append({
            "id": merchant.id, "name": merchant.name, "category": merchant.category,
            "community_name_zh": community_zh, "community_name_en": community_en, "address": merchant.address,
            "discounts": [{"stars": row["stars"], "percent": row["percent"]} for row in table],
            "my_percent": percent.get(stars, 0),
            "next_star_percent": percent.get(next_star, 0) if next_star else None,
            "ratings": stats.get(merchant.id, {"count": 0, "average": None}),
            "rateable_sale_id": rateable.get(merchant.id),
        })
    return {**result, "items": items, "stars": stars, "next_star": next_star,
            "score_to_next_star": standing["score_to_next_star"]}
