"""The kiosk in real headless Chromium against a live server on loopback.

One browser and one server for the module; each test opens one page (a fresh
browser context: its own localStorage). Screenshots of every screen are kept
under $CHENGXIN_TEST_ARTIFACTS/kiosk/.
"""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.announcements.models import Announcement
from backend.auth.models import AuthSession, User
from backend.auth.passwords import hash_secret
from backend.cards import service as cards
from backend.common.time import utcnow
from backend.devices import service as devices
from backend.devices.models import KioskDevice
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.service import check_balances
from backend.org.models import Community, District, Town
from backend.residents.models import Resident
from backend.supermarket import service as supermarket
from backend.supermarket.models import SupermarketItem, SupermarketOrder
from seed.supermarket import ITEMS, SHOPS, _ensure_item, _ensure_shop
from tests.browser_helpers import (
    Shots, assert_no_serious_axe_violations, assert_visible_without_scrolling, box_outside_viewport, browser_path,
    another_chromium, chromium, fake_camera_args, wait_until, committed, live_server,
)
from tests.conftest import make_app

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
SMALL_LANDSCAPE = {"width": 1280, "height": 800}
#: the kiosk screens it must serve without hiding an action below the edge
SIZES = {"portrait": PORTRAIT, "landscape": LANDSCAPE, "small-landscape": SMALL_LANDSCAPE}
TOKEN_KEY = "chengxin.kiosk.deviceToken"
PAIRING_CODE = "TESTKIOSK2"


class Live:
    """The server, its data and small helpers that read or change the database.

    Each helper ends its transaction before returning (and returns plain values):
    on SQLite a transaction left open in the test's thread would hold the write
    lock and stall the server.
    """

    def __init__(self, app, base_url):
        self.app = app
        self.base_url = base_url

    def db(self):
        return committed()

    def resident(self, name):
        return db.session.get(Resident, self.residents[name])

    def balance(self, name):
        with self.db():
            return ledger.balance_of("resident", self.residents[name])

    def stock(self, key):
        with self.db():
            return db.session.get(SupermarketItem, self.items[key]).stock

    def orders_of(self, name):
        with self.db():
            return [{"receipt_no": o.receipt_no, "pickup_code": o.pickup_code, "status": o.status}
                    for o in db.session.execute(select(SupermarketOrder).where(
                        SupermarketOrder.resident_id == self.residents[name])).scalars()]

    def phone_code(self, name):
        with self.db():
            return cards.issue_dynamic_code(self.resident(name))["url"]

    def card(self, name):
        with self.db():
            return cards.card_url(cards.ensure_card(self.district_id, "resident", self.residents[name]))

    def balances_agree(self):
        with self.db():
            return check_balances() == []


def _build(live):
    """A demo-like village: the seed's supermarket items and donors, residents with points."""
    district = District(code="WDT", name_zh="文登区", name_en="Wendeng District")
    db.session.add(district)
    db.session.flush()
    town = Town(district_id=district.id, code="MS", name_zh="米山镇", name_en="Mishan Town")
    db.session.add(town)
    db.session.flush()
    community = Community(district_id=district.id, town_id=town.id, code="XL", name_zh="西楼村",
                          name_en="Xilou Village")
    db.session.add(community)
    db.session.flush()
    code, _served, *names = SHOPS[0]
    shop, _ = _ensure_shop(district, {code: community}, (code, [], *names))
    items = {row[3]: _ensure_item(shop, row)[0] for row in ITEMS}
    # one bottle of oil left: two residents will want it
    supermarket.move_stock(items["oil"], -(items["oil"].stock - 1), "adjustment", actor="test", reason="盘点")
    pin = hash_secret("123456")
    residents = {}
    for key, name, points in [("phone", "张三明", 200), ("card", "李秀英", 200), ("wrong", "王建国", 200),
                              ("poor", "赵玉珍", 30), ("stock", "刘海燕", 200), ("rival", "陈德福", 200),
                              ("idle", "孙桂兰", 200), ("lang", "周志强", 200), ("net", "吴春生", 200),
                              *((f"size-{size}", "郑淑芬", 300) for size in SIZES), ("camera", "钱秀兰", 200)]:
        resident = Resident(district_id=district.id, community_id=community.id, name=name, gender="female",
                            birth_year=1950, phone=f"1390000{len(residents):04d}", pin_hash=pin)
        db.session.add(resident)
        db.session.flush()
        fund = ledger.ensure_account(district.id, "community_fund", community.id)
        ledger.transfer(fund, ledger.ensure_account(district.id, "resident", resident.id), points,
                        kind="credit_award", key=f"browser:{resident.id}", ref_type="test")
        residents[key] = resident.id
    device = KioskDevice(district_id=district.id, community_id=community.id, supermarket_id=shop.id,
                         name="西楼村信用超市自助终端")
    code = devices._new_pairing_code(device)
    db.session.add(device)
    db.session.flush()
    live.device_token = devices.pair_device(code)["access_token"]
    # a second kiosk, still to be paired through its own screen
    unpaired = KioskDevice(district_id=district.id, community_id=community.id, supermarket_id=shop.id,
                           name="西楼村第二终端", pairing_code_hash=devices._hash(PAIRING_CODE),
                           pairing_expires_at=utcnow() + timedelta(days=1))
    db.session.add(unpaired)
    live.district_id, live.shop_id, live.community_id = district.id, shop.id, community.id
    live.items = {key: item.id for key, item in items.items()}
    live.residents = residents


@pytest.fixture(scope="module")
def live(_schema):
    browser_path()
    app = make_app()
    with live_server(app) as base_url:
        live = Live(app, base_url)
        with live.db():
            _build(live)
        yield live


@pytest.fixture(scope="module")
def browser(live):
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_kiosk(request, live, browser):
    """``open_kiosk(viewport=PORTRAIT, paired=True)``: a kiosk page in its own browser context."""
    contexts = []

    def open_(viewport=PORTRAIT, paired=True):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        if paired:
            context.add_init_script(f"localStorage.setItem('{TOKEN_KEY}', '{live.device_token}')")
        page = context.new_page()
        page.set_default_timeout(20000)
        page.shots = Shots(page, "kiosk", request.node.name)
        # the first page of a run also starts the browser's renderer: slow on a busy two-core machine
        page.goto(live.base_url + "/kiosk/", timeout=90000)
        page.wait_for_selector("body[data-screen=welcome]" if paired else "body[data-screen=pair]", timeout=90000)
        # a busy test machine may pause between typed keys longer than a real scanner ever does
        page.evaluate("KioskScanner.setKeyGap(600000)")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def kiosk(open_kiosk):
    return open_kiosk()


def scan(page, code):
    """What a keyboard-wedge scanner does: type the code and Enter, with no field focused."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


#: a scanner's burst of key events, sent in one go (typing through the browser costs ~20 ms a key)
BURST = """code => {
    for (const key of [...code, "Enter"]) {
        document.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
    }
}"""


def quick_scan(page, code):
    page.evaluate(BURST, code)


def screen(page, name):
    page.wait_for_selector(f"body[data-screen={name}]")


def message(page, code):
    page.wait_for_selector(f"#message[data-code={code}]:not([hidden])")
    return page.inner_text("#message")


def sign_in(page, live, name):
    quick_scan(page, live.phone_code(name))
    screen(page, "home")


def add(page, live, key, times=1):
    for _ in range(times):
        page.click(f".item-card[data-item-id='{live.items[key]}'] .add")


# --- the tests ------------------------------------------------------------------------


def test_full_redemption_by_scanner_input(open_kiosk, live):
    kiosk = open_kiosk(paired=False)
    kiosk.shots("pair")
    kiosk.fill("#pair-code", PAIRING_CODE.lower())
    kiosk.click("#pair-submit")
    screen(kiosk, "welcome")
    assert kiosk.evaluate(f"localStorage.getItem('{TOKEN_KEY}')")
    assert "西楼村信用超市" in kiosk.inner_text("#shop-name")
    kiosk.shots("welcome")
    kiosk.click("#start-button")
    screen(kiosk, "scan")
    kiosk.shots("scan")
    scan(kiosk, live.phone_code("phone"))
    screen(kiosk, "home")
    assert kiosk.inner_text("#home-hello") == "您好，张*明"
    assert kiosk.inner_text("#home-points") == "200"
    assert "信用加分奖励" in kiosk.inner_text("#home-history")
    kiosk.shots("home")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    assert kiosk.locator(".item-card").count() == len(ITEMS)
    add(kiosk, live, "rice")
    add(kiosk, live, "soap", times=2)
    assert "已选 3 件，共 60 积分" in kiosk.inner_text("#cart-summary")
    kiosk.shots("catalogue")
    kiosk.click("[data-category=cleaning]")
    assert kiosk.locator(".item-card").count() == 2
    kiosk.shots("catalogue-cleaning")
    kiosk.click("#open-cart")
    screen(kiosk, "cart")
    assert "140 积分" in kiosk.inner_text("#cart-after")
    kiosk.shots("cart")
    kiosk.click("#to-confirm")
    screen(kiosk, "confirm")
    kiosk.shots("confirm")
    kiosk.click("#confirm-button")
    screen(kiosk, "receipt")
    [order] = live.orders_of("phone")
    assert kiosk.inner_text("#receipt-no") == order["receipt_no"]
    assert kiosk.inner_text("#pickup-code") == order["pickup_code"]
    assert kiosk.get_attribute("#receipt-qr", "src").startswith("data:image/svg+xml")
    assert "140 积分" in kiosk.inner_text("#receipt-balance")
    kiosk.shots("receipt")
    assert live.balance("phone") == 140 and live.stock("rice") == 39 and live.stock("soap") == 48
    kiosk.click("#done-button")
    screen(kiosk, "welcome")
    assert "张*明" not in kiosk.inner_text("body")
    assert live.balances_agree()


def test_printed_card_with_pin(open_kiosk, live):
    kiosk = open_kiosk(viewport=LANDSCAPE)
    scan(kiosk, live.card("card"))
    screen(kiosk, "pin")
    kiosk.shots("pin")
    for digit in "12345":
        kiosk.click(f"#pin-keypad [data-key='{digit}']")
    assert kiosk.get_attribute("#pin-dots", "data-length") == "5"
    kiosk.shots("pin-typing")
    kiosk.click("#pin-keypad [data-key='6']")
    screen(kiosk, "home")
    assert kiosk.inner_text("#home-hello") == "您好，李*英"
    assert kiosk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    kiosk.shots("home")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    kiosk.shots("catalogue")


def test_wrong_pin_then_locked_card(kiosk, live):
    quick_scan(kiosk, live.card("wrong"))
    screen(kiosk, "pin")
    for digit in "000000":
        kiosk.click(f"#pin-keypad [data-key='{digit}']")
    text = message(kiosk, "wrong_pin")
    assert "密码错误" in text and "还可以再试 4 次" in text
    kiosk.shots("wrong-pin")
    kiosk.click("#message-ok")
    assert kiosk.get_attribute("#pin-dots", "data-length") == "0"
    # three more wrong tries were made earlier at another kiosk
    with live.db():
        live.resident("wrong").pin_failed_count = 4
    for digit in "999999":
        kiosk.click(f"#pin-keypad [data-key='{digit}']")
    text = message(kiosk, "pin_locked")
    assert "此卡已锁定" in text
    kiosk.shots("locked")
    kiosk.click("#message-ok")
    screen(kiosk, "welcome")
    with live.db():
        assert live.resident("wrong").pin_locked_until is not None


def test_not_enough_points(kiosk, live):
    sign_in(kiosk, live, "poor")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    rice = f".item-card[data-item-id='{live.items['rice']}']"
    assert kiosk.get_attribute(rice, "data-state") == "insufficient_points"
    assert "积分不足" in kiosk.inner_text(rice)
    add(kiosk, live, "rice")
    assert "积分不足" in message(kiosk, "insufficient_points")
    kiosk.shots("catalogue-too-dear")
    kiosk.click("#message-ok")
    add(kiosk, live, "noodles", times=2)
    kiosk.click("#open-cart")
    kiosk.click("#to-confirm")
    screen(kiosk, "confirm")
    # meanwhile the points were spent elsewhere (here: moved back to the fund)
    with live.db():
        account = ledger.get_account("resident", live.residents["poor"])
        ledger.transfer(account, ledger.ensure_account(live.district_id, "community_fund", live.community_id), 25,
                        kind="adjustment", key="browser:drain", ref_type="test")
    kiosk.click("#confirm-button")
    text = message(kiosk, "insufficient_points")
    assert "积分不足" in text
    kiosk.shots("confirm-refused")
    kiosk.click("#message-ok")
    screen(kiosk, "cart")
    assert "-15 积分" in kiosk.inner_text("#cart-after")
    assert live.orders_of("poor") == [] and live.balance("poor") == 5
    assert live.balances_agree()


def test_out_of_stock(kiosk, live):
    sign_in(kiosk, live, "stock")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    notebook = f".item-card[data-item-id='{live.items['notebook']}']"
    assert kiosk.get_attribute(notebook, "data-state") == "out_of_stock" and "缺货" in kiosk.inner_text(notebook)
    add(kiosk, live, "notebook")
    assert "库存不足" in message(kiosk, "out_of_stock")
    kiosk.shots("catalogue-out-of-stock")
    kiosk.click("#message-ok")
    add(kiosk, live, "oil")
    kiosk.click("#open-cart")
    kiosk.click("#to-confirm")
    screen(kiosk, "confirm")
    # the last bottle of oil goes to a neighbour at the other kiosk first
    with live.db():
        supermarket.redeem_order(live.resident("rival"), live.shop_id,
                                 [{"item_id": live.items["oil"], "quantity": 1}], actor="test")
    kiosk.click("#confirm-button")
    assert "库存不足" in message(kiosk, "out_of_stock")
    kiosk.shots("confirm-out-of-stock")
    kiosk.click("#message-ok")
    screen(kiosk, "cart")
    assert live.stock("oil") == 0 and live.orders_of("stock") == [] and live.balance("stock") == 200
    assert live.balances_agree()


def test_idle_sign_out(kiosk, live):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # a 10-second warning: a busy test machine can take seconds between two browser commands
    live.app.config.update(KIOSK_IDLE_SECONDS=2, KIOSK_IDLE_WARNING_SECONDS=10)
    try:
        sign_in(kiosk, live, "idle")
        # English after signing in: on the welcome screen two idle seconds (a slow scan) already
        # switch back to Chinese, as they should for the next person. A click through the DOM: when
        # the browser is slow the warning may already cover the toggle, and a pointer click would
        # wait behind it until the sign-out (and count as activity, which this test must not do)
        kiosk.evaluate("document.getElementById('lang-toggle').click()")
        try:
            kiosk.wait_for_selector("#idle-warning:not([hidden])", timeout=20000)
        except PlaywrightTimeout as error:
            kiosk.shots("no-idle-warning")
            raise AssertionError(
                f"no idle warning; the kiosk shows {kiosk.get_attribute('body', 'data-screen')}") from error
        wait_until(kiosk, "document.querySelector('#idle-text').textContent.includes('Signing out in')")
        kiosk.shots("idle-warning")
        screen(kiosk, "welcome")
    finally:
        live.app.config.update(KIOSK_IDLE_SECONDS=60, KIOSK_IDLE_WARNING_SECONDS=None)
    kiosk.shots("signed-out")
    body = kiosk.inner_text("body")
    assert "孙*兰" not in body and "信用超市" in body  # cleared, and back in Chinese
    wait_until(kiosk, "document.querySelector('#home-hello').textContent === ''")

    def revoked():
        with live.db():
            return db.session.execute(select(AuthSession.revoked_at).where(
                AuthSession.kind == "kiosk_resident", AuthSession.subject_id == live.residents["idle"])).scalar_one()

    for _ in range(50):  # the kiosk signs out in the background
        if revoked() is not None:
            break
        kiosk.wait_for_timeout(100)
    assert revoked() is not None


def test_language_toggle(kiosk, live):
    assert kiosk.inner_text("#start-button") == "开始兑换"
    kiosk.click("#lang-toggle")
    assert kiosk.inner_text("#start-button") == "Start"
    assert kiosk.get_attribute("html", "lang") == "en"
    kiosk.shots("welcome-en")
    sign_in(kiosk, live, "lang")
    assert kiosk.inner_text("#home-hello") == "Hello, 周*强"
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    rice = f".item-card[data-item-id='{live.items['rice']}']"
    assert "Rice (5 kg)" in kiosk.inner_text(rice) and "Max 2 a month" in kiosk.inner_text(rice)
    kiosk.shots("catalogue-en")
    kiosk.click("#lang-toggle")
    assert "大米（5公斤）" in kiosk.inner_text(rice) and "每月限2件" in kiosk.inner_text(rice)
    assert kiosk.inner_text("#catalogue-back") == "返回"
    kiosk.shots("catalogue-zh")
    # the busiest screen fits 1080×1920 portrait and 1920×1080 landscape without sideways scrolling
    for viewport in (PORTRAIT, LANDSCAPE):
        kiosk.set_viewport_size(viewport)
        assert kiosk.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), viewport
    kiosk.shots("catalogue-landscape")


def test_network_drop_during_confirm_then_retry(kiosk, live):
    sign_in(kiosk, live, "net")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    add(kiosk, live, "towel")
    kiosk.click("#open-cart")
    kiosk.click("#to-confirm")
    screen(kiosk, "confirm")
    keys = []

    def drop_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server takes the order …
            route.abort("internetdisconnected")  # … and the answer is lost on the way back
        else:
            route.continue_()

    kiosk.route("**/api/v1/kiosk/orders", drop_first_answer)
    kiosk.click("#confirm-button")
    assert "网络连接中断" in message(kiosk, "network_error")
    assert len(live.orders_of("net")) == 1
    kiosk.shots("network-down")
    kiosk.click("#message-retry")
    screen(kiosk, "receipt")
    kiosk.shots("receipt-after-retry")
    [order] = live.orders_of("net")
    assert kiosk.inner_text("#receipt-no") == order["receipt_no"]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert live.balance("net") == 200 - 12 and live.stock("towel") == 3
    assert live.balances_agree()


@pytest.mark.parametrize("size", SIZES)
def test_main_actions_fit_every_screen_size_and_pass_axe(open_kiosk, live, size):
    """At 1080×1920, 1920×1080 and 1280×800 every main action shows without scrolling (or the list
    that scrolls says so), and no screen has a serious or critical accessibility violation."""
    name = f"size-{size}"
    with live.db():  # an order still to collect, for home to list its goods
        supermarket.redeem_order(live.resident(name), live.shop_id,
                                 [{"item_id": live.items["toothpaste"], "quantity": 2}], actor="test")
    kiosk = open_kiosk(viewport=SIZES[size])
    assert_visible_without_scrolling(kiosk, "#start-button", "#lang-toggle")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-welcome")
    kiosk.click("#start-button")
    screen(kiosk, "scan")
    assert_visible_without_scrolling(kiosk, "#scan-back", "#camera-button")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-scan")
    quick_scan(kiosk, live.card(name))
    screen(kiosk, "pin")
    assert_visible_without_scrolling(kiosk, "#pin-keypad [data-key='0']", "#pin-keypad [data-key='back']",
                                     "#pin-cancel")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-pin")
    for digit in "123456":
        kiosk.click(f"#pin-keypad [data-key='{digit}']")
    screen(kiosk, "home")
    assert_visible_without_scrolling(kiosk, "#sign-out", "#go-shop", "#home-points")
    pending = kiosk.inner_text("#home-pending")
    assert "牙膏 ×2" in pending and "16 积分" in pending
    # one balance on screen: the top bar names the resident, the points are shown once
    assert kiosk.inner_text("#topbar-user") == "郑*芬" and kiosk.inner_text("#home-points") == "284"
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-home")
    kiosk.click("#go-shop")
    screen(kiosk, "catalogue")
    first_add = ".item-card:first-child .add"
    assert_visible_without_scrolling(kiosk, "#catalogue-back", "#catalogue-points", first_add, "#open-cart",
                                     "[data-category=all]")
    # every category tab shows, or the tabs say there are more to swipe to
    tabs = kiosk.locator("#category-tabs .tab")
    cut_off = [tabs.nth(i).get_attribute("data-category") for i in range(tabs.count())
               if box_outside_viewport(kiosk, f"#category-tabs .tab:nth-child({i + 1})")]
    more = kiosk.locator("#category-more")
    if cut_off:
        assert more.is_visible(), f"tabs {cut_off} are cut off with no hint"
        assert_visible_without_scrolling(kiosk, "#category-more")
        more.click()
        wait_until(kiosk, "document.querySelector('#category-tabs').scrollLeft > 0")
    else:
        assert not more.is_visible()
    textiles = "[data-category=textiles]"
    kiosk.locator(textiles).scroll_into_view_if_needed()
    kiosk.click(textiles)
    assert_visible_without_scrolling(kiosk, textiles)
    kiosk.shots(f"{size}-catalogue-textiles")
    kiosk.click("[data-category=all]")
    add(kiosk, live, "rice")
    add(kiosk, live, "noodles")
    # one balance while the cart is open: the pill shows what is left, the top bar no number
    assert "224" in kiosk.inner_text("#catalogue-points")
    assert not any(ch.isdigit() for ch in kiosk.inner_text("#topbar-user"))
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-catalogue")
    kiosk.click("#open-cart")
    screen(kiosk, "cart")
    assert_visible_without_scrolling(kiosk, "#cart-more", "#to-confirm", "#cart-after")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-cart")
    kiosk.click("#to-confirm")
    screen(kiosk, "confirm")
    assert_visible_without_scrolling(kiosk, "#confirm-back", "#confirm-button")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-confirm")
    kiosk.click("#confirm-button")
    screen(kiosk, "receipt")
    assert_visible_without_scrolling(kiosk, "#print-button", "#done-button", "#pickup-code")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots(f"{size}-receipt")
    add_message = kiosk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert add_message
    kiosk.click("#done-button")
    screen(kiosk, "welcome")
    assert live.balance(name) == 300 - 16 - 60 and live.balances_agree()


@contextmanager
def notices(live):
    """Announcements for the kiosk's village and district, and some it must not show; removed afterwards."""
    now = utcnow()
    with live.db():
        writer = User(district_id=live.district_id, username=f"notices{next(_notice_seq)}", display_name="公告员",
                      password_hash=hash_secret("not-used-here-1"))
        other = Community(district_id=live.district_id, town_id=db.session.get(Community, live.community_id).town_id,
                          code=f"N{next(_notice_seq)}", name_zh="东楼村", name_en="Donglou Village")
        db.session.add_all([writer, other])
        db.session.flush()

        def add(scope, title_zh, title_en, body_zh, *, community_id=None, **extra):
            db.session.add(Announcement(
                district_id=live.district_id, scope=scope, community_id=community_id, title_zh=title_zh,
                title_en=title_en, body_zh=body_zh, body_en=f"{title_en}: details.",
                publish_at=extra.pop("publish_at", now - timedelta(hours=2)), created_by_user_id=writer.id, **extra))

        add("community", "周三停水", "No water on Wednesday", "周三上午八点至十二点停水检修，请提前储水。" * 4,
            community_id=live.community_id, publish_at=now - timedelta(hours=1))
        add("district", "信用积分兑换月", "Points month", "本月起兑换满十次可获额外奖励。", pinned=True,
            publish_at=now - timedelta(days=3))
        add("district", "已撤回的通知", "Withdrawn", "不应显示。", withdrawn_at=now - timedelta(minutes=5))
        add("district", "明天的通知", "Tomorrow", "不应显示。", publish_at=now + timedelta(days=1))
        add("community", "东楼村通知", "Donglou only", "不应显示。", community_id=other.id)
        ids = (writer.id, other.id)
    try:
        yield
    finally:
        with live.db():
            db.session.query(Announcement).delete()
            db.session.delete(db.session.get(User, ids[0]))
            db.session.delete(db.session.get(Community, ids[1]))


_notice_seq = iter(range(1, 1000))


@pytest.mark.parametrize("size", SIZES)
def test_welcome_screen_shows_current_notices_at_every_size(open_kiosk, live, size):
    """The welcome screen lists the current notices of the village and the district, pinned first,
    in the language shown; the start button stays in view at 1080×1920, 1920×1080 and 1280×800."""
    with notices(live):
        kiosk = open_kiosk(viewport=SIZES[size])
        kiosk.wait_for_selector("#notice-list .notice")
        titles = kiosk.locator("#notice-list .notice-title").all_inner_texts()
        assert titles == ["信用积分兑换月", "周三停水"]
        assert "置顶" in kiosk.inner_text("#notice-list .notice:first-child")
        assert_visible_without_scrolling(kiosk, "#start-button", "#lang-toggle", "#notices-title",
                                         "#notice-list .notice:first-child .notice-title")
        assert_no_serious_axe_violations(kiosk)
        kiosk.shots(f"{size}-welcome-notices")
        kiosk.click("#lang-toggle")
        assert kiosk.locator("#notice-list .notice-title").all_inner_texts() == ["Points month",
                                                                                 "No water on Wednesday"]
        assert kiosk.inner_text("#notices-title") == "Notices"
        assert_visible_without_scrolling(kiosk, "#start-button")
        kiosk.shots(f"{size}-welcome-notices-en")
        kiosk.click("#start-button")
        screen(kiosk, "scan")


def test_welcome_screen_without_notices_shows_no_empty_board(kiosk, live):
    assert kiosk.locator("#welcome-notices").is_hidden()
    assert_visible_without_scrolling(kiosk, "#start-button")


def test_pairing_screen_and_messages_pass_axe(open_kiosk, live):
    kiosk = open_kiosk(paired=False)
    assert_no_serious_axe_violations(kiosk)
    kiosk.fill("#pair-code", "WRONGCODE1")
    kiosk.click("#pair-submit")
    message(kiosk, "invalid_pairing_code")
    assert_no_serious_axe_violations(kiosk)
    kiosk.shots("pairing-refused")


def test_camera_reads_a_printed_card(request, live, browser, tmp_path):
    """The shared scanner's camera path: a (fake) camera films a printed card; with no
    BarcodeDetector in this Chromium, /webcommon/vendor/jsQR.js is loaded and decodes it."""
    with another_chromium(browser, fake_camera_args(tmp_path / "card.y4m", live.card("camera"))) as filming:
        context = filming.new_context(viewport=LANDSCAPE, locale="zh-CN")
        context.add_init_script(f"localStorage.setItem('{TOKEN_KEY}', '{live.device_token}')")
        kiosk = context.new_page()
        kiosk.shots = Shots(kiosk, "kiosk", request.node.name)
        kiosk.goto(live.base_url + "/kiosk/", timeout=90000)
        screen(kiosk, "welcome")
        kiosk.click("#start-button")
        screen(kiosk, "scan")
        kiosk.click("#camera-button")
        kiosk.wait_for_selector("body[data-screen=pin]", timeout=60000)
        uses_jsqr = kiosk.evaluate("!('BarcodeDetector' in window)")
        assert kiosk.evaluate("typeof window.jsQR === 'function'") == uses_jsqr
        assert kiosk.evaluate("document.getElementById('camera-video').srcObject") is None  # camera off again
        kiosk.shots("pin-after-camera")
        context.close()
