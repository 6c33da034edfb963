"""What the console's merchant screen needs: the list as XLSX, and the admin setting a shop's discounts."""
from sqlalchemy import select

from backend.extensions import db
from backend.merchants.models import MerchantDiscount
from tests.fixtures import assert_problem
from tests.xlsx_helpers import sheet_rows


def test_merchant_export_has_the_lists_rows_and_filters_in_the_readers_language(client, alliance, make_merchant):
    make_merchant(status="pending", name="=HYPERLINK(\"http://x\")洗车")
    everyone = client.get("/api/v1/merchants?per_page=100", headers=alliance.admin_headers).get_json()
    header, rows = sheet_rows(client.get("/api/v1/merchants/export.xlsx", headers=alliance.admin_headers))
    assert header[:3] == ["ID", "Name", "Category"]  # the client fixture reads English
    assert [row["ID"] for row in rows] == [m["id"] for m in everyone["items"]]
    pending = client.get("/api/v1/merchants/export.xlsx?status=pending",
                         headers={**alliance.admin_headers, "Accept-Language": "zh-CN"})
    header, rows = sheet_rows(pending)
    assert header[:3] == ["编号", "名称", "类别"]
    assert [(row["名称"], row["状态"]) for row in rows] == [("=HYPERLINK(\"http://x\")洗车", "待审核")]  # text, not a formula


def test_merchant_export_is_for_staff_only(client, alliance):
    assert_problem(client.get("/api/v1/merchants/export.xlsx", headers=alliance.staff_headers), 403)
    assert_problem(client.get("/api/v1/merchants/export.xlsx?status=nonsense", headers=alliance.admin_headers), 422)


def test_admin_sets_a_shops_discounts_within_the_policys_bounds(client, alliance):
    url = f"/api/v1/merchants/{alliance.merchant.id}/discounts"
    levels = [{"stars": 3, "percent": 6}, {"stars": 4, "percent": 10}, {"stars": 5, "percent": 20}]
    response = client.put(url, headers=alliance.admin_headers, json={"levels": levels})
    assert response.status_code == 200, response.get_json()
    assert {r["stars"]: r["percent"] for r in response.get_json()["levels"]} == {3: 6, 4: 10, 5: 20}
    summary = client.get(f"/api/v1/merchants/{alliance.merchant.id}/summary", headers=alliance.admin_headers)
    assert [(r["stars"], r["percent"], r["set_by_merchant"]) for r in summary.get_json()["discounts"]] == [
        (3, 6, True), (4, 10, True), (5, 20, True)]


def test_admin_discount_outside_the_bounds_is_refused_in_both_languages_and_writes_nothing(client, alliance):
    url = f"/api/v1/merchants/{alliance.merchant.id}/discounts"
    levels = [{"stars": 3, "percent": 50}, {"stars": 4, "percent": 10}, {"stars": 5, "percent": 20}]
    body = assert_problem(client.put(url, headers=alliance.admin_headers, json={"levels": levels}), 422,
                          "discount_out_of_bounds")
    assert any("3★: 50% is outside 5–10%" in text for text in body["errors"]["levels"])
    zh = client.put(url, headers={**alliance.admin_headers, "Accept-Language": "zh-CN"}, json={"levels": levels})
    assert zh.get_json()["detail"] != body["detail"] and zh.get_json()["code"] == "discount_out_of_bounds"
    assert db.session.execute(select(MerchantDiscount)).first() is None


def test_only_the_district_admin_sets_a_shops_discounts_and_only_in_the_district(client, alliance, make_district,
                                                                                 make_merchant):
    levels = [{"stars": 3, "percent": 5}, {"stars": 4, "percent": 8}, {"stars": 5, "percent": 15}]
    assert_problem(client.put(f"/api/v1/merchants/{alliance.merchant.id}/discounts", headers=alliance.staff_headers,
                              json={"levels": levels}), 403)
    elsewhere = make_merchant(dist=make_district())
    assert_problem(client.put(f"/api/v1/merchants/{elsewhere.id}/discounts", headers=alliance.admin_headers,
                              json={"levels": levels}), 404, "merchant_not_found")
