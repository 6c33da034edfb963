"""GET /cards/export.xlsx: the cards the list shows, with holder, village and status."""
import io

import openpyxl

from tests.fixtures import assert_problem


def rows_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows()]


def test_worker_exports_resident_cards_of_own_village_only(zh_client, holders, make_resident, login):
    stranger = make_resident(holders.other_community, name="外村人")
    zh_client.post("/api/v1/cards", headers=login(holders.admin), json={"resident_id": stranger.id})
    rows = rows_of(zh_client.get("/api/v1/cards/export.xlsx", headers=holders.worker_headers))
    assert rows[0] == ["卡号", "类别", "持卡人", "村社区", "状态", "发卡时间", "作废时间", "作废原因"]
    assert [r[:3] + r[4:5] for r in rows[1:]] == [[holders.resident_card.number, "居民卡", "李秀英", "有效"]]


def test_admin_export_shows_revoked_cards_with_reason_and_merchant_cards(client, holders, login):
    headers = login(holders.admin)
    client.post(f"/api/v1/cards/{holders.resident_card.id}/revoke", headers=headers, json={"reason": "card lost"})
    rows = rows_of(client.get("/api/v1/cards/export.xlsx?status=revoked", headers=headers))
    assert rows[0][0] == "Card number"
    assert [(r[0], r[2], r[4], r[7]) for r in rows[1:]] == [
        (holders.resident_card.number, "李秀英", "revoked", "card lost")]
    rows = rows_of(client.get("/api/v1/cards/export.xlsx?kind=merchant", headers=headers))
    assert [(r[1], r[2]) for r in rows[1:]] == [("shop card", "清泉洗浴中心")]
    assert_problem(client.get("/api/v1/cards/export.xlsx?status=lost", headers=headers), 422)


def test_the_card_list_names_each_holder_and_village(client, holders, login):
    listed = client.get("/api/v1/cards", headers=login(holders.admin)).get_json()["items"]
    by_number = {card["number"]: card for card in listed}
    resident = by_number[holders.resident_card.number]
    assert (resident["holder_name"], resident["community_id"]) == ("李秀英", holders.community.id)
    shop = by_number[holders.merchant_card.number]
    assert (shop["holder_name"], shop["community_id"]) == ("清泉洗浴中心", None)
