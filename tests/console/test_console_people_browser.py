"""Keeping the district in the console (real headless Chromium at 1440×900, the demo district):
towns and villages, households, residents (edit, move, cards, PIN, activation code), staff and roles,
and the Excel exports of those lists. Screenshots under $CHENGXIN_TEST_ARTIFACTS/console/; axe on every screen."""
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from backend.auth.models import User
from backend.cards.models import Card
from backend.extensions import db
from backend.org.models import Community, Household
from backend.residents.models import Resident
from tests.browser_helpers import assert_no_serious_axe_violations
from tests.console.test_console_browser import (  # noqa: F401 (fixtures)
    api, assert_dialog_axe_clean, browser, console, live, table_rows, wait_idle,
)

pytestmark = pytest.mark.browser


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def in_db(live, fn):
    with live.db():
        return fn()


def field_error(page, input_id):
    """The message Element Plus shows under the form field of ``input_id``."""
    return page.inner_text(f".el-form-item:has(#{input_id}) .el-form-item__error")


def options(page, select_id):
    """The texts a select offers once opened."""
    page.click(f".el-select:has(#{select_id})")
    page.wait_for_selector(".el-select-dropdown:visible .el-select-dropdown__item")
    return page.eval_on_selector_all(".el-select-dropdown:visible .el-select-dropdown__item",
                                     "items => items.map(i => i.innerText.trim())")


#: no select's dropdown is showing (they fade out after a choice)
NO_DROPDOWN = "![...document.querySelectorAll('.el-select-dropdown')].some(d => d.getClientRects().length)"


def choose(page, select_id, text=None):
    """Opens the select and clicks the option ``text`` (or the first one once there is one)."""
    page.wait_for_function(NO_DROPDOWN)
    page.click(f".el-select:has(#{select_id})")
    option = ".el-select-dropdown:visible .el-select-dropdown__item"
    page.click(f"{option} >> text={text}" if text else f"{option} >> nth=0")
    if select_id not in ("staff-worker", "staff-reviewer"):  # a multiple select stays open
        page.wait_for_function(NO_DROPDOWN)


def downloaded_rows(page, button):
    with page.expect_download() as info:
        page.click(button)
    download = info.value
    assert "token" not in download.url.lower()
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    return download.suggested_filename, [[c.value for c in row] for row in book.worksheets[0].iter_rows()]


# --- towns and villages ------------------------------------------------------------------------


def test_admin_adds_a_village_a_duplicate_code_is_refused_at_the_field_then_renames_it(console, live):
    page, shots = console("admin", path="/console/#/places")
    page.wait_for_selector("[data-table=villages] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("places")
    villages_before = in_db(live, lambda: count(Community))
    xilou_code = in_db(live, lambda: db.session.execute(
        select(Community.code).where(Community.name_zh == "西楼村")).scalar_one())

    page.click("[data-test=village-new]")
    page.fill("[data-test=place-code]", xilou_code)
    page.fill("[data-test=place-name-zh]", "南楼村")
    page.fill("[data-test=place-name-en]", "Nanlou")
    page.click("[data-test=place-save]")
    page.wait_for_selector("[data-test=place-error]")
    assert page.inner_text("[data-test=place-error]") == "该编码已被使用。"
    assert field_error(page, "place-code") == "已被使用。"  # next to the field it is about
    assert in_db(live, lambda: count(Community)) == villages_before  # nothing half-written
    assert_dialog_axe_clean(page)
    shots("duplicate-code")

    page.fill("[data-test=place-code]", "NL01")
    page.click("[data-test=place-save]")
    page.wait_for_selector("[data-table=villages] td >> text=南楼村")
    assert in_db(live, lambda: count(Community)) == villages_before + 1
    village_id = in_db(live, lambda: db.session.execute(
        select(Community.id).where(Community.code == "NL01")).scalar_one())

    # renaming: an empty name is refused in the form, a real one is saved
    page.click(f"[data-edit-village='{village_id}']")
    page.fill("[data-test=place-name-zh]", "  ")
    page.click("[data-test=place-save]")
    assert page.inner_text("[data-test=place-error]") == "请填写编码和中英文名称"
    page.fill("[data-test=place-name-zh]", "南楼新村")
    page.click("[data-test=place-save]")
    page.wait_for_selector("[data-table=villages] td >> text=南楼新村")
    assert in_db(live, lambda: db.session.get(Community, village_id).name_zh) == "南楼新村"
    shots("renamed")
    assert not page.errors


def test_worker_sees_towns_and_villages_but_no_button_to_change_them(console):
    page, shots = console("worker1", path="/console/#/places")
    page.wait_for_selector("[data-table=villages] tbody tr")
    wait_idle(page)
    assert page.locator("[data-test=village-new], [data-test=town-new], [data-edit-village]").count() == 0
    assert "只有信用中心管理员" in page.inner_text(".places")
    assert_no_serious_axe_violations(page)
    shots("read-only")


# --- households ----------------------------------------------------------------------------------


def test_worker_registers_a_household_sees_members_and_exports_the_village(console, live):
    page, shots = console("worker1", path="/console/#/households")
    page.wait_for_selector("[data-table=households] tbody tr")
    wait_idle(page)
    # the village filter offers the worker's own villages only
    offered = options(page, "hh-village")
    assert sorted(offered) == ["东楼村", "西楼村"]
    page.click(".el-select-dropdown:visible .el-select-dropdown__item >> text=西楼村")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("households")

    existing = table_rows(page, "households")[0]
    page.click("[data-test=hh-new]")
    page.fill("[data-test=hh-code]", existing[0])
    page.fill("[data-test=hh-name]", "新户")
    page.click("[data-test=hh-save]")
    page.wait_for_selector("[data-test=hh-error]")
    assert field_error(page, "hh-code") == "已被使用。"
    shots("duplicate-code")
    page.fill("[data-test=hh-code]", "H9001")
    page.click("[data-test=hh-save]")
    page.wait_for_selector("[data-table=households] td >> text=H9001", state="attached")
    assert in_db(live, lambda: db.session.execute(select(Household.name).where(Household.code == "H9001"))
                 .scalar_one()) == "新户"

    page.click(f"[data-members='{in_db(live, lambda: db.session.execute(select(Household.id).where(Household.code == existing[0], Household.name == existing[1])).scalars().first())}']")
    page.wait_for_selector("[data-table=members] tbody tr")
    assert len(table_rows(page, "members")) >= 1
    shots("members")
    page.keyboard.press("Escape")

    household_id = in_db(live, lambda: db.session.execute(
        select(Household.id).where(Household.code == existing[0], Household.name == existing[1])).scalars().first())
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/cards/print-sheet.pdf" in r.url) as sheet:
        page.click(f"[data-print-household='{household_id}']")
    assert sheet.value.url.endswith(f"/cards/print-sheet.pdf?household_id={household_id}")
    assert sheet.value.status == 200 and sheet.value.headers["content-type"] == "application/pdf"
    tab.value.close()

    name, rows = downloaded_rows(page, "[data-test=hh-export]")
    assert name == "households.xlsx"
    assert rows[0] == ["户编码", "户名", "地址", "村社区", "在册成员", "登记时间"]
    assert {r[3] for r in rows[1:]} == {"西楼村"} and "H9001" in [r[0] for r in rows[1:]]
    assert not page.errors


# --- residents ---------------------------------------------------------------------------------


def open_archive(page, phone):
    page.fill("[data-test=resident-q]", phone)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('[data-table=residents] tbody tr').length === 1")
    resident_id = int(table_rows(page, "residents")[0][0])
    page.click(f"[data-archive='{resident_id}']")
    page.wait_for_selector("[data-test=keeping]")
    return resident_id


def test_worker_edits_and_moves_a_resident_bad_input_is_refused_at_its_field(console, live):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    resident_id = open_archive(page, "13800000101")  # 西楼村
    before = in_db(live, lambda: (lambda r: (r.name, r.phone, r.community_id, r.household_id))(
        db.session.get(Resident, resident_id)))
    page.click("[data-test=resident-edit]")
    page.wait_for_selector("[data-test=keep-name]")
    # the village select offers only the worker's villages
    offered = options(page, "keep-village")
    assert sorted(offered) == ["东楼村", "西楼村"]
    page.click(".el-select-dropdown:visible .el-select-dropdown__item >> text=西楼村")

    page.fill("[data-test=keep-name]", "   ")
    page.click("[data-test=keep-save]")
    assert field_error(page, "keep-name") == "姓名不能为空"
    page.fill("[data-test=keep-name]", "王新名")
    page.fill("[data-test=keep-phone]", "13800000105")  # another resident's phone
    page.click("[data-test=keep-save]")
    page.wait_for_selector("[data-test=keep-error]")
    assert page.inner_text("[data-test=keep-error]") == "该手机号已属于另一位居民。"
    assert field_error(page, "keep-phone") == "已登记。"
    assert_dialog_axe_clean(page)
    shots("phone-taken")
    assert in_db(live, lambda: (lambda r: (r.name, r.phone, r.community_id, r.household_id))(
        db.session.get(Resident, resident_id))) == before  # nothing half-written: the name did not change either

    # a move to 东楼村 and one of its households
    page.fill("[data-test=keep-phone]", before[1])
    choose(page, "keep-village", "东楼村")
    page.wait_for_timeout(500)  # the village's households are fetched
    choose(page, "keep-household")
    shots("move")
    page.click("[data-test=keep-save]")
    page.wait_for_selector("[data-test=keep-save]", state="hidden")
    after = in_db(live, lambda: db.session.get(Resident, resident_id))
    dongl = in_db(live, lambda: db.session.execute(select(Community.id).where(Community.name_zh == "东楼村")).scalar_one())
    with live.db():
        moved = db.session.get(Resident, resident_id)
        assert (moved.name, moved.community_id) == ("王新名", dongl)
        household = db.session.get(Household, moved.household_id)
        assert household is not None and household.community_id == dongl
        household_shown = f"{household.code} {household.name}"
    page.wait_for_function("(text) => document.querySelector('[data-test=archive-who]').innerText.includes(text)",
                           arg=household_shown)
    assert "东楼村" in page.inner_text("[data-test=archive-who]") and after is not None
    assert table_rows(page, "residents")[0][1] == "王新名"
    # moving a resident to a village out of the worker's scope: the API refuses and says why
    mishan = in_db(live, lambda: db.session.execute(select(Community.id).where(Community.name_zh == "米山社区")).scalar_one())
    status, body = api(page, "PATCH", f"/residents/{resident_id}", {"community_id": mishan})
    assert status == 403 and body["detail"]
    shots("moved")
    assert not page.errors


def test_worker_reissues_and_revokes_a_card_resets_the_pin_and_gives_an_activation_code(console, live):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    resident_id = open_archive(page, "13800000109")
    page.wait_for_selector("[data-test=resident-card] .el-button")
    if page.locator("[data-test=card-issue]").count():
        page.click("[data-test=card-issue]")
    page.wait_for_selector("[data-test=card-number]")
    old = page.inner_text("[data-test=card-number]")
    assert_no_serious_axe_violations(page)
    shots("archive-keeping")

    page.click("[data-test=card-reissue]")
    page.click("[data-test=card-confirm]")
    assert page.inner_text("[data-test=card-error]") == "请填写原因"
    page.fill("[data-test=card-reason]", "卡片遗失")
    page.click("[data-test=card-confirm]")
    page.wait_for_function("(old) => document.querySelector('[data-test=card-number]')?.innerText.trim() !== old", arg=old)
    new = page.inner_text("[data-test=card-number]")
    with live.db():
        assert db.session.execute(select(Card.status).where(Card.number == old)).scalar_one() == "revoked"
        assert db.session.execute(select(Card.status).where(Card.number == new)).scalar_one() == "active"

    page.click("[data-test=card-revoke]")
    page.fill("[data-test=card-reason]", "居民要求")
    page.click("[data-test=card-confirm]")
    page.wait_for_selector("[data-test=card-issue]")
    with live.db():
        assert db.session.execute(select(Card.status).where(Card.number == new)).scalar_one() == "revoked"

    page.click("[data-test=resident-pin]")
    page.fill("[data-test=pin-first]", "246810")
    page.fill("[data-test=pin-second]", "246811")
    page.click("[data-test=pin-save]")
    assert page.inner_text("[data-test=pin-error]") == "请输入两次相同的 6 位数字"
    page.fill("[data-test=pin-second]", "246810")
    page.click("[data-test=pin-save]")
    page.wait_for_selector("[data-test=pin-save]", state="hidden")
    with live.db():
        from backend.auth.passwords import verify_secret
        assert verify_secret(db.session.get(Resident, resident_id).pin_hash, "246810")

    page.click("[data-test=resident-activation]")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector("[data-test=activation-code]")
    code = page.inner_text("[data-test=activation-code]").replace(" ", "")
    assert len(code) == 8 and code.isdigit()
    size = page.eval_on_selector("[data-test=activation-code]", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 48  # large print, to read out at the counter
    assert_dialog_axe_clean(page)
    shots("activation-code")
    page.click("[data-test=activation-close]")
    assert not page.errors


def test_residents_export_downloads_the_search_with_masked_ids(console):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    choose(page, "r-village", "西楼村")
    page.click("button[type=submit]")
    wait_idle(page)
    _status, listed = api(page, "GET", "/residents?per_page=1&community_id=" + str(
        table_rows(page, "residents") and _village_id(page, "西楼村")))
    name, rows = downloaded_rows(page, "[data-test=residents-export]")
    assert name == "residents.xlsx"
    assert rows[0][:2] == ["编号", "姓名"] and len(rows) - 1 == listed["total"]
    assert {r[6] for r in rows[1:]} == {"西楼村"}
    assert all(value is None or value.startswith("*" * 14) for value in (r[9] for r in rows[1:]))
    shots("exported")
    assert not page.errors


def test_worker_prints_the_cards_of_residents_ticked_in_the_list(console):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    wait_idle(page)
    assert page.is_disabled("[data-test=print-chosen-cards]")
    ids = [int(row[0]) for row in table_rows(page, "residents")[:2]]
    for n in (1, 2):
        page.click(f"[data-table=residents] tbody tr:nth-child({n}) .el-checkbox")
    assert page.inner_text("[data-test=print-chosen-cards]") == "打印所选名片（2）"
    assert_no_serious_axe_violations(page)
    shots("chosen")
    with page.context.expect_page() as tab, page.expect_response(lambda r: "/cards/print-sheet.pdf" in r.url) as sheet:
        page.click("[data-test=print-chosen-cards]")
    assert sheet.value.url.endswith(f"/cards/print-sheet.pdf?resident_ids={ids[0]}&resident_ids={ids[1]}")
    assert sheet.value.status == 200 and sheet.value.headers["content-type"] == "application/pdf"
    tab.value.close()
    assert not page.errors


def _village_id(page, name):
    _status, villages = api(page, "GET", "/communities?per_page=100")
    return next(v["id"] for v in villages["items"] if v["name_zh"] == name)


# --- staff and roles -----------------------------------------------------------------------------


def test_admin_creates_a_worker_for_a_village_disables_them_and_cannot_disable_the_last_admin(console, live):
    page, shots = console("admin", path="/console/#/staff")
    page.wait_for_selector("[data-table=staff] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("staff")
    page.click("[data-test=staff-new]")
    page.fill("[data-test=staff-username]", "worker1")  # taken
    page.fill("[data-test=staff-name]", "赵采集")
    page.fill("[data-test=staff-password]", "a-good-password")
    choose(page, "staff-worker", "西楼村")
    page.keyboard.press("Escape")
    page.click("[data-test=staff-save]")
    page.wait_for_selector("[data-test=staff-error]")
    assert field_error(page, "staff-username") == "已被占用。"
    assert_dialog_axe_clean(page)
    shots("username-taken")
    page.fill("[data-test=staff-username]", "zhao")
    page.click("[data-test=staff-save]")
    page.wait_for_selector("[data-table=staff] td >> text=zhao")
    with live.db():
        user = db.session.execute(select(User).where(User.username == "zhao")).scalar_one()
        assert [(r.role, db.session.get(Community, r.community_id).name_zh) for r in user.roles] == [("worker", "西楼村")]
    assert any("信用采集员" in r[2] or "采集员" in r[2] for r in table_rows(page, "staff") if r[0] == "zhao")

    page.click("[data-disable='zhao']")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector("[data-enable='zhao']")
    with live.db():
        assert db.session.execute(select(User.is_active).where(User.username == "zhao")).scalar_one() is False

    # the demo district has one admin: the API keeps it, and the console shows why
    page.click("[data-disable='admin']")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector("[data-test=staff-action-error]")
    assert page.inner_text("[data-test=staff-action-error]") == "这是本区最后一名在职的区管理员：请先任命另一名管理员。"
    shots("last-admin")
    with live.db():
        assert db.session.execute(select(User.is_active).where(User.username == "admin")).scalar_one() is True

    name, rows = downloaded_rows(page, "[data-test=staff-export]")
    assert name == "staff.xlsx" and "zhao" in [r[1] for r in rows[1:]]
    assert not page.errors


# --- cards ---------------------------------------------------------------------------------------


def test_worker_lists_a_villages_cards_revokes_a_lost_one_and_exports_the_list(console, live):
    page, shots = console("worker1", path="/console/#/cards")
    page.wait_for_selector("[data-table=cards]")
    wait_idle(page)
    choose(page, "cards-village", "西楼村")
    wait_idle(page)
    page.wait_for_selector("[data-table=cards] tbody tr")
    xilou = _village_id(page, "西楼村")
    _status, listed = api(page, "GET", f"/cards?community_id={xilou}&status=active&kind=resident&per_page=1")
    shown = table_rows(page, "cards")
    assert {row[3] for row in shown} == {"西楼村"} and all(row[4] == "有效" for row in shown)
    assert shown[0][0] == listed["items"][0]["number"] and shown[0][2] == listed["items"][0]["holder_name"]
    assert_no_serious_axe_violations(page)
    shots("cards")

    number = shown[0][0]
    page.click(f"[data-revoke='{number}']")
    page.click("[data-test=cards-revoke-confirm]")
    assert page.inner_text("[data-test=cards-error]") == "请填写原因"
    page.fill("[data-test=cards-reason]", "卡片遗失")
    assert_dialog_axe_clean(page)
    shots("revoke")
    page.click("[data-test=cards-revoke-confirm]")
    page.wait_for_function("(n) => ![...document.querySelectorAll('[data-table=cards] tbody tr td:first-child')]"
                           ".some(td => td.innerText.trim() === n)", arg=number)
    with live.db():
        card = db.session.execute(select(Card).where(Card.number == number)).scalar_one()
        assert (card.status, card.revoke_reason) == ("revoked", "卡片遗失")

    name, rows = downloaded_rows(page, "[data-test=cards-export]")
    assert name == "cards.xlsx" and rows[0][:4] == ["卡号", "类别", "持卡人", "村社区"]
    assert len(rows) - 1 == listed["total"] - 1 and number not in [r[0] for r in rows[1:]]
    assert {r[3] for r in rows[1:]} == {"西楼村"}

    with page.context.expect_page() as tab, page.expect_response(lambda r: "/cards/print-sheet.pdf" in r.url,
                                                                 timeout=120_000) as sheet:
        page.click("[data-test=cards-print]")
    assert sheet.value.url.endswith(f"/cards/print-sheet.pdf?community_id={xilou}") and sheet.value.status == 200
    tab.value.close()
    assert not page.errors


def test_the_district_keeping_screens_read_in_english(console):
    page, shots = console("admin", path="/console/#/staff")
    page.wait_for_selector("[data-table=staff] tbody tr")
    page.click("button:has-text('English')")
    page.wait_for_selector("text=New staff account")
    for path, text in (("places", "New village"), ("households", "New household"), ("cards", "Export to Excel")):
        page.evaluate(f"location.hash = '#/{path}'")
        page.wait_for_selector(f"text={text}")
        wait_idle(page)
        assert_no_serious_axe_violations(page)
        shots(path + "-en")
    assert not page.errors
