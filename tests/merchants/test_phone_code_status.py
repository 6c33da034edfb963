"""The resident's phone learns when a merchant took its code (GET /me/dynamic-code/status)."""
from backend.cards import service as cards
from backend.cards import tokens
from tests.fixtures import assert_problem


def _status(client, headers, code):
    return client.get("/api/v1/me/dynamic-code/status", headers=headers, query_string={"code": code})


def test_phone_code_shows_used_once_a_merchant_took_it(client, alliance, login):
    headers = login(alliance.resident)
    code = client.post("/api/v1/me/dynamic-code", headers=headers).get_json()
    fresh = _status(client, headers, code["url"]).get_json()
    assert fresh == {"used": False, "purpose": None, "expires_at": code["expires_at"]}
    sale = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                       json={"code": code["token"], "bill_amount": 5000})
    assert sale.status_code == 201
    used = _status(client, headers, code["token"]).get_json()
    assert used["used"] is True and used["purpose"] == "discount"


def test_nobody_learns_the_status_of_another_residents_code(client, alliance, make_resident, login):
    other = make_resident(alliance.community, name="李秀英", phone="13812340000")
    code = cards.issue_dynamic_code(alliance.resident)["token"]
    assert_problem(_status(client, login(other), code), 404, "code_not_found")
    assert_problem(_status(client, alliance.staff_headers, code), 403)


def test_printed_card_expired_and_garbage_codes_are_refused(client, alliance, login):
    headers = login(alliance.resident)
    card = cards.card_url(cards.ensure_card(alliance.district.id, "resident", alliance.resident.id))
    assert_problem(_status(client, headers, card), 404, "code_not_found")
    assert_problem(_status(client, headers, "not-a-code"), 400, "invalid_code")
    assert_problem(client.get("/api/v1/me/dynamic-code/status", headers=headers), 422, "validation_failed")
    expired = tokens.sign(tokens.KIND_DYNAMIC, alliance.resident.id, ttl=-5)
    assert_problem(_status(client, headers, expired), 410, "code_expired")
