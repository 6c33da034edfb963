"""The phone app in real headless Chromium, emulating a phone, against a live server on loopback.

One server and one set of demo-like data for the module; each test opens its own browser context
(its own localStorage and service worker). Screenshots of every screen go to
$CHENGXIN_TEST_ARTIFACTS/mobile/.
"""
import gzip
import io
import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from backend.auth.models import RoleAssignment, User
from backend.auth.passwords import hash_secret
from backend.cards import service as cards
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import service as credit
from backend.credit.catalogue import find_item
from backend.credit.evidence import save_evidence
from backend.extensions import db
from backend.merchants.models import Merchant, Sale
from backend.org.models import Community, District, Town
from backend.residents import idnumbers
from backend.residents.models import Resident
from seed.credit import seed_catalogue, seed_policy
from seed.merchants import _discounts
from tests.browser_helpers import ARTIFACTS as BROWSER_ARTIFACTS, committed, live_server
from tests.browser_helpers import BROWSER_ARGS, assert_no_serious_axe_violations, browser_path
from tests.conftest import make_app
from tests.fixtures import valid_id_number

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "timezone_id": "Asia/Shanghai",
         "user_agent": ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/120.0 Mobile Safari/537.36")}
ARTIFACTS = BROWSER_ARTIFACTS / "mobile"
#: decodes the QR the page drew, with the jsQR the scanner vendors: what a till would read
READ_QR = """async (selector) => {
    selector = selector || '[data-test=qr] svg';
    if (!window.jsQR) await new Promise((ok, fail) => {
        const s = document.createElement('script'); s.src = '/webcommon/vendor/jsQR.js';
        s.onload = ok; s.onerror = fail; document.head.appendChild(s);
    });
    const svg = document.querySelector(selector).outerHTML;
    const img = new Image();
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    await img.decode();
    const canvas = document.createElement('canvas'); canvas.width = canvas.height = 600;
    const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0, 600, 600);
    const data = ctx.getImageData(0, 0, 600, 600);
    const found = window.jsQR(data.data, 600, 600);
    return found ? found.data : null;
}"""
PASSWORD = "demo-pass-2026"
ID_NUMBER = valid_id_number(23)


class Live:
    """The server, its data and helpers that read the database (each ends its transaction)."""

    def __init__(self, app, base_url):
        self.app, self.base_url = app, base_url

    def db(self):
        return committed()

    def phone_code(self, key):
        with self.db():
            return cards.issue_dynamic_code(db.session.get(Resident, self.residents[key]))["url"]

    def card(self, key):
        with self.db():
            return cards.card_url(cards.ensure_card(self.district_id, "resident", self.residents[key]))

    def sales(self):
        with self.db():
            return [(s.bill_amount, s.discount_amount, s.resident_id)
                    for s in db.session.query(Sale).order_by(Sale.id)]

    def api(self, method, path, body=None, token=None, headers=None):
        """A plain HTTP call to the live server: (status, parsed body)."""
        request = urllib.request.Request(self.base_url + "/api/v1" + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", **(headers or {})})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def token(self, username=None, phone=None):
        if phone:
            status, body = self.api("POST", "/auth/resident-login", {"phone": phone, "password": PASSWORD})
        else:
            status, body = self.api("POST", "/auth/login", {"username": username, "password": PASSWORD})
        assert status == 200, body
        return body


def _user(district, username, name, roles=(), merchant=None):
    user = User(district_id=district.id, username=username, display_name=name, password_hash=hash_secret(PASSWORD),
                merchant_id=merchant.id if merchant else None)
    for role, community in roles:
        user.roles.append(RoleAssignment(role=role, community_id=community.id))
    db.session.add(user)
    db.session.flush()
    return user


def _photo():
    """A small JPEG standing in for a photo taken on a worker's phone: sorted bins."""
    image = Image.new("RGB", (320, 240), (170, 200, 160))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate([(30, 110, 200), (40, 150, 60), (200, 40, 40), (120, 120, 120)]):
        draw.rectangle([20 + i * 75, 80, 80 + i * 75, 200], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    buffer.seek(0)
    return buffer


def _build(live):
    """A demo-like village: the seed's catalogue and policy, a worker, a reviewer, a barber and residents."""
    district = District(code="WD", name_zh="文登区", name_en="Wendeng District")
    db.session.add(district)
    db.session.flush()
    town = Town(district_id=district.id, code="MS", name_zh="米山镇", name_en="Mishan Town")
    db.session.add(town)
    db.session.flush()
    village = Community(district_id=district.id, town_id=town.id, code="XL", name_zh="西楼村", name_en="Xilou Village")
    db.session.add(village)
    db.session.flush()
    seed_policy(district.id)
    seed_catalogue(district.id, {"MS": town}, {"XL": village})
    worker = _user(district, "worker1", "王采集", [("worker", village)])
    reviewer = _user(district, "reviewer1", "刘书记", [("reviewer", village)])
    merchant = Merchant(district_id=district.id, community_id=village.id, name="老王理发店", category="barber",
                        address="文登区米山路1号", contact_phone="13900000000", status="approved")
    db.session.add(merchant)
    db.session.flush()
    shop = _user(district, "shop1", "老王", merchant=merchant)
    _discounts(merchant, shop)
    cards.ensure_card(district.id, "merchant", merchant.id)

    residents = {}
    for key, name, phone, password in [("zhang", "张三明", "13900000001", PASSWORD),
                                       ("li", "李秀英", "13900000002", None),
                                       ("wang", "王建国", "13900000003", PASSWORD),
                                       ("zhao", "赵玉珍", "13900000004", PASSWORD)]:
        resident = Resident(district_id=district.id, community_id=village.id, name=name, gender="female",
                            birth_year=1957, phone=phone, password_hash=hash_secret(password) if password else None)
        if key == "li":
            resident.id_hash, resident.id_last4 = idnumbers.id_hash(ID_NUMBER), ID_NUMBER[-4:]
        db.session.add(resident)
        db.session.flush()
        residents[key] = resident.id
    # 张三明: 4 stars from a brave deed, one deed in public notice and one awaiting review
    for key in ("zhang", "wang", "zhao"):
        credit.record_system_credit(district_id=district.id, subject_type="resident", subject_id=residents[key],
                                    item_code="brave_deed", source_ref=f"test:brave:{key}")
    reviewer_principal = Principal(kind="staff", id=reviewer.id, district_id=district.id,
                                   roles={"reviewer": [village.id]}, name=reviewer.display_name)
    item = find_item("neighbour_help", district_id=district.id, community_id=village.id)
    helped = credit.create_record("system", residents["zhang"], item.id, utcnow() - timedelta(days=1), "帮邻居收麦子")
    credit.approve_record(reviewer_principal, helped.id)
    item = find_item("village_cleanup", district_id=district.id, community_id=village.id)
    credit.create_record("system", residents["zhang"], item.id, utcnow() - timedelta(hours=3), "清理河道垃圾")
    # for the reviewer: a deed with a photo from the worker's phone, and one without
    worker_principal = Principal(kind="staff", id=worker.id, district_id=district.id, roles={"worker": [village.id]},
                                 name=worker.display_name)
    photo = save_evidence(worker_principal, FileStorage(_photo(), filename="现场照片.jpg", content_type="image/jpeg"))
    item = find_item("garbage_sorting", district_id=district.id, community_id=village.id)
    sorted_ = credit.create_record(worker_principal, residents["wang"], item.id, utcnow() - timedelta(hours=5),
                                   "垃圾分类桶摆放整齐", evidence_ids=[photo.id])
    item = find_item("hazard_report", district_id=district.id, community_id=village.id)
    reported = credit.create_record(worker_principal, residents["zhao"], item.id, utcnow() - timedelta(hours=2),
                                    "报告电线老化")
    live.review_ids = {"photo": sorted_.id, "plain": reported.id}
    live.district_id, live.community_id, live.merchant_id = district.id, village.id, merchant.id
    live.residents = residents
    live.notice_ends_at = helped.notice_ends_at


@pytest.fixture(scope="module")
def live(_schema):
    browser_path()
    # a long-lived phone code: a busy two-core machine may take a while between issuing and scanning
    app = make_app(DYNAMIC_CODE_SECONDS=600, RATELIMIT_ENABLED=False)
    with live_server(app) as base_url:
        live = Live(app, base_url)
        with live.db():
            _build(live)
        yield live


@pytest.fixture(scope="module")
def playwright_():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(live, playwright_):
    browser = playwright_.chromium.launch(executable_path=browser_path(), headless=True, args=BROWSER_ARGS)
    yield browser
    browser.close()


class Shots:
    #: one numbering per test, shared by its pages (a worker's and a resident's phone)
    counts = {}

    def __init__(self, page, test_name):
        self.page, self.name = page, test_name.removeprefix("test_")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, label, full_page=False):
        self.counts[self.name] = count = self.counts.get(self.name, 0) + 1
        self.page.wait_for_timeout(400)  # let Vant's transitions (dialogs fading out) settle
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{count:02d}-{label}.png"), full_page=full_page)


@pytest.fixture
def open_phone(request, live, browser):
    """``open_phone(path="/login", lang=None, browser=None)``: the app in a fresh phone-sized context."""
    contexts = []

    def open_(path="/login", lang=None, on=None):
        context = (on or browser).new_context(locale="zh-CN", **PHONE)
        contexts.append(context)
        if lang:
            context.add_init_script(f"localStorage.setItem('chengxin.m.lang', '{lang}')")
        page = context.new_page()
        page.set_default_timeout(20000)
        page.shots = Shots(page, request.node.name)
        page.goto(f"{live.base_url}/m/#{path}", timeout=90000)
        page.wait_for_selector("html[data-ready='1']", timeout=90000)
        return page

    yield open_
    for context in contexts:
        context.close()


def sign_in(page, *, phone=None, username=None):
    if username:
        page.click("[data-test=as-staff]")
        page.fill("input[name=username]", username)
    else:
        page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def assert_readable(page):
    """Body text at least 17 px; everything a finger presses at least 44 × 44 px; no serious or critical
    axe-core violation."""
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 17, size
    small = page.evaluate("""() => {
        const sel = 'button, a[href], input:not([type=hidden]), select, textarea, [role=button], .van-tab, ' +
                    '.van-tabbar-item, .van-cell--clickable, .van-switch';
        return [...document.querySelectorAll(sel)].filter(el => {
            const r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (!r.width || !r.height || style.visibility === 'hidden') return false;
            if (el.matches('.visually-hidden')) return false;  // a file input: its label is the target
            return r.height < 44 || r.width < 44;
        }).map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().width)}x` +
                     `${Math.round(el.getBoundingClientRect().height)} "${el.textContent.trim().slice(0, 20)}"`);
    }""")
    assert small == [], small
    texts = page.evaluate("""() => [...document.querySelectorAll('main p, main li, .van-cell__title, .van-cell__value, '
        + '.van-field__control, .error-box')].filter(el => el.getBoundingClientRect().height > 0)
        .map(el => [parseFloat(getComputedStyle(el).fontSize), el.textContent.trim().slice(0, 20)])
        .filter(([size]) => size < 17)""")
    assert texts == [], texts
    assert_no_serious_axe_violations(page)


def gzip_size(data):
    return len(gzip.compress(data, 6))
