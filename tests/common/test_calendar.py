"""One local calendar: credit caps and supermarket limits count the same days, at any UTC offset."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from backend.common.calendar import local_date, period_bounds
from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit import service as credit
from backend.errors import Conflict
from backend.extensions import db
from backend.supermarket import service as supermarket
from backend.supermarket.models import SupermarketOrder


def _last_month_boundary():
    """00:00 on the first day of last month, as a wall-clock time: safely in the past."""
    first_of_this_month = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first_of_this_month - timedelta(days=1)).replace(day=1)


def test_period_follows_the_configured_offset(app):
    moment = datetime(2026, 6, 30, 20, 0)  # 20:00 UTC: still June at UTC+0, already 1 July at UTC+8
    app.config["CREDIT_UTC_OFFSET_HOURS"] = 8
    assert local_date(moment) == date(2026, 7, 1)
    assert period_bounds("month", moment) == (datetime(2026, 6, 30, 16), datetime(2026, 7, 31, 16))
    app.config["CREDIT_UTC_OFFSET_HOURS"] = 0
    assert local_date(moment) == date(2026, 6, 30)
    assert period_bounds("month", moment) == (datetime(2026, 6, 1), datetime(2026, 7, 1))


@pytest.mark.parametrize("offset_hours", [0, 8])
def test_monthly_redemption_limit_and_credit_cap_agree_on_the_day(app, offset_hours, community, make_resident,
                                                                   make_supermarket, make_item, give_points):
    app.config["CREDIT_UTC_OFFSET_HOURS"] = offset_hours
    boundary = _last_month_boundary() - timedelta(hours=offset_hours)  # local midnight, in naive UTC
    before, after = boundary - timedelta(minutes=1), boundary + timedelta(minutes=1)
    resident = make_resident(community)

    # credit: one deed a month; a deed just before midnight and one just after are in two months
    deed = catalogue.create_item(None, {
        "district_id": community.district_id, "code": "village_cleanup", "scope": "district",
        "subject_type": "resident", "town_id": None, "community_id": None, "title_zh": "打扫村道",
        "title_en": "Village clean-up", "category": "environment", "points": 2, "variable_points": False,
        "cap_count": 1, "cap_period": "month", "evidence_required": False, "severity": None, "active": True,
        "effective_from": date(2020, 1, 1)}, actor="test")
    credit.create_record("system", resident.id, deed["id"], before)
    credit.create_record("system", resident.id, deed["id"], after)
    with pytest.raises(Conflict) as capped:
        credit.create_record("system", resident.id, deed["id"], before - timedelta(days=1))
    assert capped.value.code == "cap_reached"
    db.session.commit()

    # supermarket: one bag of rice a month; an order placed just before midnight counts in the old month only
    shop = make_supermarket(community)
    rice = make_item(shop, stock=5, price=5, limit=(1, "month"))
    give_points(resident, 50)
    order = supermarket.redeem_order(resident, shop.id, [{"item_id": rice.id, "quantity": 1}], actor="test")
    db.session.execute(update(SupermarketOrder).where(SupermarketOrder.id == order.id).values(created_at=before))
    db.session.commit()
    assert supermarket.used_in_period(resident.id, [rice], now=before + timedelta(seconds=30)) == {rice.id: 1}
    assert supermarket.used_in_period(resident.id, [rice], now=after) == {rice.id: 0}
