"""Reports on objections, repairs, volunteering, credit supermarkets and merchants: exact numbers from
hand-built data, the supermarket's points reconciled with the ledger, scope, and the XLSX downloads."""
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from backend.common.calendar import local_date
from backend.common.time import utcnow
from backend.credit import service as credit
from backend.credit.models import CreditSubject, Objection, RepairRequest
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.models import Account, Transfer
from backend.merchants.models import MerchantRating, Sale
from backend.supermarket import service as supermarket
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem, SupermarketOrder
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation
from tests.credit.conftest import principal_of
from tests.fixtures import assert_problem

MARCH, APRIL = "2026-03", "2026-04"
NEW_PATHS = ["objections", "repairs", "volunteering", "supermarkets", "merchants"]


def at(month, day, hour=4):
    """A naive UTC time; 04:00 UTC is noon in the district (UTC+8)."""
    year, mon = map(int, month.split("-"))
    return datetime(year, mon, day, hour)


def get(client, auth, who, path, **query):
    query.setdefault("from", MARCH)
    query.setdefault("to", APRIL)
    response = client.get(f"/api/v1/reports/{path}", query_string=query, headers=auth(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def sheet_rows(response, index=0):
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return list(book.worksheets[index].iter_rows(values_only=True)), book.sheetnames


# --- objections and repairs ------------------------------------------------------------------

@pytest.fixture
def due_process(village, make_item):
    """Objections and repairs on alice's records, filed in March and April; one in the other village."""
    good = make_item("brave_deed", 60)
    bad = make_item("littering", -2)
    worker = principal_of(village.worker)
    yesterday = utcnow() - timedelta(days=1)
    award = credit.create_record(worker, village.alice.id, good.id, yesterday)
    minus = credit.create_record(worker, village.alice.id, bad.id, yesterday)
    elsewhere = credit.create_record(principal_of(village.outsider_worker), village.stranger.id, good.id, yesterday)

    def objection(record, community, filed, status="open", due=None, decided=None):
        db.session.add(Objection(district_id=community.district_id, community_id=community.id, record_id=record.id,
                                 objector_resident_id=village.alice.id, reason="分数不对", status=status,
                                 due_at=due or filed + timedelta(days=7), decided_at=decided, created_at=filed))

    mine = village.community
    objection(award, mine, at(MARCH, 2), "upheld", decided=at(MARCH, 5))
    objection(award, mine, at(MARCH, 10), "dismissed", decided=at(MARCH, 25))  # decided after the 7 days
    objection(award, mine, at(MARCH, 20))  # still open, long past due
    # 31 March 20:00 UTC is 1 April 04:00 in the district: an April objection, due in the future
    objection(award, mine, datetime(2026, 3, 31, 20), due=utcnow() + timedelta(days=3))
    objection(elsewhere, village.other, at(MARCH, 3))

    def repair(status, filed, record=minus, community=mine):
        db.session.add(RepairRequest(district_id=community.district_id, community_id=community.id, record_id=record.id,
                                     resident_id=village.alice.id, commitment="以后不再乱扔", status=status,
                                     created_at=filed, decided_at=None if status == "pending" else filed))

    repair("approved", at(MARCH, 4))
    repair("rejected", at(MARCH, 8))
    repair("pending", at(APRIL, 9))
    repair("approved", at(APRIL, 9), record=elsewhere, community=village.other)  # not a minus, other village
    db.session.commit()
    return village


def test_objections_report_counts_outcomes_and_overdue_by_local_month_filed(client, auth, due_process):
    body = get(client, auth, due_process.reviewer, "objections")
    march, april = body["months"]
    assert march == {"month": MARCH, "filed": 3, "upheld": 1, "dismissed": 1, "open": 1, "overdue": 1,
                     "decided_late": 1}
    assert april == {"month": APRIL, "filed": 1, "upheld": 0, "dismissed": 0, "open": 1, "overdue": 0,
                     "decided_late": 0}
    assert body["totals"]["filed"] == 4
    # the district sees the other village's objection too; the month range is respected
    whole = get(client, auth, due_process.admin, "objections")
    assert whole["totals"]["filed"] == 5
    assert get(client, auth, due_process.admin, "objections", **{"from": APRIL})["totals"]["filed"] == 1
    town = get(client, auth, due_process.admin, "objections", town_id=due_process.other.town_id)
    assert [m["filed"] for m in town["months"]] == [1, 0]


def test_repairs_report_counts_decisions_and_the_points_given_back(client, auth, due_process):
    body = get(client, auth, due_process.admin, "repairs", community_id=due_process.community.id)
    assert body["months"] == [
        {"month": MARCH, "applied": 2, "approved": 1, "rejected": 1, "pending": 0, "points_restored": 2},
        {"month": APRIL, "applied": 1, "approved": 0, "rejected": 0, "pending": 1, "points_restored": 0},
    ]
    assert get(client, auth, due_process.admin, "repairs")["totals"]["applied"] == 4


# --- volunteering --------------------------------------------------------------------------------

@pytest.fixture
def volunteering(village, make_item):
    """March: alice 120 min, bob 60, stranger 30 (other village), carol 45 whose record review rejected;
    April: alice 90 and an unsettled sign-up of bob's."""
    item = make_item("volunteer_service", 1, variable=True)

    def activity(starts_at):
        row = VolunteerActivity(district_id=village.community.district_id, item_id=item.id, title_zh="清扫河道",
                                title_en="River clean-up", place="河边", starts_at=starts_at,
                                ends_at=starts_at + timedelta(hours=4), capacity=20, points_per_hour=10,
                                status="settled", organiser_id=village.worker.id)
        row.communities = [VolunteerActivityCommunity(community_id=village.community.id)]
        db.session.add(row)
        db.session.flush()
        return row

    def served(row, resident, minutes, settled=True, record_id=None):
        db.session.add(VolunteerParticipation(
            district_id=resident.district_id, activity_id=row.id, resident_id=resident.id, status="confirmed",
            checked_in_at=row.starts_at, checked_out_at=row.starts_at + timedelta(minutes=minutes),
            credited_minutes=minutes if settled else None, points=minutes // 6 if settled else None,
            settled_at=row.ends_at if settled else None, credit_record_id=record_id))

    march, april = activity(at(MARCH, 15)), activity(at(APRIL, 2))
    rejected = credit.create_record(principal_of(village.worker), village.carol.id, item.id,
                                    utcnow() - timedelta(days=1), points=5)
    rejected.status = "rejected"
    served(march, village.alice, 120)
    served(march, village.bob, 60)
    served(march, village.stranger, 30)
    served(march, village.carol, 45, record_id=rejected.id)
    served(april, village.alice, 90)
    served(april, village.bob, 60, settled=False)
    db.session.commit()
    return village


def test_volunteering_report_gives_hours_and_volunteers_per_village_and_month(client, auth, volunteering):
    v = volunteering
    body = get(client, auth, v.admin, "volunteering")
    cells = {(r["month"], r["community_id"]): (r["volunteers"], r["activities"], r["minutes"], r["hours"], r["points"])
             for r in body["rows"]}
    assert cells == {(MARCH, v.community.id): (2, 1, 180, 3.0, 30), (MARCH, v.other.id): (1, 1, 30, 0.5, 5),
                     (APRIL, v.community.id): (1, 1, 90, 1.5, 15)}
    assert body["months"] == [{"month": MARCH, "volunteers": 3, "minutes": 210, "hours": 3.5},
                              {"month": APRIL, "volunteers": 1, "minutes": 90, "hours": 1.5}]
    # over the period alice counts once in her village
    first = body["villages"][0]
    assert (first["community_id"], first["volunteers"], first["minutes"], first["hours"]) == (
        v.community.id, 2, 270, 4.5)
    # a town narrows it to its villages
    town = get(client, auth, v.admin, "volunteering", town_id=v.other.town_id)
    assert {r["community_id"] for r in town["rows"]} == {v.other.id} and town["months"][0]["minutes"] == 30
    # a worker sees their own village only
    mine = get(client, auth, v.worker, "volunteering")
    assert {r["community_id"] for r in mine["rows"]} == {v.community.id}
    assert [r["community_id"] for r in mine["villages"]] == [v.community.id]


# --- supermarkets --------------------------------------------------------------------------------

def _month_labels():
    this = local_date(utcnow()).replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return f"{last:%Y-%m}", f"{this:%Y-%m}"


@pytest.fixture
def shop_life(village):
    """A shop in the village: rice given by the town last month, oil by a school this month; three real
    redemptions (one of last month), one cancelled."""
    v = village
    shop = Supermarket(district_id=v.community.district_id, community_id=v.community.id, name_zh="西楼爱心超市",
                       name_en="Xilou Love Shop", active=True)
    shop.served = [SupermarketCommunity(community_id=v.community.id)]
    db.session.add(shop)
    db.session.flush()
    rice = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, name_zh="大米", name_en="Rice",
                           category="grain_oil", price_points=10, stock=0, low_stock_at=5)
    oil = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, name_zh="花生油", name_en="Oil",
                          category="grain_oil", price_points=15, stock=0, low_stock_at=20)
    db.session.add_all([rice, oil])
    db.session.flush()
    worker = principal_of(v.worker)
    last_month = utcnow().replace(hour=0) - timedelta(days=local_date(utcnow()).day + 2)
    intake = supermarket.record_intake(worker, shop.id, rice.id,
                                       {"quantity": 50, "donor_name": "米山镇政府", "donor_kind": "government"})
    intake.created_at = last_month
    supermarket.record_intake(worker, shop.id, oil.id, {"quantity": 10, "donor_name": "实验小学", "donor_kind": "school"})
    for resident in (v.alice, v.bob):
        fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
        ledger.transfer(fund, ledger.ensure_account(resident.district_id, "resident", resident.id), 100,
                        kind="credit_award", key=f"award:{resident.id}")
    early = supermarket.redeem_order(v.alice, shop.id, [{"item_id": rice.id, "quantity": 1}], actor="test")
    early.created_at = last_month
    db.session.get(Transfer, early.transfer_id).created_at = last_month
    supermarket.redeem_order(v.alice, shop.id, [{"item_id": rice.id, "quantity": 2}], actor="test")
    cancelled = supermarket.redeem_order(v.bob, shop.id, [{"item_id": oil.id, "quantity": 1}], actor="test")
    supermarket.cancel_order(worker, cancelled.id, "不要了")
    db.session.commit()
    return v, shop


def test_supermarket_points_spent_reconcile_with_the_ledgers_supermarket_entries(client, auth, shop_life):
    v, shop = shop_life
    last, this = _month_labels()
    body = get(client, auth, v.worker, "supermarkets", **{"from": last, "to": this})
    before, now = body["months"]
    assert before == {"month": last, "orders": 1, "points_spent": 10, "cancelled": 0, "points_refunded": 0,
                      "points_net": 10}
    assert now == {"month": this, "orders": 2, "points_spent": 35, "cancelled": 1, "points_refunded": 15,
                   "points_net": 20}
    # the ledger agrees month by month: redemptions into the shop's account less its refunds
    account = db.session.execute(select(Account).where(Account.kind == "supermarket",
                                                       Account.owner_id == shop.id)).scalar_one()
    for row, (start, end) in zip(body["months"], _bounds(last, this)):
        def booked(kind, column):
            return db.session.execute(select(func.coalesce(func.sum(Transfer.amount), 0)).where(
                Transfer.kind == kind, column == account.id, Transfer.created_at >= start,
                Transfer.created_at < end)).scalar_one()
        assert row["points_spent"] == booked("redemption", Transfer.to_account_id)
        assert row["points_refunded"] == booked("redemption_refund", Transfer.from_account_id)
    assert body["totals"]["points_net"] == account.balance == 30
    # and with the points report: what residents of the village spent, less refunds
    points = get(client, auth, v.worker, "points", **{"from": last, "to": this})["months"]
    assert [m["spent"] - m["refunded"] for m in points] == [10, 20]
    assert ledger.check_balances() == []


def _bounds(*labels):
    from backend.reports.service import months_between
    return [(start, end) for _label, start, end in months_between(labels[0], labels[-1])]


def test_supermarket_report_values_stock_on_hand_and_donors_intake(client, auth, shop_life):
    v, shop = shop_life
    last, this = _month_labels()
    body = get(client, auth, v.admin, "supermarkets", **{"from": last, "to": this})
    (row,) = body["shops"]
    # rice 50 − 3 = 47 × 10, oil 10 (the cancelled litre came back) × 15, which is below its low-stock mark
    assert (row["supermarket_id"], row["items"], row["stock"], row["stock_points"], row["low_stock"]) == (
        shop.id, 2, 57, 620, 1)
    assert (row["orders"], row["points_net"]) == (3, 30)
    assert body["donors"] == [
        {"month": last, "donor_kind": "government", "donor_name": "米山镇政府", "intakes": 1, "quantity": 50,
         "points_value": 500},
        {"month": this, "donor_kind": "school", "donor_name": "实验小学", "intakes": 1, "quantity": 10,
         "points_value": 150},
    ]
    assert (body["totals"]["stock_points"], body["totals"]["donated_points"]) == (620, 650)
    # the other village has no shop
    other = get(client, auth, v.admin, "supermarkets", community_id=v.other.id, **{"from": last, "to": this})
    assert other["shops"] == [] and other["totals"]["orders"] == 0


# --- merchants --------------------------------------------------------------------------------

@pytest.fixture
def alliance(village, make_merchant):
    """The barber (village, credit 135 = A): two discounts and a voided one in March, one in April, rated 5
    and 4; the noodle shop (other village, C): one discount rated 3; a shop with no village (C)."""
    v = village
    barber = make_merchant(name="老王理发店")
    noodles = make_merchant(name="李记面馆", category="restaurant")
    loose = make_merchant(name="流动修鞋摊", category="repair")
    barber.community_id, noodles.community_id = v.community.id, v.other.id
    db.session.add(CreditSubject(district_id=barber.district_id, subject_type="merchant", merchant_id=barber.id,
                                 score_delta=35))
    nonce = iter(range(100))

    def sale(merchant, when, bill, discount, status="valid", stars=None):
        row = Sale(district_id=merchant.district_id, merchant_id=merchant.id, resident_id=v.alice.id,
                   staff_user_id=v.worker.id, code_nonce=f"{next(nonce):016d}", stars=3, discount_percent=10,
                   bill_amount=bill, discount_amount=discount, final_amount=bill - discount, status=status,
                   created_at=when, voided_at=when if status == "voided" else None)
        db.session.add(row)
        db.session.flush()
        if stars:
            db.session.add(MerchantRating(district_id=merchant.district_id, merchant_id=merchant.id, sale_id=row.id,
                                          resident_id=v.alice.id, stars=stars, created_at=when))

    sale(barber, at(MARCH, 3), 10000, 1000, stars=5)
    sale(barber, at(MARCH, 9), 5000, 500, stars=4)
    sale(barber, at(MARCH, 12), 8000, 800, status="voided")
    sale(barber, at(APRIL, 1), 2000, 200)
    sale(noodles, at(MARCH, 20), 3000, 300, stars=3)
    sale(noodles, at(MARCH, 2) - timedelta(days=60), 9900, 990)  # January: outside the months asked
    db.session.commit()
    return v, barber, noodles, loose


def test_merchants_report_gives_discounts_ratings_and_levels(client, auth, alliance):
    v, barber, noodles, loose = alliance
    body = get(client, auth, v.admin, "merchants")
    march, april = body["months"]
    assert march == {"month": MARCH, "sales": 3, "bill_amount": 18000, "discount_amount": 1800, "voided": 1,
                     "ratings": 3, "average_rating": 4.0}
    assert april == {"month": APRIL, "sales": 1, "bill_amount": 2000, "discount_amount": 200, "voided": 0,
                     "ratings": 0, "average_rating": None}
    rows = {r["merchant_id"]: r for r in body["merchants"]}
    assert set(rows) == {barber.id, noodles.id, loose.id}
    assert (rows[barber.id]["score"], rows[barber.id]["level"], rows[barber.id]["sales"],
            rows[barber.id]["discount_amount"], rows[barber.id]["average_rating"]) == (135, "A", 3, 1700, 4.5)
    assert (rows[noodles.id]["level"], rows[noodles.id]["discount_amount"]) == ("C", 300)
    assert body["levels"] == [{"level": "A", "merchants": 1}, {"level": "B", "merchants": 0},
                              {"level": "C", "merchants": 2}, {"level": "D", "merchants": 0},
                              {"level": "E", "merchants": 0}]
    # per merchant and per month, the same totals
    assert sum(r["discount_amount"] for r in body["merchants"]) == body["totals"]["discount_amount"] == 2000
    # a village's report holds its own merchants; a worker never sees the shop with no village
    village_only = get(client, auth, v.admin, "merchants", community_id=v.community.id)
    assert [r["merchant_id"] for r in village_only["merchants"]] == [barber.id]
    assert [r["merchant_id"] for r in get(client, auth, v.worker, "merchants")["merchants"]] == [barber.id]


# --- scope, validation, XLSX -------------------------------------------------------------------

@pytest.mark.parametrize("path", NEW_PATHS + [f"{p}.xlsx" for p in NEW_PATHS])
def test_new_reports_refuse_a_village_outside_the_viewers_communities(client, zh_client, auth, village, path):
    url = f"/api/v1/reports/{path}?community_id={village.community.id}"
    body = assert_problem(client.get(url, headers=auth(village.outsider_worker)), 404, "scope_not_found")
    assert body["detail"] == "No such town or village in your communities."
    body = assert_problem(zh_client.get(url, headers=auth(village.outsider_worker)), 404, "scope_not_found")
    assert body["detail"] == "您管辖的范围内没有这个镇街或村社区。"
    assert_problem(client.get(f"/api/v1/reports/{path}?town_id=2147483647", headers=auth(village.admin)), 404,
                   "scope_not_found")
    assert_problem(client.get(f"/api/v1/reports/{path}?from=2026-13", headers=auth(village.admin)), 422)
    assert_problem(client.get(f"/api/v1/reports/{path}", headers=auth(village.alice)), 403)


def test_objections_and_repairs_download_as_xlsx_with_chinese_headers(zh_client, auth, due_process):
    rows, _names = sheet_rows(zh_client.get(f"/api/v1/reports/objections.xlsx?from={MARCH}&to={APRIL}",
                                            headers=auth(due_process.reviewer)))
    assert rows[0] == ("月份", "提出", "成立", "驳回", "未处理", "已超期", "超期后处理")
    assert rows[1] == (MARCH, 3, 1, 1, 1, 1, 1)
    rows, _names = sheet_rows(zh_client.get(f"/api/v1/reports/repairs.xlsx?from={MARCH}&to={APRIL}",
                                            headers=auth(due_process.reviewer)))
    assert rows[1] == (MARCH, 2, 1, 1, 0, 2)


def test_supermarket_and_volunteering_downloads_hold_every_sheet(client, auth, shop_life):
    v, _shop = shop_life
    last, this = _month_labels()
    url = f"/api/v1/reports/supermarkets.xlsx?from={last}&to={this}"
    rows, names = sheet_rows(client.get(url, headers=auth(v.admin)))
    assert names == ["兑换", "库存", "捐赠入库"]
    assert rows[0][0] == "Month" and rows[2] == (this, 2, 35, 1, 15, 20)
    stock, _ = sheet_rows(client.get(url, headers=auth(v.admin)), 1)
    assert stock[1][:2] == ("Xilou Love Shop", "Xilou Village") and stock[1][5] == 620
    donors, _ = sheet_rows(client.get(url, headers=auth(v.admin)), 2)
    assert donors[1][1:] == ("Government", "米山镇政府", 1, 50, 500)
    rows, names = sheet_rows(client.get(f"/api/v1/reports/volunteering.xlsx?from={last}&to={this}",
                                        headers=auth(v.admin)))
    assert names == ["按月", "按村社区"] and rows[0][:3] == ("Month", "Town", "Village")


def test_merchant_download_shows_money_in_yuan_and_levels(zh_client, auth, alliance):
    v, barber, _noodles, _loose = alliance
    response = zh_client.get(f"/api/v1/reports/merchants.xlsx?from={MARCH}&to={APRIL}", headers=auth(v.admin))
    months, names = sheet_rows(response)
    assert names == ["按月", "商家"]
    assert months[0][:4] == ("月份", "优惠笔数", "消费金额（元）", "优惠金额（元）")
    assert months[1][:4] == (MARCH, 3, 180, 18)
    merchants, _ = sheet_rows(response, 1)
    assert merchants[1][:6] == ("老王理发店", "理发", "已加入", "西楼村", 135, "A")
    assert merchants[1][8] == 17
