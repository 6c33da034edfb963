"""Residents on the phone: activation with the worker's code, home, My code, language and large text."""
import re
from datetime import timedelta

from tests.mobile.conftest import ID_NUMBER, READ_QR, assert_readable, sign_in


def test_resident_home_shows_score_stars_points_and_what_each_record_was_for(open_phone, live):
    page = open_phone()
    page.shots("login")
    assert_readable(page)
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    assert page.inner_text("[data-test=score]") == "130"
    assert page.inner_text("[data-test=points]") == "30"
    assert page.inner_text("[data-test=next-star]") == "再得 30 分升为 5 星"
    records = page.inner_text(".records")
    assert "见义勇为" in records and "邻里互助" in records and "参加村庄环境整治" in records
    local_end = live.notice_ends_at + timedelta(hours=8)
    assert f"公示中，至 {local_end.year}年{local_end.month}月{local_end.day}日" in records
    assert "待审核" in records and "已生效" in records
    assert "信用加分奖励" not in records
    page.shots("home")
    page.shots("home-full", full_page=True)
    assert_readable(page)


def test_english_and_large_text_switches_last_across_visits(open_phone, live):
    page = open_phone()
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    page.click("[data-test=lang]")
    page.wait_for_selector("text=Credit score")
    assert page.inner_text("[data-test=next-star]") == "30 more points to 5 stars"
    assert "Acting bravely to help others" in page.inner_text(".records")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.shots("home-english")
    page.click("[data-test=large-text]")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 21
    page.shots("home-english-large")
    assert_readable(page)
    page.reload()
    page.wait_for_selector("[data-test=score]")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 21
    assert "Credit score" in page.inner_text("main")
    page.click("[data-test=\"tab:/me\"]")
    page.wait_for_selector(".account")
    page.shots("me-english-large")
    assert_readable(page)


def test_worker_gives_activation_code_and_resident_activates_on_the_phone(open_phone, live):
    worker = open_phone()
    sign_in(worker, username="worker1")
    worker.wait_for_selector(".find-resident")
    worker.shots("worker-find")
    worker.fill("input[name=q]", "李秀英")
    worker.click("button[type=submit]")
    worker.click(".van-cell:has-text('李秀英')")
    worker.wait_for_selector("[data-test=issue-activation]")
    worker.shots("worker-archive")
    assert_readable(worker)
    worker.click("[data-test=issue-activation]")
    worker.shots("worker-confirm")
    worker.click(".van-dialog__confirm")
    worker.wait_for_selector("[data-test=activation-code]")
    code = worker.inner_text(".big-code").replace(" ", "")
    assert re.fullmatch(r"\d{8}", code)
    worker.shots("worker-code")

    resident = open_phone("/login")
    resident.click("text=第一次使用或忘记密码")
    resident.wait_for_selector(".activate")
    resident.shots("activate")
    assert_readable(resident)
    resident.fill("input[name=phone]", "13900000002")
    resident.fill("input[name=code]", "12345678" if code != "12345678" else "87654321")
    resident.fill("input[name=id_last4]", ID_NUMBER[-4:])
    resident.fill("input[name=password]", "new-password-1")
    resident.fill("input[name=password2]", "new-password-1")
    resident.click("button[type=submit]")
    error = resident.wait_for_selector(".error-box")
    assert error.inner_text() == "手机号、激活码或身份证后四位不对，还可再试 4 次。"
    resident.shots("activate-wrong-code")
    resident.fill("input[name=code]", code)
    resident.click("button[type=submit]")
    resident.wait_for_selector("[data-test=score]")
    assert "李秀英，您好" in resident.inner_text("main")
    resident.shots("activated-home")
    # the code worked once: the next try with it fails, the new password works
    status, body = live.api("POST", "/auth/resident-activate", {"phone": "13900000002", "code": code,
                                                                "id_last4": ID_NUMBER[-4:], "password": "x" * 9})
    assert (status, body["code"]) == (401, "invalid_activation")
    status, _ = live.api("POST", "/auth/resident-login", {"phone": "13900000002", "password": "new-password-1"})
    assert status == 200


def test_my_code_is_a_readable_qr_that_turns_used_when_a_merchant_takes_it(open_phone, live):
    page = open_phone()
    sign_in(page, phone="13900000003")
    page.wait_for_selector("[data-test=score]")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/dynamic-code")) as issued:
        page.click("text=出示我的码")
    code = issued.value.json()
    page.wait_for_selector("[data-test=qr] svg")
    assert page.evaluate(READ_QR) == code["url"]
    assert re.search(r"\d+ 秒后自动换新码", page.inner_text(".countdown"))
    assert_number_under_the_qr(page, code["number"])
    page.shots("my-code")
    assert_readable(page)
    shop = live.token(username="shop1")["access_token"]
    status, sale = live.api("POST", "/merchant/sales", {"code": code["url"], "bill_amount": 5000}, token=shop)
    assert status == 201, sale
    page.wait_for_selector("[data-test=used]", timeout=15000)
    assert "此码已使用" in page.inner_text("[data-test=used]")
    assert "商家已用此码给您打折" in page.inner_text("[data-test=used]")
    page.shots("my-code-used")
    # from "used" straight to rating that visit
    page.click("[data-test=rate-shop]")
    purchase = page.wait_for_selector(f"[data-test=purchase-{sale['id']}]")
    assert "老王理发店" in purchase.inner_text() and "消费 ¥50.00，优惠 10%" in purchase.inner_text()
    page.shots("purchases")
    assert_readable(page)
    purchase.query_selector("[data-test=rate]").click()
    page.click(".van-dialog .van-rate__item:nth-child(4)")
    page.fill(".van-dialog textarea", "师傅手艺好")
    page.shots("rating")
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=purchase-{sale['id']}]:has-text('已评价')")
    status, ratings = live.api("GET", "/merchant/ratings", token=shop)
    assert [(r["stars"], r["comment"]) for r in ratings["items"] if r["sale_id"] == sale["id"]] == [(4, "师傅手艺好")]
    page.click('[data-test="tab:/r/code"]')
    page.wait_for_selector("[data-test=qr] svg")
    assert not page.query_selector("[data-test=used]")  # a fresh code on coming back
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/dynamic-code")) as again:
        page.click("text=换一个新码")
    assert again.value.json()["token"] != code["token"]
    page.wait_for_timeout(300)
    assert page.evaluate(READ_QR) == again.value.json()["url"]
    # the number is refreshed with the QR: the new code's, never the spent one's
    assert_number_under_the_qr(page, again.value.json()["number"])


def assert_number_under_the_qr(page, number):
    """The code's number shows under the QR, in fours, in large tabular digits, within the phone's screen."""
    digits = page.wait_for_selector("[data-test=code-number] .code-number-digits")
    assert digits.inner_text().split() == [number[i:i + 4] for i in range(0, len(number), 4)]
    assert len(number) == 18
    qr_box, box = page.query_selector("[data-test=qr]").bounding_box(), digits.bounding_box()
    assert box["y"] >= qr_box["y"] + qr_box["height"], (qr_box, box)
    assert box["y"] + box["height"] <= 844, box  # seen without scrolling at 390×844
    style = page.evaluate("""(el) => { const s = getComputedStyle(el);
        return [parseFloat(s.fontSize), s.fontVariantNumeric]; }""", digits)
    assert style[0] >= 24 and "tabular-nums" in style[1], style


def test_my_code_fetches_a_new_code_before_the_old_one_expires(open_phone, live):
    page = open_phone()
    sign_in(page, phone="13900000004")
    page.wait_for_selector("[data-test=score]")
    live.app.config["DYNAMIC_CODE_SECONDS"] = 14  # renewed 10 s before the end: after about 4 s
    try:
        with page.expect_response(lambda r: r.url.endswith("/api/v1/me/dynamic-code")) as first:
            page.click("text=出示我的码")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/me/dynamic-code"), timeout=20000) as second:
            pass
    finally:
        live.app.config["DYNAMIC_CODE_SECONDS"] = 600
    assert second.value.json()["token"] != first.value.json()["token"]
    page.wait_for_timeout(300)
    assert page.evaluate(READ_QR) == second.value.json()["url"]


def test_resident_objects_to_a_record_on_the_village_notice_board(open_phone, live):
    page = open_phone()
    sign_in(page, phone="13900000003")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/r/notice"]')
    line = page.wait_for_selector(".notice-board .record:has-text('邻里互助')")
    assert "张*明" in line.inner_text() and "张三明" not in page.inner_text("main")
    assert "公示中，至" in line.inner_text()
    page.shots("notice-board")
    assert_readable(page)
    line.query_selector("[data-test=object]").click()
    page.click(".van-dialog__confirm")
    assert "请填写异议理由" in page.wait_for_selector(".van-dialog .van-field__error-message").inner_text()
    page.fill(".van-dialog textarea", "那天张三明在外地，没有帮邻居收麦子")
    page.shots("objection")
    assert_readable(page)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/objections")) as sent:
        page.click(".van-dialog__confirm")
    assert sent.value.status == 201 and sent.value.request.headers.get("idempotency-key")
    page.wait_for_selector(".flash:has-text('异议已提交')")
    page.wait_for_selector(".notice-board .record:has-text('邻里互助'):has-text('异议处理中')")
    page.shots("notice-board-disputed")
