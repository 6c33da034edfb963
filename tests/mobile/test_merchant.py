"""The merchant at the till: the customer's phone code read by a real (fake) camera, the bill, the sale."""
import pytest
from PIL import Image
import qrcode

from backend.cards import service as cards
from backend.extensions import db
from backend.merchants.models import Sale
from tests.mobile.conftest import BROWSER_ARGS, READ_QR, assert_readable, browser_path, sign_in

W, H = 640, 480


def write_y4m(path, text, frames=10):
    """A short video of a phone screen showing the QR of ``text`` (Chromium loops it as its camera)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=3)
    qr.add_data(text)
    image = qr.make_image(fill_color="black", back_color="white").convert("RGB")
    side = min(W, H) - 40
    image = image.resize((side, side), Image.NEAREST)
    frame = Image.new("RGB", (W, H), (90, 90, 90))
    frame.paste(image, ((W - side) // 2, (H - side) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    planes = y.tobytes() + cb.resize((W // 2, H // 2)).tobytes() + cr.resize((W // 2, H // 2)).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


@pytest.fixture(scope="module")
def camera(live, playwright_, tmp_path_factory):
    """A browser whose camera films 赵玉珍's phone code, and that code's URL."""
    url = live.phone_code("zhao")
    video = tmp_path_factory.mktemp("camera") / "phone-code.y4m"
    write_y4m(video, url)
    browser = playwright_.chromium.launch(
        executable_path=browser_path(), headless=True,
        args=BROWSER_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}"])
    yield browser, url
    browser.close()


def test_merchant_scans_the_phone_code_with_the_camera_and_records_the_discounted_sale(open_phone, live, camera):
    browser, url = camera
    before = live.sales()
    page = open_phone("/login?as=staff", on=browser)
    sign_in(page, username="shop1")
    page.wait_for_selector("[data-test=open-camera]")
    page.shots("scan")
    assert_readable(page)
    page.click("[data-test=open-camera]")
    preview = page.wait_for_selector("[data-test=preview]", timeout=30000)
    text = preview.inner_text()
    assert "赵*珍" in text and "赵玉珍" not in text and "10%" in text and "西楼村" in text
    assert page.locator("[data-test=preview] .stars .on").count() == 4
    page.fill("input[name=bill]", "88")
    assert page.inner_text(".bill-preview") == "优惠 ¥8.80，实收 ¥79.20"
    page.shots("bill")
    assert_readable(page)
    page.click("[data-test=confirm]")
    page.wait_for_selector("[data-test=sale]")
    result = page.inner_text("main")
    assert "交易已记录" in result and "¥88.00" in result and "−¥8.80" in result and "¥79.20" in result
    # the API's own words for the credit the discount earned (or why none), in the screen's language
    assert page.inner_text("[data-test=shop-credit]").split() == ["本店信用", "本单为商家赢得", "1", "分信用。"]
    page.shots("sale")
    assert live.sales() == before + [(8800, 880, live.residents["zhao"])]
    page.click('[data-test="tab:/m/sales"]')
    page.wait_for_selector("[data-test=summary]")
    assert "老王理发店" in page.inner_text("[data-test=summary]")
    assert "赵*珍 · ¥88.00" in page.inner_text("main")
    page.shots("sales-today")
    assert_readable(page)
    # a wrong sale is voided the same day, with a reason
    sale_id = page.get_attribute("[data-test^=sale-]", "data-test").removeprefix("sale-")
    page.click(f"[data-test=sale-{sale_id}] [data-test=void]")
    page.click(".van-dialog__confirm")
    assert "请填写作废原因" in page.wait_for_selector(".van-dialog .van-field__error-message").inner_text()
    page.fill(".van-dialog textarea", "金额输错了")
    page.shots("void-reason")
    assert_readable(page)
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=sale-{sale_id}]:has-text('已作废')")
    page.shots("sales-voided")
    with live.db():
        assert db.session.get(Sale, int(sale_id)).void_reason == "金额输错了"
    # the same code again: spent
    page.click('[data-test="tab:/m/scan"]')
    page.fill("input[name=code]", url)
    page.click("text=查询")
    # the API's own words (its zh catalogue) for a spent code
    assert page.wait_for_selector(".error-box").inner_text() == "该二维码已使用，请让顾客出示新的二维码。"


def test_merchant_types_the_number_read_out_from_the_phone_and_the_phone_shows_used(open_phone, live):
    """No camera, or a screen the scanner cannot read: the customer reads the digits under the QR out, the
    merchant types them, and the sale spends the very code the phone shows."""
    before = live.sales()
    phone = open_phone()
    sign_in(phone, phone="13900000003")
    phone.wait_for_selector("[data-test=score]")
    with phone.expect_response(lambda r: r.url.endswith("/api/v1/me/dynamic-code")) as issued:
        phone.click("text=出示我的码")
    code = issued.value.json()
    read_out = phone.wait_for_selector("[data-test=code-number] .code-number-digits").inner_text()
    assert read_out.split() == [code["number"][i:i + 4] for i in range(0, 18, 4)]
    phone.shots("my-code-number")
    till = open_phone("/login?as=staff")
    sign_in(till, username="shop1")
    field = till.wait_for_selector("input[name=code]")
    assert field.get_attribute("inputmode") == "numeric"
    till.locator("input[name=code]").press_sequentially(read_out.replace(" ", ""))
    assert till.input_value("input[name=code]") == read_out  # grouped in fours as typed, like the phone
    till.shots("typed-number")
    assert_readable(till)
    till.click("text=查询")
    preview = till.wait_for_selector("[data-test=preview]").inner_text()
    assert "王*国" in preview and "10%" in preview
    till.fill("input[name=bill]", "60")
    till.click("[data-test=confirm]")
    till.wait_for_selector("[data-test=sale]")
    till.shots("sale-by-number")
    assert live.sales() == before + [(6000, 600, live.residents["wang"])]
    # the phone learns its code was taken, though it asks with the token and the merchant typed the number
    assert "此码已使用" in phone.wait_for_selector("[data-test=used]", timeout=15000).inner_text()
    assert not phone.query_selector("[data-test=code-number]")
    phone.shots("my-code-used-by-number")
    assert_readable(phone)
    # the same digits again: spent; a slip of the finger: the API's words for wrong digits
    till.click(".merchant-scan > .actions button")  # next customer
    till.fill("input[name=code]", read_out)
    till.click("text=查询")
    assert till.wait_for_selector(".error-box").inner_text() == "该二维码已使用，请让顾客出示新的二维码。"
    slipped = read_out[:-1] + str((int(read_out[-1]) + 1) % 10)
    till.fill("input[name=code]", slipped)
    till.click("text=查询")
    assert till.wait_for_selector(".error-box:has-text('数字')").inner_text() == \
        "这串数字不是有效的手机动态码，请核对后重新输入。"
    till.shots("wrong-number")
    assert live.sales() == before + [(6000, 600, live.residents["wang"])]


def test_printed_card_garbage_and_bad_bills_are_refused_and_nothing_is_recorded(open_phone, live):
    before = live.sales()
    page = open_phone("/login?as=staff")
    sign_in(page, username="shop1")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", live.card("wang"))
    page.click("text=查询")
    assert page.wait_for_selector(".error-box").inner_text() == "此处不能使用打印的诚信卡。"
    page.shots("printed-card")
    page.fill("input[name=code]", "hello")
    page.click("text=查询")
    assert page.wait_for_selector(".error-box:has-text('这不是诚信二维码')").inner_text() == "这不是诚信二维码。"
    page.fill("input[name=code]", live.phone_code("wang"))
    page.click("text=查询")
    page.wait_for_selector("[data-test=preview]")
    for bill in ("0", "1000000", "12.345", "-5"):
        page.fill("input[name=bill]", bill)
        page.click("[data-test=confirm]")
        assert "0.01 到 100000 元" in page.wait_for_selector(".van-field__error-message").inner_text()
    page.shots("bad-bill")
    assert live.sales() == before


def test_a_lost_answer_is_retried_with_the_same_idempotency_key_and_sells_once(open_phone, live):
    before = live.sales()
    page = open_phone("/login?as=staff")
    sign_in(page, username="shop1")
    page.wait_for_selector("input[name=code]")
    keys = []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server records the sale …
            route.abort("internetdisconnected")  # … and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/api/v1/merchant/sales", lose_first_answer)
    page.fill("input[name=code]", live.phone_code("wang"))
    page.click("text=查询")
    page.wait_for_selector("[data-test=preview]")
    page.fill("input[name=bill]", "50")
    page.click("[data-test=confirm]")
    assert "网络" in page.wait_for_selector(".error-box").inner_text()
    assert page.inner_text("[data-test=confirm]") == "重试"
    page.shots("answer-lost")
    assert len(live.sales()) == len(before) + 1  # it went through once already
    page.click("[data-test=confirm]")
    page.wait_for_selector("[data-test=sale]")
    page.shots("retried")
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert live.sales() == before + [(5000, 500, live.residents["wang"])]


def test_merchant_reads_ratings_and_replies_once(open_phone, live):
    resident = live.token(phone="13900000004")["access_token"]
    shop = live.token(username="shop1")["access_token"]
    status, sale = live.api("POST", "/merchant/sales", {"code": live.phone_code("zhao"), "bill_amount": 2000},
                            token=shop)
    assert status == 201, sale
    status, rating = live.api("POST", f"/me/sales/{sale['id']}/rating", {"stars": 4, "comment": "剪得好，就是等久了"},
                              token=resident)
    assert status == 201, rating
    page = open_phone("/login?as=staff")
    sign_in(page, username="shop1")
    page.click('[data-test="tab:/m/ratings"]')
    card = page.wait_for_selector(f"[data-test=rating-{rating['id']}]")
    assert "剪得好，就是等久了" in card.inner_text()
    assert "共 1 条" in page.inner_text("[data-test=ratings-summary]")
    page.shots("ratings")
    assert_readable(page)
    card.query_selector("[data-test=reply]").click()
    page.fill(".van-dialog textarea", "谢谢您，我们周末多加一位师傅")
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=rating-{rating['id']}]:has-text('本店回复：谢谢您')")
    assert page.query_selector(f"[data-test=rating-{rating['id']}] [data-test=reply]") is None
    page.shots("replied")


def test_merchant_prints_the_door_qr_poster_that_opens_the_shop_card(open_phone, live):
    page = open_phone("/login?as=staff")
    sign_in(page, username="shop1")
    page.wait_for_selector("[data-test=open-camera]")
    page.click('[data-test="tab:/me"]')
    page.click("[data-test=door-poster]")
    poster = page.wait_for_selector("[data-test=poster]")
    assert "老王理发店" in poster.inner_text()
    page.wait_for_selector("[data-test=poster] svg")
    with live.db():
        door = cards.card_url(cards.ensure_card(live.district_id, "merchant", live.merchant_id))
    assert page.evaluate(READ_QR, "[data-test=poster] svg") == door
    page.shots("poster")
    assert_readable(page)
    page.emulate_media(media="print")
    assert page.is_hidden(".topbar") and page.is_hidden(".no-print") and page.is_visible("[data-test=poster]")
    page.shots("poster-print")
