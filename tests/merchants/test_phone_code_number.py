"""A phone code's typed number and its QR token are one single-use code: whichever a merchant takes spends both."""
import time

from backend.cards import tokens
from tests.fixtures import assert_problem, in_both_languages


def _fresh(client, headers):
    response = client.post("/api/v1/me/dynamic-code", headers=headers)
    assert response.status_code == 201
    return response.get_json()


def _grouped(number):
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def _sale(client, alliance, code, bill=5000):
    return client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                       json={"code": code, "bill_amount": bill})


def _status(client, headers, code):
    return client.get("/api/v1/me/dynamic-code/status", headers=headers, query_string={"code": code})


def test_phone_code_answer_carries_its_number(client, alliance, login):
    code = _fresh(client, login(alliance.resident))
    assert len(code["number"]) == 18 and code["number"].isdigit()
    assert tokens.verify(code["number"]) == tokens.verify(code["token"])
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["DynamicCode"]
    assert "number" in schema["properties"]


def test_merchant_scan_of_a_typed_number_shows_the_masked_resident(client, alliance, login):
    code = _fresh(client, login(alliance.resident))
    preview = client.post("/api/v1/merchant/scan", headers=alliance.staff_headers,
                          json={"code": _grouped(code["number"])})
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["masked_name"] == "张*明" and body["stars"] == 4


def test_sale_by_typed_number_spends_the_code_so_its_token_is_used(client, alliance, login):
    headers = login(alliance.resident)
    code = _fresh(client, headers)
    sale = _sale(client, alliance, _grouped(code["number"]))
    assert sale.status_code == 201, sale.get_json()
    assert sale.get_json()["discount_amount"] > 0
    assert_problem(_sale(client, alliance, code["token"]), 409, "code_already_used")
    assert_problem(_sale(client, alliance, code["number"]), 409, "code_already_used")
    status = _status(client, headers, code["token"]).get_json()
    assert status["used"] is True and status["purpose"] == "discount"


def test_sale_by_token_spends_the_code_so_its_number_is_used(client, alliance, login):
    headers = login(alliance.resident)
    code = _fresh(client, headers)
    assert _sale(client, alliance, code["url"]).status_code == 201
    assert_problem(_sale(client, alliance, code["number"]), 409, "code_already_used")
    assert _status(client, headers, code["number"]).get_json()["used"] is True


def test_nobody_learns_the_status_of_another_residents_number(client, alliance, make_resident, login):
    other = make_resident(alliance.community, name="李秀英", phone="13812340000")
    number = _fresh(client, login(alliance.resident))["number"]
    assert_problem(_status(client, login(other), number), 404, "code_not_found")
    assert _status(client, login(alliance.resident), number).get_json()["used"] is False


def test_forged_and_expired_numbers_are_refused_in_both_languages(app, client, alliance, login):
    code = _fresh(client, login(alliance.resident))
    number = code["number"]
    forged = number[:-6] + f"{(int(number[-6:]) + 1) % 10 ** 6:06d}"
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": forged, "bill_amount": 100})
    assert zh["code"] == "invalid_code" and zh["status"] == 400
    assert zh["title"] == "无法识别的二维码" and en["title"] == "Unreadable or forged code"
    assert zh["detail"] == "这串数字不是有效的手机动态码，请核对后重新输入。"
    assert en["detail"] == "These digits are not a valid phone code; check them and type them again."
    # issued 80 s ago with a 75 s life: the same number the phone showed then
    expired = _number_issued_at(alliance.resident.id, time.time() - 80)
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": expired, "bill_amount": 100})
    assert zh["code"] == "code_expired" and zh["status"] == 410
    assert zh["detail"] == "该动态码数字已过期，请让顾客刷新后重新报码。"
    assert en["detail"] == "This phone code number has expired; ask for a fresh one."


def _number_issued_at(resident_id, when):
    real = time.time
    try:
        time.time = lambda: when
        expires, [(r, nonce)] = tokens.dynamic_candidates(resident_id, 75, count=1)
        return tokens.sign_dynamic(resident_id, expires, r, nonce)[1]
    finally:
        time.time = real


def test_a_typed_number_opens_no_public_page_nor_a_shops_rating_form(client, alliance, login):
    number = _fresh(client, login(alliance.resident))["number"]
    page = client.get(f"/c/{number}")
    assert page.status_code == 400 and "本信用中心" not in page.get_data(as_text=True)
    rating = client.post(f"/c/{number}/rating", data={"stars": "5", "phone": "13812345678", "password": "x"})
    assert rating.status_code == 400  # not a code there (a wrong-kind answer would tell a guess was right)


def test_guessing_numbers_is_stopped_after_twenty_wrong_ones_a_minute(app, client, alliance, login):
    code = _fresh(client, login(alliance.resident))
    number = code["number"]
    for guess in range(20):
        wrong = number[:-6] + f"{(int(number[-6:]) + 1 + guess) % 10 ** 6:06d}"
        assert_problem(_sale(client, alliance, wrong), 400, "invalid_code")
    # the twenty-first try is refused before the number is even opened, right or wrong
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/scan", headers=alliance.staff_headers,
                               json={"code": number})
    assert zh["status"] == 429 and zh["code"] == "rate_limited"
    assert zh["detail"] == "输错数字码的次数太多，请一分钟后再试。"
    assert en["detail"] == "Too many wrong code numbers; wait a minute and try again."
    # the QR still works: only typed numbers are counted
    assert _sale(client, alliance, code["token"]).status_code == 201
