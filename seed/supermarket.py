"""Demo credit supermarkets (信用超市 / 爱心超市): shops, items with photos, donors' intakes,
the demo kiosk attached to the 西楼村 shop, and a few orders. Idempotent: shops and items are
found by name, intakes are only made for new items, orders only when the shop has none.
"""
from sqlalchemy import select

from backend.auth.service import roles_claim
from backend.common.auth import Principal
from backend.extensions import db
from backend.ledger import service as ledger
from backend.supermarket import service
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem, SupermarketOrder

SHOPS = [
    # community, served communities, 中文, English, address
    ("XL", ["DL"], "西楼村信用超市", "Xilou Village Credit Supermarket", "西楼村村委会一楼"),
    ("LSC", ["MSC"], "龙山街道爱心超市", "Longshan Street Love Supermarket", "龙山社区服务中心"),
]
DONORS = {
    "government": "米山镇人民政府",
    "school": "米山中学教师志愿队",
    "company": "文登鑫达建材有限公司",
    "individual": "王建国（爱心人士）",
}
# 中文, English, category, photo, points, (limit, period) or None, [(donor kind, quantity)]
ITEMS = [
    ("大米（5公斤）", "Rice (5 kg)", "grain_oil", "rice", 50, (2, "month"), [("government", 30), ("company", 10)]),
    ("食用油（5升）", "Cooking oil (5 l)", "grain_oil", "oil", 60, (1, "month"), [("government", 20)]),
    ("挂面", "Noodles", "food", "noodles", 10, (4, "month"), [("company", 40)]),
    ("肥皂", "Soap", "cleaning", "soap", 5, None, [("individual", 50)]),
    ("洗衣粉", "Washing powder", "cleaning", "detergent", 15, (2, "month"), [("company", 24)]),
    ("牙膏", "Toothpaste", "daily", "toothpaste", 8, None, [("school", 30)]),
    ("毛巾", "Towel", "textiles", "towel", 12, (2, "month"), [("individual", 4)]),
    ("笔记本（学生用）", "Exercise book", "stationery", "notebook", 3, (5, "month"), []),
]
LOW_STOCK_AT = 5


def _ensure_shop(district, communities, row):
    code, served, name_zh, name_en, address = row
    shop = db.session.execute(
        select(Supermarket).where(Supermarket.district_id == district.id, Supermarket.name_zh == name_zh)
    ).scalar_one_or_none()
    if shop is not None:
        return shop, False
    shop = Supermarket(district_id=district.id, community_id=communities[code].id, name_zh=name_zh, name_en=name_en,
                       address=address)
    shop.served = [SupermarketCommunity(community_id=communities[c].id) for c in [code, *served]]
    db.session.add(shop)
    db.session.flush()
    return shop, True


def _ensure_item(shop, row):
    name_zh, name_en, category, photo, points, limit, intakes = row
    item = db.session.execute(
        select(SupermarketItem).where(SupermarketItem.supermarket_id == shop.id, SupermarketItem.name_zh == name_zh)
    ).scalar_one_or_none()
    if item is not None:
        return item, False
    item = SupermarketItem(
        district_id=shop.district_id, supermarket_id=shop.id, name_zh=name_zh, name_en=name_en, category=category,
        photo=f"/kiosk/img/{photo}.svg", price_points=points, stock=0, low_stock_at=LOW_STOCK_AT,
        limit_quantity=limit[0] if limit else None, limit_period=limit[1] if limit else None,
    )
    db.session.add(item)
    db.session.flush()
    for kind, quantity in intakes:
        service.move_stock(item, quantity, "intake", actor="seed", donor_name=DONORS[kind], donor_kind=kind,
                           note="演示数据 / demo donation")
    return item, True


def _seed_orders(shop, items, residents, worker):
    """A collected and a waiting order at the shop, for residents who have the points."""
    if db.session.execute(select(SupermarketOrder.id).where(SupermarketOrder.supermarket_id == shop.id)).first():
        return 0
    served = set(shop.served_community_ids)
    buyers = [r for r in residents if r.community_id in served and ledger.balance_of("resident", r.id) >= 30][:2]
    made = 0
    for index, resident in enumerate(buyers):
        lines = [{"item_id": items["肥皂"].id, "quantity": 2}, {"item_id": items["挂面"].id, "quantity": 1}]
        order = service.redeem_order(resident, shop.id, lines, actor="seed", key=f"seed:{shop.id}:{index}")
        if index == 0 and worker is not None:
            service.collect_order(worker, order.pickup_code)
        made += 1
    return made


def seed(context):
    district, communities, users = context["district"], context["communities"], context["users"]
    summary = context["summary"]
    worker = users.get("worker1")
    principal = Principal(kind="staff", id=worker.id, district_id=district.id, roles=roles_claim(worker),
                          name=worker.display_name) if worker else None
    shops = {}
    for row in SHOPS:
        shop, _ = _ensure_shop(district, communities, row)
        shops[row[0]] = shop
        items = {}
        for item_row in ITEMS if row[0] == "XL" else ITEMS[:6]:
            items[item_row[0]], _ = _ensure_item(shop, item_row)
        if row[0] == "XL":
            summary["supermarket_orders"] = _seed_orders(shop, items, context["residents"], principal)
    kiosk = context.get("kiosk")
    if kiosk is not None and kiosk.supermarket_id is None:
        kiosk.supermarket_id = shops["XL"].id
    db.session.flush()
    summary["supermarkets"] = len(shops)
