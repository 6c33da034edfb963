"""Kiosk and supermarket mistakes answer in the reader's language (zh-CN by default, English on request)."""
from tests.fixtures import assert_chinese, assert_english, in_both_languages


def test_a_used_phone_code_is_refused_in_both_languages(app, client, shop_setup, phone_code):
    code = phone_code(shop_setup.resident)
    assert client.post("/api/v1/kiosk/sessions", headers=shop_setup.kiosk, json={"code": code}).status_code == 201
    zh, en = in_both_languages(app, "POST", "/api/v1/kiosk/sessions", headers=shop_setup.kiosk, json={"code": code})
    assert zh["code"] == "code_already_used" and zh["status"] == 409
    assert zh["title"] == "二维码已使用" and zh["detail"] == "该二维码已使用，请出示新的二维码。"
    assert en["title"] == "Code already used" and en["detail"] == "This code has already been used; show a fresh one."


def test_printed_card_pin_mistakes_are_read_in_both_languages(app, shop_setup, printed_card):
    url = printed_card(shop_setup.resident)
    zh, en = in_both_languages(app, "POST", "/api/v1/kiosk/sessions", headers=shop_setup.kiosk, json={"code": url})
    assert zh["code"] == "pin_required" and zh["detail"] == "请输入这张卡的 6 位 PIN。"
    assert en["detail"] == "Enter the 6-digit PIN of this card."
    zh, en = in_both_languages(app, "POST", "/api/v1/kiosk/sessions", headers=shop_setup.kiosk,
                               json={"code": url, "pin": "000000"})
    assert zh["code"] == "wrong_pin"
    assert zh["detail"] == "PIN 错误，还可再试 4 次。" and zh["errors"] == {"pin": ["PIN 错误，还可再试 4 次。"]}
    assert en["detail"] == "Wrong PIN; 3 tries left."


def test_an_order_beyond_the_balance_or_the_stock_is_read_in_both_languages(app, shop_setup, make_item,
                                                                              kiosk_login):
    headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    dear = make_item(shop_setup.shop, price=150, stock=5, name_zh="食用油", name_en="Cooking oil")
    zh, en = in_both_languages(app, "POST", "/api/v1/kiosk/orders", headers=headers,
                               json={"lines": [{"item_id": dear.id, "quantity": 1}]})
    assert zh["code"] == "insufficient_points" and zh["status"] == 409
    assert zh["title"] == "积分不足" and zh["detail"] == "该订单需要 150 积分，余额为 100。"
    assert en["detail"] == "This order needs 150 points; the balance is 100."
    scarce = make_item(shop_setup.shop, price=1, stock=1)
    zh, en = in_both_languages(app, "POST", "/api/v1/kiosk/orders", headers=headers,
                               json={"lines": [{"item_id": scarce.id, "quantity": 2}]})
    assert zh["code"] == "out_of_stock"
    assert_chinese(zh["title"], zh["detail"], *zh["errors"][f"items.{scarce.id}"])
    assert_english(en["title"], en["detail"], *en["errors"][f"items.{scarce.id}"])


def test_an_unknown_pickup_code_is_read_in_both_languages(app, shop_setup, make_staff, login):
    headers = login(make_staff(worker=[shop_setup.community]))
    zh, en = in_both_languages(app, "GET", "/api/v1/supermarkets/pickups/ZZZZZZ", headers=headers)
    assert zh["code"] == "pickup_code_not_found" and zh["status"] == 404
    assert zh["detail"] == "没有订单使用这个取货码。" and en["detail"] == "No order has this pickup code."


def test_an_unpaired_kiosk_is_refused_in_both_languages(app):
    zh, en = in_both_languages(app, "POST", "/api/v1/devices/pair", json={"pairing_code": "ABCDEFGHJK"})
    assert zh["code"] == "invalid_pairing_code"
    assert zh["detail"] == "配对码无效或已过期。" and en["detail"] == "Unknown or expired pairing code."
