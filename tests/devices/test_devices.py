from tests.fixtures import assert_problem


def _register(client, headers, community):
    response = client.post("/api/v1/devices", headers=headers, json={"name": "西楼村自助终端",
                                                                    "community_id": community.id})
    assert response.status_code == 201
    return response.get_json()


def test_kiosk_pairs_once_and_gets_a_device_token(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    device = _register(client, admin, community)
    code = device["pairing_code"]
    paired = client.post("/api/v1/devices/pair", json={"pairing_code": code.lower()})
    assert paired.status_code == 200
    token = paired.get_json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["kind"] == "device" and me["device_id"] == device["id"]
    assert_problem(client.post("/api/v1/devices/pair", json={"pairing_code": code}), 401, "invalid_pairing_code")


def test_disabling_a_device_revokes_its_token_at_once(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    device = _register(client, admin, community)
    token = client.post("/api/v1/devices/pair", json={"pairing_code": device["pairing_code"]}).get_json()[
        "access_token"]
    kiosk = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=kiosk).status_code == 200
    response = client.put(f"/api/v1/devices/{device['id']}/disabled", headers=admin,
                          json={"disabled": True, "reason": "stolen"})
    assert response.status_code == 200 and response.get_json()["disabled_at"]
    assert_problem(client.get("/api/v1/auth/me", headers=kiosk), 401, "token_revoked")


def test_device_token_cannot_use_staff_endpoints(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    device = _register(client, admin, community)
    token = client.post("/api/v1/devices/pair", json={"pairing_code": device["pairing_code"]}).get_json()[
        "access_token"]
    kiosk = {"Authorization": f"Bearer {token}"}
    assert_problem(client.get("/api/v1/residents", headers=kiosk), 403, "wrong_principal_kind")
    assert_problem(client.get("/api/v1/devices", headers=kiosk), 403, "wrong_principal_kind")


def test_new_pairing_code_retires_the_old_token(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    device = _register(client, admin, community)
    token = client.post("/api/v1/devices/pair", json={"pairing_code": device["pairing_code"]}).get_json()[
        "access_token"]
    fresh = client.post(f"/api/v1/devices/{device['id']}/pairing-code", headers=admin).get_json()
    assert fresh["pairing_code"] != device["pairing_code"]
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}), 401, "token_revoked")


def test_unknown_pairing_code(client):
    assert_problem(client.post("/api/v1/devices/pair", json={"pairing_code": "NOPE12345"}), 401,
                   "invalid_pairing_code")
