"""Discount per star level: within the district's bounds, and what a bill comes to at each level."""
import pytest
from sqlalchemy import func, select

from backend.cards.models import DynamicCodeUse
from backend.credit import policy as credit_policy
from backend.extensions import db
from backend.merchants.models import MerchantDiscount, Sale
from backend.merchants.service import discount_amount
from backend.common.auth import Principal
from backend.ledger.service import check_balances
from tests.fixtures import assert_problem
from tests.merchants.factories import dynamic_code, give_stars

WENDENG = [{"stars": 3, "percent": 5}, {"stars": 4, "percent": 10}, {"stars": 5, "percent": 20}]


def _table(response):
    return {row["stars"]: row["percent"] for row in response.get_json()["levels"]}


def test_until_set_each_level_gets_the_district_minimum(client, alliance):
    response = client.get("/api/v1/merchant/discounts", headers=alliance.staff_headers)
    assert response.status_code == 200
    levels = response.get_json()["levels"]
    assert [(r["stars"], r["percent"], r["min_percent"], r["max_percent"], r["set_by_merchant"]) for r in levels] == [
        (3, 5, 5, 10, False), (4, 8, 8, 15, False), (5, 15, 15, 20, False)]


def test_merchant_sets_its_discounts_within_bounds(client, alliance):
    response = client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": WENDENG})
    assert response.status_code == 200, response.get_json()
    assert _table(response) == {3: 5, 4: 10, 5: 20}
    again = client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers,
                       json={"levels": [{"stars": 3, "percent": 10}, {"stars": 4, "percent": 10},
                                        {"stars": 5, "percent": 15}]})
    assert _table(again) == {3: 10, 4: 10, 5: 15}
    assert db.session.execute(select(func.count()).select_from(MerchantDiscount)).scalar_one() == 3


OUT_OF_BOUNDS = [
    ([{"stars": 3, "percent": 25}, {"stars": 4, "percent": 10}, {"stars": 5, "percent": 20}], "outside 5–10%"),
    ([{"stars": 3, "percent": 4}, {"stars": 4, "percent": 10}, {"stars": 5, "percent": 20}], "outside 5–10%"),
    ([{"stars": 2, "percent": 5}, {"stars": 3, "percent": 5}, {"stars": 4, "percent": 10},
      {"stars": 5, "percent": 20}], "2★ residents get no discount"),
    ([{"stars": 3, "percent": 5}, {"stars": 4, "percent": 10}], "Give a rate for 5★"),
    ([{"stars": 3, "percent": 10}, {"stars": 4, "percent": 8}, {"stars": 5, "percent": 15}], "never get a smaller"),
    ([{"stars": 3, "percent": 5}, {"stars": 3, "percent": 6}, {"stars": 4, "percent": 10},
      {"stars": 5, "percent": 20}], "listed twice"),
]


def test_discounts_outside_the_bounds_are_refused_and_nothing_changes(client, alliance):
    client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": WENDENG})
    for levels, fragment in OUT_OF_BOUNDS:
        response = client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": levels})
        body = assert_problem(response, 422, "discount_out_of_bounds")
        assert any(fragment in message for message in body["errors"]["levels"]), body
    assert _table(client.get("/api/v1/merchant/discounts", headers=alliance.staff_headers)) == {3: 5, 4: 10, 5: 20}


def test_malformed_discounts_are_validation_errors(client, alliance):
    for levels in ([{"stars": 3, "percent": 7.5}], [{"stars": 3, "percent": "5"}], [{"stars": 6, "percent": 5}],
                   [{"stars": 3, "percent": -5}], [], "all of them", [{"stars": 3}]):
        response = client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": levels})
        assert_problem(response, 422, "validation_failed")
    assert db.session.execute(select(func.count()).select_from(MerchantDiscount)).scalar_one() == 0


def test_only_merchant_staff_set_discounts(client, alliance, login):
    assert_problem(client.put("/api/v1/merchant/discounts", headers=alliance.admin_headers,
                              json={"levels": WENDENG}), 403, "wrong_principal_kind")


@pytest.mark.parametrize("bill, percent, expected", [
    (10000, 5, 500), (10000, 10, 1000), (10000, 20, 2000), (999, 5, 50), (990, 5, 50), (989, 5, 49),
    (1, 20, 0), (3, 20, 1), (10_000_000, 20, 2_000_000),
])
def test_discount_is_rounded_half_up_to_the_fen(bill, percent, expected):
    assert discount_amount(bill, percent) == expected


@pytest.mark.parametrize("stars, percent", [(3, 5), (4, 10), (5, 20)])
def test_sale_at_each_star_level_gets_that_levels_discount(client, alliance, make_resident, stars, percent):
    client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": WENDENG})
    resident = make_resident(alliance.community, name="孙桂兰")
    give_stars(resident, stars)
    code = dynamic_code(resident)
    preview = client.post("/api/v1/merchant/scan", headers=alliance.staff_headers, json={"code": code}).get_json()
    assert (preview["stars"], preview["discount_percent"], preview["eligible"]) == (stars, percent, True)
    sale = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                       json={"code": code, "bill_amount": 12345})
    assert sale.status_code == 201, sale.get_json()
    body = sale.get_json()
    discount = (12345 * percent + 50) // 100
    assert (body["stars"], body["discount_percent"], body["bill_amount"], body["discount_amount"],
            body["final_amount"]) == (stars, percent, 12345, discount, 12345 - discount)
    assert check_balances() == []


def test_residents_below_three_stars_get_no_discount_and_keep_their_code(client, alliance, make_resident):
    resident = make_resident(alliance.community, name="周建华")  # a newcomer holds 2 stars
    code = dynamic_code(resident)
    preview = client.post("/api/v1/merchant/scan", headers=alliance.staff_headers, json={"code": code}).get_json()
    assert (preview["stars"], preview["discount_percent"], preview["eligible"]) == (2, 0, False)
    response = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                           json={"code": code, "bill_amount": 5000})
    assert_problem(response, 409, "no_discount_for_stars")
    assert db.session.execute(select(func.count()).select_from(Sale)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(DynamicCodeUse)).scalar_one() == 0


def test_a_stored_rate_the_policy_no_longer_allows_is_clamped(client, alliance, make_staff):
    client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers, json={"levels": WENDENG})
    admin = Principal(kind="staff", id=alliance.admin.id, district_id=alliance.district.id,
                      roles={"district_admin": None})
    credit_policy.update_policy(admin, {"discount_bounds": {3: (5, 8), 4: (8, 12), 5: (12, 16)}})
    db.session.commit()
    table = _table(client.get("/api/v1/merchant/discounts", headers=alliance.staff_headers))
    assert table == {3: 5, 4: 10, 5: 16}
    code = dynamic_code(alliance.resident)  # 4 stars
    sale = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                       json={"code": code, "bill_amount": 10000}).get_json()
    assert sale["discount_percent"] == 10
