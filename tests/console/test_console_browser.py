"""The staff console in real headless Chromium at 1440×900 against a live server on loopback.

The demo district (seed/demo.py) is the data: its admin, reviewer and worker sign in with their
demo passwords. Screenshots of every screen are kept under $CHENGXIN_TEST_ARTIFACTS/console/;
axe-core checks each screen for serious or critical violations.
"""
import io
from contextlib import contextmanager
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from backend.auth import service as auth_service
from backend.auth.models import User
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.residents.models import ResidentLookup
from seed.demo import seed_demo
from tests.browser_helpers import Shots, assert_no_serious_axe_violations, browser_path, chromium, serve
from tests.conftest import _empty_tables, make_app

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
LOGINS = {"admin": "chengxin-admin", "reviewer1": "chengxin-reviewer", "worker1": "chengxin-worker"}


class Live:
    """The server and small helpers that read the database (each ends its transaction: on SQLite an open
    transaction in the test's thread would stall the server)."""

    def __init__(self, base_url):
        self.base_url = base_url

    @contextmanager
    def db(self):
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.expire_all()

    def record(self, record_id):
        with self.db():
            row = db.session.get(CreditRecord, record_id)
            return {"status": row.status, "reviewed_by_user_id": row.reviewed_by_user_id, "review_note": row.review_note}

    def lookups_of(self, resident_id):
        """What staff looked up about the resident, oldest first."""
        with self.db():
            return [row.what for row in db.session.execute(
                select(ResidentLookup).where(ResidentLookup.resident_id == resident_id)
                .order_by(ResidentLookup.id)).scalars()]

    def user_id(self, username):
        with self.db():
            return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


@pytest.fixture(scope="module")
def live(_schema):
    browser_path()
    # every test signs in afresh, several times a minute from one address
    app = make_app(LOGIN_RATE_LIMIT="1000 per minute")
    context = app.app_context()
    context.push()
    try:
        with serve(app) as base_url:
            live = Live(base_url)
            with live.db():
                seed_demo()
            yield live
    finally:
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
        context.pop()


@pytest.fixture(scope="module")
def browser(live):
    with chromium() as browser:
        yield browser


@pytest.fixture
def console(request, live, browser):
    """``page, shots = console("admin")``: signed in through the sign-in page, in a fresh context."""
    contexts = []

    def open_(username=None, path="/console/"):
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(live.base_url + path)
        shots = Shots(page, "console", request.node.name)
        if username:
            sign_in(page, username)
        return page, shots

    yield open_
    for context in contexts:
        context.close()


def sign_in(page, username, password=None):
    page.fill("#login-username", username)
    page.fill("#login-password", password or LOGINS[username])
    page.click("[data-test=login-submit]")
    page.wait_for_selector("[data-test=who]")


def api(page, method, path, body=None, lang="zh-CN"):
    """The API called with the page's own session token (as the console calls it)."""
    token = page.evaluate("JSON.parse(sessionStorage.getItem('chengxin.console.tokens')).access")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": lang}
    base = page.url.split("/console/")[0] + "/api/v1"
    answer = page.request.fetch(base + path, method=method, headers=headers, data=body)
    return answer.status, (answer.json() if answer.status != 204 else None)


def table_rows(page, table):
    return page.eval_on_selector_all(
        f"[data-table={table}] .el-table__body-wrapper tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()))")


def menu(page):
    return page.eval_on_selector_all(".menu .el-menu-item", "items => items.map(i => i.innerText.trim())")


def wait_idle(page):
    page.wait_for_function("!document.querySelector('.el-loading-mask')")


# --- signing in, roles, sessions ---------------------------------------------------------------


def test_signed_out_visit_asks_for_sign_in_and_wrong_password_shows_api_message(console):
    page, shots = console(path="/console/#/reports")
    page.wait_for_selector("#login-username")
    assert "login" in page.url
    assert_no_serious_axe_violations(page)
    shots("sign-in")
    page.fill("#login-username", "admin")
    page.fill("#login-password", "not-the-password")
    page.click("[data-test=login-submit]")
    error = page.wait_for_selector("[data-test=login-error]")
    status, problem = api_anonymous(page, "/auth/login", {"username": "admin", "password": "not-the-password"})
    assert status == 401 and error.inner_text() == problem["detail"]
    shots("wrong-password")
    assert not page.errors


def api_anonymous(page, path, body):
    base = page.url.split("/console/")[0] + "/api/v1"
    answer = page.request.post(base + path, data=body, headers={"Accept-Language": "zh-CN"})
    return answer.status, answer.json()


def test_menu_follows_roles_admin_sees_all_worker_no_review_queue(console):
    page, shots = console("admin")
    assert menu(page) == ["统计报表", "记录审核", "居民查询"]
    page, shots = console("reviewer1")
    assert page.url.endswith("#/review")  # a reviewer starts at the queue
    assert menu(page) == ["统计报表", "记录审核", "居民查询"]
    page, shots = console("worker1")
    assert menu(page) == ["统计报表", "居民查询"]
    page.evaluate("location.hash = '#/review'")
    page.wait_for_function("location.hash.startsWith('#/reports')")  # not a page of theirs: back home
    wait_idle(page)
    # the worker's reports cover their own two villages only, as the API says
    _status, report = api(page, "GET", "/reports/backlog")
    assert sorted(row[2] for row in table_rows(page, "villages")) == \
        sorted(row["community_zh"] for row in report["villages"]) == ["东楼村", "西楼村"]
    shots("worker-reports")
    assert not page.errors


def test_ended_session_returns_to_sign_in_and_then_to_the_same_page(console):
    page, shots = console("admin", path="/console/#/reports?tab=points")
    page.wait_for_function("location.hash === '#/reports?tab=points'")
    api(page, "POST", "/auth/logout")  # the session is revoked server-side, as on another desk
    page.click("#tab-records")
    notice = page.wait_for_selector("[data-test=login-notice]")
    assert "过期" in notice.inner_text()
    shots("session-ended")
    sign_in(page, "admin")
    page.wait_for_function("location.hash.startsWith('#/reports?tab=')")
    assert page.url.split("#")[1] in ("/reports?tab=points", "/reports?tab=records")
    assert not page.errors


def test_expired_access_token_is_renewed_with_the_refresh_token_without_signing_in_again(console, live):
    with live.db():
        tokens = auth_service.login_user("admin", LOGINS["admin"], expires=timedelta(seconds=-30))
    page, shots = console(path="/console/")
    page.wait_for_selector("#login-username")
    page.evaluate("t => sessionStorage.setItem('chengxin.console.tokens', "
                  "JSON.stringify({access: t.access_token, refresh: t.refresh_token}))", tokens)
    page.goto(live.base_url + "/console/?again#/reports?tab=backlog")
    page.wait_for_selector("[data-chart=backlog] canvas")
    assert page.url.endswith("#/reports?tab=backlog")
    renewed = page.evaluate("JSON.parse(sessionStorage.getItem('chengxin.console.tokens')).access")
    assert renewed and renewed != tokens["access_token"]
    assert not page.errors


def test_language_switch_turns_the_console_english(console):
    page, shots = console("admin")
    page.click(".who >> text=English")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert menu(page) == ["Reports", "Review queue", "Residents"]
    wait_idle(page)
    shots("english")


# --- reports ---------------------------------------------------------------------------------


def test_reports_draw_charts_and_tables_equal_the_api(console):
    page, shots = console("admin")
    wait_idle(page)
    page.wait_for_selector("[data-chart=ranking] canvas")
    page.wait_for_selector("[data-chart=stars] canvas")
    _status, villages = api(page, "GET", "/reports/villages")
    rows = table_rows(page, "villages")
    assert [(r[0], r[2], r[3]) for r in rows] == \
        [(str(v["rank"]), v["community_zh"], str(v["residents"])) for v in villages["villages"]]
    assert sum(int(r[3]) for r in rows) > 0
    assert_no_serious_axe_violations(page)
    shots("villages")

    page.click("#tab-points")
    page.wait_for_selector("[data-chart=points] canvas")
    wait_idle(page)
    _status, points = api(page, "GET", "/reports/points")
    rows = table_rows(page, "points")
    assert [(r[0], r[2], r[4], r[5], r[9]) for r in rows] == \
        [(m["month"], str(m["issued"]), str(m["spent"]), str(m["expired"]), str(m["closing"])) for m in points["months"]]
    assert page.inner_text("[data-test=outstanding]").replace(",", "").strip().endswith(str(points["outstanding"]))
    assert_no_serious_axe_violations(page)
    shots("points")

    page.click("#tab-records")
    page.wait_for_selector("[data-chart=records] canvas")
    wait_idle(page)
    _status, records = api(page, "GET", "/reports/records")
    assert [(r[0], r[2], r[3]) for r in table_rows(page, "records")] == \
        [(row["month"], str(row["good"]), str(row["bad"])) for row in records["rows"]]
    shots("records")

    page.click("#tab-backlog")
    page.wait_for_selector("[data-chart=backlog] canvas")
    wait_idle(page)
    _status, backlog = api(page, "GET", "/reports/backlog")
    assert [(r[1], r[2]) for r in table_rows(page, "backlog")] == \
        [(row["community_zh"], str(row["pending"])) for row in backlog["villages"]]
    assert_no_serious_axe_violations(page)
    shots("backlog")

    page.click("#tab-households")
    page.wait_for_selector("[data-table=households]")
    wait_idle(page)
    _status, households = api(page, "GET", "/reports/households")
    assert households["households"]
    assert [(r[0], r[1], r[4]) for r in table_rows(page, "households")] == \
        [(str(h["rank"]), h["household_code"], str(h["members"])) for h in households["households"]]
    shots("households")
    assert not page.errors


def test_village_filter_narrows_the_report_to_that_village(console):
    page, shots = console("admin")
    wait_idle(page)
    page.click("[data-test=filter-village]")
    page.click(".el-select-dropdown__item >> text=西楼村")
    page.click("[data-test=apply]")
    page.wait_for_function("document.querySelectorAll('[data-table=villages] tbody tr').length === 1")
    assert table_rows(page, "villages")[0][2] == "西楼村"
    shots("one-village")


def test_export_downloads_the_xlsx_of_the_shown_report_with_the_session(console):
    page, shots = console("admin")
    wait_idle(page)
    page.click("#tab-points")
    page.wait_for_selector("[data-table=points]")
    wait_idle(page)
    with page.expect_download() as info:
        page.click("[data-test=export]")
    download = info.value
    assert download.suggested_filename.startswith("points-") and download.suggested_filename.endswith(".xlsx")
    assert "token" not in download.url.lower()
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    sheet = workbook.active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "月份" and "发放" in header
    _status, points = api(page, "GET", "/reports/points")
    assert [(row[0], row[header.index("发放")]) for row in rows] == [(m["month"], m["issued"]) for m in points["months"]]
    shots("exported")


# --- reviewing -------------------------------------------------------------------------------


def _pending(page):
    _status, body = api(page, "GET", "/records?status=pending&per_page=100")
    return body["items"]


def test_reviewer_approves_one_record_and_rejects_another_with_a_reason(console, live):
    page, shots = console("reviewer1")
    page.wait_for_selector("[data-table=queue] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("queue")
    first, second = _pending(page)[:2]
    page.click(f"[data-approve='{first['id']}']")
    page.wait_for_selector(f"[data-approve='{first['id']}']", state="detached")
    approved = live.record(first["id"])
    assert approved["status"] == "in_notice" and approved["reviewed_by_user_id"] == live.user_id("reviewer1")

    page.click(f"[data-reject='{second['id']}']")
    page.click("[data-test=reject-confirm]")
    assert page.inner_text("[data-test=reject-error]") == "请填写驳回理由"  # no reason, no request
    page.fill("[data-test=reject-reason]", "照片与事项不符")
    shots("reject-dialog")
    page.click("[data-test=reject-confirm]")
    page.wait_for_selector(f"[data-reject='{second['id']}']", state="detached")
    rejected = live.record(second["id"])
    assert rejected["status"] == "rejected" and rejected["review_note"] == "照片与事项不符"
    shots("after-review")
    assert not page.errors


def test_approving_ones_own_record_shows_the_apis_refusal_and_bulk_reports_each_row(console, live):
    page, shots = console("admin", path="/console/#/review")
    wait_idle(page)
    other = _pending(page)[0]
    resident = api(page, "GET", f"/residents?community_id={other['community_id']}&per_page=1")[1]["items"][0]
    status, own = api(page, "POST", "/records", {
        "resident_id": resident["id"], "item_id": other["item_id"], "occurred_at": other["occurred_at"],
        "note": "管理员本人登记", "evidence_ids": []})
    assert status == 201, own
    _status, refusal = api(page, "POST", f"/records/{own['id']}/approve", {})
    page.click("[data-test=refresh]")
    page.wait_for_selector(f"[data-approve='{own['id']}']")
    wait_idle(page)
    page.click(f"[data-approve='{own['id']}']")
    message = page.wait_for_selector(".el-message--error")
    assert message.inner_text().strip() == refusal["detail"]
    assert live.record(own["id"])["status"] == "pending"
    shots("own-refused")

    # bulk: the own record is refused with the API's words, the other one is approved
    page.click(f"[data-table=queue] tr:has([data-approve='{own['id']}']) .el-checkbox")
    page.click(f"[data-table=queue] tr:has([data-approve='{other['id']}']) .el-checkbox")
    page.click("[data-test=bulk-approve]")
    outcome = page.wait_for_selector("[data-test=outcomes]")
    assert outcome.inner_text().strip() == f"记录 {own['id']}：{refusal['detail']}"
    assert live.record(other["id"])["status"] == "in_notice"
    assert live.record(own["id"])["status"] == "pending"
    shots("bulk-outcome")
    assert not page.errors


def test_residents_search_finds_by_name_and_by_card_number(console):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    first = table_rows(page, "residents")[0]
    page.fill("[data-test=resident-q]", first[1])
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(name) => [...document.querySelectorAll('[data-table=residents] tbody tr')].every("
        "r => r.children[1].innerText.includes(name))", arg=first[1])
    assert_no_serious_axe_violations(page)
    shots("residents")
    # a printed card's number finds its holder
    resident_id = int(first[0])
    _status, cards = api(page, "GET", f"/cards?resident_id={resident_id}&status=active")
    if not cards["items"]:
        assert api(page, "POST", "/cards", {"resident_id": resident_id})[0] == 201
        _status, cards = api(page, "GET", f"/cards?resident_id={resident_id}&status=active")
    page.fill("[data-test=resident-q]", cards["items"][0]["number"])
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('[data-table=residents] tbody tr').length === 1")
    assert table_rows(page, "residents")[0][:2] == [str(resident_id), first[1]]
    shots("by-card-number")


def test_resident_archive_shows_standing_and_records_and_is_logged_as_a_lookup(console, live):
    page, shots = console("reviewer1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    wait_idle(page)
    resident_id = int(table_rows(page, "residents")[0][0])
    before = live.lookups_of(resident_id)
    page.click(f"[data-archive='{resident_id}']")
    page.wait_for_selector("[data-test=archive-standing]")
    page.wait_for_function("!document.querySelector('[data-test=archive] .el-loading-mask')")
    _status, standing = api(page, "GET", f"/residents/{resident_id}/standing")
    _status, records = api(page, "GET", f"/records?resident_id={resident_id}&per_page=50")
    shown = page.inner_text("[data-test=archive-standing]")
    assert str(standing["score"]) in shown and str(standing["stars"]) in shown
    assert len(table_rows(page, "archive-records")) == len(records["items"])
    # the reviewer's reading is on the resident's look-up log
    assert {"profile", "standing", "records"} <= set(live.lookups_of(resident_id)[len(before):])
    assert_no_serious_axe_violations(page)
    shots("archive")
    assert not page.errors
