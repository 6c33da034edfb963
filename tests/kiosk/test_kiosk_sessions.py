from flask_jwt_extended import decode_token

from backend.cards import service as cards
from backend.devices.models import KioskDevice
from backend.extensions import db
from backend.residents.models import Resident
from tests.fixtures import assert_problem


def _sign_in(client, kiosk, code, pin=None):
    body = {"code": code} if pin is None else {"code": code, "pin": pin}
    return client.post("/api/v1/kiosk/sessions", headers=kiosk, json=body)


def test_phone_code_signs_in_once(client, shop_setup, phone_code):
    code = phone_code(shop_setup.resident)
    first = _sign_in(client, shop_setup.kiosk, code)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["method"] == "phone" and body["resident"]["masked_name"] == "张*明"
    assert_problem(_sign_in(client, shop_setup.kiosk, code), 409, "code_already_used")


def test_kiosk_session_is_short_lived_and_bound_to_the_kiosk(app, client, shop_setup, phone_code):
    body = _sign_in(client, shop_setup.kiosk, phone_code(shop_setup.resident)).get_json()
    assert body["expires_in"] == app.config["KIOSK_SESSION_MINUTES"] * 60
    claims = decode_token(body["access_token"])
    assert claims["kind"] == "kiosk_resident" and claims["sub"] == f"kiosk_resident:{shop_setup.resident.id}"
    assert claims["device_id"] == shop_setup.device.id and claims["supermarket_id"] == shop_setup.shop.id
    assert claims["exp"] - claims["iat"] == app.config["KIOSK_SESSION_MINUTES"] * 60


def test_printed_card_asks_for_the_pin_then_signs_in(client, shop_setup, printed_card):
    url = printed_card(shop_setup.resident)
    assert_problem(_sign_in(client, shop_setup.kiosk, url), 401, "pin_required")
    response = _sign_in(client, shop_setup.kiosk, url, "123456")
    assert response.status_code == 201 and response.get_json()["method"] == "card"
    # a printed card is not spent: it works again with its PIN
    assert _sign_in(client, shop_setup.kiosk, url, "123456").status_code == 201


def test_five_wrong_pins_lock_the_card(client, shop_setup, printed_card):
    url = printed_card(shop_setup.resident)
    for left in (4, 3, 2, 1):
        body = assert_problem(_sign_in(client, shop_setup.kiosk, url, "000000"), 401, "wrong_pin")
        assert f"{left} tries left" in body["detail"]
    assert_problem(_sign_in(client, shop_setup.kiosk, url, "000000"), 423, "pin_locked")
    # locked: even the right PIN is refused for now
    assert_problem(_sign_in(client, shop_setup.kiosk, url, "123456"), 423, "pin_locked")
    db.session.expire_all()
    assert db.session.get(Resident, shop_setup.resident.id).pin_locked_until is not None


def test_malformed_pin_is_a_validation_error(client, shop_setup, printed_card):
    url = printed_card(shop_setup.resident)
    assert_problem(_sign_in(client, shop_setup.kiosk, url, "12ab"), 422, "validation_failed")


def test_revoked_card_is_refused(client, shop_setup, printed_card):
    url = printed_card(shop_setup.resident)
    card = cards.active_card("resident", shop_setup.resident.id)
    cards.revoke_card("test", card, "lost")
    db.session.commit()
    assert_problem(_sign_in(client, shop_setup.kiosk, url, "123456"), 410, "card_revoked")


def test_forged_code_is_refused(client, shop_setup):
    assert_problem(_sign_in(client, shop_setup.kiosk, "https://credit.example.cn/c/not-a-token"), 400,
                   "invalid_code")


def test_resident_of_a_community_the_shop_does_not_serve_cannot_sign_in(client, shop_setup, make_community,
                                                                         make_resident, phone_code):
    outsider = make_resident(make_community())
    code = phone_code(outsider)
    assert_problem(_sign_in(client, shop_setup.kiosk, code), 403, "wrong_community")


def test_resident_of_a_served_neighbour_village_signs_in(client, make_community, make_supermarket, make_kiosk,
                                                         make_resident, phone_code):
    town, village = make_community(), make_community()
    shop = make_supermarket(town, served=[village])
    _, kiosk = make_kiosk(shop)
    assert _sign_in(client, kiosk, phone_code(make_resident(village))).status_code == 201


def test_kiosk_tokens_cannot_use_staff_endpoints(client, shop_setup, kiosk_login):
    resident_headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    for headers in (shop_setup.kiosk, resident_headers):
        assert_problem(client.get("/api/v1/residents", headers=headers), 403, "wrong_principal_kind")
        assert_problem(client.get(f"/api/v1/supermarkets/{shop_setup.shop.id}/items", headers=headers), 403,
                       "wrong_principal_kind")
        assert_problem(client.post("/api/v1/supermarkets/pickups", headers=headers, json={"code": "ABCDEFGH"}),
                       403, "wrong_principal_kind")
    # the resident session cannot sign anyone else in; the device cannot redeem by itself
    assert_problem(client.post("/api/v1/kiosk/sessions", headers=resident_headers, json={"code": "x"}), 403,
                   "wrong_principal_kind")
    assert_problem(client.post("/api/v1/kiosk/orders", headers=shop_setup.kiosk,
                               json={"lines": [{"item_id": 1, "quantity": 1}]}), 403, "wrong_principal_kind")


def test_disabling_the_kiosk_ends_its_resident_sessions_at_once(client, shop_setup, kiosk_login, make_staff, login):
    resident_headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    assert client.get("/api/v1/kiosk/me", headers=resident_headers).status_code == 200
    admin = login(make_staff(district_admin=True))
    response = client.put(f"/api/v1/devices/{shop_setup.device.id}/disabled", headers=admin,
                          json={"disabled": True, "reason": "screen broken"})
    assert response.status_code == 200
    assert_problem(client.get("/api/v1/kiosk/me", headers=resident_headers), 403, "device_disabled")
    assert_problem(client.get("/api/v1/kiosk/catalogue", headers=resident_headers), 403, "device_disabled")
    assert_problem(client.get("/api/v1/kiosk/device", headers=shop_setup.kiosk), 401, "token_revoked")


def test_re_pairing_the_kiosk_ends_its_resident_sessions(client, shop_setup, kiosk_login, make_staff, login):
    resident_headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    admin = login(make_staff(district_admin=True))
    assert client.post(f"/api/v1/devices/{shop_setup.device.id}/pairing-code", headers=admin).status_code == 200
    assert_problem(client.get("/api/v1/kiosk/me", headers=resident_headers), 403, "device_disabled")


def test_kiosk_without_a_supermarket_cannot_sign_residents_in(client, shop_setup, phone_code):
    device = db.session.get(KioskDevice, shop_setup.device.id)
    device.supermarket_id = None
    db.session.commit()
    assert_problem(_sign_in(client, shop_setup.kiosk, phone_code(shop_setup.resident)), 409, "kiosk_not_assigned")


def test_sign_out_revokes_the_resident_session(client, shop_setup, kiosk_login):
    headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    assert client.delete("/api/v1/kiosk/sessions/current", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/kiosk/me", headers=headers), 401, "token_revoked")


def test_device_info_and_public_config(app, client, shop_setup):
    info = client.get("/api/v1/kiosk/device", headers=shop_setup.kiosk).get_json()
    assert info["supermarket"]["id"] == shop_setup.shop.id and info["device"]["id"] == shop_setup.device.id
    config = client.get("/api/v1/kiosk/config").get_json()
    assert config["idle_seconds"] == app.config["KIOSK_IDLE_SECONDS"] == 60
    assert 0 < config["idle_warning_seconds"] < config["idle_seconds"]


def test_kiosk_page_is_served(client):
    page = client.get("/kiosk/")
    assert page.status_code == 200 and b"<html" in page.data.lower()
    assert client.get("/").headers["Location"].endswith("/kiosk/")
    assert_problem(client.get("/kiosk/../backend/config.py"), 404)


def test_pin_reset_ends_the_residents_kiosk_sessions_at_once(client, shop_setup, kiosk_login, make_staff, login):
    # a lost card: whoever signed in with it must be out as soon as a worker sets a new PIN
    resident_headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    assert client.get("/api/v1/kiosk/me", headers=resident_headers).status_code == 200
    worker = login(make_staff(worker=[shop_setup.community]))
    assert client.put(f"/api/v1/residents/{shop_setup.resident.id}/pin", headers=worker,
                      json={"pin": "975310"}).status_code == 204
    assert_problem(client.get("/api/v1/kiosk/me", headers=resident_headers), 401, "token_revoked")
    # the kiosk itself stays signed in
    assert client.get("/api/v1/kiosk/device", headers=shop_setup.kiosk).status_code == 200


def test_moving_out_ends_the_residents_kiosk_session(client, shop_setup, kiosk_login, make_staff, login):
    resident_headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    worker = login(make_staff(worker=[shop_setup.community]))
    assert client.patch(f"/api/v1/residents/{shop_setup.resident.id}", headers=worker,
                        json={"status": "moved_out"}).status_code == 200
    assert_problem(client.get("/api/v1/kiosk/me", headers=resident_headers), 401, "token_revoked")
