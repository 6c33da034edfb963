from backend.audit.models import AuditLog
from backend.extensions import db
from tests.fixtures import assert_problem


def test_district_admin_builds_the_tree(client, make_staff, login):
    admin = make_staff(district_admin=True)
    headers = login(admin)
    town = client.post("/api/v1/towns", headers=headers,
                       json={"code": "MS", "name_zh": "米山镇", "name_en": "Mishan", "kind": "town"})
    assert town.status_code == 201
    community = client.post("/api/v1/communities", headers=headers,
                            json={"town_id": town.get_json()["id"], "code": "XL", "name_zh": "西楼村",
                                  "name_en": "Xilou"})
    assert community.status_code == 201
    household = client.post("/api/v1/households", headers=headers,
                            json={"community_id": community.get_json()["id"], "code": "H1", "name": "王家"})
    assert household.status_code == 201
    listed = client.get("/api/v1/communities?per_page=1", headers=headers).get_json()
    assert listed["total"] == 1 and listed["per_page"] == 1
    assert listed["items"][0]["name_zh"] == "西楼村"
    actions = [a.action for a in db.session.query(AuditLog).order_by(AuditLog.id)]
    assert actions == ["town.create", "community.create", "household.create"]


def test_workers_cannot_change_the_tree(client, make_staff, community, login):
    worker = make_staff(worker=[community])
    response = client.post("/api/v1/towns", headers=login(worker),
                           json={"code": "X", "name_zh": "镇", "name_en": "Town"})
    assert_problem(response, 403, "role_required")


def test_duplicate_codes_conflict(client, make_staff, community, login):
    admin = make_staff(district_admin=True)
    response = client.post("/api/v1/communities", headers=login(admin),
                           json={"town_id": community.town_id, "code": community.code, "name_zh": "重复",
                                 "name_en": "Dup"})
    body = assert_problem(response, 409, "code_taken")
    assert body["errors"] == {"code": ["Already used."]}


def test_community_with_residents_cannot_be_deleted(client, make_staff, make_resident, community, login):
    admin = make_staff(district_admin=True)
    make_resident(community)
    assert_problem(client.delete(f"/api/v1/communities/{community.id}", headers=login(admin)), 409, "not_empty")


def test_other_districts_are_invisible(client, make_staff, make_district, make_community, login):
    admin = make_staff(district_admin=True)
    foreign = make_community(dist=make_district())
    assert_problem(client.get(f"/api/v1/communities/{foreign.id}", headers=login(admin)), 404)


def test_worker_adds_household_only_in_own_community(client, make_staff, make_community, login):
    mine, other = make_community(), make_community()
    headers = login(make_staff(worker=[mine]))
    ok = client.post("/api/v1/households", headers=headers, json={"community_id": mine.id, "code": "H9",
                                                                  "name": "李家"})
    assert ok.status_code == 201
    refused = client.post("/api/v1/households", headers=headers, json={"community_id": other.id, "code": "H9",
                                                                       "name": "李家"})
    assert_problem(refused, 403, "out_of_scope")


def test_blank_names_are_refused_in_both_languages(client, zh_client, make_staff, community, login):
    headers = login(make_staff(district_admin=True))
    body = {"town_id": community.town_id, "code": "NEW1", "name_zh": "  ", "name_en": "New"}
    en = assert_problem(client.post("/api/v1/communities", headers=headers, json=body), 422)
    assert en["errors"]["name_zh"] == ["Must not be blank."]
    zh = assert_problem(zh_client.post("/api/v1/communities", headers=headers, json=body), 422)
    assert zh["errors"]["name_zh"] == ["不能为空。"]
    renamed = zh_client.patch(f"/api/v1/communities/{community.id}", headers=headers, json={"name_zh": "\t"})
    assert assert_problem(renamed, 422)["errors"]["name_zh"] == ["不能为空。"]
