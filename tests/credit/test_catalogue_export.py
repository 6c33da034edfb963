"""The catalogue list as an XLSX download: the list's filters, the version in force, the reader's language."""
from tests.fixtures import assert_problem
from tests.xlsx_helpers import sheet_rows


def test_catalogue_export_holds_the_lists_items_with_the_version_in_force(client, auth, village, make_item):
    make_item("village_cleanup", 5, cap=(3, "month"), evidence=True, title_zh="清扫村道")
    make_item("blocking_fire_lane", -10, severity="serious", category="public_safety", title_zh="占用消防通道")
    headers = {**auth(village.admin), "Accept-Language": "zh-CN"}
    listed = client.get("/api/v1/catalogue/items?per_page=100", headers=headers).get_json()["items"]
    header, rows = sheet_rows(client.get("/api/v1/catalogue/items/export.xlsx", headers=headers))
    assert header[:3] == ["代码", "范围", "事项"]
    assert [row["代码"] for row in rows] == [item["code"] for item in listed]
    cleanup = next(row for row in rows if row["代码"] == "village_cleanup")
    assert (cleanup["事项"], cleanup["分值"], cleanup["上限"], cleanup["需要证据"], cleanup["范围"]) == \
        ("清扫村道", 5, "每月 3 次", "是", "全区")
    fire = next(row for row in rows if row["代码"] == "blocking_fire_lane")
    assert (fire["分值"], fire["严重程度"]) == (-10, "严重")


def test_catalogue_export_follows_the_category_filter_and_reads_english(client, auth, village, make_item):
    make_item("village_cleanup", 5)
    make_item("blocking_fire_lane", -10, category="public_safety")
    header, rows = sheet_rows(client.get("/api/v1/catalogue/items/export.xlsx?category=public_safety",
                                         headers=auth(village.admin)))
    assert header[:3] == ["Code", "Scope", "Title"]
    assert [row["Code"] for row in rows] == ["blocking_fire_lane"]


def test_catalogue_export_refuses_bad_filters_and_residents(client, auth, village):
    assert_problem(client.get("/api/v1/catalogue/items/export.xlsx?category=nope", headers=auth(village.admin)), 422)
    assert_problem(client.get("/api/v1/catalogue/items/export.xlsx", headers=auth(village.alice)), 403)
