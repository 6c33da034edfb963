"""Merchant scanning and sale mistakes answer in the reader's language."""
from backend.cards import service as cards
from tests.fixtures import assert_chinese, in_both_languages
from tests.merchants.factories import card_of


def test_unreadable_and_wrong_kind_codes_are_read_in_both_languages(app, alliance):
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/scan", headers=alliance.staff_headers,
                               json={"code": "not a code"})
    assert zh["code"] == "invalid_code" and zh["status"] == 400
    assert zh["title"] == "无法识别的二维码" and zh["detail"] == "这不是诚信二维码。"
    assert en["title"] == "Unreadable or forged code" and en["detail"] == "This is not a Chengxin code."
    printed = cards.card_token(card_of("resident", alliance.resident))
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": printed, "bill_amount": 100})
    assert zh["code"] == "wrong_code_kind"
    assert zh["detail"] == "此处不能使用打印的诚信卡。" and en["detail"] == "A printed resident card cannot be used here."


def test_bill_out_of_range_is_a_field_error_in_both_languages(app, alliance):
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": "x", "bill_amount": 0})
    assert zh["code"] == "validation_failed"
    assert zh["errors"]["bill_amount"] == ["账单金额须为 1 至 10,000,000 分。"]
    assert en["errors"]["bill_amount"] == ["A bill is 1 to 10,000,000 fen."]
    assert_chinese(zh["detail"])


def test_a_suspended_merchant_is_told_why_in_both_languages(app, client, alliance):
    client.post(f"/api/v1/merchants/{alliance.merchant.id}/suspend", headers=alliance.admin_headers,
                json={"reason": "检查"})
    zh, en = in_both_languages(app, "POST", "/api/v1/merchant/scan", headers=alliance.staff_headers,
                               json={"code": "not a code"})
    assert zh["code"] == "merchant_not_active"
    assert zh["detail"] == "该商户现在不能给予联盟优惠（暂停优惠）。"
    assert en["detail"] == "This merchant cannot give alliance discounts now (suspended)."
