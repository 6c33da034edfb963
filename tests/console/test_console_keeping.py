"""Keeping the district in the console (1440×900, real Chromium): the rule catalogue and its versions, the
policy and its versions, the merchant alliance, the credit supermarkets and the kiosks, each with its Excel
export; bad input answered at the field with the API's own words and nothing written.

The demo district (seed/demo.py) is the data; the demo admin signs in. Screenshots go under
$CHENGXIN_TEST_ARTIFACTS/console/, and axe-core checks every screen.
"""
import io
from datetime import timedelta

import openpyxl
import pytest

from backend.common.calendar import local_date
from backend.common.time import utcnow
from tests.browser_helpers import assert_no_serious_axe_violations
from tests.console.test_console_browser import (  # noqa: F401 — the fixtures of the console's browser tests
    api, assert_dialog_axe_clean, browser, console, live, table_rows, wait_idle,
)

pytestmark = pytest.mark.browser


def downloaded_sheet(page, click_selector):
    """Clicks an export button; returns (filename, header, rows) of the XLSX the browser saved."""
    with page.expect_download() as info:
        page.click(click_selector)
    download = info.value
    assert "token" not in download.url.lower()
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    return download.suggested_filename, list(header), rows


def dialogs_closed(page):
    page.wait_for_function(
        "[...document.querySelectorAll('.el-overlay')].every(o => getComputedStyle(o).display === 'none')")


def pick(page, select_selector, option_text):
    page.click(select_selector)
    page.click(f".el-select-dropdown__item:visible >> text={option_text}")


def set_date(page, selector, value):
    page.fill(selector, value)
    page.keyboard.press("Enter")


# --- the rule catalogue ----------------------------------------------------------------------


def test_catalogue_change_takes_effect_from_a_date_and_the_history_keeps_every_version(console):
    page, shots = console("admin", path="/console/#/catalogue")
    page.wait_for_selector("[data-table=catalogue] tbody tr")
    wait_idle(page)
    _status, listed = api(page, "GET", "/catalogue/items?per_page=20")
    assert [row[0].split("\n")[0].strip() for row in table_rows(page, "catalogue")] == \
        [item["title_zh"] for item in listed["items"]]
    assert_no_serious_axe_violations(page)
    shots("catalogue")

    item = next(i for i in listed["items"] if i["points"] > 0 and i["scope"] == "district")
    before = api(page, "GET", f"/catalogue/items/{item['id']}")[1]
    page.click(f"[data-change='{item['code']}']")
    page.wait_for_selector("[data-test=cat-points]")
    page.fill("[data-test=cat-points] input", str(item["points"] + 3))
    yesterday = (local_date(utcnow()) - timedelta(days=1)).isoformat()
    set_date(page, "#cat-effective", yesterday)
    page.click("[data-test=cat-save]")
    error = page.wait_for_selector("[data-test=cat-error]")
    _status, refusal = api(page, "PUT", f"/catalogue/items/{item['id']}", {"effective_from": yesterday})
    assert refusal["code"] == "effective_in_past" and error.inner_text() == refusal["detail"]
    field = page.inner_text(".el-dialog .el-form-item.is-error .el-form-item__error")
    assert field == " ".join(refusal["errors"]["effective_from"])  # said at the date itself
    assert len(api(page, "GET", f"/catalogue/items/{item['id']}")[1]["versions"]) == len(before["versions"])
    assert_dialog_axe_clean(page)
    shots("effective-in-the-past")

    tomorrow = (local_date(utcnow()) + timedelta(days=1)).isoformat()
    set_date(page, "#cat-effective", tomorrow)
    page.fill("[data-test=cat-note]", "村民代表会议决定提高分值")
    page.click("[data-test=cat-save]")
    dialogs_closed(page)
    after = api(page, "GET", f"/catalogue/items/{item['id']}")[1]
    newest = after["versions"][-1]
    assert len(after["versions"]) == len(before["versions"]) + 1
    assert (newest["points"], newest["effective_from"]) == (item["points"] + 3, tomorrow)
    assert after["points"] == item["points"]  # today the old version is still in force

    page.click(f"[data-history='{item['code']}']")
    page.wait_for_selector("[data-table=versions] tbody tr")
    rows = table_rows(page, "versions")
    assert len(rows) == len(after["versions"])
    assert rows[0][0] == f"v{newest['version']}" and tomorrow in rows[0][1] and "待生效" in rows[0][1]
    assert any("现行" in row[1] for row in rows[1:])
    page.wait_for_timeout(400)  # the drawer has slid in
    assert_no_serious_axe_violations(page)
    shots("history")
    assert not page.errors


def test_catalogue_exports_the_filtered_list(console):
    page, shots = console("admin", path="/console/#/catalogue")
    page.wait_for_selector("[data-table=catalogue] tbody tr")
    wait_idle(page)
    pick(page, "[data-test=filter-category]", "环境卫生")
    page.wait_for_function("[...document.querySelectorAll('[data-table=catalogue] tbody tr')].length > 0")
    wait_idle(page)
    _status, listed = api(page, "GET", "/catalogue/items?category=environment&per_page=100")
    name, header, rows = downloaded_sheet(page, "[data-test=export]")
    assert name.startswith("catalogue-items") and name.endswith(".xlsx")
    assert header[:3] == ["代码", "范围", "事项"]
    assert [row[0] for row in rows] == [item["code"] for item in listed["items"]]
    assert {row[header.index("类别")] for row in rows} == {"环境卫生"}
    shots("exported")


def test_reviewer_adds_an_item_for_their_own_village_only(console):
    page, shots = console("reviewer1", path="/console/#/catalogue")
    page.wait_for_selector("[data-table=catalogue] tbody tr")
    wait_idle(page)
    assert not page.query_selector("[data-change='beautiful_courtyard']")  # district items are the centre's
    page.click("[data-test=cat-new]")
    assert not page.query_selector(".el-dialog .el-radio >> text=全区")
    page.fill("[data-test=cat-code]", "xilou_river_cleanup")
    page.click(".el-dialog .el-radio >> text=村社区")
    pick(page, ".el-dialog .el-select:has-text('村社区')", "西楼村")
    page.fill("[data-test=cat-title-zh]", "清理村前小河垃圾")
    page.fill("[data-test=cat-title-en]", "Clearing litter from the village stream")
    pick(page, ".el-select:has(#cat-category)", "环境卫生")
    page.fill("[data-test=cat-points] input", "4")
    page.keyboard.press("Tab")
    assert_dialog_axe_clean(page)
    shots("new-village-item")
    page.click("[data-test=cat-save]")
    dialogs_closed(page)
    _status, listed = api(page, "GET", "/catalogue/items?scope=community&per_page=100")
    made = next(i for i in listed["items"] if i["code"] == "xilou_river_cleanup")
    assert (made["points"], made["category"], made["title_zh"]) == (4, "environment", "清理村前小河垃圾")
    assert not page.errors


# --- the policy ------------------------------------------------------------------------------


def test_policy_thresholds_not_increasing_are_refused_then_a_new_version_is_saved(console):
    page, shots = console("admin", path="/console/#/policy")
    page.wait_for_selector("[data-test=policy-current]")
    wait_idle(page)
    _status, policy = api(page, "GET", "/policy")
    _status, versions = api(page, "GET", "/policy/versions")
    shown = page.inner_text("[data-test=policy-current]")
    assert all(str(score) in shown for score in policy["star_thresholds"])
    assert_no_serious_axe_violations(page)
    shots("policy")

    page.click("[data-test=policy-edit]")
    page.wait_for_selector("[data-star='3'] input")
    page.fill("[data-star='3'] input", str(policy["star_thresholds"][1] - 5))  # 3★ below 2★
    page.click("[data-test=policy-save]")
    error = page.wait_for_selector("[data-test=policy-error]")
    bad = list(policy["star_thresholds"])
    bad[2] = bad[1] - 5
    _status, refusal = api(page, "PUT", "/policy", {"star_thresholds": bad})
    assert refusal["code"] == "invalid_policy" and error.inner_text() == refusal["detail"]
    assert page.inner_text(".el-dialog .el-form-item.is-error .el-form-item__error") == \
        " ".join(refusal["errors"]["star_thresholds"])
    assert api(page, "GET", "/policy/versions")[1]["total"] == versions["total"]  # nothing written
    assert_dialog_axe_clean(page)
    shots("thresholds-refused")

    page.fill("[data-star='3'] input", str(policy["star_thresholds"][2]))
    page.fill("[data-test=policy-notice] input", str(policy["notice_days"] + 3))
    page.fill("[data-test=policy-note]", "公示期延长三天")
    page.click("[data-test=policy-save]")
    dialogs_closed(page)
    page.wait_for_function("(n) => document.querySelectorAll('[data-table=policy-versions] tbody tr').length === n",
                           arg=versions["total"] + 1)
    _status, now = api(page, "GET", "/policy")
    assert now["notice_days"] == policy["notice_days"] + 3 and now["star_thresholds"] == policy["star_thresholds"]
    assert now["version"] == policy["version"] + 1 and now["note"] == "公示期延长三天"
    assert table_rows(page, "policy-versions")[0][0] == f"v{now['version']}"
    assert_no_serious_axe_violations(page)
    shots("new-version")
    assert not page.errors


# --- merchants -------------------------------------------------------------------------------


def test_merchant_suspended_reinstated_and_its_discounts_kept_inside_the_policys_bounds(console):
    page, shots = console("admin", path="/console/#/merchants")
    page.wait_for_selector("[data-table=merchants] tbody tr")
    wait_idle(page)
    _status, merchants = api(page, "GET", "/merchants?per_page=100")
    assert len(table_rows(page, "merchants")) == merchants["total"]
    assert_no_serious_axe_violations(page)
    shots("merchants")

    merchant = merchants["items"][0]
    page.click(f"[data-suspend='{merchant['id']}']")
    page.click(".el-message-box__btns .el-button--primary")  # no reason: the box asks for one
    page.wait_for_selector(".el-message-box__errormsg")
    page.fill(".el-message-box__input input", "顾客投诉缺斤少两，核查期间暂停")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-reinstate='{merchant['id']}']")
    assert api(page, "GET", f"/merchants/{merchant['id']}")[1]["status"] == "suspended"
    shots("suspended")
    page.click(f"[data-reinstate='{merchant['id']}']")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-suspend='{merchant['id']}']")
    assert api(page, "GET", f"/merchants/{merchant['id']}")[1]["status"] == "approved"

    page.click(f"[data-detail='{merchant['id']}']")
    page.wait_for_selector("[data-table=discounts] tbody tr")
    _status, summary = api(page, "GET", f"/merchants/{merchant['id']}/summary")
    top = summary["discounts"][-1]
    page.fill(f"[data-percent='{top['stars']}'] input", str(top["max_percent"] + 10))
    page.keyboard.press("Tab")
    page.click("[data-test=save-discounts]")
    error = page.wait_for_selector("[data-test=discount-error]")
    assert "超出" in error.inner_text() or "范围" in error.inner_text()
    assert f"{top['stars']}★" in error.inner_text()
    after = api(page, "GET", f"/merchants/{merchant['id']}/summary")[1]["discounts"]
    assert after == summary["discounts"]  # nothing written
    page.wait_for_timeout(400)
    assert_no_serious_axe_violations(page)
    shots("discount-refused")
    page.fill(f"[data-percent='{top['stars']}'] input", str(top["max_percent"]))
    page.keyboard.press("Tab")
    page.click("[data-test=save-discounts]")
    page.wait_for_selector(".el-message--success")
    saved = api(page, "GET", f"/merchants/{merchant['id']}/summary")[1]["discounts"]
    assert (saved[-1]["percent"], saved[-1]["set_by_merchant"]) == (top["max_percent"], True)
    shots("discounts-saved")

    # an abusive text is hidden with a reason; its stars still count
    rating = next(r for r in api(page, "GET", f"/merchants/{merchant['id']}/ratings")[1]["items"]
                  if r["comment"] and not r["hidden"])
    page.click(f"[data-hide='{rating['id']}']")
    page.fill(".el-message-box__input input", "含有对店员的人身攻击")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-hide='{rating['id']}']", state="detached")
    hidden = next(r for r in api(page, "GET", f"/merchants/{merchant['id']}/ratings")[1]["items"]
                  if r["id"] == rating["id"])
    assert hidden["hidden"] and hidden["hidden_reason"] == "含有对店员的人身攻击"

    # the door poster opens as a PDF with the session
    with page.context.expect_page() as tab, page.expect_response(
            lambda r: "/poster.pdf" in r.url, timeout=120_000) as poster:
        page.click("[data-test=mer-poster]")
    assert poster.value.status == 200 and poster.value.headers["content-type"] == "application/pdf"
    tab.value.close()
    assert not page.errors


def test_pending_merchant_is_approved_into_the_alliance(console):
    page, shots = console("admin", path="/console/#/merchants")
    page.wait_for_selector("[data-table=merchants] tbody tr")
    wait_idle(page)
    _status, pending = api(page, "GET", "/merchants?status=pending")
    if not pending["items"]:
        pytest.skip("the demo district has no pending merchant")
    merchant = pending["items"][0]
    page.click(f"[data-approve='{merchant['id']}']")
    page.click(".el-message-box__btns .el-button--primary")  # approving needs no reason
    page.wait_for_selector(f"[data-approve='{merchant['id']}']", state="detached")
    assert api(page, "GET", f"/merchants/{merchant['id']}")[1]["status"] == "approved"
    row = next(r for r in table_rows(page, "merchants") if r[0].startswith(merchant["name"]))
    assert row[4].startswith("联盟商家")
    assert not page.errors


def test_merchant_export_follows_the_state_filter(console):
    page, shots = console("admin", path="/console/#/merchants")
    page.wait_for_selector("[data-table=merchants] tbody tr")
    wait_idle(page)
    page.click(".toolbar .el-radio-button >> text=联盟商家")
    wait_idle(page)
    _status, approved = api(page, "GET", "/merchants?status=approved&per_page=100")
    name, header, rows = downloaded_sheet(page, "[data-test=export]")
    assert name == "merchants.xlsx" and header[:2] == ["编号", "名称"]
    assert [(row[0], row[1]) for row in rows] == [(m["id"], m["name"]) for m in approved["items"]]
    assert {row[header.index("状态")] for row in rows} == {"联盟商家"}


# --- supermarkets ----------------------------------------------------------------------------


def test_supermarket_intake_of_zero_is_refused_then_a_donation_and_a_correction_are_recorded(console):
    page, shots = console("admin", path="/console/#/supermarkets")
    page.wait_for_selector("[data-table=items] tbody tr")
    wait_idle(page)
    _status, shops = api(page, "GET", "/supermarkets")
    shop = shops["items"][0]
    _status, items = api(page, "GET", f"/supermarkets/{shop['id']}/items?per_page=20")
    assert len(table_rows(page, "items")) == len(items["items"])
    assert page.query_selector(f"[data-table=items] img[src='{items['items'][0]['photo']}']")
    assert_no_serious_axe_violations(page)
    shots("items")

    item = items["items"][0]
    page.click(f"[data-intake='{item['id']}']")
    page.fill("[data-test=stock-quantity] input", "0")
    page.fill("[data-test=stock-donor]", "文登区实验小学")
    page.click("[data-test=stock-save]")
    error = page.wait_for_selector("[data-test=stock-error]")
    status, refusal = api(page, "POST", f"/supermarkets/{shop['id']}/items/{item['id']}/intakes",
                          {"quantity": 0, "donor_name": "文登区实验小学", "donor_kind": "school"})
    assert status == 422 and error.inner_text() == refusal["detail"]
    assert page.inner_text(".el-dialog .el-form-item.is-error .el-form-item__error") == \
        " ".join(refusal["errors"]["quantity"])
    assert api(page, "GET", f"/supermarkets/{shop['id']}/items?per_page=20")[1]["items"][0]["stock"] == item["stock"]
    assert_dialog_axe_clean(page)
    shots("intake-of-zero")

    page.fill("[data-test=stock-quantity] input", "12")
    page.click(".el-dialog .el-radio >> text=学校")
    page.click("[data-test=stock-save]")
    dialogs_closed(page)
    page.wait_for_selector(".el-message--success")
    stock = api(page, "GET", f"/supermarkets/{shop['id']}/items?per_page=20")[1]["items"][0]["stock"]
    assert stock == item["stock"] + 12

    page.click(f"[data-adjust='{item['id']}']")
    page.fill("[data-test=stock-quantity] input", "-2")
    page.fill("[data-test=stock-reason]", "受潮损坏两袋")
    page.click("[data-test=stock-save]")
    dialogs_closed(page)
    assert api(page, "GET", f"/supermarkets/{shop['id']}/items?per_page=20")[1]["items"][0]["stock"] == stock - 2

    page.click("#tab-movements")
    page.wait_for_selector("[data-table=movements] tbody tr")
    wait_idle(page)
    first, second = table_rows(page, "movements")[:2]
    assert (first[2], first[3], first[6]) == ("调整", "-2", "受潮损坏两袋")
    assert (second[2], second[3]) == ("入库", "+12") and "文登区实验小学" in second[5] and "学校" in second[5]
    assert_no_serious_axe_violations(page)
    shots("movements")
    name, header, rows = downloaded_sheet(page, "[data-test=export]")
    assert name.startswith("stock-movements") and header[:3] == ["编号", "时间", "物品"]
    assert (rows[0][header.index("类型")], rows[0][header.index("数量")], rows[0][header.index("原因")]) == \
        ("调整", -2, "受潮损坏两袋")
    assert not page.errors


def test_supermarket_orders_can_be_cancelled_and_the_items_export_holds_the_stock(console, live):
    page, shots = console("admin", path="/console/#/supermarkets")
    page.wait_for_selector("[data-table=items] tbody tr")
    wait_idle(page)
    _status, shops = api(page, "GET", "/supermarkets")
    shop = shops["items"][0]
    name, header, rows = downloaded_sheet(page, "[data-test=export]")
    _status, items = api(page, "GET", f"/supermarkets/{shop['id']}/items?per_page=100")
    assert name.startswith("supermarket-items") and header[:2] == ["编号", "名称"]
    assert [(row[0], row[header.index("库存")]) for row in rows] == [(i["id"], i["stock"]) for i in items["items"]]

    page.click("#tab-orders")
    page.wait_for_selector("[data-table=orders]")
    wait_idle(page)
    _status, placed = api(page, "GET", f"/supermarkets/{shop['id']}/orders?status=placed")
    assert_no_serious_axe_violations(page)
    shots("orders")
    if not placed["items"]:
        pytest.skip("the demo shop has no uncollected order to cancel")
    order = placed["items"][0]
    page.click(f"[data-cancel='{order['id']}']")
    page.fill(".el-message-box__input input", "居民改换物品")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-cancel='{order['id']}']", state="detached")
    again = api(page, "GET", f"/supermarkets/orders/{order['id']}")[1]
    assert again["status"] == "cancelled" and again["cancel_reason"] == "居民改换物品"
    shots("cancelled")
    assert not page.errors


# --- kiosks ----------------------------------------------------------------------------------


def test_kiosk_registered_shows_its_pairing_code_once_then_is_disabled_and_enabled(console):
    page, shots = console("admin", path="/console/#/kiosks")
    page.wait_for_selector("[data-table=kiosks] tbody tr")
    wait_idle(page)
    assert_no_serious_axe_violations(page)
    shots("kiosks")
    page.click("[data-test=kiosk-new]")
    page.click("[data-test=kiosk-save]")
    assert page.inner_text("[data-test=kiosk-error]") == "请填写终端名称并选择村社区"
    page.fill("[data-test=kiosk-name]", "东楼村便民服务点终端")
    pick(page, ".el-select:has(#kiosk-village)", "东楼村")
    page.click("[data-test=kiosk-save]")
    code = page.wait_for_selector("[data-test=pairing-code]")
    text = code.inner_text().strip()
    assert len(text) == 10 and text.isalnum()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('[data-test=pairing-code]')).fontSize)")
    assert size >= 40  # read off the screen from a step away
    assert_dialog_axe_clean(page)
    shots("pairing-code")
    page.click("[data-test=code-done]")
    dialogs_closed(page)
    _status, devices = api(page, "GET", "/devices?per_page=100")
    device = next(d for d in devices["items"] if d["name"] == "东楼村便民服务点终端")
    assert "pairing_code" not in device  # shown once: the list never repeats it
    page.wait_for_selector("[data-test=pairing-code]", state="detached")  # gone from the page once closed

    page.click(f"[data-disable='{device['id']}']")
    page.fill(".el-message-box__input input", "设备送修")
    page.click(".el-message-box__btns .el-button--primary")
    page.wait_for_selector(f"[data-enable='{device['id']}']")
    assert api(page, "GET", "/devices?per_page=100")[1]["items"][-1]["disabled_at"]
    shots("disabled")
    page.click(f"[data-enable='{device['id']}']")
    page.wait_for_selector(f"[data-disable='{device['id']}']")

    name, header, rows = downloaded_sheet(page, "[data-test=export]")
    assert name == "kiosks.xlsx" and header[:3] == ["编号", "名称", "村社区"]
    assert [row[1] for row in rows] == [d["name"] for d in devices["items"]]
    assert rows[-1][header.index("村社区")] == "东楼村"
    assert not page.errors


def test_keeping_screens_read_in_english(console):
    page, shots = console("admin", path="/console/#/catalogue")
    page.wait_for_selector("[data-table=catalogue] tbody tr")
    page.click(".who >> text=English")
    page.wait_for_function("document.documentElement.lang === 'en'")
    headers = page.eval_on_selector_all("[data-table=catalogue] thead th", "ths => ths.map(th => th.innerText.trim())")
    assert headers[:4] == ["Item", "Category", "Points", "Cap"]
    for path, table in (("/kiosks", "kiosks"), ("/merchants", "merchants"), ("/supermarkets", "items")):
        page.click(f"[data-page='{path}']")
        page.wait_for_selector(f"[data-table={table}] tbody tr")
        wait_idle(page)
        heads = page.eval_on_selector_all(f"[data-table={table}] thead th", "ths => ths.map(th => th.innerText)")
        assert not [h for h in heads if any("\u4e00" <= ch <= "\u9fff" for ch in h)], heads  # data stays Chinese
        assert page.inner_text("[data-test=export]") == "Export Excel"
        assert_no_serious_axe_violations(page)
        shots(path.strip("/"))
    assert not page.errors
