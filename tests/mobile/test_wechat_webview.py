"""The phone app as WeChat's built-in browser opens it: a poster's QR scanned in WeChat lands here.

WeChat's browser (XWeb/X5) is a Chromium WebView, but older ones lack what a desktop Chromium has. The test
opens the app with WeChat's user agent and takes away what such a WebView may not give: the service
worker, the screen wake lock, BarcodeDetector and crypto.randomUUID. The resident must still sign in,
see the home screen and get a phone code a merchant can read; nothing may throw. (Not the real WeChat
app, which this machine cannot run: the closest honest stand-in.)
"""
from tests.mobile.conftest import PHONE, READ_QR, Shots, assert_readable, sign_in

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 10; V2001A Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/86.0.4240.99 XWEB/3263 MMWEBSDK/20220204 Mobile Safari/537.36 "
             "MMWEBID/1234 MicroMessenger/8.0.20.2100(0x28001437) Process/toolsmp WeChat/arm64 Weixin "
             "NetType/4G Language/zh_CN ABI/arm64")

#: what an older WebView may not have, removed before the app's first script runs
WITHOUT_MODERN_APIS = """
    for (const name of ['serviceWorker', 'wakeLock']) {
        try { Object.defineProperty(Navigator.prototype, name, { get: () => undefined, configurable: true }); } catch (e) {}
    }
    try { delete window.BarcodeDetector; } catch (e) {}
    try { Object.defineProperty(Crypto.prototype, 'randomUUID', { value: undefined, configurable: true }); } catch (e) {}
    window.__pageErrors = [];
    window.addEventListener('error', (event) => window.__pageErrors.push(String(event.message)));
    window.addEventListener('unhandledrejection', (event) => window.__pageErrors.push(String(event.reason)));
"""


def test_resident_signs_in_and_shows_a_readable_code_in_a_wechat_like_webview(live, browser, request):
    context = browser.new_context(locale="zh-CN", **{**PHONE, "user_agent": WECHAT_UA})
    context.add_init_script(WITHOUT_MODERN_APIS)
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        page.shots = Shots(page, request.node.name)
        page.goto(f"{live.base_url}/m/#/login", timeout=90000)
        page.wait_for_selector("html[data-ready='1']", timeout=90000)
        assert page.evaluate("navigator.serviceWorker === undefined && !('BarcodeDetector' in window)")
        assert page.evaluate("navigator.userAgent").count("MicroMessenger") == 1
        sign_in(page, phone="13900000001")
        page.wait_for_selector("[data-test=score]")
        page.shots("home")
        assert_readable(page)
        page.click('[data-test="tab:/r/code"]')
        page.wait_for_selector("[data-test=qr] svg")
        page.shots("code")
        assert "/c/" in (page.evaluate(READ_QR) or "")  # a merchant's scanner reads the code the WebView drew
        assert page.evaluate("window.__pageErrors") == []
    finally:
        context.close()
