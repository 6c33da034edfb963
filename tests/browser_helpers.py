"""Helpers for the browser tests of every front-end: accessibility (axe-core) and layout checks.

axe-core is vendored test-only under tests/vendor/ (``scripts/vendor tests/vendor`` refreshes it).
"""
import json
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("CHENGXIN_TEST_ARTIFACTS") or "test-artifacts")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]


def browser_path():
    """Chromium from CHENGXIN_BROWSER (scripts/test sets it); skips loudly without it, fails under CI."""
    path = os.environ.get("CHENGXIN_BROWSER")
    if path and os.path.exists(path):
        return path
    reason = ("!!! BROWSER TESTS NOT RUN: CHENGXIN_BROWSER is unset or not a file "
              "(scripts/test sets it to /usr/bin/chromium) !!!")
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " — they are mandatory under CI=true", pytrace=False)
    pytest.skip(reason)


@contextmanager
def serve(app):
    """The app on a loopback port in a thread; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium():
    """Headless Chromium (the system's: never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), headless=True, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Shots:
    """``shots("label")`` saves ARTIFACTS/<folder>/<test>-NN-label.png."""

    def __init__(self, page, folder, test_name):
        self.page, self.name, self.count = page, test_name.removeprefix("test_"), 0
        self.folder = ARTIFACTS / folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, label, **options):
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.name}-{self.count:02d}-{label}.png"), **options)

#: the impacts a page must not have
BLOCKING = ("serious", "critical")


def axe_violations(page, impacts=BLOCKING, context=None):
    """The axe-core violations of the page as it is now (rules of WCAG 2.x A/AA and best practice)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated by the browser's debugger, not as a <script> tag: the pages' CSP allows no inline
        # script, and the test must see the page exactly as its policy leaves it
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    results = page.evaluate("""async (context) => {
        // colours are measured as the person sees them once the screen is still: a tag or dialog fading
        // in (CSS transitions, Vue's enter classes) would be judged on a half-blended colour
        for (let round = 0; round < 3; round++) {
            const running = document.getAnimations().filter(a => a.playState === "running" && isFinite(
                (a.effect && a.effect.getComputedTiming().endTime) || 0));
            if (!running.length) break;
            await Promise.race([Promise.all(running.map(a => a.finished.catch(() => null))),
                                new Promise(ok => setTimeout(ok, 2000))]);
            await new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(ok)));
        }
        const results = await axe.run(context || document, {resultTypes: ["violations"]});
        return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
    }""", context)
    return [violation for violation in results if violation["impact"] in impacts]


def assert_no_serious_axe_violations(page, context=None):
    """Fails with a readable list when axe-core finds a serious or critical violation."""
    found = axe_violations(page, context=context)
    assert not found, "axe-core found serious or critical violations:\n" + json.dumps(found, ensure_ascii=False,
                                                                                       indent=1)


def box_outside_viewport(page, selector):
    """None when the element matched by ``selector`` is shown entirely inside the viewport without
    scrolling anything; otherwise a short text saying where it is."""
    return page.evaluate("""(selector) => {
        const node = document.querySelector(selector);
        if (!node) return "missing";
        const box = node.getBoundingClientRect();
        if (!box.width || !box.height) return "not shown";
        const fits = box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth + 0.5 &&
            box.bottom <= window.innerHeight + 0.5;
        if (!fits) return `at ${Math.round(box.left)},${Math.round(box.top)}-${Math.round(box.right)},` +
            `${Math.round(box.bottom)} in ${window.innerWidth}×${window.innerHeight}`;
        // covered by something drawn over it (a sticky bar, an overlay)?
        // (the middle and the middle of each edge: rounded corners belong to the parent)
        const inset = Math.min(3, box.width / 4, box.height / 4);
        const midX = (box.left + box.right) / 2, midY = (box.top + box.bottom) / 2;
        // a fade drawn over it counts too, even one that lets taps through (pointer-events: none)
        const seeAll = document.createElement("style");
        seeAll.textContent = "* { pointer-events: auto !important; }";
        document.head.appendChild(seeAll);
        try {
            for (const [x, y] of [[midX, midY], [box.left + inset, midY], [box.right - inset, midY],
                                  [midX, box.top + inset], [midX, box.bottom - inset]]) {
                const hit = document.elementFromPoint(x, y);
                if (hit && hit !== node && !node.contains(hit)) {
                    return `covered at ${Math.round(x)},${Math.round(y)} by ${hit.id || hit.className || hit.tagName}`;
                }
            }
        } finally {
            seeAll.remove();
        }
        // hidden by a scrolled ancestor (an overflow box that cuts it off)?
        for (let up = node.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (/(auto|scroll|hidden)/.test(style.overflow + style.overflowX + style.overflowY)) {
                const clip = up.getBoundingClientRect();
                if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5 || box.top < clip.top - 0.5 ||
                    box.bottom > clip.bottom + 0.5) return `cut off by ${up.id || up.className || up.tagName}`;
            }
        }
        return null;
    }""", selector)


def assert_visible_without_scrolling(page, *selectors):
    where = {selector: box_outside_viewport(page, selector) for selector in selectors}
    assert not any(where.values()), {selector: place for selector, place in where.items() if place}


def text_sizes_below(page, minimum_px, root="body"):
    """Texts shown under ``root`` whose computed font size is below ``minimum_px``: [(size, text)]."""
    return page.evaluate("""([root, minimum]) => {
        const small = [];
        const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent.trim();
            const parent = node.parentElement;
            if (!text || !parent || !parent.getClientRects().length) continue;
            const size = parseFloat(getComputedStyle(parent).fontSize);
            if (size < minimum) small.push([size, text.slice(0, 40)]);
        }
        return small;
    }""", [root, minimum_px])


def touch_targets_below(page, minimum_px, selector="a, button, input, select, textarea, label, [role=button]"):
    """Visible controls smaller than ``minimum_px`` in either direction: [(w, h, text)].
    (Radio and checkbox inputs count through their label, as a finger taps the label.)"""
    return page.evaluate("""([selector, minimum]) => {
        const small = [];
        for (const node of document.querySelectorAll(selector)) {
            if (node.matches("input[type=radio], input[type=checkbox], input[type=hidden]")) continue;
            // a label is a target only for a radio or checkbox (a text field is its own target)
            if (node.matches("label") && !(node.control && /radio|checkbox/.test(node.control.type))) continue;
            const box = node.getBoundingClientRect();
            if (!box.width || !box.height || getComputedStyle(node).visibility === "hidden") continue;
            if (box.width < minimum || box.height < minimum) {
                small.push([Math.round(box.width), Math.round(box.height),
                            (node.textContent || node.getAttribute("aria-label") || node.name || "").trim().slice(0, 30)]);
            }
        }
        return small;
    }""", [selector, minimum_px])


@contextmanager
def another_chromium(browser, extra_args):
    """A second Chromium with extra flags, from the running one's Playwright (one per thread)."""
    other = browser.browser_type.launch(executable_path=browser_path(), headless=True,
                                        args=[*BROWSER_ARGS, *extra_args])
    try:
        yield other
    finally:
        other.close()


def fake_camera_args(path, text, module_px=8):
    """Chromium flags for a fake camera that films a QR code of ``text`` (written to ``path`` as a
    one-frame grey Y4M video, which Chromium replays)."""
    from backend.common.qr import _matrix

    matrix = _matrix(text)
    side = len(matrix) * module_px
    width, height = side + side % 2 + 64, side + side % 2 + 64  # even sizes, a white margin round it
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(module_px):
                    start = (32 + y * module_px + dy) * width + 32 + x * module_px
                    luma[start:start + module_px] = b"\x00" * module_px
    chroma = b"\x80" * ((width // 2) * (height // 2))
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={path}"]


def wait_until(page, expression, timeout=20_000):
    """Wait until the JavaScript ``expression`` is true on ``page``.

    Playwright's ``wait_for_function`` compiles its string with ``new Function``, which a page whose
    CSP has no ``'unsafe-eval'`` (the kiosk, the card pages) refuses; ``evaluate`` runs through the
    browser's debugger and is not subject to the page's policy.
    """
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        page.wait_for_timeout(100)


@contextmanager
def live_server(app):
    """``app`` served for a module of browser tests, in its own app context; yields the base URL.
    Afterwards every table is emptied, as after any other test."""
    from backend.extensions import db
    from tests.conftest import _empty_tables

    context = app.app_context()
    context.push()
    try:
        with serve(app) as base_url:
            yield base_url
    finally:
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
        context.pop()


@contextmanager
def committed():
    """The session for one piece of test setup or checking: committed, or rolled back on error,
    and expired afterwards so the next read sees what the server wrote."""
    from backend.extensions import db

    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.expire_all()
