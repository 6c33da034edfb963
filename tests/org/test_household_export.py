"""GET /households/export.xlsx: the households of my communities with their village and members."""
import io

import openpyxl

from tests.fixtures import assert_problem


def rows_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


def test_household_export_counts_members_and_keeps_to_my_villages(
        zh_client, make_staff, make_community, make_household, make_resident, login):
    village, other = make_community(name_zh="东楼村"), make_community()
    wang = make_household(village, code="H1", name="王家")
    make_household(village, code="H2", name="=1+1")
    make_household(other, code="H3", name="外村家")
    make_resident(village, household=wang)
    make_resident(village, household=wang)
    rows = rows_of(zh_client.get("/api/v1/households/export.xlsx", headers=login(make_staff(worker=[village]))))
    assert rows[0] == ["户编码", "户名", "地址", "村社区", "在册成员", "登记时间"]
    assert [r[:2] + r[3:5] for r in rows[1:]] == [["H1", "王家", "东楼村", 2], ["H2", "=1+1", "东楼村", 0]]


def test_household_export_filters_by_village_and_refuses_bad_filter(client, make_staff, make_community,
                                                                    make_household, login):
    a, b = make_community(), make_community()
    make_household(a, code="A1")
    make_household(b, code="B1")
    headers = login(make_staff(district_admin=True))
    rows = rows_of(client.get(f"/api/v1/households/export.xlsx?community_id={b.id}", headers=headers))
    assert rows[0][0] == "Code" and [r[0] for r in rows[1:]] == ["B1"]
    assert_problem(client.get("/api/v1/households/export.xlsx?community_id=abc", headers=headers), 422)


def test_village_export_names_each_village_with_its_town_and_follows_the_town_filter(
        zh_client, make_staff, make_community, login):
    first = make_community(name_zh="东楼村", code="=1+1")
    make_community(name_zh="西楼村")
    admin = login(make_staff(district_admin=True))
    rows = rows_of(zh_client.get("/api/v1/communities/export.xlsx", headers=admin))
    assert rows[0] == ["编号", "编码", "镇街", "名称", "英文名称", "类型"]
    assert [row[3] for row in rows[1:]] == ["东楼村", "西楼村"]
    assert rows[1][1] == "=1+1"  # a code that looks like a formula stays text
    only = rows_of(zh_client.get(f"/api/v1/communities/export.xlsx?town_id={first.town_id}", headers=admin))
    assert [row[3] for row in only[1:]] == ["东楼村"]
    assert only[1][2].startswith("镇")  # the town by its name, not its number
