"""Workers open a resident's archive by scanning their printed card or phone code."""
from sqlalchemy import select

from backend.cards import service as cards
from backend.cards.models import DynamicCodeUse
from backend.extensions import db
from backend.residents.models import ResidentLookup
from tests.fixtures import assert_problem

URL = "/api/v1/cards/find-resident"


def test_worker_finds_own_resident_by_printed_card_or_phone_code_and_the_look_up_is_logged(client, holders):
    for code in (cards.card_url(holders.resident_card), cards.issue_dynamic_code(holders.resident)["url"]):
        response = client.post(URL, headers=holders.worker_headers, json={"code": code})
        assert response.status_code == 200, response.get_json()
        assert (response.get_json()["id"], response.get_json()["name"]) == (holders.resident.id, "李秀英")
    lookups = db.session.execute(select(ResidentLookup.what).where(
        ResidentLookup.resident_id == holders.resident.id)).scalars().all()
    assert lookups == ["card_scan", "card_scan"]
    assert db.session.execute(select(DynamicCodeUse)).first() is None  # the phone code is not spent


def test_worker_scanning_someone_from_another_village_is_told_so(client, holders, make_staff, login):
    outsider = login(make_staff(worker=[holders.other_community]))
    body = assert_problem(client.post(URL, headers=outsider, json={"code": cards.card_url(holders.resident_card)}),
                          403, "other_community")
    assert "another village" in body["detail"]
    assert db.session.execute(select(ResidentLookup)).first() is None


def test_merchant_cards_garbage_and_merchants_are_refused(client, holders, make_staff, login):
    assert_problem(client.post(URL, headers=holders.worker_headers,
                               json={"code": cards.card_url(holders.merchant_card)}), 422, "wrong_code_kind")
    assert_problem(client.post(URL, headers=holders.worker_headers, json={"code": "hello"}), 400, "invalid_code")
    assert_problem(client.post(URL, headers=holders.worker_headers, json={}), 422, "validation_failed")
    shop = login(make_staff(merchant=holders.merchant))
    assert_problem(client.post(URL, headers=shop, json={"code": cards.card_url(holders.resident_card)}), 403)
