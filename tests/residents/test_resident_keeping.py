"""Keeping a resident from the console: bad input is refused whole, with a message per field."""
from backend.extensions import db
from backend.residents.models import Resident
from tests.fixtures import assert_problem


def snapshot(resident_id):
    db.session.expire_all()
    r = db.session.get(Resident, resident_id)
    return r.name, r.phone, r.community_id, r.household_id


def test_moving_a_resident_out_of_the_workers_villages_is_refused_and_changes_nothing(
        zh_client, make_staff, make_community, make_resident, login):
    mine, other = make_community(), make_community()
    resident = make_resident(mine, name="王芳")
    before = snapshot(resident.id)
    response = zh_client.patch(f"/api/v1/residents/{resident.id}", headers=login(make_staff(worker=[mine])),
                               json={"name": "王新", "community_id": other.id})
    body = assert_problem(response, 403, "out_of_scope")
    assert body["detail"] == "超出您负责的社区范围。"
    assert snapshot(resident.id) == before


def test_a_phone_of_another_resident_is_refused_at_the_phone_field_and_nothing_is_written(
        client, make_staff, community, make_resident, login):
    resident = make_resident(community, name="王芳")
    other = make_resident(community)
    before = snapshot(resident.id)
    response = client.patch(f"/api/v1/residents/{resident.id}", headers=login(make_staff(worker=[community])),
                            json={"name": "王新", "phone": other.phone})
    body = assert_problem(response, 409, "phone_taken")
    assert body["errors"] == {"phone": ["Already registered."]}
    assert snapshot(resident.id) == before


def test_a_blank_name_is_no_name(zh_client, make_staff, community, make_resident, login):
    resident = make_resident(community)
    headers = login(make_staff(worker=[community]))
    response = zh_client.patch(f"/api/v1/residents/{resident.id}", headers=headers, json={"name": "   "})
    body = assert_problem(response, 422)
    assert body["errors"]["name"] == ["不能为空。"]
    created = zh_client.post("/api/v1/residents", headers=headers, json={
        "name": " ", "gender": "male", "birth_year": 1960, "community_id": community.id})
    assert assert_problem(created, 422)["errors"]["name"] == ["不能为空。"]
