import logging

from backend.extensions import db
from backend.residents.models import Resident, ResidentLookup
from tests.fixtures import assert_problem, valid_id_number

ID_NUMBER = valid_id_number(7)


def _create(client, headers, community, **extra):
    body = {"name": "张三明", "gender": "male", "birth_year": 1958, "phone": "13912345678",
            "community_id": community.id, "id_number": ID_NUMBER, **extra}
    return client.post("/api/v1/residents", headers=headers, json=body)


def test_id_number_is_kept_only_as_hash_and_last_four(client, make_staff, community, login, caplog):
    caplog.set_level(logging.DEBUG)
    headers = login(make_staff(worker=[community]))
    response = _create(client, headers, community)
    assert response.status_code == 201
    assert ID_NUMBER not in response.get_data(as_text=True)
    assert response.get_json()["id_last4"] == ID_NUMBER[-4:]
    stored = db.session.get(Resident, response.get_json()["id"])
    assert stored.id_hash and ID_NUMBER not in stored.id_hash
    found = client.get(f"/api/v1/residents?id_number={ID_NUMBER}", headers=headers).get_json()
    assert [r["id"] for r in found["items"]] == [stored.id]
    audit = client.get("/api/v1/audit", headers=login(make_staff(district_admin=True))).get_data(as_text=True)
    assert ID_NUMBER not in audit
    assert ID_NUMBER not in caplog.text


def test_invalid_id_number_is_refused(client, make_staff, community, login):
    headers = login(make_staff(worker=[community]))
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    body = assert_problem(_create(client, headers, community, id_number=bad), 422, "validation_failed")
    assert "id_number" in body["errors"]
    assert db.session.query(Resident).count() == 0


def test_duplicate_id_number_conflicts(client, make_staff, community, login):
    headers = login(make_staff(worker=[community]))
    assert _create(client, headers, community).status_code == 201
    assert_problem(_create(client, headers, community, phone="13900000000"), 409, "id_number_taken")


def test_worker_of_other_community_gets_404_not_data(client, make_staff, make_community, make_resident, login):
    a, b = make_community(), make_community()
    resident = make_resident(b)
    headers = login(make_staff(worker=[a]))
    body = assert_problem(client.get(f"/api/v1/residents/{resident.id}", headers=headers), 404)
    assert resident.name not in str(body)
    listed = client.get("/api/v1/residents", headers=headers).get_json()
    assert listed["items"] == []
    assert_problem(client.patch(f"/api/v1/residents/{resident.id}", headers=headers, json={"name": "改名"}), 404)


def test_staff_lookup_is_logged_for_the_resident(client, make_staff, community, make_resident, login):
    resident = make_resident(community)
    worker = make_staff(worker=[community])
    assert client.get(f"/api/v1/residents/{resident.id}", headers=login(worker)).status_code == 200
    lookups = client.get("/api/v1/residents/me/lookups", headers=login(resident)).get_json()
    assert lookups["total"] == 1
    assert lookups["items"][0]["what"] == "profile"
    assert lookups["items"][0]["actor_name"] == worker.display_name
    assert db.session.query(ResidentLookup).count() == 1


def test_pin_lockout_after_five_wrong_tries(app, make_staff, community, make_resident, login, client):
    from backend.errors import Locked, Unauthorized
    from backend.residents.service import verify_pin

    resident = make_resident(community)
    worker = make_staff(worker=[community])
    assert client.put(f"/api/v1/residents/{resident.id}/pin", headers=login(worker),
                      json={"pin": "246810"}).status_code == 204
    db.session.refresh(resident)
    assert verify_pin(resident, "246810") is resident
    for attempt in range(4):
        try:
            verify_pin(resident, "000000")
        except Unauthorized as error:
            assert error.code == "wrong_pin" and error.commit
    try:
        verify_pin(resident, "000000")
        raise AssertionError("fifth wrong PIN must lock")
    except Locked as error:
        assert error.code == "pin_locked"
    try:
        verify_pin(resident, "246810")
        raise AssertionError("a locked card refuses even the right PIN")
    except Locked:
        pass
    # a worker's reset lifts the lock
    db.session.commit()
    assert client.put(f"/api/v1/residents/{resident.id}/pin", headers=login(worker),
                      json={"pin": "135790"}).status_code == 204
    db.session.refresh(resident)
    assert verify_pin(resident, "135790") is resident


def test_pin_must_be_six_digits(client, make_staff, community, make_resident, login):
    resident = make_resident(community)
    headers = login(make_staff(worker=[community]))
    for pin in ["12345", "1234567", "abcdef", 123456]:
        body = assert_problem(client.put(f"/api/v1/residents/{resident.id}/pin", headers=headers,
                                         json={"pin": pin}), 422, "validation_failed")
        assert "pin" in body["errors"]


def test_resident_cannot_use_staff_endpoints(client, community, make_resident, login):
    resident = make_resident(community)
    assert_problem(client.get("/api/v1/residents", headers=login(resident)), 403, "wrong_principal_kind")


def test_masking_helpers():
    from backend.common.masking import mask_name, mask_phone

    assert mask_name("张三明") == "张*明"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_phone("13812345678") == "138****5678"


def test_search_finds_a_resident_by_the_last_four_of_the_id_number(client, make_staff, community, make_resident,
                                                                   login):
    headers = login(make_staff(worker=[community]))
    make_resident(community, name="王五", phone="13700000000")
    wanted = make_resident(community, name="李四", phone="13600000000", id_number=ID_NUMBER)
    found = client.get(f"/api/v1/residents?q={ID_NUMBER[-4:].lower()}", headers=headers).get_json()
    assert [r["id"] for r in found["items"]] == [wanted.id]
    # names and phones still match as before
    by_name = client.get("/api/v1/residents?q=王五", headers=headers).get_json()
    assert [r["name"] for r in by_name["items"]] == ["王五"]
