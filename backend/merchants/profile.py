"""A merchant's public face: status labels, discounts in force, ratings and credit standing.

Reads only, and nothing of cards: the card page and a scan show a merchant through this module,
while ``service`` builds on cards (door cards, discount codes). So cards and merchants meet in
one direction: ``cards.service`` → ``merchants.profile``; ``merchants.service`` → ``cards.service``.
"""
from sqlalchemy import bindparam, func, select

from ..credit import service as credit
from ..extensions import db
from .models import CATEGORIES, MerchantDiscount, MerchantRating


STATUS_LABELS = {
    "pending": ("待审核", "Pending approval"),
    "approved": ("联盟商家", "Alliance member"),
    "suspended": ("暂停优惠", "Suspended"),
    "expelled": ("已退出联盟", "Expelled from the alliance"),
}


def _bounds(district_id):
    """{stars: (min %, max %)} of the policy in force; levels not listed get no discount."""
    return dict(sorted(credit.district_policy(district_id).discount_bounds.items()))


def _stored(merchant_id):
    rows = db.session.execute(select(MerchantDiscount).where(MerchantDiscount.merchant_id == merchant_id))
    return {row.stars: row.percent for row in rows.scalars()}


def discount_table(merchant, stored=None):
    """Per discounted star level: the rate in force (set, or the lower bound) and the bounds.

    ``stored`` ({stars: percent}) when the caller read the merchant's rates already.
    """
    stored = _stored(merchant.id) if stored is None else stored
    table = []
    for stars, (low, high) in _bounds(merchant.district_id).items():
        percent = min(max(stored.get(stars, low), low), high)
        table.append({"stars": stars, "percent": percent, "min_percent": low, "max_percent": high,
                      "set_by_merchant": stars in stored})
    return table


def _stats(count, average):
    return {"count": count, "average": round(float(average), 1) if average is not None else None}


def rating_stats(merchant_id):
    count, average = db.session.execute(
        select(func.count(MerchantRating.id), func.avg(MerchantRating.stars))
        .where(MerchantRating.merchant_id == merchant_id)
    ).one()
    return _stats(count, average)


def credit_standing(merchant):
    return credit.subject_score("merchant", merchant.id, district_id=merchant.district_id)


def category_labels(code):
    return CATEGORIES.get(code, (code, code))


def public_summary(merchant):
    """Name, category and alliance status: what a scanner learns of a door card."""
    zh, en = category_labels(merchant.category)
    return {"name": merchant.name, "category": merchant.category, "category_zh": zh, "category_en": en,
            "status": merchant.status}


_RATINGS = MerchantRating.__table__
#: the newest ratings and, over all of them (window functions run before LIMIT), their count and average: one
#: statement where there were two. Core rows, built once: the shop's public page is a hot read (STYLE rule 12)
_NEWEST_RATINGS = (
    select(_RATINGS.c.stars, _RATINGS.c.comment, _RATINGS.c.hidden_at, _RATINGS.c.reply, _RATINGS.c.created_at,
           func.count().over().label("count"), func.avg(_RATINGS.c.stars).over().label("avg"))
    .where(_RATINGS.c.merchant_id == bindparam("merchant_id"))
    .order_by(_RATINGS.c.id.desc()).limit(bindparam("recent"))
)


def public_profile(merchant, *, full=True, recent=10, standing=None, stored=None):
    """The public card page of a merchant: public data only (no licence, contact or staff).

    ``standing`` (``credit.subject_score``) and ``stored`` ({stars: percent}) when the caller read them
    with the merchant, in the same statement (the card page).
    """
    out = public_summary(merchant)
    out["status_zh"], out["status_en"] = STATUS_LABELS[merchant.status]
    if not full:
        return out
    standing = credit_standing(merchant) if standing is None else standing
    ratings = db.session.execute(_NEWEST_RATINGS, {"merchant_id": merchant.id, "recent": recent}).all()
    stats = _stats(ratings[0].count, ratings[0].avg) if ratings else _stats(0, None)
    out.update(
        address=merchant.address,
        level=standing["level"],
        discounts=[{"stars": d["stars"], "percent": d["percent"]} for d in discount_table(merchant, stored)]
        if merchant.status == "approved" else [],
        ratings=stats,
        recent_ratings=[
            {"stars": r.stars, "comment": None if r.hidden_at else r.comment, "hidden": r.hidden_at is not None,
             "reply": None if r.hidden_at else r.reply, "created_at": r.created_at}
            for r in ratings
        ],
    )
    return out
