"""The demo alliance: discounts per star for every merchant, a few validated sales (on the days
before seeding) with ratings and a reply, one more approved merchant and one waiting for approval.

Everything goes through the merchants service (codes are issued and spent, merchant credit is
earned). Idempotent: discounts are set once, sales only for a merchant that has none, extra
merchants are found by name.
"""
from datetime import timedelta

from sqlalchemy import select

from backend.auth.models import User
from backend.auth.service import roles_claim
from backend.cards import service as cards
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import service as credit
from backend.extensions import db
from backend.merchants import service
from backend.merchants.models import Merchant, MerchantDiscount, Sale

#: the rate per star level each demo merchant chooses (clamped into the district's bounds)
DISCOUNTS = {
    "barber": {3: 5, 4: 10, 5: 20},  # Wendeng's 5%–20%
    "bathhouse": {3: 8, 4: 12, 5: 15},
    "car_wash": {3: 10, 4: 15, 5: 20},
}
EXTRA_MERCHANTS = [
    ({"name": "老李水暖维修", "category": "plumbing", "address": "文登区峰山路3号", "licence_no": "91371081MA3C0004",
      "contact_name": "李师傅", "contact_phone": "13906310004"}, "approve"),
    ({"name": "家和餐馆", "category": "restaurant", "address": "文登区天福路18号", "licence_no": "91371081MA3C0005",
      "contact_name": "周老板", "contact_phone": "13906310005"}, None),
]
RATINGS = [(5, "理发手艺好，老人优惠很实在"), (4, "干净，服务热情"), (2, "排队时间太长"), (5, None)]
BILLS = [3000, 2500, 6800, 4500, 12000]


def _merchant_principal(user):
    return Principal(kind="merchant", id=user.id, district_id=user.district_id, merchant_id=user.merchant_id,
                     name=user.display_name)


def _admin(context):
    admin = context["users"]["admin"]
    return Principal(kind="staff", id=admin.id, district_id=admin.district_id, roles=roles_claim(admin),
                     name=admin.display_name)


def _extra_merchants(context):
    made = 0
    admin = _admin(context)
    for data, action in EXTRA_MERCHANTS:
        found = db.session.execute(
            select(Merchant).where(Merchant.district_id == admin.district_id, Merchant.name == data["name"])
        ).scalar_one_or_none()
        if found is None:
            found = service.create_merchant(admin, dict(data))
            if action:
                service.change_status(admin, found.id, action)
            made += 1
    return made


def _discounts(merchant, staff):
    if db.session.execute(select(MerchantDiscount.id).where(MerchantDiscount.merchant_id == merchant.id)).first():
        return False
    wanted = DISCOUNTS.get(merchant.category, {})
    levels = [{"stars": row["stars"],
               "percent": min(max(wanted.get(row["stars"], row["min_percent"]), row["min_percent"]),
                              row["max_percent"])}
              for row in service.discount_table(merchant)]
    for lower, higher in zip(levels, levels[1:]):  # never less for more stars
        higher["percent"] = max(higher["percent"], lower["percent"])
    service.set_discounts(_merchant_principal(staff), levels)
    return True


def _sales(merchant, staff, customers, rng):
    if db.session.execute(select(Sale.id).where(Sale.merchant_id == merchant.id)).first():
        return 0, 0
    principal = _merchant_principal(staff)
    made, rated = 0, 0
    chosen = rng.sample(customers, min(len(customers), len(BILLS)))
    for n, resident in enumerate(chosen):
        code = cards.issue_dynamic_code(resident)["token"]
        # on the days before seeding, so the merchant's daily credit cap is untouched on the demo's first day
        sale = service.record_sale(principal, code, BILLS[n], now=utcnow() - timedelta(days=n + 1, hours=n * 2))
        made += 1
        if n < len(RATINGS):
            stars, comment = RATINGS[n]
            rating = service.rate_sale(resident.id, sale["id"], stars, comment)
            rated += 1
            if stars <= 2:
                service.reply_to_rating(principal, rating.id, "抱歉让您久等，已增加周末人手。")
    db.session.flush()
    return made, rated


def seed(context):
    summary = context.get("summary", {})
    summary["alliance_merchants_created"] = _extra_merchants(context)
    customers = [r for r in context["residents"] if credit.resident_standing(r.id)["stars"] >= 3]
    sales = ratings = discounts = 0
    for merchant in context["merchants"]:
        staff = db.session.execute(select(User).where(User.merchant_id == merchant.id).order_by(User.id)).scalars().first()
        if staff is None or merchant.status != "approved":
            continue
        discounts += _discounts(merchant, staff)
        made, rated = _sales(merchant, staff, customers, context["rng"])
        sales, ratings = sales + made, ratings + rated
    summary.update(discount_tables_set=discounts, sales_created=sales, ratings_created=ratings)
