"""A phone code's typed number signs in at the kiosk like its QR, and spends the same single-use code."""
from backend.cards import service as cards
from tests.fixtures import assert_problem


def _sign_in(client, kiosk, code):
    return client.post("/api/v1/kiosk/sessions", headers=kiosk, json={"code": code})


def test_kiosk_sign_in_by_number_spends_the_code_its_qr_carries(client, shop_setup):
    code = cards.issue_dynamic_code(shop_setup.resident)
    first = _sign_in(client, shop_setup.kiosk, code["number"])
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["method"] == "phone"
    assert_problem(_sign_in(client, shop_setup.kiosk, code["url"]), 409, "code_already_used")
