"""Every answer that moves or withholds a merchant's credit says what happened, in zh and in en."""
import pytest

from backend.credit import service as credit
from backend.ledger.service import check_balances
from tests.merchants.factories import dynamic_code

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


@pytest.fixture
def client(zh_client):
    """These tests choose the language per request; with no Accept-Language the answer is Chinese."""
    return zh_client


def _sell(client, alliance, headers=None, bill=2000):
    response = client.post("/api/v1/merchant/sales", headers={**alliance.staff_headers, **(headers or {})},
                           json={"code": dynamic_code(alliance.resident), "bill_amount": bill})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _summary(client, alliance, headers=None):
    response = client.get("/api/v1/merchant/summary", headers={**alliance.staff_headers, **(headers or {})})
    assert response.status_code == 200
    return response.get_json()["credit_today"]


def _score(alliance):
    return credit.subject_score("merchant", alliance.merchant.id)["score"]


def test_a_sale_within_the_daily_cap_says_it_earned_the_shop_credit(client, alliance):
    before = _score(alliance)
    sale = _sell(client, alliance, EN)
    assert sale["merchant_credit"] == {"awarded": True, "points": 1, "reason_code": "credit_awarded",
                                       "reason": "This sale earned the shop 1 credit point(s)."}
    assert _score(alliance) == before + 1
    assert "赢得 1 分信用" in _sell(client, alliance, ZH)["merchant_credit"]["reason"]


def test_a_sale_over_the_daily_cap_says_no_credit_because_todays_cap_is_reached(client, alliance):
    cap = credit.district_policy(alliance.district.id).merchant_daily_cap
    credited = [_sell(client, alliance, bill=2000 + n)["merchant_credit"] for n in range(cap)]
    assert all(c["awarded"] and c["reason_code"] == "credit_awarded" for c in credited)
    score = _score(alliance)
    over_en = _sell(client, alliance, EN)["merchant_credit"]
    assert (over_en["awarded"], over_en["points"], over_en["reason_code"]) == (False, 0, "daily_cap_reached")
    assert f"today's cap of {cap}" in over_en["reason"]
    over_zh = _sell(client, alliance)["merchant_credit"]  # no Accept-Language: Chinese
    assert over_zh["reason_code"] == "daily_cap_reached" and f"已达上限（每天 {cap} 单）" in over_zh["reason"]
    assert _score(alliance) == score
    assert check_balances() == []


def test_merchant_summary_says_whether_the_next_discount_still_earns_credit(client, alliance):
    cap = credit.district_policy(alliance.district.id).merchant_daily_cap
    fresh = _summary(client, alliance, EN)
    assert (fresh["earned"], fresh["cap"], fresh["can_earn"], fresh["reason_code"]) == (0, cap, True, "can_earn_today")
    assert f"{cap} more discount(s) today" in fresh["reason"]
    _sell(client, alliance)
    assert _summary(client, alliance)["earned"] == 1 and f"还可以为 {cap - 1} 单" in _summary(client, alliance)["reason"]
    for n in range(cap - 1):
        _sell(client, alliance, bill=3000 + n)
    full = _summary(client, alliance, EN)
    assert (full["earned"], full["can_earn"], full["reason_code"]) == (cap, False, "daily_cap_reached")
    assert "cap" in full["reason"] and "tomorrow" in full["reason"]
    admin_view = client.get(f"/api/v1/merchants/{alliance.merchant.id}/summary", headers=alliance.admin_headers)
    assert admin_view.get_json()["credit_today"]["reason_code"] == "daily_cap_reached"


def test_a_suspended_merchants_summary_says_it_earns_no_credit_for_discounts(client, alliance):
    client.post(f"/api/v1/merchants/{alliance.merchant.id}/suspend", headers=alliance.admin_headers,
                json={"reason": "卫生检查不合格 failed hygiene inspection"})
    today = _summary(client, alliance, EN)
    assert (today["can_earn"], today["reason_code"]) == (False, "merchant_not_active")
    assert today["reason"].startswith("The shop is suspended")
    assert "暂停优惠" in _summary(client, alliance, ZH)["reason"]


def test_a_district_that_gives_no_discount_credit_says_so_on_the_sale(client, alliance):
    client.put("/api/v1/policy", json={"merchant_daily_cap": 0}, headers=alliance.admin_headers)
    sale = _sell(client, alliance, EN)["merchant_credit"]
    assert (sale["awarded"], sale["reason_code"]) == (False, "no_credit_for_discounts")
    assert "daily cap 0" in sale["reason"]
    assert _summary(client, alliance)["reason_code"] == "no_credit_for_discounts"


def test_voiding_a_sale_says_whether_its_credit_was_taken_back(client, alliance):
    cap = credit.district_policy(alliance.district.id).merchant_daily_cap
    sales = [_sell(client, alliance, bill=2000 + n) for n in range(cap + 1)]
    score = _score(alliance)
    credited = client.post(f"/api/v1/merchant/sales/{sales[0]['id']}/void", headers={**alliance.staff_headers, **EN},
                           json={"reason": "refund"}).get_json()
    assert credited["status"] == "voided"
    assert credited["merchant_credit"] == {"awarded": False, "points": -1, "reason_code": "credit_taken_back",
                                           "reason": "The sale is voided: the 1 credit point(s) it earned were "
                                                     "taken back."}
    assert _score(alliance) == score - 1
    uncredited = client.post(f"/api/v1/merchant/sales/{sales[-1]['id']}/void", headers=alliance.staff_headers,
                             json={"reason": "refund"}).get_json()
    assert (uncredited["merchant_credit"]["points"], uncredited["merchant_credit"]["reason_code"]) == \
        (0, "no_credit_to_take_back")
    assert "无需收回" in uncredited["merchant_credit"]["reason"]
    listed = client.get("/api/v1/merchant/sales", headers=alliance.staff_headers).get_json()["items"]
    assert all("merchant_credit" not in s for s in listed)  # only the answers that moved credit carry it


def test_openapi_documents_the_credit_outcome_of_sales_and_the_summary(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert {"awarded", "points", "reason_code", "reason"} <= set(schemas["SaleCredit"]["properties"])
    assert "merchant_credit" in schemas["Sale"]["properties"]
    assert {"earned", "cap", "can_earn", "reason_code", "reason"} <= set(schemas["CreditToday"]["properties"])
    assert "credit_today" in schemas["MerchantSummary"]["properties"]
