"""GET /staff/export.xlsx: the district's accounts with their roles and villages in words (admins only)."""
import io

import openpyxl

from tests.fixtures import assert_problem


def test_staff_export_lists_accounts_with_roles_and_villages(zh_client, make_staff, make_community, login):
    village = make_community(name_zh="西楼村")
    admin = make_staff(district_admin=True, username="chief")
    make_staff(worker=[village], reviewer=[village], username="clerk")
    response = zh_client.get("/api/v1/staff/export.xlsx", headers=login(admin))
    assert response.status_code == 200
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    assert rows[0] == ["编号", "用户名", "姓名", "角色与村社区", "商户编号", "状态", "创建时间"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["chief"][3] == "信用中心管理员" and by_name["chief"][5] == "在用"
    assert "西楼村" in by_name["clerk"][3] and by_name["clerk"][3].count("西楼村") == 2


def test_staff_export_is_for_district_admins_only(client, make_staff, community, login):
    assert_problem(client.get("/api/v1/staff/export.xlsx", headers=login(make_staff(worker=[community]))), 403,
                   "role_required")


def test_a_blank_display_name_is_refused(zh_client, make_staff, community, login):
    response = zh_client.post("/api/v1/staff", headers=login(make_staff(district_admin=True)), json={
        "username": "blank", "display_name": "  ", "password": "long-enough-1",
        "roles": [{"role": "worker", "community_id": community.id}]})
    assert assert_problem(response, 422)["errors"]["display_name"] == ["不能为空。"]
