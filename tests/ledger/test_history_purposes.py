"""Each line of a resident's points history says what it was for (the rule's title and the volunteer
activity, the supermarket and its goods, the staff's reason; a refund what it gave back) and the balance it
left, in a bounded number of statements however long the page."""
from datetime import date, datetime, timedelta

from backend.credit import catalogue
from backend.credit import service as credit
from backend.extensions import db
from backend.supermarket import service as supermarket
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation
from tests.credit.conftest import principal_of
from tests.perf.test_statement_budgets import counting


def _item(district, code, points, title_zh, title_en, category="environment", variable=False):
    catalogue.create_item(None, {
        "district_id": district.id, "scope": "district", "subject_type": "resident", "code": code,
        "title_zh": title_zh, "title_en": title_en, "category": category, "points": points,
        "variable_points": variable, "active": True, "effective_from": date(2020, 1, 1)}, actor="test")
    db.session.commit()
    return catalogue.find_item(code, district_id=district.id)


def _scene(district, community, resident, worker):
    _item(district, "river_cleanup", 20, "清理河道垃圾", "Cleaning the river")
    credit.record_system_credit(district_id=district.id, subject_type="resident", subject_id=resident.id,
                                item_code="river_cleanup", source_ref="test:river")
    volunteer = _item(district, "volunteer_service", 6, "志愿服务", "Volunteer service", "volunteering")
    record = credit.record_system_credit(district_id=district.id, subject_type="resident", subject_id=resident.id,
                                         item_code="volunteer_service", source_ref="test:activity")
    start = datetime(2026, 5, 1, 1)
    activity = VolunteerActivity(district_id=district.id, item_id=volunteer.id, title_zh="敬老院陪老人",
                                 title_en="Visiting the care home", place="敬老院", starts_at=start,
                                 ends_at=start + timedelta(hours=2), capacity=5, points_per_hour=3,
                                 status="settled", organiser_id=worker.id)
    activity.communities = [VolunteerActivityCommunity(community_id=community.id)]
    db.session.add(activity)
    db.session.flush()
    db.session.add(VolunteerParticipation(district_id=district.id, activity_id=activity.id, resident_id=resident.id,
                                          status="confirmed", checked_in_at=start, credited_minutes=120, points=6,
                                          settled_at=start, credit_record_id=record.id))
    shop = Supermarket(district_id=district.id, community_id=community.id, name_zh="西楼村信用超市",
                       name_en="Xilou credit supermarket")
    shop.served = [SupermarketCommunity(community_id=community.id)]
    db.session.add(shop)
    db.session.flush()
    goods = []
    for zh, en, price in (("大米", "Rice", 5), ("食用油", "Cooking oil", 3)):
        item = SupermarketItem(district_id=district.id, supermarket_id=shop.id, name_zh=zh, name_en=en,
                               category="grain_oil", photo="/kiosk/img/rice.svg", price_points=price, stock=0)
        db.session.add(item)
        db.session.flush()
        supermarket.move_stock(item, 10, "intake", actor="test", donor_name="米山镇人民政府", donor_kind="government")
        goods.append(item)
    db.session.commit()
    kept = supermarket.redeem_order(resident, shop.id, [{"item_id": goods[0].id, "quantity": 2}],
                                    actor=f"kiosk_resident:{resident.id}")
    cancelled = supermarket.redeem_order(resident, shop.id, [{"item_id": goods[1].id, "quantity": 1}],
                                         actor=f"kiosk_resident:{resident.id}")
    db.session.commit()
    supermarket.cancel_order(principal_of(worker), cancelled.id, "居民改主意了")
    db.session.commit()
    return kept


def test_points_history_lines_say_what_they_were_for_and_the_balance_they_left(
        client, auth, district, community, make_resident, make_staff):
    resident = make_resident(community)
    worker = make_staff(worker=[community])
    admin = make_staff(district_admin=True)
    _scene(district, community, resident, worker)
    granted = client.post("/api/v1/ledger/adjustments", headers=auth(admin), json={
        "resident_id": resident.id, "direction": "grant", "amount": 4, "reason": "补录2025年积分"})
    assert granted.status_code == 201, granted.get_json()

    page = client.get("/api/v1/me/ledger?per_page=50", headers=auth(resident)).get_json()
    lines = [(line["kind"], line["delta"], line["for_zh"], line["for_en"], line["balance_after"])
             for line in page["items"]]
    assert page["balance"] == 20 + 6 - 10 - 3 + 3 + 4 == 20
    assert lines == [
        ("adjustment", 4, "补录2025年积分", "补录2025年积分", 20),
        ("redemption_refund", 3, "西楼村信用超市：食用油×1", "Xilou credit supermarket: Cooking oil ×1", 16),
        ("redemption", -3, "西楼村信用超市：食用油×1", "Xilou credit supermarket: Cooking oil ×1", 13),
        ("redemption", -10, "西楼村信用超市：大米×2", "Xilou credit supermarket: Rice ×2", 16),
        ("credit_award", 6, "志愿服务 · 敬老院陪老人", "Volunteer service · Visiting the care home", 26),
        ("credit_award", 20, "清理河道垃圾", "Cleaning the river", 20),
    ]
    assert page["items"][1]["for_kind"] == "redemption"  # a refund says what it gave back

    # page by page, the balances run on from the newer page
    second = client.get("/api/v1/me/ledger?per_page=4&page=2", headers=auth(resident)).get_json()
    assert [(line["delta"], line["balance_after"]) for line in second["items"]] == [(6, 26), (20, 20)]
    # the staff's view of the same history says the same
    staff = client.get(f"/api/v1/residents/{resident.id}/ledger?per_page=2",
                       headers=auth(make_staff(reviewer=[community]))).get_json()
    assert [line["for_zh"] for line in staff["items"]] == ["补录2025年积分", "西楼村信用超市：食用油×1"]


def test_points_history_describes_a_long_page_in_a_fixed_number_of_statements(
        client, auth, district, community, make_resident, make_staff):
    resident = make_resident(community)
    worker = make_staff(worker=[community])
    _scene(district, community, resident, worker)
    headers = auth(resident)
    district_id, resident_id = district.id, resident.id
    client.get("/api/v1/me/ledger?per_page=2&page=2", headers=headers)  # warm-up, as a running process
    with counting() as few:
        assert client.get("/api/v1/me/ledger?per_page=2&page=2", headers=headers).status_code == 200
    for n in range(12):
        _item(db.session.merge(district), f"deed_{n}", 1, f"好事{n}", f"Good deed {n}")
        credit.record_system_credit(district_id=district_id, subject_type="resident", subject_id=resident_id,
                                    item_code=f"deed_{n}", source_ref=f"test:deed:{n}")
    db.session.commit()
    with counting() as many:
        page = client.get("/api/v1/me/ledger?per_page=20&page=1", headers=headers).get_json()
    assert len(page["items"]) == 17 and all(line["for_zh"] for line in page["items"])
    # a page of every kind of cause costs no more than a page of two lines (one query per kind, not per line)
    assert many.count() <= few.count(), many.report()
