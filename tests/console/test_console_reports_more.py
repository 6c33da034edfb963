"""The console's reports on objections, repairs, volunteering, supermarkets and merchants, in real headless
Chromium at 1440×900: each draws its chart, its table equals the API, axe finds nothing serious, and the
Excel download opens with openpyxl. The demo district is the data, with half a year of history added
(backdated through the same services, so the ledger still agrees) for the charts to show months.
"""
import io
import random
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from backend.common.calendar import local_date, local_midnight_utc
from backend.common.time import utcnow
from backend.auth.models import User
from backend.credit.models import CreditRecord, Objection, RepairRequest
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.models import Transfer
from backend.merchants.models import Merchant, MerchantRating, Sale
from backend.residents.models import Resident
from backend.supermarket import service as supermarket
from backend.supermarket.models import StockMovement, Supermarket, SupermarketItem
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation
from seed.demo import seed_demo
from tests.browser_helpers import Shots, assert_no_serious_axe_violations, browser_path, chromium, committed, live_server
from tests.conftest import make_app

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


def month_start(months_ago):
    """A naive UTC time on the 10th (local noon) of the local month ``months_ago`` before this one."""
    today = local_date(utcnow())
    index = today.year * 12 + today.month - 1 - months_ago
    day = today.replace(year=index // 12, month=index % 12 + 1, day=10)
    return local_midnight_utc(day) + timedelta(hours=12)


def add_history():
    """Five earlier months of objections, repairs, volunteering, redemptions, donations and discounts."""
    rng = random.Random(16)
    residents = db.session.execute(select(Resident).order_by(Resident.id)).scalars().all()
    good = db.session.execute(select(CreditRecord).where(CreditRecord.points > 0).order_by(CreditRecord.id)).scalars().all()
    bad = db.session.execute(select(CreditRecord).where(
        CreditRecord.points < 0, CreditRecord.severity == "minor", CreditRecord.subject_type == "resident",
    ).order_by(CreditRecord.id)).scalars().all()
    organiser = db.session.execute(select(User).where(User.username == "worker1")).scalar_one()
    item_id = db.session.execute(select(VolunteerActivity.item_id)).scalars().first()
    shop = db.session.execute(select(Supermarket).order_by(Supermarket.id)).scalars().first()
    goods = db.session.execute(select(SupermarketItem).where(
        SupermarketItem.supermarket_id == shop.id, SupermarketItem.active, SupermarketItem.stock >= 10,
        SupermarketItem.limit_period.is_(None), SupermarketItem.price_points <= 60,
    ).order_by(SupermarketItem.price_points)).scalars().all()
    assert goods
    merchants = db.session.execute(select(Merchant).where(Merchant.status == "approved")).scalars().all()
    served = [r for r in residents if r.community_id in shop.served_community_ids and r.status == "active"]
    for ago in range(5, 0, -1):
        when = month_start(ago)
        for n in range(rng.randint(2, 6)):
            record = good[(ago * 7 + n) % len(good)]
            status = rng.choice(["upheld", "dismissed", "dismissed", "open"])
            db.session.add(Objection(district_id=record.district_id, community_id=record.community_id,
                                     record_id=record.id, objector_resident_id=record.resident_id or residents[0].id,
                                     reason="记分有误", status=status, due_at=when + timedelta(days=7),
                                     decided_at=None if status == "open" else when + timedelta(days=rng.choice([3, 9])),
                                     created_at=when + timedelta(days=n)))
        for n in range(rng.randint(1, 4)):
            record = bad[(ago + n) % len(bad)]
            status = rng.choice(["approved", "approved", "rejected"])
            db.session.add(RepairRequest(district_id=record.district_id, community_id=record.community_id,
                                         record_id=record.id, resident_id=record.resident_id, commitment="已整改",
                                         status=status, decided_at=when + timedelta(days=5),
                                         created_at=when + timedelta(days=n)))
        activity = VolunteerActivity(district_id=shop.district_id, item_id=item_id, title_zh="清扫河道",
                                     title_en="River clean-up", place="河边", starts_at=when,
                                     ends_at=when + timedelta(hours=3), capacity=60, points_per_hour=10,
                                     status="settled", organiser_id=organiser.id)
        activity.communities = [VolunteerActivityCommunity(community_id=c) for c in {r.community_id for r in residents}]
        db.session.add(activity)
        db.session.flush()
        for resident in rng.sample(residents, rng.randint(12, 30)):
            minutes = rng.choice([60, 90, 120, 180])
            db.session.add(VolunteerParticipation(
                district_id=resident.district_id, activity_id=activity.id, resident_id=resident.id, status="confirmed",
                checked_in_at=when, checked_out_at=when + timedelta(minutes=minutes), credited_minutes=minutes,
                points=minutes // 6, settled_at=activity.ends_at))
        donor_name, donor_kind = rng.choice([("米山镇人民政府", "government"), ("文登实验小学", "school"),
                                             ("诚信汽车美容", "company"), ("王建国（爱心人士）", "individual")])
        intake = supermarket.move_stock(goods[ago % len(goods)], rng.randint(20, 60), "intake", actor="seed",
                                        donor_name=donor_name, donor_kind=donor_kind)
        intake.created_at = when
        for n, resident in enumerate(rng.sample(served, rng.randint(3, 8))):
            fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
            award = ledger.transfer(fund, ledger.ensure_account(resident.district_id, "resident", resident.id), 60,
                                    kind="credit_award", key=f"history:{ago}:{resident.id}")
            award.created_at = when - timedelta(days=1)
            order = supermarket.redeem_order(resident, shop.id, [{"item_id": goods[n % len(goods)].id, "quantity": 1}],
                                             actor="seed", key=f"history:{ago}:{n}")
            order.created_at = when + timedelta(days=n)
            db.session.get(Transfer, order.transfer_id).created_at = order.created_at
            for movement in db.session.execute(select(StockMovement).where(
                    StockMovement.order_line_id.in_([line.id for line in order.lines]))).scalars():
                movement.created_at = order.created_at
        for n in range(rng.randint(4, 12)):
            merchant, resident = rng.choice(merchants), rng.choice(residents)
            bill = rng.choice([3000, 5000, 8800, 12000, 20000])
            sale = Sale(district_id=merchant.district_id, merchant_id=merchant.id, resident_id=resident.id,
                        staff_user_id=organiser.id, code_nonce=f"h{ago}{n:014d}", stars=3, discount_percent=10,
                        bill_amount=bill, discount_amount=bill // 10, final_amount=bill - bill // 10,
                        created_at=when + timedelta(days=n))
            db.session.add(sale)
            db.session.flush()
            if n % 2 == 0:
                db.session.add(MerchantRating(district_id=sale.district_id, merchant_id=merchant.id, sale_id=sale.id,
                                              resident_id=resident.id, stars=rng.choice([3, 4, 5, 5]),
                                              created_at=sale.created_at))


@pytest.fixture(scope="module")
def live(_schema):
    browser_path()
    app = make_app(LOGIN_RATE_LIMIT="1000 per minute")
    with live_server(app) as base_url:
        with committed():
            seed_demo()
        with committed():
            add_history()
        with committed():
            assert ledger.check_balances() == []
        yield base_url


@pytest.fixture(scope="module")
def browser(live):
    with chromium() as browser:
        yield browser


@pytest.fixture
def admin_page(request, live, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(60_000)  # a shared, busy test machine draws six charts slowly
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(live + "/console/")
    page.fill("#login-username", "admin")
    page.fill("#login-password", "chengxin-admin")
    page.click("[data-test=login-submit]")
    page.wait_for_selector("[data-test=who]")
    yield page, Shots(page, "console", request.node.name)
    context.close()


def api(page, path):
    token = page.evaluate("JSON.parse(sessionStorage.getItem('chengxin.console.tokens')).access")
    base = page.url.split("/console/")[0] + "/api/v1"
    answer = page.request.get(base + path, headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"})
    assert answer.status == 200, answer.text()
    return answer.json()


def table_rows(page, table):
    return page.eval_on_selector_all(
        f"[data-table={table}] .el-table__body-wrapper tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()))")


def open_tab(page, name, *charts):
    page.click(f"#tab-{name}")
    page.wait_for_function(f"location.hash === '#/reports?tab={name}'")
    for chart in charts:
        page.wait_for_selector(f"[data-chart={chart}] canvas")
    page.wait_for_function("!document.querySelector('.el-loading-mask')")
    page.wait_for_timeout(200)  # the charts' first frame


def test_new_reports_draw_charts_and_tables_that_equal_the_api(admin_page):
    page, shots = admin_page
    page.wait_for_selector("[data-chart=ranking] canvas")

    open_tab(page, "objections", "objections")
    body = api(page, "/reports/objections")
    assert body["totals"]["filed"] > 0
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in table_rows(page, "objections")] == [
        (m["month"], str(m["filed"]), str(m["upheld"]), str(m["dismissed"]), str(m["overdue"])) for m in body["months"]]
    assert page.inner_text("[data-test=kpi-filed]").split()[-1] == str(body["totals"]["filed"])
    assert_no_serious_axe_violations(page)
    shots("objections")

    open_tab(page, "repairs", "repairs")
    body = api(page, "/reports/repairs")
    assert body["totals"]["approved"] > 0
    assert [(r[0], r[1], r[2], r[5]) for r in table_rows(page, "repairs")] == [
        (m["month"], str(m["applied"]), str(m["approved"]), str(m["points_restored"])) for m in body["months"]]
    assert_no_serious_axe_violations(page)
    shots("repairs")

    open_tab(page, "volunteering", "volunteer-months", "volunteer-villages")
    body = api(page, "/reports/volunteering")
    assert [(r[1], r[2], r[4]) for r in table_rows(page, "volunteering")] == [
        (v["community_zh"], str(v["volunteers"]), str(v["hours"]).removesuffix(".0")) for v in body["villages"]]
    assert sum(v["minutes"] for v in body["villages"]) > 0
    assert_no_serious_axe_violations(page)
    shots("volunteering")

    open_tab(page, "supermarkets", "redemptions", "stock", "donors")
    body = api(page, "/reports/supermarkets")
    assert [(r[0], r[1], r[5]) for r in table_rows(page, "supermarket-months")] == [
        (m["month"], str(m["orders"]), str(m["points_net"])) for m in body["months"]]
    assert [r[5] for r in table_rows(page, "supermarkets")] == [str(s["stock_points"]) for s in body["shops"]]
    assert page.inner_text("[data-test=kpi-points-net]").replace(",", "").split()[-1] == str(body["totals"]["points_net"])
    assert body["totals"]["points_net"] > 0 and body["donors"]
    assert_no_serious_axe_violations(page)
    shots("supermarkets")
    page.evaluate("document.querySelector('[data-chart=stock]').scrollIntoView({block: 'start'})")
    shots("supermarkets-stock-and-donor-charts")
    page.locator("[data-table=donors]").scroll_into_view_if_needed()
    shots("supermarkets-stock-and-donors")

    open_tab(page, "merchants", "discounts", "levels")
    body = api(page, "/reports/merchants")
    rows = table_rows(page, "merchants")
    assert [(r[0], r[4], r[5], r[6]) for r in rows] == [
        (m["name"], m["level"], str(m["sales"]), f"{m['discount_amount'] / 100:.2f}") for m in body["merchants"]]
    assert body["totals"]["sales"] > 0
    assert_no_serious_axe_violations(page)
    shots("merchants")

    # the same report in English: texts of the new tab, money still in yuan
    page.click(".who >> text=English")
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_selector("#tab-merchants >> text=Merchants")
    # the console renders the page again in English: its table comes back once the report is fetched again
    page.wait_for_selector("[data-table=merchants] thead th >> text=Merchant", state="visible")
    headers = page.eval_on_selector_all("[data-table=merchants] thead th", "ths => ths.map(th => th.innerText.trim())")
    assert headers[:2] == ["Merchant", "Village"] and "Discount (yuan)" in headers
    assert_no_serious_axe_violations(page)
    shots("merchants-english")
    assert not page.errors


def test_new_report_downloads_the_xlsx_of_the_filtered_village(admin_page):
    page, shots = admin_page
    page.wait_for_selector("[data-chart=ranking] canvas")
    page.click("[data-test=filter-village]")
    page.click(".el-select-dropdown__item >> text=西楼村")
    page.click("[data-test=apply]")
    open_tab(page, "volunteering", "volunteer-months")
    page.wait_for_function("document.querySelectorAll('[data-table=volunteering] tbody tr').length === 1")
    assert table_rows(page, "volunteering")[0][1] == "西楼村"
    with page.expect_download() as info:
        page.click("[data-test=export]")
    download = info.value
    assert download.suggested_filename.startswith("volunteering-") and "token" not in download.url.lower()
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert book.sheetnames == ["按月", "按村社区"]
    header, *rows = list(book["按村社区"].iter_rows(values_only=True))
    assert header[:4] == ("镇街", "村社区", "志愿者", "活动") and [row[1] for row in rows] == ["西楼村"]
    shots("volunteering-one-village")
    assert not page.errors
