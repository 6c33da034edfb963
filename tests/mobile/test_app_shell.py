"""The app as an app: first-visit weight, the service worker's cache, and ended sessions."""
import re
import urllib.request
from datetime import timedelta

import pytest

from tests.mobile.conftest import Shots, gzip_size, sign_in

#: what the issue asks of a first visit on a village phone network
FIRST_VISIT_BUDGET = 400 * 1024


def test_first_visit_stays_under_400_kb_compressed(live, browser, capsys):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=3, service_workers="block")
    try:
        page = context.new_page()
        bodies = {}
        page.on("response", lambda r: bodies.setdefault(r.url, r))
        page.goto(live.base_url + "/m/", timeout=90000)
        page.wait_for_selector("input[name=phone]", timeout=90000)
        interactive_ms = page.evaluate("performance.now()")
        sizes = {url.removeprefix(live.base_url): gzip_size(r.body()) for url, r in bodies.items()}
    finally:
        context.close()
    # the development server sends bodies as they are; behind nginx with gzip this is what crosses the air
    total = sum(sizes.values())
    with capsys.disabled():  # shown in every run's output, not only on failure
        print(f"\nfirst visit of /m/: {len(sizes)} files, {total / 1024:.1f} KB gzip-compressed "
              f"({', '.join(f'{u} {s / 1024:.1f}' for u, s in sorted(sizes.items(), key=lambda i: -i[1])[:6])} …); "
              f"sign-in screen interactive after {interactive_ms:.0f} ms")
    assert "/m/vendor/vant.min.js" in sizes and "/m/vendor/vue.global.prod.js" in sizes
    assert total < FIRST_VISIT_BUDGET


def test_service_worker_keeps_the_shell_and_never_an_api_answer(open_phone, live):
    page = open_phone()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/r/code"]')
    page.wait_for_selector("[data-test=qr] svg")
    page.reload()  # now under the worker's control: every request passes through it
    page.wait_for_selector("[data-test=qr] svg")
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/m/" in cached and "/m/vendor/vant.min.js" in cached and "/webcommon/api.js" in cached
    assert not [url for url in cached if url.startswith("/api/")]
    # the shell opens without a network; the data screens then say they are offline
    page.context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector(".error-box", timeout=20000)
        assert "网络" in page.inner_text(".error-box")
        page.shots("offline")
    finally:
        page.context.set_offline(False)


def test_manifest_makes_the_app_installable(live):
    client_app = live.app.test_client()
    response = client_app.get("/m/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/m/" and manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        assert client_app.get(icon["src"]).status_code == 200
    # the worker is never served from a cache
    assert client_app.get("/m/sw.js").headers["Cache-Control"] == "no-store"
    assert client_app.get("/m").headers["Location"].endswith("/m/")
    assert client_app.get("/m/../backend/config.py").status_code == 404


def test_an_ended_session_returns_to_sign_in_and_then_to_where_the_person_was(open_phone, live):
    tokens = live.token(phone="13900000001")
    status, _ = live.api("POST", "/auth/logout", token=tokens["access_token"])
    assert status == 204
    page = open_phone("/login")
    page.evaluate("""t => localStorage.setItem('chengxin.m.tokens',
                     JSON.stringify({access: t.access_token, refresh: t.refresh_token}))""", tokens)
    page.goto(live.base_url + "/m/#/r/code")
    page.reload()
    page.wait_for_selector("input[name=phone]")
    assert "登录已过期" in page.inner_text("main")
    assert page.evaluate("location.hash") == "#/login?next=%2Fr%2Fcode"
    page.shots("session-ended")
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=qr] svg")
    assert page.evaluate("location.hash") == "#/r/code"


def test_an_expired_access_token_is_renewed_without_signing_in_again(open_phone, live):
    live.app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(seconds=1)
    try:
        page = open_phone()
        sign_in(page, phone="13900000001")
        page.wait_for_selector("[data-test=score]")
        page.wait_for_timeout(2500)
        with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/refresh")) as renewed:
            page.click('[data-test="tab:/r/code"]')
        assert renewed.value.status == 200
        page.wait_for_selector("[data-test=qr] svg")
        assert page.evaluate("location.hash") == "#/r/code"
    finally:
        live.app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=15)


@pytest.mark.parametrize("size", [(360, 640), (430, 932)], ids=["360x640", "430x932"])
def test_screens_fit_small_and_large_phones_without_sideways_scrolling(browser, live, size, request):
    width, height = size
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        page.shots = Shots(page, request.node.name)
        page.goto(f"{live.base_url}/m/#/login", timeout=90000)
        page.wait_for_selector("html[data-ready='1']", timeout=90000)
        sideways = "document.scrollingElement.scrollWidth - window.innerWidth"
        assert page.evaluate(sideways) <= 0
        sign_in(page, phone="13900000001")
        page.wait_for_selector("[data-test=score]")
        assert page.evaluate(sideways) <= 0
        page.shots("home")
        page.click('[data-test="tab:/r/code"]')
        page.wait_for_selector("[data-test=qr] svg")
        assert page.evaluate(sideways) <= 0
        box = page.locator("[data-test=qr]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["width"] >= 0.8 * min(width, 400) - 40
        page.shots("code")
        page.click("[data-test=large-text]")
        assert page.evaluate(sideways) <= 0
        page.shots("code-large")
    finally:
        context.close()


def test_the_phone_page_may_compile_its_templates_but_runs_no_inline_script_and_nothing_else_may_evaluate(live):
    def csp_of(path):
        with urllib.request.urlopen(live.base_url + path, timeout=30) as response:
            policy = response.headers["Content-Security-Policy"]
            return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";")), response.read()

    directives, html = csp_of("/m/")
    # Vue turns the screens' templates into functions in the browser: this page alone may evaluate
    assert directives["script-src"] == "'self' 'unsafe-eval'"
    assert directives["frame-ancestors"] == "'none'" and "unsafe-inline" not in str(directives)
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", html)
    for other in ("/m/js/main.js", "/kiosk/", "/api/v1/health"):
        assert csp_of(other)[0]["script-src"] == "'self'", other
