"""The pages under their Content-Security-Policy in real headless Chromium: nothing refused, all works.

/api/docs renders Swagger UI from the vendored files (no network beyond loopback); the kiosk
and a card page load without a single CSP violation.
"""
import logging
import os
import threading

import pytest
from werkzeug.serving import make_server

from backend.cards import service as cards
from backend.extensions import db
from backend.merchants.models import Merchant
from backend.org.models import District
from tests.conftest import _empty_tables, make_app

pytestmark = pytest.mark.browser
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]


def _browser_path():
    path = os.environ.get("CHENGXIN_BROWSER")
    if path and os.path.exists(path):
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("CHENGXIN_BROWSER is unset: browser tests are mandatory under CI=true", pytrace=False)
    pytest.skip("CHENGXIN_BROWSER is unset (scripts/test sets it to /usr/bin/chromium)")


@pytest.fixture(scope="module")
def live(_schema):
    _browser_path()
    app = make_app()
    context = app.app_context()
    context.push()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    district = District(code="D1", name_zh="文登区", name_en="Wendeng")
    db.session.add(district)
    db.session.flush()
    merchant = Merchant(district_id=district.id, name="老王理发店", category="barber", address="米山路1号",
                        contact_phone="13900000000", status="approved")
    db.session.add(merchant)
    db.session.flush()
    card_path = "/c/" + cards.card_url(cards.ensure_card(district.id, "merchant", merchant.id)).rsplit("/c/", 1)[1]
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", card_path
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
        context.pop()


@pytest.fixture(scope="module")
def page_of(live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_browser_path(), headless=True, args=BROWSER_ARGS)
        context = browser.new_context()
        # the page must not need anything beyond our own server
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live[0])
                      else route.abort())

        def open_(path, ready):
            page = context.new_page()
            page.set_default_timeout(60000)
            page.problems = []
            page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page.problems.append(str(e)))
            page.goto(live[0] + path, timeout=90000)
            page.wait_for_selector(ready, timeout=90000)
            return page

        yield open_
        browser.close()


def test_api_docs_render_from_the_app_under_the_csp(page_of):
    page = page_of("/api/docs", "#swagger-ui .opblock")
    assert "Chengxin" in page.inner_text("#swagger-ui .info")
    # the operations of the first sections are drawn (Swagger UI draws the rest as one scrolls)
    assert page.locator("#swagger-ui .opblock").count() >= 5
    assert "/api/v1/health" in page.inner_text("#swagger-ui")
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems


def test_kiosk_and_card_pages_load_without_a_csp_violation(page_of, live):
    kiosk = page_of("/kiosk/", "body[data-screen=pair]")
    card = page_of(live[1], "body")
    for page in (kiosk, card):
        assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems
