"""Credit supermarkets: shops, items, stock, redemption orders and their handover.

Stock is kept like points in the ledger. ``move_stock`` (and, for the lines
of a redemption, ``_take_stock``) is the only code that changes an item's
stock on hand: a guarded ``UPDATE … WHERE stock + quantity >= 0`` and the
movement row that explains it, in one transaction,
so two kiosks taking the last unit at once cannot both win (PostgreSQL's row
lock serialises them; the loser sees the new stock) and a CHECK refuses a
negative stock even if some code forgot the guard.

A redemption takes points and then stock: the ledger locks the resident's
account, then the shop's, and then the items are locked in id order; a
cancellation gives back in the same order, so the two cannot deadlock. The
shop's account and the items are what every redemption at a shop shares, so
they are written last, right before the commit (``redeem_order``). The
per-resident limits are checked once before anything moves, for a clear
answer, and once more after the ledger holds the resident's account: a
second order of the same resident placed at the same moment on another kiosk
waits for that lock and then sees the first order.
"""
import secrets

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.service import record_audit, summarize
from ..common.auth import require_scope
from ..common.calendar import local_date, period_bounds
from ..common.pagination import paginate
from ..common.sql import attach_inserted, keep
from ..common.time import utcnow
from ..common.xlsx import streamed
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..ledger import points as ledger_points
from ..ledger import service as ledger
from ..org.models import Community
from ..residents.models import Resident
from .models import (
    CATEGORIES, Supermarket, SupermarketCommunity, SupermarketItem, SupermarketOrder, SupermarketOrderLine,
    StockMovement,
)

#: no 0/O/1/I: a pickup code may be read off a receipt and typed
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
READ_ROLES = ("worker", "reviewer")
#: who runs a shop: workers of the community it stands in (and district admins)
RUN_ROLES = ("worker",)
SHOP_AUDITED = ["name_zh", "name_en", "community_id", "address", "active", "served_community_ids"]
ITEM_AUDITED = ["name_zh", "name_en", "category", "photo", "price_points", "low_stock_at", "limit_quantity",
                "limit_period", "active"]

CATEGORY_NAMES = {
    "grain_oil": ("粮油", "Rice & oil"),
    "food": ("食品", "Food"),
    "daily": ("日用品", "Daily goods"),
    "cleaning": ("清洁用品", "Cleaning"),
    "textiles": ("床品毛巾", "Towels & bedding"),
    "stationery": ("文具", "Stationery"),
    "other": ("其他", "Other"),
}
assert set(CATEGORY_NAMES) == set(CATEGORIES)


class OutOfStock(Conflict):
    code = "out_of_stock"
    title = "Out of stock"


class LimitExceeded(Conflict):
    code = "limit_exceeded"
    title = "Over the limit"


# --- supermarkets --------------------------------------------------------------------


def supermarket_serves(district_id, supermarket_id, community_id):
    """Does this active supermarket of ``district_id`` serve residents of ``community_id``?

    Called by the devices domain when a kiosk is registered and by the kiosk at sign-in.
    """
    shop = db.session.get(Supermarket, supermarket_id)
    return (
        shop is not None and shop.district_id == district_id and shop.active
        and community_id in shop.served_community_ids
    )


def get_supermarket(supermarket_id, district_id=None):
    # with the communities it serves, in one statement; kept for the receipt that looks it up again
    shop = keep(db.session.get(Supermarket, supermarket_id, options=[joinedload(Supermarket.served)]))
    if shop is None or (district_id is not None and shop.district_id != district_id):
        raise NotFound("No such supermarket.", code="supermarket_not_found")
    return shop


def _can_read(principal, shop):
    if principal.kind != "staff" or principal.district_id != shop.district_id:
        return False
    return any(principal.can(c, *READ_ROLES, *RUN_ROLES) for c in shop.served_community_ids)


def get_supermarket_for_staff(principal, supermarket_id, *, run=False):
    """The shop, if ``principal`` may see it (staff of a community it serves) or, with
    ``run``, run it (worker of its own community or district admin); else 404."""
    shop = get_supermarket(supermarket_id, principal.district_id)
    if run:
        require_scope(principal, shop.community_id, *RUN_ROLES)
    elif not _can_read(principal, shop):
        raise NotFound("No such supermarket.", code="supermarket_not_found")
    return shop


def list_supermarkets(principal, page):
    stmt = select(Supermarket).where(Supermarket.district_id == principal.district_id)
    scope = principal.communities(*READ_ROLES, *RUN_ROLES)
    if scope is not None:
        served = select(SupermarketCommunity.supermarket_id).where(SupermarketCommunity.community_id.in_(scope))
        stmt = stmt.where(Supermarket.id.in_(served))
    return paginate(stmt.order_by(Supermarket.id), page)


def _check_communities(principal, ids, field):
    ids = set(ids)
    found = set(db.session.execute(
        select(Community.id).where(Community.id.in_(ids), Community.district_id == principal.district_id)
    ).scalars())
    if found != ids:
        raise ValidationFailed(errors={field: [f"Unknown communities: {sorted(ids - found)}."]})


def _set_served(shop, community_ids):
    wanted = set(community_ids) | {shop.community_id}
    shop.served = [row for row in shop.served if row.community_id in wanted]
    have = {row.community_id for row in shop.served}
    shop.served.extend(SupermarketCommunity(community_id=c) for c in sorted(wanted - have))


def _check_name_free(shop_or_item, model, scope_filter, name_zh, code):
    clash = db.session.execute(
        select(model.id).where(scope_filter, model.name_zh == name_zh, model.id != (shop_or_item.id or 0))
    ).first()
    if clash:
        raise Conflict("This name is already used.", code=code, errors={"name_zh": ["Already used."]})


def create_supermarket(principal, data):
    """A district admin opens a shop in a community; it also serves ``served_community_ids``."""
    _check_communities(principal, [data["community_id"], *data.get("served_community_ids", [])], "community_id")
    shop = Supermarket(district_id=principal.district_id, community_id=data["community_id"],
                       name_zh=data["name_zh"], name_en=data["name_en"], address=data.get("address"))
    _check_name_free(shop, Supermarket, Supermarket.district_id == principal.district_id, shop.name_zh,
                     "supermarket_name_taken")
    _set_served(shop, data.get("served_community_ids", []))
    db.session.add(shop)
    db.session.flush()
    record_audit(principal, "supermarket.create", "supermarket", shop.id, after=summarize(shop, SHOP_AUDITED))
    return shop


def update_supermarket(principal, supermarket_id, data):
    shop = get_supermarket(supermarket_id, principal.district_id)
    before = summarize(shop, SHOP_AUDITED)
    if "served_community_ids" in data:
        _check_communities(principal, data["served_community_ids"], "served_community_ids")
        _set_served(shop, data["served_community_ids"])
    if "name_zh" in data:
        _check_name_free(shop, Supermarket, Supermarket.district_id == principal.district_id, data["name_zh"],
                         "supermarket_name_taken")
    for name in ("name_zh", "name_en", "address", "active"):
        if name in data:
            setattr(shop, name, data[name])
    db.session.flush()
    record_audit(principal, "supermarket.update", "supermarket", shop.id, before=before,
                 after=summarize(shop, SHOP_AUDITED))
    return shop


# --- items ---------------------------------------------------------------------------


def get_item(shop, item_id):
    item = db.session.get(SupermarketItem, item_id)
    if item is None or item.supermarket_id != shop.id:
        raise NotFound("No such item in this supermarket.", code="item_not_found")
    return item


def items_query(principal, supermarket_id, args):
    """A shop's items matching the list's filters (the list and its export)."""
    shop = get_supermarket_for_staff(principal, supermarket_id)
    stmt = select(SupermarketItem).where(SupermarketItem.supermarket_id == shop.id)
    if args.get("category"):
        stmt = stmt.where(SupermarketItem.category == args["category"])
    if args.get("active") is not None:
        stmt = stmt.where(SupermarketItem.active == args["active"])
    return stmt.order_by(SupermarketItem.category, SupermarketItem.id)


def list_items(principal, supermarket_id, args, page):
    return paginate(items_query(principal, supermarket_id, args), page)


def streamed_items(principal, supermarket_id, args):
    return streamed(items_query(principal, supermarket_id, args))


def item_names(supermarket_id):
    """``{item id: (name_zh, name_en)}`` of one shop (a shop stocks tens of items, not thousands)."""
    rows = db.session.execute(select(SupermarketItem.id, SupermarketItem.name_zh, SupermarketItem.name_en)
                              .where(SupermarketItem.supermarket_id == supermarket_id))
    return {row.id: (row.name_zh, row.name_en) for row in rows}


def low_stock(principal, supermarket_id):
    """Active items at or below their low-stock mark, emptiest first."""
    shop = get_supermarket_for_staff(principal, supermarket_id)
    return db.session.execute(
        select(SupermarketItem)
        .where(SupermarketItem.supermarket_id == shop.id, SupermarketItem.active.is_(True),
               SupermarketItem.stock <= SupermarketItem.low_stock_at)
        .order_by(SupermarketItem.stock, SupermarketItem.id)
    ).scalars().all()


def _check_limit_fields(item):
    if (item.limit_quantity is None) != (item.limit_period is None):
        raise ValidationFailed("A limit needs both a quantity and a period.", code="invalid_limit",
                               errors={"limit_period": ["Give both limit_quantity and limit_period, or neither."]})


def create_item(principal, supermarket_id, data):
    """A new item starts with no stock: stock only comes in through an intake."""
    shop = get_supermarket_for_staff(principal, supermarket_id, run=True)
    item = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, stock=0,
                           **{k: v for k, v in data.items() if k in ITEM_AUDITED})
    _check_limit_fields(item)
    _check_name_free(item, SupermarketItem, SupermarketItem.supermarket_id == shop.id, item.name_zh,
                     "item_name_taken")
    db.session.add(item)
    db.session.flush()
    record_audit(principal, "supermarket_item.create", "supermarket_item", item.id,
                 after=summarize(item, ITEM_AUDITED))
    return item


def update_item(principal, supermarket_id, item_id, data):
    shop = get_supermarket_for_staff(principal, supermarket_id, run=True)
    item = get_item(shop, item_id)
    before = summarize(item, ITEM_AUDITED)
    if "name_zh" in data:
        _check_name_free(item, SupermarketItem, SupermarketItem.supermarket_id == shop.id, data["name_zh"],
                         "item_name_taken")
    for name in ITEM_AUDITED:
        if name in data:
            setattr(item, name, data[name])
    _check_limit_fields(item)
    db.session.flush()
    record_audit(principal, "supermarket_item.update", "supermarket_item", item.id, before=before,
                 after=summarize(item, ITEM_AUDITED))
    return item


# --- stock ---------------------------------------------------------------------------


_items, _orders = SupermarketItem.__table__, SupermarketOrder.__table__
_lines, _movements = SupermarketOrderLine.__table__, StockMovement.__table__
# the redemption's statements, built once (SQLAlchemy Core on the tables: a quarter of the ORM's Python)
#: the guarded take: no row comes back when fewer than ``quantity`` are on hand
_TAKE_STOCK = (update(_items).where(_items.c.id == bindparam("item_id"), _items.c.stock >= bindparam("quantity"))
               .values(stock=_items.c.stock - bindparam("quantity")).returning(_items.c.stock))
_GIVE_STOCK = (update(_items).where(_items.c.id == bindparam("item_id"))
               .values(stock=_items.c.stock + bindparam("quantity")).returning(_items.c.stock))
_INSERT_MOVEMENTS = insert(_movements)


def _take_stock_and_record_statement():
    """PostgreSQL: the guarded take and its movement row in one statement (``WITH taken AS (UPDATE …
    RETURNING …) INSERT … SELECT … FROM taken RETURNING stock_after``); no row: fewer were on hand. (No
    parameter is named after a column of the items: the UPDATE would set that column from it.)"""
    taken = (update(_items).where(_items.c.id == bindparam("item_id"), _items.c.stock >= bindparam("quantity"))
             .values(stock=_items.c.stock - bindparam("quantity"))
             .returning(_items.c.district_id, _items.c.supermarket_id, _items.c.id, _items.c.stock).cte("taken"))
    c = _movements.c
    return insert(_movements).from_select(
        ["district_id", "supermarket_id", "item_id", "kind", "quantity", "stock_after", "order_line_id", "actor",
         "created_at"],
        select(taken.c.district_id, taken.c.supermarket_id, taken.c.id,
               bindparam("movement_kind", type_=c.kind.type), -bindparam("quantity", type_=c.quantity.type),
               taken.c.stock, bindparam("line_id", type_=c.order_line_id.type),
               bindparam("moved_by", type_=c.actor.type), bindparam("moved_at", type_=c.created_at.type),
               ).select_from(taken),
    ).returning(c.stock_after)


_TAKE_STOCK_AND_RECORD = _take_stock_and_record_statement()
_ITEMS = select(SupermarketItem).where(SupermarketItem.id.in_(bindparam("item_ids", expanding=True)))
_INSERT_ORDER = insert(_orders).returning(_orders.c.id)
_INSERT_LINES = insert(_lines).returning(_lines.c.item_id, _lines.c.id, sort_by_parameter_order=True)
_SET_TRANSFER = update(_orders).where(_orders.c.id == bindparam("order_id")).values(transfer_id=bindparam("paid_id"))


def _change_stock(item_id, quantity):
    """The one stock writer: the guarded ``UPDATE … RETURNING stock`` (None: fewer than ``-quantity`` on hand)."""
    stmt = _TAKE_STOCK if quantity < 0 else _GIVE_STOCK
    return db.session.execute(stmt, {"item_id": item_id, "quantity": abs(quantity)}).scalar_one_or_none()


def _out_of_stock(item):
    db.session.expire(item, ["stock"])
    return OutOfStock(f"Only {item.stock} of {item.name_zh} ({item.name_en}) left.",
                      errors={f"items.{item.id}": [f"Only {item.stock} left."]})


def move_stock(item, quantity, kind, *, actor, order_line_id=None, donor_name=None, donor_kind=None, note=None,
               reason=None):
    """Change ``item``'s stock by ``quantity`` (signed) and record why. The only stock writer (with the
    redemption's ``_take_stock``, which writes the same two statements for all lines of an order).

    Raises ``OutOfStock`` when taking more than is on hand; nothing moves then.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationFailed("A stock movement is a non-zero whole number.", code="invalid_quantity")
    stock_after = _change_stock(item.id, quantity)
    if stock_after is None:
        raise _out_of_stock(item)
    movement = StockMovement(
        district_id=item.district_id, supermarket_id=item.supermarket_id, item_id=item.id, kind=kind,
        quantity=quantity, stock_after=stock_after, donor_name=donor_name, donor_kind=donor_kind, note=note,
        reason=reason, order_line_id=order_line_id, actor=actor,
    )
    db.session.add(movement)
    db.session.flush()
    set_committed_value(item, "stock", stock_after)  # what the UPDATE … RETURNING said: not read again
    return movement


def _take_stock(taken, *, actor, now):
    """A redemption's stock: ``taken`` is [(item, quantity, order line id)] in item id order. One guarded
    UPDATE per item (rows locked in id order, as every redemption and cancellation does) with its movement
    row: on PostgreSQL in the same statement (the item's row is then locked only for the commit), on SQLite
    (one writer at a time anyway) the movements follow in one INSERT. Raises ``OutOfStock`` (the request then
    rolls back whole)."""
    if db.session.get_bind().dialect.name == "postgresql":
        for item, quantity, line_id in taken:
            stock_after = db.session.execute(_TAKE_STOCK_AND_RECORD, {
                "item_id": item.id, "quantity": quantity, "movement_kind": "redemption", "line_id": line_id,
                "moved_by": actor, "moved_at": now}).scalar_one_or_none()
            if stock_after is None:
                raise _out_of_stock(item)
            set_committed_value(item, "stock", stock_after)
        return
    movements = []
    for item, quantity, line_id in taken:
        stock_after = _change_stock(item.id, -quantity)
        if stock_after is None:
            raise _out_of_stock(item)
        set_committed_value(item, "stock", stock_after)
        movements.append({
            "district_id": item.district_id, "supermarket_id": item.supermarket_id, "item_id": item.id,
            "kind": "redemption", "quantity": -quantity, "stock_after": stock_after, "donor_name": None,
            "donor_kind": None, "note": None, "reason": None, "order_line_id": line_id, "actor": actor,
            "created_at": now})
    db.session.execute(_INSERT_MOVEMENTS, movements)


def record_intake(principal, supermarket_id, item_id, data):
    """Goods given by a donor (town government, school, company or private donor)."""
    shop = get_supermarket_for_staff(principal, supermarket_id, run=True)
    item = get_item(shop, item_id)
    movement = move_stock(item, data["quantity"], "intake", actor=principal.ref, donor_name=data["donor_name"],
                          donor_kind=data["donor_kind"], note=data.get("note"))
    record_audit(principal, "stock.intake", "supermarket_item", item.id,
                 after={"quantity": movement.quantity, "donor_name": movement.donor_name,
                        "donor_kind": movement.donor_kind, "stock_after": movement.stock_after})
    return movement


def record_adjustment(principal, supermarket_id, item_id, data):
    """A counted correction (damaged, expired, miscounted); never below zero."""
    shop = get_supermarket_for_staff(principal, supermarket_id, run=True)
    item = get_item(shop, item_id)
    movement = move_stock(item, data["quantity"], "adjustment", actor=principal.ref, reason=data["reason"])
    record_audit(principal, "stock.adjust", "supermarket_item", item.id, reason=data["reason"],
                 after={"quantity": movement.quantity, "stock_after": movement.stock_after})
    return movement


def movements_query(principal, supermarket_id, args):
    shop = get_supermarket_for_staff(principal, supermarket_id)
    stmt = select(StockMovement).where(StockMovement.supermarket_id == shop.id)
    for name in ("item_id", "kind", "donor_kind"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(StockMovement, name) == args[name])
    return stmt.order_by(StockMovement.id.desc())


def list_movements(principal, supermarket_id, args, page):
    return paginate(movements_query(principal, supermarket_id, args), page)


def streamed_movements(principal, supermarket_id, args):
    return streamed(movements_query(principal, supermarket_id, args))


# --- limits --------------------------------------------------------------------------


def used_in_period(resident_id, items, now=None):
    """``{item_id: quantity}`` the resident redeemed of each limited item in its current period
    (cancelled orders do not count)."""
    limited = [i for i in items if i.limit_period]
    if not limited:
        return {}
    now = now or utcnow()
    starts = {i.id: period_bounds(i.limit_period, now)[0] for i in limited}
    rows = db.session.execute(
        select(SupermarketOrderLine.item_id, SupermarketOrderLine.quantity, SupermarketOrder.created_at)
        .join(SupermarketOrder, SupermarketOrder.id == SupermarketOrderLine.order_id)
        .where(SupermarketOrder.resident_id == resident_id, SupermarketOrder.status != "cancelled",
               SupermarketOrderLine.item_id.in_(starts), SupermarketOrder.created_at >= min(starts.values()))
    ).all()
    used = dict.fromkeys(starts, 0)
    for item_id, quantity, created_at in rows:
        if created_at >= starts[item_id]:
            used[item_id] += quantity
    return used


def _check_limits(resident_id, wanted, *, include_current):
    """``wanted``: [(item, quantity)]. With ``include_current`` the order is already counted."""
    used = used_in_period(resident_id, [item for item, _ in wanted])
    over = {}
    for item, quantity in wanted:
        if not item.limit_period:
            continue
        total = used[item.id] + (0 if include_current else quantity)
        if total > item.limit_quantity:
            left = max(0, item.limit_quantity - (used[item.id] - (quantity if include_current else 0)))
            over[f"items.{item.id}"] = [f"{item.name_en}: at most {item.limit_quantity} a {item.limit_period}; "
                                        f"{left} left."]
    if over:
        raise LimitExceeded("This order is over the limit for some items.", errors=over)


# --- orders --------------------------------------------------------------------------


def _random(n):
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def _merge_lines(lines):
    merged = {}
    for line in lines:
        merged[line["item_id"]] = merged.get(line["item_id"], 0) + line["quantity"]
    return merged


def _same_order(order, merged):
    return {line.item_id: line.quantity for line in order.lines} == merged


def _find_by_key(resident_id, key):
    return db.session.execute(
        select(SupermarketOrder).where(SupermarketOrder.resident_id == resident_id,
                                       SupermarketOrder.idempotency_key == key)
    ).scalar_one_or_none()


def redeem_order(resident, supermarket_id, lines, *, actor, device_id=None, key=None, key_claimed=False,
                 before_locks=None):
    """Redeem ``lines`` ([{item_id, quantity}]) at a supermarket for ``resident``.

    In one transaction: checks that the shop serves the resident's community,
    that every item is this shop's and on sale, the per-resident limits, the
    stock and the balance; takes the stock (movement rows) and the points
    (``order:<id>:pay``); issues a receipt number and a pickup code. The same
    ``key`` again returns the first order and moves nothing.

    The rows every redemption at a shop shares (the shop's points account and
    the items' stock) are written last, right before the commit: the order,
    its lines, the resident's debit and the transfer row come first, and
    ``before_locks(order)`` (the caller's work for its answer, such as drawing
    the receipt's QR code) runs before them too, so that concurrent
    redemptions at one shop wait on each other only for the commit.

    One mechanism per promise. *The same confirmation never makes a second
    order*: at the kiosk that is the request's ``Idempotency-Key`` record
    (``common.idempotency``: a retry replays the first receipt, a concurrent
    one waits for it), and the kiosk says so with ``key_claimed``; a caller
    without that record (a script, a test) gets this function's own look-up of
    ``key``. Below both, as the last line of defence only, the unique
    ``(resident_id, idempotency_key)`` of orders and the unique key of the
    payment transfer (``order:<id>:pay``) refuse a second order or payment
    outright (the request then fails whole) — no savepoint or look-up is spent
    on them.

    Statements (one item, no limit, no key): the items, the order, its lines,
    the resident's debit, the transfer, the order's ``transfer_id``, then the
    shop's credit, the stock and its movement.
    """
    shop = get_supermarket(supermarket_id, resident.district_id)
    if not shop.active:
        raise Conflict("This supermarket is closed.", code="supermarket_closed")
    if resident.status != "active":
        raise Forbidden("This resident is not active.", code="resident_inactive")
    if resident.community_id not in shop.served_community_ids:
        raise Forbidden("This supermarket does not serve your community.", code="wrong_community")
    merged = _merge_lines(lines)
    if not merged:
        raise ValidationFailed("The order is empty.", code="empty_order", errors={"lines": ["Add an item."]})
    if key is not None and not key_claimed:
        existing = _find_by_key(resident.id, key)
        if existing is not None:
            if not _same_order(existing, merged):
                raise Conflict("This key was already used for a different order.", code="idempotency_key_reused")
            return existing
    items = {i.id: i for i in db.session.execute(_ITEMS, {"item_ids": list(merged)}).scalars()}
    foreign = sorted(i for i in merged if i not in items or items[i].supermarket_id != shop.id)
    if foreign:
        raise ValidationFailed("Some items are not sold at this supermarket.", code="item_not_in_supermarket",
                               errors={f"items.{i}": ["Not an item of this supermarket."] for i in foreign})
    inactive = sorted(i for i in merged if not items[i].active)
    if inactive:
        raise Conflict("Some items are no longer offered.", code="item_unavailable",
                       errors={f"items.{i}": ["No longer offered."] for i in inactive})
    wanted = [(items[i], merged[i]) for i in sorted(merged)]
    limited = any(item.limit_period for item, _ in wanted)
    if limited:
        _check_limits(resident.id, wanted, include_current=False)
    short = {f"items.{item.id}": [f"Only {item.stock} left."] for item, quantity in wanted if item.stock < quantity}
    if short:
        raise OutOfStock("Some items are out of stock or have too few left.", errors=short)
    total = sum(item.price_points * quantity for item, quantity in wanted)
    # the resident's account (the balance, then the payment) and the shop's: in memory when the kiosk read them
    source, target = ledger.ensure_accounts(resident.district_id, ("resident", resident.id), ("supermarket", shop.id))
    balance = source.balance
    if balance < total:
        raise ledger.InsufficientPoints(f"This order needs {total} points; the balance is {balance}.",
                                        errors={"points": [f"Needs {total}, has {balance}."]})

    # the order and its lines in their final state, SQLAlchemy Core (no unit of work, no flush per line)
    now = utcnow()
    values = dict(
        district_id=resident.district_id, supermarket_id=shop.id, resident_id=resident.id, device_id=device_id,
        receipt_no=f"{local_date(now):%Y%m%d}-{_random(8)}", pickup_code=_random(10), status="placed",
        total_points=total, idempotency_key=key, actor=actor, created_at=now,
    )
    order_id = db.session.execute(_INSERT_ORDER, values).scalar_one()
    rows = [{"order_id": order_id, "item_id": item.id, "quantity": quantity, "unit_points": item.price_points,
             "line_points": item.price_points * quantity} for item, quantity in wanted]
    line_ids = dict(db.session.execute(_INSERT_LINES, rows).all())
    # the points: the resident's debit and the transfer row now, the shop's credit with the stock at the end;
    # the key names the order inserted just above: no earlier transfer can carry it (new_key)
    paid = ledger.transfer(source, target, total, kind="redemption", key=f"order:{order_id}:pay",
                           ref_type="supermarket_order", ref_id=order_id, actor=actor, memo=values["receipt_no"],
                           new_key=True, credit_later=True)
    db.session.execute(_SET_TRANSFER, {"order_id": order_id, "paid_id": paid.id})
    order = _placed(order_id, paid.id, values, rows, line_ids, items)
    order.balance_after = source.balance  # for the receipt: the ledger's UPDATE … RETURNING gave it
    if limited:
        # the resident's account is locked now: an order placed at the same moment elsewhere is visible
        _check_limits(resident.id, wanted, include_current=True)
    if before_locks is not None:
        before_locks(order)
    # last, the rows every redemption at this shop shares: its account, then the stock (items in id order)
    ledger.settle()
    _take_stock([(item, quantity, line_ids[item.id]) for item, quantity in wanted], actor=actor, now=now)
    return order


def _placed(order_id, transfer_id, values, rows, line_ids, items):
    """The order just inserted as the session's object (no read back): the receipt and any later call in
    the request (a cancellation in a test) see it and its lines as the database holds them."""
    order = attach_inserted(SupermarketOrder(id=order_id, transfer_id=transfer_id, collected_at=None,
                                             collected_by=None, cancelled_at=None, cancelled_by=None,
                                             cancel_reason=None, **values))
    lines = []
    for row in rows:
        line = attach_inserted(SupermarketOrderLine(id=line_ids[row["item_id"]], **row))
        set_committed_value(line, "item", items[row["item_id"]])
        set_committed_value(line, "order", order)
        lines.append(line)
    set_committed_value(order, "lines", sorted(lines, key=lambda line: line.id))
    return order


def get_order(order_id):
    order = db.session.get(SupermarketOrder, order_id)
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order


def get_order_for_staff(principal, order_id, *, run=False):
    order = get_order(order_id)
    if order.district_id != principal.district_id:
        raise NotFound("No such order.", code="order_not_found")
    get_supermarket_for_staff(principal, order.supermarket_id, run=run)
    return order


def orders_query(principal, supermarket_id, args):
    shop = get_supermarket_for_staff(principal, supermarket_id)
    stmt = select(SupermarketOrder).where(SupermarketOrder.supermarket_id == shop.id)
    for name in ("status", "resident_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(SupermarketOrder, name) == args[name])
    return stmt.order_by(SupermarketOrder.id.desc())


def list_orders(principal, supermarket_id, args, page):
    return paginate(orders_query(principal, supermarket_id, args), page)


def streamed_orders(principal, supermarket_id, args):
    """Orders with their lines (loaded per batch) and the resident's name (staff hand the goods over)."""
    stmt = (orders_query(principal, supermarket_id, args).options(selectinload(SupermarketOrder.lines))
            .join(Resident, Resident.id == SupermarketOrder.resident_id).add_columns(Resident.name)
            .execution_options(yield_per=1000))  # built (and the shop checked) before the first row
    return ({"order": order, "resident_name": name} for order, name in db.session.execute(stmt))


def orders_of_resident(resident_id, *, status=None, limit=10):
    stmt = select(SupermarketOrder).where(SupermarketOrder.resident_id == resident_id)
    if status:
        stmt = stmt.where(SupermarketOrder.status == status)
    return db.session.execute(stmt.order_by(SupermarketOrder.id.desc()).limit(limit)).scalars().all()


def orders_by_id(order_ids):
    """{order id: order} for the ids given (a history that names the goods taken)."""
    if not order_ids:
        return {}
    stmt = select(SupermarketOrder).where(SupermarketOrder.id.in_(order_ids))
    return {order.id: order for order in db.session.execute(stmt).scalars()}


def _not_placed(order):
    db.session.refresh(order)
    if order.status == "collected":
        return Conflict("These goods have already been handed over.", code="order_already_collected")
    return Conflict("This order was cancelled.", code="order_cancelled")


def _set_status(order, values):
    """Move a placed order on; the WHERE makes a concurrent second handover or cancel lose."""
    done = db.session.execute(
        update(SupermarketOrder)
        .where(SupermarketOrder.id == order.id, SupermarketOrder.status == "placed")
        .values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if done != 1:
        raise _not_placed(order)
    db.session.refresh(order)


def cancel_order(principal, order_id, reason):
    """Cancel an order not yet collected: its stock goes back and its points are refunded."""
    order = get_order_for_staff(principal, order_id, run=True)
    _set_status(order, {"status": "cancelled", "cancelled_at": utcnow(), "cancelled_by": principal.ref,
                        "cancel_reason": reason})
    # points before stock, as a redemption locks them: the accounts (the resident's, then the shop's), then
    # the items in id order, so a cancellation and a redemption at the same shop cannot deadlock
    ledger.reverse(ledger.get_transfer(order.transfer_id), key=f"order:{order.id}:refund", actor=principal.ref,
                   kind="redemption_refund", memo=order.receipt_no)
    for line in sorted(order.lines, key=lambda line: line.item_id):
        move_stock(line.item, line.quantity, "cancellation", actor=principal.ref, order_line_id=line.id,
                   reason=reason)
    record_audit(principal, "supermarket_order.cancel", "supermarket_order", order.id, reason=reason,
                 after={"status": "cancelled", "total_points": order.total_points})
    return order


def _clean_code(raw):
    text = (raw or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return text.upper()


def find_order_by_pickup_code(principal, code, supermarket_id=None):
    """The order behind a scanned pickup code, for a worker of the shop (else 404); with
    ``supermarket_id`` (the counter it is scanned at), a receipt of another shop is refused (409)."""
    order = db.session.execute(
        select(SupermarketOrder).where(SupermarketOrder.pickup_code == _clean_code(code),
                                       SupermarketOrder.district_id == principal.district_id)
    ).scalar_one_or_none()
    if order is None:
        raise NotFound("No order has this pickup code.", code="pickup_code_not_found")
    try:
        get_supermarket_for_staff(principal, order.supermarket_id, run=True)
    except NotFound:
        raise NotFound("No order has this pickup code.", code="pickup_code_not_found") from None
    if supermarket_id is not None and order.supermarket_id != supermarket_id:
        raise Conflict("This order belongs to another supermarket and is collected there.",
                       code="pickup_other_supermarket")
    return order


def collect_order(principal, code, supermarket_id=None):
    """A worker hands the goods over on a scan of the receipt's pickup code (once), at ``supermarket_id``'s
    counter when given."""
    order = find_order_by_pickup_code(principal, code, supermarket_id)
    _set_status(order, {"status": "collected", "collected_at": utcnow(), "collected_by": principal.ref})
    record_audit(principal, "supermarket_order.collect", "supermarket_order", order.id)
    return order


# --- the kiosk's view ----------------------------------------------------------------


def catalogue(supermarket_id, resident_id):
    """Active items of the shop with the resident's remaining allowance for limited ones."""
    items = db.session.execute(
        select(SupermarketItem)
        .where(SupermarketItem.supermarket_id == supermarket_id, SupermarketItem.active.is_(True))
        .order_by(SupermarketItem.id)
    ).scalars().all()
    items.sort(key=lambda item: CATEGORIES.index(item.category))  # rice and oil first, as on the shelves
    used = used_in_period(resident_id, items)
    out = []
    for item in items:
        remaining = None if not item.limit_period else max(0, item.limit_quantity - used[item.id])
        out.append({"item": item, "used_in_period": used.get(item.id), "remaining_allowance": remaining})
    categories = [{"code": c, "name_zh": CATEGORY_NAMES[c][0], "name_en": CATEGORY_NAMES[c][1]}
                  for c in CATEGORIES if any(i.category == c for i in items)]
    return {"categories": categories, "items": out}


def order_purposes(order_ids):
    """{order id: (zh, en)}: the supermarket and the goods of each order, for a points history line."""
    rows = db.session.execute(
        select(SupermarketOrder.id, Supermarket.name_zh, Supermarket.name_en, SupermarketItem.name_zh,
               SupermarketItem.name_en, SupermarketOrderLine.quantity)
        .join(Supermarket, Supermarket.id == SupermarketOrder.supermarket_id)
        .join(SupermarketOrderLine, SupermarketOrderLine.order_id == SupermarketOrder.id)
        .join(SupermarketItem, SupermarketItem.id == SupermarketOrderLine.item_id)
        .where(SupermarketOrder.id.in_(order_ids)).order_by(SupermarketOrderLine.id)
    ).all()
    goods = {}
    for order_id, shop_zh, shop_en, item_zh, item_en, quantity in rows:
        zh, en = goods.setdefault(order_id, ([shop_zh], [shop_en or shop_zh]))
        zh.append(f"{item_zh}×{quantity}")
        en.append(f"{item_en or item_zh} ×{quantity}")
    return {order_id: (f"{zh[0]}：" + "、".join(zh[1:]), f"{en[0]}: " + ", ".join(en[1:]))
            for order_id, (zh, en) in goods.items()}


# a points history line of a redemption names the shop and the goods (the ledger asks; it imports nothing of us)
ledger_points.register_purpose("supermarket_order", order_purposes)
