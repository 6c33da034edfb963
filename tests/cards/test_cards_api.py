"""Card endpoints: issue, reissue, revoke, images, the A4 sheet, scanning and phone codes."""
import time

from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.cards import service as cards
from backend.cards import tokens
from backend.cards.models import Card, DynamicCodeUse
from backend.cards.schemas import DynamicCodeSchema
from backend.extensions import db
from backend.residents.models import ResidentLookup
from tests.fixtures import assert_problem


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_worker_issues_a_card_and_reissue_stops_the_old_one_at_once(client, holders):
    h = holders
    old_url = cards.card_url(h.resident_card)
    response = client.post("/api/v1/cards", headers=h.worker_headers,
                           json={"resident_id": h.resident.id, "reason": "card lost"})
    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert new["status"] == "active" and new["number"].endswith("-2") and new["url"].startswith(
        "https://credit.example.cn/c/")
    resolved = client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": old_url})
    assert_problem(resolved, 410, "card_revoked")
    assert client.post("/api/v1/cards/resolve", headers=h.worker_headers,
                       json={"code": new["url"]}).status_code == 200
    assert client.get(old_url.split("credit.example.cn")[1]).status_code == 410
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "card.reissue")).scalar_one()
    assert audit.reason == "card lost" and audit.after["replaced"] == [h.resident_card.number]


def test_worker_of_another_community_cannot_see_or_issue_the_card(client, holders, make_staff, login):
    outsider = login(make_staff(worker=[holders.other_community]))
    assert_problem(client.post("/api/v1/cards", headers=outsider, json={"resident_id": holders.resident.id}), 404)
    assert_problem(client.get(f"/api/v1/cards/{holders.resident_card.id}", headers=outsider), 404)
    assert_problem(client.post(f"/api/v1/cards/{holders.resident_card.id}/revoke", headers=outsider,
                               json={"reason": "x"}), 404)


def test_reviewer_may_look_but_not_issue(client, holders, make_staff, login):
    reviewer = login(make_staff(reviewer=[holders.community]))
    assert client.get(f"/api/v1/cards/{holders.resident_card.id}", headers=reviewer).status_code == 200
    assert_problem(client.post("/api/v1/cards", headers=reviewer, json={"resident_id": holders.resident.id}),
                   403, "role_required")


def test_issue_needs_exactly_one_holder(client, holders):
    body = assert_problem(client.post("/api/v1/cards", headers=holders.worker_headers, json={}), 422,
                          "validation_failed")
    assert set(body["errors"]) == {"resident_id", "merchant_id"}
    assert_problem(client.post("/api/v1/cards", headers=holders.worker_headers,
                               json={"resident_id": holders.resident.id, "merchant_id": holders.merchant.id}), 422)


def test_merchant_cards_are_issued_by_the_district_admin_only(client, holders, login):
    assert_problem(client.post("/api/v1/cards", headers=holders.worker_headers,
                               json={"merchant_id": holders.merchant.id}), 404)
    response = client.post("/api/v1/cards", headers=login(holders.admin), json={"merchant_id": holders.merchant.id})
    assert response.status_code == 201 and response.get_json()["kind"] == "merchant"
    assert db.session.get(Card, holders.merchant_card.id).status == "revoked"


def test_revoked_card_is_refused_everywhere_and_audited(client, holders):
    h = holders
    response = client.post(f"/api/v1/cards/{h.resident_card.id}/revoke", headers=h.worker_headers,
                           json={"reason": "reported stolen"})
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    assert response.get_json()["url"] is None
    url = cards.card_url(db.session.get(Card, h.resident_card.id))
    assert_problem(client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": url}), 410,
                   "card_revoked")
    assert_problem(client.post(f"/api/v1/cards/{h.resident_card.id}/revoke", headers=h.worker_headers,
                               json={"reason": "again"}), 409, "card_already_revoked")
    assert_problem(client.get(f"/api/v1/cards/{h.resident_card.id}/qr.png", headers=h.worker_headers), 410,
                   "card_revoked")
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "card.revoke")).scalar_one()
    assert entry.reason == "reported stolen" and entry.actor == f"staff:{h.worker.id}"


def test_card_images_png_and_svg(client, holders, login):
    h = holders
    png = client.get(f"/api/v1/cards/{h.resident_card.id}/qr.png?box_size=4", headers=h.worker_headers)
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/api/v1/cards/{h.resident_card.id}/qr.svg", headers=h.worker_headers)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert text.startswith("<svg") and "<path" in text and h.resident_card.number in text
    assert_problem(client.get(f"/api/v1/cards/{h.resident_card.id}/qr.png?box_size=500",
                              headers=h.worker_headers), 422, "validation_failed")


def test_holders_see_their_own_card_and_nobody_else_s(client, holders, make_resident, make_staff, login):
    h = holders
    mine = login(h.resident)
    assert client.get("/api/v1/me/card", headers=mine).get_json()["id"] == h.resident_card.id
    assert client.get(f"/api/v1/cards/{h.resident_card.id}/qr.svg", headers=mine).status_code == 200
    assert_problem(client.get(f"/api/v1/cards/{h.merchant_card.id}", headers=mine), 404, "card_not_found")
    other = login(make_resident(h.community, name="王五"))
    assert_problem(client.get(f"/api/v1/cards/{h.resident_card.id}", headers=other), 404)
    assert_problem(client.get("/api/v1/me/card", headers=other), 404, "card_not_found")
    shop = login(make_staff(merchant=h.merchant))
    assert client.get(f"/api/v1/cards/{h.merchant_card.id}/qr.png", headers=shop).status_code == 200
    assert_problem(client.get(f"/api/v1/cards/{h.resident_card.id}", headers=shop), 404)


def test_list_cards_is_scoped_to_my_communities(client, holders, make_resident, make_staff, login):
    h = holders
    stranger = make_resident(h.other_community, name="赵六")
    cards.ensure_card(stranger.district_id, "resident", stranger.id)
    db.session.commit()
    listed = client.get("/api/v1/cards?kind=resident", headers=h.worker_headers).get_json()
    assert [c["subject_id"] for c in listed["items"]] == [h.resident.id]
    everything = client.get("/api/v1/cards", headers=login(h.admin)).get_json()
    assert everything["total"] == 3


def test_batch_issue_and_a4_sheet_show_masked_names_only(client, holders, make_resident, make_household):
    h = holders
    household = make_household(h.community)
    members = [make_resident(h.community, name=name, household=household, phone=phone)
               for name, phone in (("欧阳建国", "13700000001"), ("王丽", "13700000002"))]
    result = client.post("/api/v1/cards/batch", headers=h.worker_headers, json={"community_id": h.community.id})
    assert result.get_json()["issued"] == 2 and result.get_json()["existing"] == 1
    again = client.post("/api/v1/cards/batch", headers=h.worker_headers, json={"community_id": h.community.id})
    assert again.get_json()["issued"] == 0
    sheet = client.get(f"/api/v1/cards/print-sheet?community_id={h.community.id}", headers=h.worker_headers)
    assert sheet.status_code == 200 and sheet.mimetype == "text/html"
    html = sheet.get_data(as_text=True)
    assert "@page" in html and "A4" in html and html.count("<svg") == 3
    for masked in ("李*英", "欧**国", "王*"):
        assert masked in html
    for secret in ("李秀英", "欧阳建国", "王丽", "13911112222", "13700000001"):
        assert secret not in html
    assert h.community.name_zh in html and h.resident_card.number in html
    household_sheet = client.get(f"/api/v1/cards/print-sheet?household_id={household.id}",
                                 headers=h.worker_headers).get_data(as_text=True)
    assert household_sheet.count("<svg") == 2 and "李*英" not in household_sheet
    assert [m.id for m in members]


def test_print_sheet_needs_one_place_in_scope(client, holders, make_staff, login):
    assert_problem(client.get("/api/v1/cards/print-sheet", headers=holders.worker_headers), 422)
    outsider = login(make_staff(worker=[holders.other_community]))
    assert_problem(client.get(f"/api/v1/cards/print-sheet?community_id={holders.community.id}",
                              headers=outsider), 404)


def test_resident_gets_a_dynamic_code_and_scanning_previews_without_spending(client, holders, login):
    h = holders
    code = client.post("/api/v1/me/dynamic-code", headers=login(h.resident))
    assert code.status_code == 201
    body = code.get_json()
    assert 60 <= body["expires_in"] <= 90 and body["url"].endswith(body["token"])
    preview = client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": body["url"]})
    assert preview.status_code == 200
    seen = preview.get_json()
    assert seen["kind"] == "dynamic" and seen["used"] is False
    assert seen["resident"] == {"masked_name": "李*英", "community_name_zh": h.community.name_zh,
                                "community_name_en": h.community.name_en, "stars": 2}
    assert _count(DynamicCodeUse) == 0
    assert _count(ResidentLookup, ResidentLookup.resident_id == h.resident.id,
                  ResidentLookup.what == "card_scan") == 1


def test_fresh_phone_code_answer_is_what_its_schema_documents(client, holders, login):
    """The route writes the answer by hand (a hot path); it must be what DynamicCodeSchema would give."""
    response = client.post("/api/v1/me/dynamic-code", headers=login(holders.resident))
    assert response.status_code == 201
    body = response.get_json()
    payload = tokens.verify(body["token"])
    # the schema's dump of the same code: every field it documents, times written its way, nothing else
    documented = DynamicCodeSchema().dump({**body, "expires_at": cards.expires_at(payload)})
    assert body == documented and set(body) == set(DynamicCodeSchema().fields)
    assert body["url"] == tokens.public_url(body["token"]) and body["expires_at"].endswith("Z")
    assert payload.subject_id == holders.resident.id


def test_merchant_card_scan_shows_public_merchant_data_only(client, holders, login):
    preview = client.post("/api/v1/cards/resolve", headers=holders.worker_headers,
                          json={"code": cards.card_token(holders.merchant_card)}).get_json()
    assert preview["kind"] == "merchant_card" and preview["resident"] is None
    assert preview["merchant"] == {"name": "清泉洗浴中心", "category": "bathhouse", "category_zh": "洗浴",
                                   "category_en": "Bathhouse", "status": "approved"}


def test_residents_cannot_use_the_scanner_endpoint(client, holders, login):
    response = client.post("/api/v1/cards/resolve", headers=login(holders.resident), json={"code": "x"})
    assert_problem(response, 403, "wrong_principal_kind")


def test_bad_codes_get_clear_problems_and_record_nothing(client, holders):
    h = holders
    valid = cards.issue_dynamic_code(h.resident)["token"]
    expired = tokens.sign(tokens.KIND_DYNAMIC, h.resident.id, ttl=1)
    time.sleep(1.1)
    cases = [
        ("garbage", 400, "invalid_code"),
        (valid[:-3], 400, "invalid_code"),
        (valid[:50] + ("A" if valid[50] != "A" else "B") + valid[51:], 400, "invalid_code"),
        (expired, 410, "code_expired"),
        (tokens.sign(tokens.KIND_RESIDENT_CARD, h.resident_card.id, nonce="0011223344556677"), 400,
         "invalid_code"),
        (tokens.sign(tokens.KIND_RESIDENT_CARD, 999999), 400, "invalid_code"),
    ]
    for code, status, problem in cases:
        assert_problem(client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": code}),
                       status, problem)
    assert_problem(client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": ""}), 422)
    assert_problem(client.post("/api/v1/cards/resolve", headers=h.worker_headers, json={"code": 5}), 422)
    assert _count(DynamicCodeUse) == 0 and _count(ResidentLookup) == 0


def test_consume_dynamic_code_is_single_use(app, holders):
    scan = cards.resolve(cards.issue_dynamic_code(holders.resident)["token"], "dynamic")
    cards.consume_dynamic_code(scan, "discount", "sale:1")
    db.session.commit()
    try:
        cards.consume_dynamic_code(scan, "redemption", "order:1")
    except cards.CodeAlreadyUsed:
        db.session.rollback()
    else:
        raise AssertionError("a second use must be refused")
    assert _count(DynamicCodeUse) == 1


def test_codes_of_another_kind_are_refused(app, holders):
    merchant_code = cards.card_token(holders.merchant_card)
    for kinds in (("dynamic",), ("resident_card", "dynamic")):
        try:
            cards.resolve(merchant_code, *kinds)
        except cards.WrongCodeKind:
            continue
        raise AssertionError("a merchant card is not a resident code")
