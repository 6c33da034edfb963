"""A shop's items, stock movements and orders as XLSX downloads (the lists' filters, every page)."""
import pytest

from tests.fixtures import assert_problem
from tests.xlsx_helpers import sheet_rows

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def setup(community, make_supermarket, make_item, make_resident, give_points, make_staff, login, make_order):
    class S:
        pass

    s = S()
    s.shop = make_supermarket(community)
    s.rice = make_item(s.shop, stock=10, price=30, name_zh="大米", name_en="Rice")
    s.soap = make_item(s.shop, stock=3, price=5, name_zh="肥皂", name_en="Soap", category="cleaning")
    s.resident = make_resident(community, name="张三明")
    give_points(s.resident, 100)
    s.order = make_order(s.resident, s.shop, [(s.rice, 1), (s.soap, 2)])
    s.worker = login(make_staff(worker=[community]))
    s.admin = login(make_staff(district_admin=True))
    return s


def test_items_export_shows_stock_and_its_points_value(client, setup):
    header, rows = sheet_rows(client.get(f"/api/v1/supermarkets/{setup.shop.id}/items/export.xlsx",
                                         headers={**setup.worker, **ZH}))
    assert header[:4] == ["编号", "名称", "英文名称", "类别"]
    by_name = {row["名称"]: row for row in rows}
    assert (by_name["大米"]["库存"], by_name["大米"]["库存价值（积分）"], by_name["大米"]["类别"]) == (9, 270, "粮油")
    assert (by_name["肥皂"]["库存"], by_name["肥皂"]["类别"]) == (1, "清洁用品")
    header, rows = sheet_rows(client.get(f"/api/v1/supermarkets/{setup.shop.id}/items/export.xlsx?category=cleaning",
                                         headers=setup.admin))
    assert [row["Name (English)"] for row in rows] == ["Soap"]


def test_movements_export_lists_intakes_and_redemptions_newest_first(client, setup):
    listed = client.get(f"/api/v1/supermarkets/{setup.shop.id}/stock-movements?per_page=100",
                        headers=setup.worker).get_json()["items"]
    header, rows = sheet_rows(client.get(f"/api/v1/supermarkets/{setup.shop.id}/stock-movements/export.xlsx",
                                         headers={**setup.worker, **ZH}))
    assert [row["编号"] for row in rows] == [m["id"] for m in listed]
    intakes = [row for row in rows if row["类型"] == "入库"]
    assert {(row["物品"], row["数量"], row["捐赠方"], row["捐赠方类型"]) for row in intakes} == {
        ("大米", 10, "米山镇人民政府", "镇街政府"), ("肥皂", 3, "米山镇人民政府", "镇街政府")}
    _header, only = sheet_rows(client.get(
        f"/api/v1/supermarkets/{setup.shop.id}/stock-movements/export.xlsx?kind=redemption", headers=setup.worker))
    assert sorted((row["Item"], row["Quantity"]) for row in only) == [("Rice", -1), ("Soap", -2)]


def test_orders_export_names_the_resident_and_the_lines(client, setup):
    header, rows = sheet_rows(client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders/export.xlsx",
                                         headers={**setup.worker, **ZH}))
    assert len(rows) == 1
    row = rows[0]
    assert (row["小票号"], row["居民"], row["积分合计"], row["状态"]) == (setup.order.receipt_no, "张三明", 40, "待领取")
    assert row["物品"] == "大米 × 1；肥皂 × 2"
    _header, none = sheet_rows(client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders/export.xlsx?status=cancelled",
                                          headers=setup.worker))
    assert none == []


def test_exports_of_a_shop_out_of_scope_are_not_found(client, setup, make_community, make_staff, login):
    stranger = login(make_staff(worker=[make_community()]))
    for path in ("items", "stock-movements", "orders"):
        assert_problem(client.get(f"/api/v1/supermarkets/{setup.shop.id}/{path}/export.xlsx", headers=stranger),
                       404, "supermarket_not_found")
    assert_problem(client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders/export.xlsx?status=lost",
                              headers=setup.worker), 422)


def test_staff_order_list_names_the_resident_but_the_counters_pickup_stays_masked(client, setup):
    listed = client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders", headers=setup.worker).get_json()["items"]
    assert [order["resident_name"] for order in listed] == ["张三明"]
    pickup = client.get(f"/api/v1/supermarkets/pickups/{setup.order.pickup_code}", headers=setup.worker).get_json()
    assert pickup["masked_name"] == "张*明" and "resident_name" not in pickup
