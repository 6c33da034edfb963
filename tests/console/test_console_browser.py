"""The staff console in real headless Chromium at 1440×900 against a live server on loopback.

The demo district (seed/demo.py) is the data: its admin, reviewer and worker sign in with their
demo passwords. Screenshots of every screen are kept under $CHENGXIN_TEST_ARTIFACTS/console/;
axe-core checks each screen for serious or critical violations.
"""
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from backend.auth import service as auth_service
from backend.auth.models import User
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.reports import credit_reports
from backend.residents import idnumbers, roster
from backend.residents.models import Resident, ResidentLookup
from seed.demo import seed_demo
from tests.browser_helpers import (
    Shots, assert_no_serious_axe_violations, axe_violations, browser_path, chromium, committed, live_server,
)
from tests.conftest import make_app

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
LOGINS = {"admin": "chengxin-admin", "reviewer1": "chengxin-reviewer", "worker1": "chengxin-worker"}


class Live:
    """The server and small helpers that read the database (each ends its transaction: on SQLite an open
    transaction in the test's thread would stall the server)."""

    def __init__(self, base_url):
        self.base_url = base_url

    def db(self):
        return committed()

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
    with live_server(app) as base_url:
        live = Live(base_url)
        with live.db():
            seed_demo()
        yield live


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


def menu_groups(page):
    return page.eval_on_selector_all(".side .menu-group", "items => items.map(i => i.innerText.trim())")


def assert_dialog_axe_clean(page):
    """axe on an open dialog once it has faded in: the dialog's enter animation makes axe measure its
    half-transparent colours, so a violation must still be there after the animation has had time to end."""
    for _attempt in range(6):
        if not axe_violations(page):
            return
        page.wait_for_timeout(300)
    assert_no_serious_axe_violations(page)


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
    # the menu in its groups: daily work, residents, rules and partners, openness and oversight, places and staff
    assert menu(page) == ["统计报表", "记录审核", "异议处理", "信用修复", "居民查询", "信用户", "名片管理", "名册导入",
                          "信用事项", "信用政策", "联盟商家", "信用超市", "自助终端", "公告", "红黑名单", "操作日志",
                          "查询登记", "镇街与村社区", "工作人员"]
    assert menu_groups(page) == ["日常工作", "居民与户", "规则与伙伴", "公开与监督", "区域与人员"]
    page, shots = console("reviewer1")
    assert page.url.endswith("#/review")  # a reviewer starts at the queue
    # no roster import (the API refuses reviewers), no audit log and no staff (the district admin's);
    # their village's catalogue items are theirs to keep
    assert menu(page) == ["统计报表", "记录审核", "异议处理", "信用修复", "居民查询", "信用户", "名片管理", "信用事项",
                          "公告", "红黑名单", "查询登记", "镇街与村社区"]
    page, shots = console("worker1")
    # no review queue; workers run the shops
    assert menu(page) == ["统计报表", "居民查询", "信用户", "名片管理", "名册导入", "信用超市", "公告", "红黑名单",
                          "镇街与村社区"]
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
    assert menu(page) == ["Reports", "Review queue", "Objections", "Credit repair", "Residents", "Households", "Cards",
                          "Roster import", "Rule catalogue", "Credit policy", "Merchants", "Supermarkets", "Kiosks",
                          "Announcements", "Red & black lists", "Audit log", "Look-up log", "Towns & villages", "Staff"]
    assert menu_groups(page) == ["Daily work", "Residents", "Rules & partners", "Openness & oversight", "Places & staff"]
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


def test_review_queue_exports_its_pending_records_with_the_session(console):
    page, shots = console("reviewer1")
    page.wait_for_selector("[data-table=queue] tbody tr")
    wait_idle(page)
    with page.expect_download() as info:
        page.click("[data-test=export]")
    download = info.value
    assert download.suggested_filename == "records.xlsx" and "token" not in download.url.lower()
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    assert header[:3] == ("编号", "居民", "项目")
    assert [row[0] for row in rows] == [record["id"] for record in _pending(page)]  # the queue, every page
    shots("exported")


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

    # bulk: one request to the bulk review; the own record is refused with the API's words, the other approved
    page.click(f"[data-table=queue] tr:has([data-approve='{own['id']}']) .el-checkbox")
    page.click(f"[data-table=queue] tr:has([data-approve='{other['id']}']) .el-checkbox")
    with page.expect_response(lambda r: "/api/v1/records/" in r.url and r.request.method == "POST") as answer:
        page.click("[data-test=bulk-approve]")
    assert answer.value.url.endswith("/api/v1/records/bulk-review") and answer.value.status == 200
    assert sorted(answer.value.request.post_data_json["ids"]) == sorted([own["id"], other["id"]])
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


# --- roster import ---------------------------------------------------------------------------


def _id_number(serial):
    """A valid fictional ID number (born 1970) with the right check digit."""
    first17 = f"371081197001{serial:05d}"[:17].ljust(17, "0")
    return first17 + idnumbers.check_digit(first17)


def _roster_file(tmp_path, name, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([header for header, *_rest in roster.COLUMNS])
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_roster_import_previews_then_commits_a_good_file_into_the_residents(console, live, tmp_path):
    page, shots = console("worker1", path="/console/#/import")
    page.wait_for_selector("[data-test=import-file]")
    with page.expect_download() as info:
        page.click("[data-test=template]")
    template = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert [c.value for c in template.worksheets[0][1]] == [header for header, *_rest in roster.COLUMNS]
    assert "token" not in info.value.url.lower()
    rows = [["XL", "XL-IMP-01", "导入家", "导入甲", "男", 1970, "13912340001", _id_number(101)],
            ["XL", "XL-IMP-01", "导入家", "导入乙", "女", 1972, "13912340002", _id_number(102)]]
    page.set_input_files("[data-test=import-file]", str(_roster_file(tmp_path, "good.xlsx", rows)))
    page.wait_for_selector("[data-test=import-counts]")
    wait_idle(page)
    counts = page.inner_text("[data-test=import-counts]")
    assert "2" in counts
    assert page.is_enabled("[data-test=import-commit]")
    assert not page.query_selector("[data-table=import-problems]")
    assert_no_serious_axe_violations(page)
    shots("preview-good")
    with live.db():
        assert not db.session.execute(select(Resident).where(Resident.name.in_(["导入甲", "导入乙"]))).all()
    page.click("[data-test=import-commit]")
    done = page.wait_for_selector("[data-test=import-done]")
    assert "新增 2" in done.inner_text()
    with live.db():
        imported = db.session.execute(select(Resident).where(Resident.name.in_(["导入甲", "导入乙"]))).scalars().all()
        assert sorted((r.name, r.phone, r.id_last4) for r in imported) == [
            ("导入乙", "13912340002", _id_number(102)[-4:]), ("导入甲", "13912340001", _id_number(101)[-4:])]
        assert imported[0].household_id is not None and imported[0].household_id == imported[1].household_id
    shots("committed")
    assert not page.errors


def preview_via_api(page, path):
    """The import preview the API gives for the file, asked with the page's session."""
    token = page.evaluate("JSON.parse(sessionStorage.getItem('chengxin.console.tokens')).access")
    answer = page.request.post(
        page.url.split("/console/")[0] + "/api/v1/residents/imports?commit=false",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"},
        multipart={"file": {"name": path.name, "mimeType": "application/octet-stream", "buffer": path.read_bytes()}})
    return answer.status, answer.json()


def test_roster_with_a_bad_id_check_digit_names_the_row_and_commit_stays_disabled(console, live, tmp_path):
    page, shots = console("worker1", path="/console/#/import")
    page.wait_for_selector("[data-test=import-file]")
    good = _id_number(201)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [["XL", "", "", "校验甲", "男", 1970, "13912340011", good],
            ["XL", "", "", "校验乙", "女", 1971, "13912340012", bad]]
    page.set_input_files("[data-test=import-file]", str(_roster_file(tmp_path, "bad.xlsx", rows)))
    page.wait_for_selector("[data-table=import-problems]")
    wait_idle(page)
    # the table shows the API's own problems, row by row
    _status, answer = preview_via_api(page, tmp_path / "bad.xlsx")
    problems = answer["problems"]
    assert problems and all(p["row"] == 3 for p in problems)
    assert [(r[0], r[1], r[2]) for r in table_rows(page, "import-problems")] == \
        [(str(p["row"]), p["column"], p["message_zh"]) for p in problems]
    assert page.is_disabled("[data-test=import-commit]")
    assert_no_serious_axe_violations(page)
    shots("preview-bad-row")
    with live.db():
        assert not db.session.execute(select(Resident).where(Resident.name.in_(["校验甲", "校验乙"]))).all()
    # a file that is not a workbook: the API's own refusal
    not_xlsx = tmp_path / "roster.xlsx"
    not_xlsx.write_text("姓名,身份证号\n", encoding="utf-8")
    page.set_input_files("[data-test=import-file]", str(not_xlsx))
    error = page.wait_for_selector("[data-test=import-error]")
    status, refusal = preview_via_api(page, not_xlsx)
    assert status == 422 and refusal["code"] == "not_xlsx" and refusal["detail"] in error.inner_text()
    assert not page.query_selector("[data-test=import-commit]")
    shots("not-xlsx")
    assert not page.errors


# --- printing --------------------------------------------------------------------------------


def pdf_bytes(page, url):
    """The file at ``url`` fetched again with the page's session (the tab's copy is not readable here)."""
    token = page.evaluate("JSON.parse(sessionStorage.getItem('chengxin.console.tokens')).access")
    return page.request.get(url, headers={"Authorization": f"Bearer {token}"}).body()


def test_archive_prints_the_card_sheet_and_issues_a_credit_report_as_pdfs(console, live):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    wait_idle(page)
    resident_id = int(table_rows(page, "residents")[0][0])
    page.click(f"[data-archive='{resident_id}']")
    page.wait_for_selector("[data-test=print-cards]")
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/cards/print-sheet.pdf" in r.url) as sheet:
        page.click("[data-test=print-cards]")
    assert sheet.value.status == 200 and sheet.value.headers["content-type"] == "application/pdf"
    assert "token" not in sheet.value.url.lower() and sheet.value.request.headers["authorization"].startswith("Bearer ")
    assert pdf_bytes(page, sheet.value.url).startswith(b"%PDF")
    tab.value.close()

    page.click("[data-test=credit-report]")
    page.click("[data-test=report-issue]")
    assert page.inner_text("[data-test=report-error]") == "请填写用途（至少两个字）"  # no purpose, no report
    page.fill("[data-test=report-purpose]", "本人申请，用于贷款")
    assert_dialog_axe_clean(page)
    shots("credit-report-dialog")
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/credit-reports/" in r.url
                                                                 and r.url.endswith(".pdf")) as pdf:
        page.click("[data-test=report-issue]")
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    assert pdf_bytes(page, pdf.value.url).startswith(b"%PDF")
    tab.value.close()
    _status, reports = api(page, "GET", f"/credit-reports?resident_id={resident_id}")
    assert reports["items"][0]["purpose"] == "本人申请，用于贷款"
    assert pdf.value.url.endswith(f"/credit-reports/{reports['items'][0]['id']}.pdf")
    assert credit_reports.LOOKUP in live.lookups_of(resident_id)  # the issue is on the resident's look-up log
    shots("credit-report-issued")

    # the volunteer certificate (志愿服务证明) of the same resident, numbered, opened as a PDF with the session
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/volunteering/certificates/" in r.url
                                                                 and r.url.endswith("/pdf")) as pdf:
        page.click("[data-test=certificate]")
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    assert pdf_bytes(page, pdf.value.url).startswith(b"%PDF") and "token" not in pdf.value.url.lower()
    tab.value.close()
    certificate_id = int(pdf.value.url.rsplit("/", 2)[1])
    _status, certificate = api(page, "GET", f"/volunteering/certificates/{certificate_id}")
    assert certificate["resident_id"] == resident_id and certificate["number"]
    assert not page.errors


def test_village_card_sheet_prints_only_once_a_village_is_chosen(console):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    assert page.is_disabled("[data-test=print-village-cards]")
    page.click(".el-select:has(#r-village)")
    page.click(".el-select-dropdown__item >> text=西楼村")
    _status, villages = api(page, "GET", "/communities?per_page=100")
    xilou = next(v["id"] for v in villages["items"] if v["name_zh"] == "西楼村")
    # a whole village's sheet takes a while to render on a busy test machine
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/cards/print-sheet.pdf" in r.url,
                                                                 timeout=120_000) as sheet:
        page.click("[data-test=print-village-cards]")
    assert sheet.value.url.endswith(f"/cards/print-sheet.pdf?community_id={xilou}")
    assert sheet.value.status == 200 and sheet.value.headers["content-type"] == "application/pdf"
    tab.value.close()
    shots("village-cards")
    assert not page.errors


# --- announcements ---------------------------------------------------------------------------


def test_worker_publishes_an_announcement_to_a_village_and_withdraws_it(console, live):
    page, shots = console("worker1", path="/console/#/announcements")
    page.wait_for_selector("[data-table=announcements]")
    wait_idle(page)
    shots("list")
    page.click("[data-test=ann-new]")
    assert not page.query_selector(".el-dialog .el-radio >> text=全区")  # a worker cannot speak for the district
    page.click("[data-test=ann-save]")
    assert page.inner_text("[data-test=ann-error]") == "请填写中文标题和正文，并选择村社区"
    page.click(".el-select:has(#ann-village)")
    page.click(".el-select-dropdown__item:visible >> text=西楼村")
    page.fill("[data-test=ann-title-zh]", "本周六清扫村道")
    page.fill("[data-test=ann-body-zh]", "周六上午八点在村委会集合，参加者记志愿服务时长。")
    assert not page.query_selector("[data-test=ann-error]")  # the filled form no longer shows the old error
    assert_dialog_axe_clean(page)
    shots("new")
    page.click("[data-test=ann-save]")
    page.wait_for_selector("[data-table=announcements] >> text=本周六清扫村道")
    wait_idle(page)
    _status, listed = api(page, "GET", "/announcements?state=current")
    made = next(a for a in listed["items"] if a["title_zh"] == "本周六清扫村道")
    assert made["scope"] == "community" and made["body_zh"].startswith("周六上午八点")
    # the dialog has faded out (axe would measure its half-transparent colours)
    page.wait_for_function("[...document.querySelectorAll('.el-overlay')].every(o => getComputedStyle(o).display === 'none')")
    assert_no_serious_axe_violations(page)
    shots("published")
    page.click(f"[data-withdraw='{made['id']}']")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-withdraw='{made['id']}']", state="detached")
    _status, again = api(page, "GET", f"/announcements/{made['id']}")
    assert again["withdrawn_at"] is not None
    shots("withdrawn")
    assert not page.errors


def test_district_admin_publishes_to_the_whole_district(console):
    page, shots = console("admin", path="/console/#/announcements")
    page.wait_for_selector("[data-table=announcements]")
    page.click("[data-test=ann-new]")
    page.click(".el-dialog .el-radio >> text=全区")
    page.fill("[data-test=ann-title-zh]", "信用积分兑换规则调整")
    page.fill("[data-test=ann-body-zh]", "自下月起，超市兑换每人每月上限为 300 分。")
    page.click("[data-test=ann-save]")
    page.wait_for_selector("[data-table=announcements] >> text=信用积分兑换规则调整")
    _status, listed = api(page, "GET", "/announcements?scope=district")
    assert any(a["title_zh"] == "信用积分兑换规则调整" and a["community_id"] is None for a in listed["items"])
    row = table_rows(page, "announcements")
    assert any(r[0].endswith("信用积分兑换规则调整") and r[1] == "全区" for r in row)
    shots("district")
    assert not page.errors
