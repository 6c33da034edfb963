"""The alliance as a resident sees it (GET /me/alliance): the approved shops of the district, where they are, the
discount my star level earns at each and what the next star would, and the visit I may still rate."""
from backend.extensions import db
from backend.merchants.models import Merchant
from tests.fixtures import assert_problem
from tests.merchants.factories import card_of, dynamic_code, give_stars


def test_alliance_lists_approved_shops_with_my_discount_and_the_next_stars(client, login, alliance, make_merchant,
                                                                          make_resident):
    # the barber sets 12% for 4★ and 18% for 5★
    set_rates = client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers,
                           json={"levels": [{"stars": 3, "percent": 5}, {"stars": 4, "percent": 12}, {"stars": 5, "percent": 18}]})
    assert set_rates.status_code == 200, set_rates.get_json()
    bath = make_merchant(name="清泉洗浴中心", category="bathhouse")
    bath.community_id = alliance.community.id
    make_merchant(name="还在审核的店", status="pending")
    make_merchant(name="被开除的店", status="expelled")
    db.session.commit()

    body = client.get("/api/v1/me/alliance", headers=login(alliance.resident)).get_json()
    assert (body["stars"], body["next_star"], body["total"]) == (4, 5, 2)
    shops = {shop["name"]: shop for shop in body["items"]}
    assert set(shops) == {"老王理发店", "清泉洗浴中心"}  # pending and expelled shops give no discount
    barber = shops["老王理发店"]
    assert (barber["my_percent"], barber["next_star_percent"]) == (12, 18)
    assert barber["discounts"] == [{"stars": 3, "percent": 5}, {"stars": 4, "percent": 12}, {"stars": 5, "percent": 18}]
    assert (barber["category_zh"], barber["category_en"], barber["address"]) == ("理发", "Barber", "文登区米山路1号")
    assert barber["community_name_zh"] is None  # a shop of the whole district
    bath_shop = shops["清泉洗浴中心"]
    assert bath_shop["community_name_zh"] == alliance.community.name_zh and bath_shop["my_percent"] == 8
    assert bath_shop["rateable_sale_id"] is None and bath_shop["ratings"] == {"count": 0, "average": None}

    # a 2★ newcomer earns nothing yet, and the next star (3★) would earn 5% at the barber
    newcomer = make_resident(alliance.community, name="李桂兰", phone="13812340000")
    mine = client.get("/api/v1/me/alliance?category=barber", headers=login(newcomer)).get_json()
    assert mine["stars"] == 2 and [(s["my_percent"], s["next_star_percent"]) for s in mine["items"]] == [(0, 5)]
    give_stars(newcomer, 3)
    (barber,) = client.get("/api/v1/me/alliance?category=barber", headers=login(newcomer)).get_json()["items"]
    assert (barber["my_percent"], barber["next_star_percent"]) == (5, 12)


def test_alliance_names_my_visit_to_rate_until_i_rated_it(client, login, alliance):
    sale = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                       json={"code": dynamic_code(alliance.resident), "bill_amount": 6000})
    assert sale.status_code == 201, sale.get_json()
    me = login(alliance.resident)
    one = client.get(f"/api/v1/me/alliance?merchant_id={alliance.merchant.id}", headers=me).get_json()
    assert [shop["rateable_sale_id"] for shop in one["items"]] == [sale.get_json()["id"]]
    rated = client.post(f"/api/v1/me/sales/{sale.get_json()['id']}/rating", headers=me, json={"stars": 5})
    assert rated.status_code == 201, rated.get_json()
    (shop,) = client.get(f"/api/v1/me/alliance?merchant_id={alliance.merchant.id}", headers=me).get_json()["items"]
    assert shop["rateable_sale_id"] is None and shop["ratings"] == {"count": 1, "average": 5.0}


def test_alliance_is_for_residents_and_stays_in_their_district(client, login, alliance, make_district, make_merchant):
    other = make_district()
    make_merchant(dist=other, name="外区的店")
    names = [s["name"] for s in client.get("/api/v1/me/alliance", headers=login(alliance.resident)).get_json()["items"]]
    assert names == ["老王理发店"]
    outside = db.session.query(Merchant).filter_by(name="外区的店").one()
    assert client.get(f"/api/v1/me/alliance?merchant_id={outside.id}",
                      headers=login(alliance.resident)).get_json()["items"] == []
    assert_problem(client.get("/api/v1/me/alliance", headers=alliance.staff_headers), 403)
    assert_problem(client.get("/api/v1/me/alliance?category=casino", headers=login(alliance.resident)), 422,
                   "validation_failed")
    assert_problem(client.get("/api/v1/me/alliance?merchant_id=0", headers=login(alliance.resident)), 422)
