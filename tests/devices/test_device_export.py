"""The kiosk list as an XLSX download, for the district admin only."""
from tests.fixtures import assert_problem
from tests.xlsx_helpers import sheet_rows


def test_kiosk_export_lists_each_device_with_its_state(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    first = client.post("/api/v1/devices", headers=admin, json={"name": "西楼村自助终端", "community_id": community.id})
    second = client.post("/api/v1/devices", headers=admin, json={"name": "=1+1", "community_id": community.id})
    client.post("/api/v1/devices/pair", json={"pairing_code": first.get_json()["pairing_code"]})
    client.put(f"/api/v1/devices/{second.get_json()['id']}/disabled", headers=admin, json={"disabled": True})
    header, rows = sheet_rows(client.get("/api/v1/devices/export.xlsx", headers={**admin, "Accept-Language": "zh-CN"}))
    assert header[:4] == ["编号", "名称", "村社区", "信用超市"]
    assert [(row["名称"], row["村社区"], row["状态"]) for row in rows] == [
        ("西楼村自助终端", community.name_zh, "已配对"), ("=1+1", community.name_zh, "已停用")]
    assert rows[0]["配对时间"] and rows[1]["停用时间"]


def test_kiosk_export_is_for_the_district_admin(client, make_staff, community, login):
    assert_problem(client.get("/api/v1/devices/export.xlsx", headers=login(make_staff(worker=[community]))), 403)
