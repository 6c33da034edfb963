"""Reports on where points and discounts are spent: credit supermarkets and the merchant alliance.

Same filters and scope as ``service``. A supermarket or merchant counts in the village where it
stands (``community_id``); merchants with no village show only to viewers who see the whole district
and asked for no place. Each part is one grouped query on its table, on existing indexes (orders by
``supermarket_id``, stock movements by ``supermarket_id``, sales and ratings by ``merchant_id,
created_at``). Amounts of money are integer fen (分), as in sales.
"""
from sqlalchemy import and_, case, func, or_, select

from ..credit.models import CreditSubject
from ..credit.policy import MERCHANT_LEVELS, district_policy, merchant_level_for
from ..extensions import db
from ..merchants.models import Merchant, MerchantRating, Sale
from ..org.models import Community
from ..supermarket.models import StockMovement, Supermarket, SupermarketItem, SupermarketOrder
from .activity import in_months, month_index
from .service import months_between, report_scope

LEVELS = (*MERCHANT_LEVELS, "E")


def _names(community):
    return {"community_zh": community.name_zh, "community_en": community.name_en} if community else \
        {"community_zh": None, "community_en": None}


# --- credit supermarkets (信用超市) --------------------------------------------------------------

def supermarkets_report(principal, args):
    """Per local month: redemption orders placed and the points they took, orders cancelled and the
    points refunded (in the month of the cancellation, as the ledger books it): ``points_net`` of a
    month equals the ledger's redemptions into these shops less their refunds. Per shop: items,
    stock on hand and its value at today's prices, low-stock items. Donors' intake per month at the
    item's price today."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    communities = {c.id: c for c, _t in scope}
    shops = db.session.execute(
        select(Supermarket).where(Supermarket.district_id == principal.district_id,
                                  Supermarket.community_id.in_(communities))
        .order_by(Supermarket.id)
    ).scalars().all()
    shop_ids = [shop.id for shop in shops]

    # orders: by month placed × month cancelled, one statement; a month's net is placed − cancelled
    placed, cancelled = (month_index(SupermarketOrder.created_at, months),
                         month_index(SupermarketOrder.cancelled_at, months))
    orders = db.session.execute(
        select(SupermarketOrder.supermarket_id, placed.label("p"), cancelled.label("c"), func.count(),
               func.sum(SupermarketOrder.total_points))
        .where(SupermarketOrder.supermarket_id.in_(shop_ids),
               or_(in_months(SupermarketOrder.created_at, months), in_months(SupermarketOrder.cancelled_at, months)))
        .group_by(SupermarketOrder.supermarket_id, placed, cancelled)
    ).all()
    month_rows = [{"month": label, "orders": 0, "points_spent": 0, "cancelled": 0, "points_refunded": 0}
                  for label, _s, _e in months]
    per_shop = {shop_id: {"orders": 0, "points_net": 0} for shop_id in shop_ids}
    for shop_id, p, c, count, points in orders:
        count, points = int(count), int(points)
        if p is not None:
            month_rows[p]["orders"] += count
            month_rows[p]["points_spent"] += points
            per_shop[shop_id]["orders"] += count
            per_shop[shop_id]["points_net"] += points
        if c is not None:
            month_rows[c]["cancelled"] += count
            month_rows[c]["points_refunded"] += points
            per_shop[shop_id]["points_net"] -= points
    for row in month_rows:
        row["points_net"] = row["points_spent"] - row["points_refunded"]

    # stock on hand now, and what it is worth in points
    low = and_(SupermarketItem.active, SupermarketItem.stock <= SupermarketItem.low_stock_at)
    stock = {row[0]: row[1:] for row in db.session.execute(
        select(SupermarketItem.supermarket_id, func.count(), func.sum(case((SupermarketItem.active, 1), else_=0)),
               func.sum(SupermarketItem.stock), func.sum(SupermarketItem.stock * SupermarketItem.price_points),
               func.sum(case((low, 1), else_=0)))
        .where(SupermarketItem.supermarket_id.in_(shop_ids))
        .group_by(SupermarketItem.supermarket_id)
    ).all()}
    shop_rows = []
    for shop in shops:
        items, active, units, value, short = (int(v or 0) for v in stock.get(shop.id, (0, 0, 0, 0, 0)))
        shop_rows.append({"supermarket_id": shop.id, "name_zh": shop.name_zh, "name_en": shop.name_en,
                          "community_id": shop.community_id, **_names(communities[shop.community_id]),
                          "active": shop.active, "items": items, "active_items": active, "stock": units,
                          "stock_points": value, "low_stock": short, **per_shop[shop.id]})

    # donors' intake (stock received, never bought: valued at the item's price in points today)
    index = month_index(StockMovement.created_at, months)
    intake = db.session.execute(
        select(index.label("m"), StockMovement.donor_kind, StockMovement.donor_name, func.count(),
               func.sum(StockMovement.quantity), func.sum(StockMovement.quantity * SupermarketItem.price_points))
        .join(SupermarketItem, SupermarketItem.id == StockMovement.item_id)
        .where(StockMovement.supermarket_id.in_(shop_ids), StockMovement.kind == "intake",
               in_months(StockMovement.created_at, months))
        .group_by(index, StockMovement.donor_kind, StockMovement.donor_name)
    ).all()
    donors = [{"month": months[m][0], "donor_kind": kind, "donor_name": name, "intakes": int(n),
               "quantity": int(q), "points_value": int(v)} for m, kind, name, n, q, v in intake if m is not None]
    donors.sort(key=lambda r: (r["month"], -r["points_value"], r["donor_name"]))
    totals = {key: sum(row[key] for row in month_rows)
              for key in ("orders", "points_spent", "cancelled", "points_refunded", "points_net")}
    totals.update(stock=sum(r["stock"] for r in shop_rows), stock_points=sum(r["stock_points"] for r in shop_rows),
                  donated_quantity=sum(r["quantity"] for r in donors),
                  donated_points=sum(r["points_value"] for r in donors))
    return {"from": months[0][0], "to": months[-1][0], "months": month_rows, "shops": shop_rows,
            "donors": donors, "totals": totals}


# --- the merchant alliance (信用商家联盟) ------------------------------------------------------

def _merchants_in_scope(principal, args, communities):
    stmt = select(Merchant, CreditSubject.score_delta).outerjoin(
        CreditSubject, CreditSubject.merchant_id == Merchant.id
    ).where(Merchant.district_id == principal.district_id)
    whole_district = (principal.communities() is None and args.get("town_id") is None
                      and args.get("community_id") is None)
    where = Merchant.community_id.in_(communities)
    stmt = stmt.where(or_(where, Merchant.community_id.is_(None)) if whole_district else where)
    return db.session.execute(stmt.order_by(Merchant.id)).all()


def merchants_report(principal, args):
    """Per local month: discounts given (valid sales: count, bills and discount in fen; voided ones
    apart) and ratings (count, average stars). Per merchant: its credit score and level (A…E under
    the policy in force) and the same figures over the period; ``levels`` counts approved merchants
    per level."""
    scope = report_scope(principal, args.get("town_id"), args.get("community_id"))
    months = months_between(args.get("from"), args.get("to"))
    communities = {c.id: c for c, _t in scope}
    merchants = _merchants_in_scope(principal, args, communities)
    ids = [m.id for m, _delta in merchants]
    policy = district_policy(principal.district_id)

    index = month_index(Sale.created_at, months)
    valid = Sale.status == "valid"
    sales = db.session.execute(
        select(Sale.merchant_id, index.label("m"), func.sum(case((valid, 1), else_=0)),
               func.sum(case((valid, Sale.bill_amount), else_=0)), func.sum(case((valid, Sale.discount_amount), else_=0)),
               func.sum(case((valid, 0), else_=1)))
        .where(Sale.merchant_id.in_(ids), in_months(Sale.created_at, months))
        .group_by(Sale.merchant_id, index)
    ).all()
    rindex = month_index(MerchantRating.created_at, months)
    ratings = db.session.execute(
        select(MerchantRating.merchant_id, rindex.label("m"), func.count(), func.sum(MerchantRating.stars))
        .where(MerchantRating.merchant_id.in_(ids), in_months(MerchantRating.created_at, months))
        .group_by(MerchantRating.merchant_id, rindex)
    ).all()

    zero = {"sales": 0, "bill_amount": 0, "discount_amount": 0, "voided": 0, "ratings": 0, "stars_sum": 0}
    month_rows = [{"month": label, **zero} for label, _s, _e in months]
    per_merchant = {i: dict(zero) for i in ids}
    for merchant_id, m, count, bills, discount, voided in sales:
        if m is None:
            continue
        for target in (month_rows[m], per_merchant[merchant_id]):
            target["sales"] += int(count)
            target["bill_amount"] += int(bills)
            target["discount_amount"] += int(discount)
            target["voided"] += int(voided)
    for merchant_id, m, count, stars in ratings:
        if m is None:
            continue
        for target in (month_rows[m], per_merchant[merchant_id]):
            target["ratings"] += int(count)
            target["stars_sum"] += int(stars)

    def finish(row):
        stars_sum = row.pop("stars_sum")
        row["average_rating"] = round(stars_sum / row["ratings"], 2) if row["ratings"] else None
        return row

    levels = dict.fromkeys(LEVELS, 0)
    names = {c.id: c for c in db.session.execute(
        select(Community).where(Community.id.in_({m.community_id for m, _d in merchants} - {None}))).scalars()}
    merchant_rows = []
    for merchant, delta in merchants:
        score = int(policy.base_score + (delta or 0))
        level = merchant_level_for(score, policy)
        if merchant.status == "approved":
            levels[level] += 1
        merchant_rows.append(finish({
            "merchant_id": merchant.id, "name": merchant.name, "category": merchant.category,
            "status": merchant.status, "community_id": merchant.community_id,
            **_names(names.get(merchant.community_id)), "score": score, "level": level,
            **per_merchant[merchant.id]}))
    merchant_rows.sort(key=lambda r: (-r["discount_amount"], -r["sales"], r["merchant_id"]))
    totals = {key: sum(r[key] for r in month_rows) for key in ("sales", "bill_amount", "discount_amount", "voided",
                                                                "ratings")}
    stars_total = sum(r["stars_sum"] for r in month_rows)
    totals["average_rating"] = round(stars_total / totals["ratings"], 2) if totals["ratings"] else None
    return {"from": months[0][0], "to": months[-1][0], "months": [finish(r) for r in month_rows],
            "merchants": merchant_rows, "levels": [{"level": k, "merchants": v} for k, v in levels.items()],
            "totals": totals}
