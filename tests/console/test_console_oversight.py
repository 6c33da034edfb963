"""The console's oversight screens in real headless Chromium at 1440×900: objections, credit repair, red and
black lists, the audit log and the look-up log, and editing an announcement.

The demo district is the data, plus (``oversight``) an overdue objection with a formula-looking reason and
two repair requests waiting for review. Screenshots are kept under $CHENGXIN_TEST_ARTIFACTS/console/; axe
checks every screen and every open dialog.
"""
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import objections, repairs
from backend.credit.models import CreditRecord, Objection, RepairRequest
from backend.extensions import db
from backend.org.models import Community
from backend.residents.models import Resident
from seed.demo import seed_demo
from tests.browser_helpers import Shots, assert_no_serious_axe_violations, browser_path, chromium, live_server
from tests.conftest import make_app
from tests.console.test_console_browser import DESKTOP, Live, api, assert_dialog_axe_clean, sign_in, table_rows, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(_schema):
    """The demo district served on loopback for this module (as in test_console_browser.py)."""
    browser_path()
    app = make_app(LOGIN_RATE_LIMIT="1000 per minute")  # every test signs in afresh
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
    """``page, shots = console("reviewer1", path)``: signed in through the sign-in page, in a fresh context."""
    contexts = []

    def open_(username=None, path="/console/"):
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(live.base_url + path)
        if username:
            sign_in(page, username)
        return page, Shots(page, "console", request.node.name)

    yield open_
    for context in contexts:
        context.close()

FORMULA_REASON = "=1+1 当天我不在场，记录不实"


def local(moment):
    """How every screen shows a stored UTC time: the district's local time (UTC+8), to the minute."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def demo_resident(index):
    """The demo's residents[index] (seed/demo.py numbers their phones from 13800000001)."""
    return db.session.execute(select(Resident).where(Resident.phone == f"138{index + 1:08d}")).scalar_one()


def as_resident(resident):
    return Principal(kind="resident", id=resident.id, district_id=resident.district_id)


@pytest.fixture(scope="module")
def oversight(live):
    """An overdue objection (formula-looking reason) to a record in notice in 西楼村, one objection in 米山社区
    (outside reviewer1's villages), and two repair requests waiting for review."""
    with live.db():
        xl = db.session.execute(select(Community).where(Community.code == "XL")).scalar_one()
        subject = demo_resident(60)  # on the notice board (seed/credit.py)
        record = db.session.execute(select(CreditRecord).where(
            CreditRecord.resident_id == subject.id, CreditRecord.status == "in_notice")).scalars().first()
        objector = db.session.execute(select(Resident).where(
            Resident.community_id == xl.id, Resident.id != subject.id).order_by(Resident.id.desc())).scalars().first()
        overdue = objections.raise_objection(as_resident(objector), record.id, FORMULA_REASON)
        overdue.due_at = utcnow() - timedelta(days=1)
        mishan_subject = demo_resident(62)  # residents[62] lives in 米山社区 (index % 4 == 2)
        mishan_record = db.session.execute(select(CreditRecord).where(
            CreditRecord.resident_id == mishan_subject.id, CreditRecord.status == "in_notice")).scalars().first()
        neighbour = db.session.execute(select(Resident).where(
            Resident.community_id == mishan_subject.community_id, Resident.id != mishan_subject.id)).scalars().first()
        elsewhere = objections.raise_objection(as_resident(neighbour), mishan_record.id, "不属实")
        asks = []
        for index, hours in ((24, 6), (17, 2)):
            resident = demo_resident(index)
            deduction = db.session.execute(select(CreditRecord).where(
                CreditRecord.resident_id == resident.id, CreditRecord.status == "final",
                CreditRecord.points < 0)).scalars().first()
            deduction.finalised_at = min(deduction.finalised_at, utcnow() - timedelta(days=100))
            asks.append(repairs.apply_repair(as_resident(resident), deduction.id,
                                             "本人已认识到错误，承诺今后爱护环境，主动参加村里的志愿服务。", hours))
        db.session.flush()
        ids = {"overdue": overdue.id, "overdue_due_at": overdue.due_at, "overdue_record": record.id,
               "elsewhere": elsewhere.id, "repairs": [ask.id for ask in asks],
               "repair_records": [ask.record_id for ask in asks]}
    return ids


def objection(live, objection_id):
    with live.db():
        row = db.session.get(Objection, objection_id)
        return {"status": row.status, "note": row.decision_note, "record_status": row.record.status}


def repair(live, repair_id):
    with live.db():
        row = db.session.get(RepairRequest, repair_id)
        return {"status": row.status, "note": row.decision_note, "record_status": row.record.status}


def popups_closed(page):
    """Waits until every drop-down and date panel has faded out (axe would measure their half-transparent colours)."""
    page.wait_for_function(
        "[...document.querySelectorAll('.el-popper')].every(p => getComputedStyle(p).display === 'none')")


def export(page, shots, name):
    """Clicks 导出 Excel and opens the downloaded workbook (fetched with the session, no token in a URL)."""
    with page.expect_download() as info:
        page.click("[data-test=export]")
    download = info.value
    assert download.suggested_filename == name and "token" not in download.url.lower()
    page.wait_for_selector(".el-message--success")
    shots("exported")
    return openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]


# --- objections ------------------------------------------------------------------------------


def test_reviewer_sees_overdue_objections_in_local_time_and_upholds_one_with_a_reason(console, live, oversight):
    page, shots = console("reviewer1", path="/console/#/objections")
    page.wait_for_selector(f"[data-open='{oversight['overdue']}']")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("queue")
    _status, listed = api(page, "GET", "/objections?status=open")
    rows = table_rows(page, "objections")
    assert [int(row[0]) for row in rows] == [o["id"] for o in listed["items"]]
    assert oversight["elsewhere"] not in [o["id"] for o in listed["items"]]  # 米山社区 is not reviewer1's
    due = page.inner_text(f"[data-due='{oversight['overdue']}']")
    assert due == local(oversight["overdue_due_at"])
    row = next(r for r in rows if int(r[0]) == oversight["overdue"])
    assert "已逾期" in row[8] and row[6] == FORMULA_REASON

    page.click(f"[data-open='{oversight['overdue']}']")
    page.wait_for_selector("[data-test=record] >> text=异议中")  # an objection in notice disputes the record
    page.wait_for_selector(".el-dialog >> text=已逾期", state="visible")
    page.click("[data-test=uphold]")
    assert page.inner_text("[data-test=decision-error]") == "请填写处理理由：异议成立或驳回都要说明理由。"
    page.fill("[data-test=decision-reason]", "   ")
    page.click("[data-test=dismiss]")  # spaces are no reason either: nothing is sent
    assert page.inner_text("[data-test=decision-error]").startswith("请填写处理理由")
    assert objection(live, oversight["overdue"])["status"] == "open"
    page.fill("[data-test=decision-reason]", "经核实，当天该村民确在外地，记录撤销。")
    assert_dialog_axe_clean(page)
    shots("decide")
    page.click("[data-test=uphold]")
    page.wait_for_selector(".el-message--success >> text=异议成立，记录已撤销")
    page.wait_for_selector(f"[data-open='{oversight['overdue']}']", state="detached")
    assert objection(live, oversight["overdue"]) == {"status": "upheld", "record_status": "voided",
                                                      "note": "经核实，当天该村民确在外地，记录撤销。"}
    shots("upheld")
    assert not page.errors


def test_a_decision_already_made_elsewhere_shows_the_apis_words_and_changes_nothing(console, live, oversight):
    page, shots = console("reviewer1", path="/console/#/objections")
    wait_idle(page)
    _status, listed = api(page, "GET", "/objections?status=open")
    target = next(o for o in listed["items"] if o["id"] != oversight["overdue"])
    page.click(f"[data-open='{target['id']}']")
    page.wait_for_selector("[data-test=decision-reason]")
    page.fill("[data-test=decision-reason]", "异议不成立，记录属实。")
    # meanwhile another desk dismisses it
    status, _body = api(page, "POST", f"/objections/{target['id']}/dismiss", {"reason": "另一位书记已核实，记录属实。"})
    assert status == 200
    page.click("[data-test=uphold]")
    error = page.wait_for_selector("[data-test=decision-error]")
    _status, refused = api(page, "POST", f"/objections/{target['id']}/uphold", {"reason": "再次处理"})
    assert refused["code"] == "objection_decided" and "已处理" in refused["detail"]
    assert error.inner_text() == refused["detail"]  # the API's own words, in Chinese
    page.wait_for_selector(f"[data-open='{target['id']}']", state="detached")  # the queue no longer offers it
    assert objection(live, target["id"]) == {"status": "dismissed", "record_status": "final",
                                             "note": "另一位书记已核实，记录属实。"}
    shots("already-decided")
    # an objection outside reviewer1's villages: not found, in Chinese, and untouched
    status, problem = api(page, "POST", f"/objections/{oversight['elsewhere']}/uphold", {"reason": "越权处理"})
    assert status == 404 and problem["detail"] == "没有这个异议。"
    assert objection(live, oversight["elsewhere"])["status"] == "open"
    assert not page.errors


def test_objections_export_downloads_the_filtered_list_with_formulas_as_text(console, live, oversight):
    page, shots = console("admin", path="/console/#/objections")
    wait_idle(page)
    page.click(".objections .el-radio-button >> text=全部")
    wait_idle(page)
    _status, listed = api(page, "GET", "/objections?per_page=100")
    sheet = export(page, shots, "objections.xlsx")
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["编号", "记录编号", "记录对象"]
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        o["id"] for o in listed["items"])
    reason = next(row[header.index("异议理由")] for row in sheet.iter_rows(min_row=2)
                  if row[0].value == oversight["overdue"])
    assert reason.value == FORMULA_REASON and reason.data_type == "s"
    assert not page.errors


# --- repairs ---------------------------------------------------------------------------------


def test_reviewer_weighs_commitment_and_hours_then_approves_one_repair_and_rejects_another(console, live, oversight):
    first, second = oversight["repairs"]
    page, shots = console("reviewer1", path="/console/#/repairs")
    page.wait_for_selector(f"[data-open='{first}']")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("queue")
    _status, shown = api(page, "GET", f"/repairs/{first}")
    assert page.inner_text(f"[data-verified='{first}']") == f"{shown['verified_volunteer_hours']:g} 小时"
    page.click(f"[data-open='{first}']")
    page.wait_for_selector("[data-test=repair-facts] >> text=承诺今后爱护环境")
    assert page.is_visible("[data-test=repair-facts] >> text=6 小时")
    page.wait_for_selector(".el-dialog >> text=核实时长少于申报时长", state="visible")  # 0 h settled against 6 h reported
    page.click("[data-test=reject]")
    assert page.inner_text("[data-test=decision-error]") == "驳回修复申请须填写理由。"
    assert_dialog_axe_clean(page)
    shots("decide")
    page.fill("[data-test=decision-note]", "已按承诺整改")
    page.click("[data-test=approve]")
    page.wait_for_selector(".el-message--success >> text=已批准，扣分已返还")
    page.wait_for_selector(f"[data-open='{first}']", state="detached")
    assert repair(live, first) == {"status": "approved", "note": "已按承诺整改", "record_status": "repaired"}

    page.click(f"[data-open='{second}']")
    page.fill("[data-test=decision-note]", "志愿服务时长不足，请补足后再申请。")
    page.click("[data-test=reject]")
    page.wait_for_selector(".el-message--success >> text=已驳回修复申请")
    assert repair(live, second) == {"status": "rejected", "note": "志愿服务时长不足，请补足后再申请。",
                                    "record_status": "final"}
    shots("decided")
    assert not page.errors


def test_repairs_export_holds_reported_and_verified_hours(console, live, oversight):
    page, shots = console("reviewer1", path="/console/#/repairs")
    wait_idle(page)
    page.click(".repairs .el-radio-button >> text=全部")
    wait_idle(page)
    _status, listed = api(page, "GET", "/repairs?per_page=100")
    sheet = export(page, shots, "repairs.xlsx")
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert "申报志愿时长（小时）" in header and "核实志愿时长（小时）" in header
    assert [row[0] for row in rows] == [r["id"] for r in listed["items"]]
    assert not page.errors


# --- red and black lists -----------------------------------------------------------------------


def test_red_and_black_lists_filter_by_village_and_export_what_is_shown(console, live, oversight):
    page, shots = console("admin", path="/console/#/lists")
    page.wait_for_selector("[data-table=list] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("red")
    _status, red = api(page, "GET", "/red-list?per_page=100")
    assert sorted(row[1] for row in table_rows(page, "list")) == sorted(r["name"] for r in red["items"])
    page.click(".lists .el-radio-button >> text=信用户")
    wait_idle(page)
    _status, households = api(page, "GET", "/red-list?kind=household&per_page=100")
    assert [row[1] for row in table_rows(page, "list")] == [h["name"] for h in households["items"]]
    shots("red-households")
    page.click(".lists .el-radio-button >> text=黑名单")
    wait_idle(page)
    _status, black = api(page, "GET", "/black-list?per_page=100")
    assert black["total"] >= 2 and sorted(row[1] for row in table_rows(page, "list")) == sorted(
        r["name"] for r in black["items"])
    village = black["items"][0]["community_name_zh"]
    page.click(".el-select:has([aria-label=村社区])")
    page.click(f".el-select-dropdown__item:visible >> text={village}")
    wait_idle(page)
    shown = table_rows(page, "list")
    assert shown and all(row[2] == village for row in shown)
    popups_closed(page)
    assert_no_serious_axe_violations(page)
    shots("black-village")
    sheet = export(page, shots, "black-list.xlsx")
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("居民编号", "姓名", "村社区")
    assert sorted(row[1] for row in rows) == sorted(row[1] for row in shown)
    assert not page.errors


# --- audit and look-up logs --------------------------------------------------------------------


def pick_day(page, selector, day):
    page.fill(selector, day)
    page.press(selector, "Enter")


def test_audit_log_filters_by_action_and_refuses_a_range_that_ends_before_it_starts(console, live, oversight):
    page, shots = console("admin", path="/console/#/audit")
    page.wait_for_selector("[data-table=audit] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("log")
    page.click(".el-select:has(#a-action)")
    page.click(".el-select-dropdown__item:visible >> text=提出异议")
    page.click("[data-test=search]")
    wait_idle(page)
    _status, listed = api(page, "GET", "/audit?action=objection.create&per_page=100")
    rows = table_rows(page, "audit")
    assert [int(row[0]) for row in rows] == [e["id"] for e in listed["items"][:20]] and rows
    assert all("objection.create" in row[3] for row in rows)
    shots("filtered")
    today = local(utcnow())[:10]
    yesterday = local(utcnow() - timedelta(days=1))[:10]
    pick_day(page, "#a-from", today)
    pick_day(page, "#a-to", yesterday)
    page.click("[data-test=search]")
    error = page.wait_for_selector("[data-test=error]")
    assert "日期范围的截止时间须晚于起始时间，请重新选择。" in error.inner_text()
    assert table_rows(page, "audit") == []
    popups_closed(page)
    assert_no_serious_axe_violations(page)
    shots("reversed-range")
    pick_day(page, "#a-to", today)
    page.click("[data-test=search]")
    wait_idle(page)
    assert not page.query_selector("[data-test=error]")
    sheet = export(page, shots, "audit-log.xlsx")
    header, *exported = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("编号", "时间", "操作人", "操作")
    assert exported and all(row[3] == "objection.create" and row[1].startswith(today) for row in exported)
    assert not page.errors


def test_reviewer_reads_who_looked_up_residents_of_their_villages_and_exports_it(console, live, oversight):
    page, shots = console("reviewer1", path="/console/#/lookups")
    page.wait_for_selector("[data-table=lookups]")
    status, _record = api(page, "GET", f"/records/{oversight['overdue_record']}")  # opening a record is a look-up
    assert status == 200
    page.click("[data-test=search]")
    wait_idle(page)
    _status, listed = api(page, "GET", "/residents/lookups?per_page=20")
    assert [int(row[0]) for row in table_rows(page, "lookups")] == [row["id"] for row in listed["items"]]
    assert_no_serious_axe_violations(page)
    shots("log")
    # the record reviewer1 opened is in the log, under their name
    page.click(".el-select:has(#l-what)")
    page.click(".el-select-dropdown__item:visible >> text=单条信用记录")
    page.click("[data-test=search]")
    wait_idle(page)
    _status, records = api(page, "GET", "/residents/lookups?what=record&per_page=20")
    rows = table_rows(page, "lookups")
    assert rows and [int(row[0]) for row in rows] == [row["id"] for row in records["items"]]
    assert all(row[3] == "单条信用记录" and row[2].startswith("王书记") for row in rows)
    shots("records-lookups")
    sheet = export(page, shots, "lookups.xlsx")
    header, *exported = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("编号", "时间", "查询人") and [row[0] for row in exported][:20] == [
        row["id"] for row in records["items"]]
    assert all(row[header.index("查询内容")] == "record" for row in exported)
    assert not page.errors


# --- announcements ----------------------------------------------------------------------------


def test_admin_edits_an_announcements_text_and_pin_but_not_where_it_shows(console, live):
    page, shots = console("admin", path="/console/#/announcements")
    page.wait_for_selector("[data-table=announcements]")
    status, made = api(page, "POST", "/announcements", {"scope": "district", "title_zh": "积分兑换时间调整",
                                                         "body_zh": "本月起每周六上午开放兑换。"})
    assert status == 201
    page.reload()
    page.wait_for_selector(f"[data-edit='{made['id']}']")
    wait_idle(page)
    page.click(f"[data-edit='{made['id']}']")
    page.wait_for_selector(".el-dialog >> text=修改公告")
    assert len(page.query_selector_all(".el-dialog .el-radio.is-disabled")) == 2  # where it shows stays
    assert page.input_value("[data-test=ann-title-zh]") == "积分兑换时间调整"
    page.fill("[data-test=ann-title-zh]", "")
    page.click("[data-test=ann-save]")
    assert page.inner_text("[data-test=ann-error]") == "请填写中文标题和正文，并选择村社区"
    page.fill("[data-test=ann-title-zh]", "积分兑换改为每周六、周日")
    page.click(".el-dialog .el-switch")
    assert_dialog_axe_clean(page)
    shots("edit")
    page.click("[data-test=ann-save]")
    page.wait_for_selector(".el-message--success >> text=公告已修改")
    page.wait_for_selector("[data-table=announcements] >> text=积分兑换改为每周六、周日")
    _status, again = api(page, "GET", f"/announcements/{made['id']}")
    assert again["title_zh"] == "积分兑换改为每周六、周日" and again["pinned"] is True
    assert again["scope"] == "district" and again["body_zh"] == "本月起每周六上午开放兑换。"
    shots("edited")
    assert not page.errors


def test_oversight_screens_read_in_english_after_the_language_switch(console, live, oversight):
    page, shots = console("admin", path="/console/#/repairs")
    wait_idle(page)
    page.click(".who >> text=English")
    page.wait_for_selector(".menu >> text=Credit repair")
    page.click(".repairs .el-radio-button >> text=All")
    page.wait_for_selector("[data-table=repairs] tbody tr >> text=Approved")
    wait_idle(page)
    headers = page.eval_on_selector_all("[data-table=repairs] thead th", "ths => ths.map(th => th.innerText.trim())")
    assert {"Resident", "Commitment", "Reported hours", "Verified hours", "Status"} <= set(headers)
    assert page.is_visible("[data-test=export] >> text=Export to Excel")
    assert_no_serious_axe_violations(page)
    shots("repairs-en")
    page.click(".menu >> text=Look-up log")
    page.wait_for_selector(".filters >> text=Looked up by")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("lookups-en")
    assert not page.errors
