"""The A4 sheet of printed cards as a real PDF: masked names, card numbers, the village."""
from backend.common import pdf
from tests.common.pdf_text import pdf_text
from tests.fixtures import assert_problem


def test_card_sheet_pdf_carries_masked_names_and_card_numbers(client, holders):
    h = holders
    client.post("/api/v1/cards/batch", headers=h.worker_headers, json={"community_id": h.community.id})
    text, pages = pdf_text(client.get(f"/api/v1/cards/print-sheet.pdf?community_id={h.community.id}",
                                      headers=h.worker_headers), "card-sheet.pdf")
    assert pages == 1 and "李*英" in text and "李秀英" not in text
    assert h.resident_card.number in text and h.community.name_zh in text


def test_card_sheet_pdf_keeps_to_the_workers_communities(client, holders, make_staff, login):
    outsider = login(make_staff(worker=[holders.other_community]))
    assert_problem(client.get(f"/api/v1/cards/print-sheet.pdf?community_id={holders.community.id}",
                              headers=outsider), 404)


def test_documents_fetch_nothing_from_the_network(app, monkeypatch):
    # an <img> pointing at an address renders as nothing: the renderer refuses every URL but data:
    import urllib.request

    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a) or 1 / 0)
    assert pdf.render_pdf('<p>网</p><img src="http://127.0.0.1:9/x.png">').startswith(b"%PDF-")
    assert opened == []


def test_door_poster_pdf_shows_the_shop_its_discounts_and_card_number(client, holders, login):
    from backend.auth.models import User
    from backend.auth.passwords import hash_secret
    from backend.extensions import db
    from tests.fixtures import PASSWORD

    h = holders
    staff = User(district_id=h.district.id, username="bath-staff", display_name="前台", merchant_id=h.merchant.id,
                 password_hash=hash_secret(PASSWORD))
    db.session.add(staff)
    db.session.commit()
    text, pages = pdf_text(client.get("/api/v1/merchant/poster.pdf", headers=login(staff)), "door-poster.pdf")
    assert pages == 1 and "清泉洗浴中心" in text and h.merchant_card.number in text and "% " in text
    admin_copy, _ = pdf_text(client.get(f"/api/v1/merchants/{h.merchant.id}/poster.pdf", headers=login(h.admin)))
    assert "清泉洗浴中心" in admin_copy
    assert_problem(client.get(f"/api/v1/merchants/{h.merchant.id}/poster.pdf", headers=h.worker_headers), 403)


def test_card_sheet_of_residents_picked_by_hand_prints_just_them(client, holders, make_resident, login):
    h = holders
    neighbour = make_resident(h.community, name="王大明")
    skipped = make_resident(h.community, name="赵小红")
    client.post("/api/v1/cards/batch", headers=h.worker_headers, json={"community_id": h.community.id})
    numbers = {c["subject_id"]: c["number"] for c in client.get(
        f"/api/v1/cards?community_id={h.community.id}", headers=h.worker_headers).get_json()["items"]}
    text, pages = pdf_text(client.get(
        f"/api/v1/cards/print-sheet.pdf?resident_ids={h.resident.id}&resident_ids={neighbour.id}",
        headers=h.worker_headers), "chosen-cards.pdf")
    assert "李*英" in text and "王*明" in text and "赵*红" not in text
    assert numbers[neighbour.id] in text and numbers[skipped.id] not in text and h.community.name_zh in text


def test_card_sheet_of_picked_residents_refuses_one_out_of_scope_and_two_kinds_of_place(client, holders,
                                                                                        make_resident):
    h = holders
    stranger = make_resident(h.other_community)
    assert_problem(client.get(f"/api/v1/cards/print-sheet.pdf?resident_ids={h.resident.id}&resident_ids={stranger.id}",
                              headers=h.worker_headers), 404, "resident_not_found")
    both = client.get(f"/api/v1/cards/print-sheet.pdf?resident_ids={h.resident.id}&community_id={h.community.id}",
                      headers=h.worker_headers)
    assert_problem(both, 422)
