"""Opening a credit supermarket and adding an item with its photo in the console (1440×900, real Chromium):
the admin opens a shop, adds an item with a photo chosen from a file, sees it in the list; a file that is
not a photo is refused at the photo field with the API's words, and the item keeps the photo it had.

The demo district is the data; screenshots go under $CHENGXIN_TEST_ARTIFACTS/console/; axe checks each screen.
"""
import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.browser_helpers import assert_no_serious_axe_violations
from tests.console.test_console_browser import (  # noqa: F401 — the fixtures of the console's browser tests
    api, assert_dialog_axe_clean, browser, console, live, table_rows, wait_idle,
)

pytestmark = pytest.mark.browser

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def goods_png():
    """A photo-like PNG of a bag of rice, made here (no file in the repository)."""
    image = Image.new("RGB", (480, 360), (246, 241, 228))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((130, 50, 350, 320), radius=28, fill=(214, 180, 120), outline=(140, 100, 50), width=6)
    draw.rectangle((160, 130, 320, 220), fill=(255, 255, 255))
    try:
        font = ImageFont.truetype(CJK_FONT, 52)
    except OSError:  # the fonts package is installed by the project's scripts; the test does not depend on it
        font = ImageFont.load_default()
    draw.text((240, 175), "大米", fill=(170, 20, 30), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def dialogs_closed(page):
    page.wait_for_function(
        "[...document.querySelectorAll('.el-overlay')].every(o => getComputedStyle(o).display === 'none')")


def pick(page, select_selector, option_text):
    """Chooses an option; waits for the list to close so the next pick does not find this list's options."""
    page.click(select_selector)
    page.click(f".el-select-dropdown__item:visible >> text={option_text}")
    page.keyboard.press("Escape")
    page.wait_for_function("[...document.querySelectorAll('.el-select-dropdown')]"
                           ".every(d => !d.offsetParent || getComputedStyle(d.closest('.el-popper')).display === 'none')")


def field_error(page, label):
    return page.inner_text(f".el-dialog .el-form-item.is-error:has(.el-form-item__label:text-is('{label}')) "
                           ".el-form-item__error")


def test_admin_opens_a_supermarket_adds_an_item_with_a_photo_from_a_file_and_sees_it_in_the_list(console):
    page, shots = console("admin", path="/console/#/supermarkets")
    page.wait_for_selector("[data-table=items] tbody tr")
    wait_idle(page)
    _status, before = api(page, "GET", "/supermarkets?per_page=100")

    # a supermarket with no name is refused at its fields, in the API's own words
    page.click("[data-test=shop-new]")
    page.wait_for_selector("[data-test=shop-name-zh]")
    page.click("[data-test=shop-save]")
    page.wait_for_selector("[data-test=shop-error]")
    status, refusal = api(page, "POST", "/supermarkets", {"name_zh": "", "name_en": "", "address": None,
                                                          "served_community_ids": [], "community_id": None})
    assert status == 422
    assert field_error(page, "中文名称") == " ".join(refusal["errors"]["name_zh"])
    assert field_error(page, "所在村社区") == " ".join(refusal["errors"]["community_id"])
    assert api(page, "GET", "/supermarkets?per_page=100")[1]["total"] == before["total"]

    page.fill("[data-test=shop-name-zh]", "东楼村诚信爱心超市")
    page.fill("[data-test=shop-name-en]", "Donglou Credit Supermarket")
    pick(page, ".el-select:has(#shop-village)", "东楼村")
    pick(page, ".el-select:has(#shop-served)", "西楼村")
    page.fill("#shop-address", "东楼村村委会东侧")
    assert_dialog_axe_clean(page)
    shots("new-supermarket")
    page.click("[data-test=shop-save]")
    dialogs_closed(page)
    shops = api(page, "GET", "/supermarkets?per_page=100")[1]["items"]
    shop = next(s for s in shops if s["name_zh"] == "东楼村诚信爱心超市")
    assert shop["name_en"] == "Donglou Credit Supermarket" and shop["address"] == "东楼村村委会东侧"
    assert len(shop["served_community_ids"]) == 2
    page.wait_for_selector("[data-table=items] .el-table__empty-text")
    assert page.input_value("[data-test=shop-select] input") == "东楼村诚信爱心超市" or \
        "东楼村诚信爱心超市" in page.inner_text("[data-test=shop-select]")

    # an item with its photo chosen from a file: previewed before saving
    page.click("[data-test=item-new]")
    page.wait_for_selector("[data-test=item-name-zh]")
    page.fill("[data-test=item-name-zh]", "五常大米（5公斤）")
    page.fill("[data-test=item-name-en]", "Wuchang rice (5 kg)")
    page.fill("[data-test=item-price] input", "60")
    page.fill("[data-test=item-low] input", "3")
    page.click("[data-test=item-limited]")
    page.fill("[data-test=item-limit] input", "2")
    page.set_input_files("[data-test=item-photo]", files=[
        {"name": "大米.png", "mimeType": "image/png", "buffer": goods_png()}])
    preview = page.wait_for_selector("[data-test=item-preview]")
    assert preview.get_attribute("src").startswith("blob:")
    page.wait_for_function("document.querySelector('[data-test=item-preview]').naturalWidth > 0")
    assert "大米.png" in page.inner_text(".photo-help")
    assert_dialog_axe_clean(page)
    shots("new-item-with-photo")
    page.click("[data-test=item-save]")
    dialogs_closed(page)

    items = api(page, "GET", f"/supermarkets/{shop['id']}/items")[1]["items"]
    assert len(items) == 1
    item = items[0]
    assert (item["name_zh"], item["price_points"], item["low_stock_at"], item["limit_quantity"], item["limit_period"]) \
        == ("五常大米（5公斤）", 60, 3, 2, "month")
    assert item["photo"].startswith("/api/v1/supermarkets/photos/") and item["photo"].endswith(".png")
    photo = page.wait_for_selector(f"[data-table=items] img[src='{item['photo']}']")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo)
    assert photo.get_attribute("alt") == "五常大米（5公斤）"
    row = table_rows(page, "items")[0]
    assert row[1].startswith("五常大米（5公斤）") and row[3] == "60" and "每月 2 件" in row[5]
    assert_no_serious_axe_violations(page)
    shots("item-in-the-list")

    # a PDF renamed .jpg is refused at the photo field; the item keeps its photo
    page.click(f"[data-edit-item='{item['id']}']")
    page.wait_for_selector("[data-test=item-preview]")
    assert page.get_attribute("[data-test=item-preview]", "src") == item["photo"]
    page.set_input_files("[data-test=item-photo]", files=[
        {"name": "price-list.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7\n%%EOF\n"}])
    page.wait_for_selector("[data-test=item-no-preview]:has-text('无法显示')")  # the browser cannot show it either
    page.click("[data-test=item-save]")
    error = page.wait_for_selector("[data-test=item-error]")
    assert "照片没有上传" in error.inner_text()
    assert "只接受 JPEG、PNG 或 WebP 照片" in error.inner_text()
    assert field_error(page, "照片") == "须为 JPEG、PNG 或 WebP。"
    assert api(page, "GET", f"/supermarkets/{shop['id']}/items")[1]["items"][0]["photo"] == item["photo"]
    assert_dialog_axe_clean(page)
    shots("not-a-photo")
    page.locator(".el-dialog__footer button:visible", has_text="取消").click()
    dialogs_closed(page)
    assert not page.errors


def test_worker_adds_an_item_but_cannot_open_a_supermarket(console):
    page, shots = console("worker1", path="/console/#/supermarkets")
    page.wait_for_selector("[data-table=items] tbody tr")
    wait_idle(page)
    assert page.query_selector("[data-test=shop-new]") is None and page.query_selector("[data-test=shop-edit]") is None
    page.click("[data-test=item-new]")
    page.wait_for_selector("[data-test=item-name-zh]")
    page.fill("[data-test=item-name-zh]", "洗洁精（1升）")
    page.click("[data-test=item-save]")
    page.wait_for_selector("[data-test=item-error]")
    assert field_error(page, "英文名称")  # the API's word at the field it refused
    assert_dialog_axe_clean(page)
    shots("item-refused-at-its-field")
    page.fill("[data-test=item-name-en]", "Dish soap (1 l)")
    assert not page.query_selector(".el-dialog .el-form-item.is-error")  # a changed form is judged afresh
    pick(page, ".el-select:has(#item-category)", "清洁用品")
    page.click("[data-test=item-save]")
    dialogs_closed(page)
    _status, shops = api(page, "GET", "/supermarkets")
    shop_id = shops["items"][0]["id"]
    items = api(page, "GET", f"/supermarkets/{shop_id}/items?per_page=100")[1]["items"]
    added = next(i for i in items if i["name_zh"] == "洗洁精（1升）")
    assert added["category"] == "cleaning" and added["photo"] is None and added["stock"] == 0
    assert not page.errors


def test_the_supermarket_forms_read_in_english(console):
    page, shots = console("admin", path="/console/#/supermarkets")
    page.wait_for_selector("[data-table=items] tbody tr")
    wait_idle(page)
    page.click("button:has-text('English')")
    page.wait_for_selector("[data-test=shop-new]:has-text('New supermarket')")
    page.click("[data-test=item-new]")
    page.wait_for_selector(".el-dialog__title:has-text('New item')")
    assert page.inner_text("label[for=item-photo]") == "Choose a photo"
    assert "JPEG, PNG or WebP" in page.inner_text(".photo-help")
    page.wait_for_selector("[data-test=item-no-preview]:has-text('No photo yet')")
    assert_dialog_axe_clean(page)
    shots("new-item-en")
    assert not page.errors
