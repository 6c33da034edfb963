"""The public card pages on a phone (390×844) in headless Chromium: sizes older readers can read
and tap, big star buttons, and a second rating of the same visit answered "already rated".

Screenshots are kept under $CHENGXIN_TEST_ARTIFACTS/cards/.
"""
import pytest

from backend.cards import service as cards
from backend.extensions import db
from tests.browser_helpers import (
    Shots, assert_no_serious_axe_violations, browser_path, chromium, serve, text_sizes_below, touch_targets_below,
)
from tests.fixtures import PASSWORD
from tests.merchants.conftest import alliance  # noqa: F401 — the fixture
from tests.merchants.factories import dynamic_code

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    browser_path()
    with chromium() as browser:
        yield browser


@pytest.fixture
def phone(request, app, browser):
    """``phone(path)``: the page at ``path`` on a phone-sized screen, served by this test's app."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", has_touch=True)
    with serve(app) as base_url:
        page = context.new_page()
        page.set_default_timeout(20000)
        page.shots = Shots(page, "cards", request.node.name)

        def open_(path):
            # the test's own transaction ends first (on SQLite it would hold the server's writes);
            # the test must not read the database again while the page is open
            db.session.commit()
            page.goto(base_url + path, timeout=90000)
            return page

        yield open_
    context.close()


def assert_readable(page):
    """Body text ≥ 17 px (English and muted lines too), controls ≥ 44 px, no serious axe violation."""
    assert text_sizes_below(page, 17) == []
    assert touch_targets_below(page, 44) == []
    assert_no_serious_axe_violations(page)


def test_shop_page_reads_large_rates_with_big_stars_and_says_already_rated(client, alliance, phone):  # noqa: F811
    response = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                           json={"code": dynamic_code(alliance.resident), "bill_amount": 6000})
    assert response.status_code == 201, response.get_json()
    path = cards.card_url(alliance.card).split("credit.example.cn")[1]
    mobile = alliance.resident.phone  # read now: the test touches the database no more once the page is open
    page = phone(path)
    assert_readable(page)
    page.shots("shop", full_page=True)
    star = page.locator("label[for=stars-4]")
    box = star.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    star.tap()
    assert page.is_checked("#stars-4") and not page.is_checked("#stars-5")
    # the chosen star and those before it light up; the ones after do not
    colours = page.evaluate("[1, 2, 3, 4, 5].map(i => getComputedStyle(document.querySelector("
                            "`label[for=stars-${i}]`)).color)")
    assert len(set(colours[:4])) == 1 and colours[4] != colours[0]
    # the stars are a keyboard-usable radio group with spoken names
    assert page.get_by_role("radio", name="4 星 4 stars").is_checked()
    page.fill("#comment", "理发师傅手艺好")
    page.fill("#phone", mobile)
    page.fill("#password", PASSWORD)
    page.locator("form").scroll_into_view_if_needed()
    page.shots("rating-filled", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url("**?rated=1")
    assert "感谢您的评价" in page.inner_text("body")
    assert_readable(page)
    page.shots("thanked")
    # the same visit once more
    page.tap("label[for=stars-1]")
    page.fill("#phone", mobile)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=已评价过")
    body = page.inner_text("body")
    assert "Already rated" in body and "暂无可评价的消费" not in body
    assert_readable(page)
    page.shots("already-rated")
    page.click("a.button-link")
    page.wait_for_url("**" + path)


def test_resident_card_page_reads_large(alliance, phone):  # noqa: F811
    card = cards.ensure_card(alliance.district.id, "resident", alliance.resident.id)
    page = phone(cards.card_url(card).split("credit.example.cn")[1])
    assert "张*明" in page.inner_text("body")
    assert_readable(page)
    page.shots("resident")
