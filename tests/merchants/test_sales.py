"""Discount validation: scan → preview → confirm; single use, idempotency, refusals, voids, merchant credit."""
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from backend.cards import service as cards
from backend.cards import tokens
from backend.cards.models import DynamicCodeUse
from backend.credit import service as credit
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.ledger.service import check_balances
from backend.merchants.models import Sale
from backend.merchants.schemas import SaleSchema
from backend.residents.models import ResidentLookup
from tests.conftest import postgres_only
from tests.fixtures import assert_problem
from tests.merchants.factories import card_of, dynamic_code


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _sell(client, alliance, bill=10000, resident=None, headers=None, **kw):
    code = dynamic_code(resident or alliance.resident)
    return client.post("/api/v1/merchant/sales", headers={**(headers or alliance.staff_headers), **kw},
                       json={"code": code, "bill_amount": bill})


def _merchant_score(alliance):
    return credit.subject_score("merchant", alliance.merchant.id)["score"]


def test_scan_previews_masked_name_stars_and_rate_without_spending(client, alliance):
    code = cards.issue_dynamic_code(alliance.resident)["url"]  # scanners may send the whole URL
    response = client.post("/api/v1/merchant/scan", headers=alliance.staff_headers, json={"code": code})
    assert response.status_code == 200
    preview = response.get_json()
    assert preview["masked_name"] == "张*明" and preview["stars"] == 4 and preview["discount_percent"] == 8
    assert "张三明" not in response.get_data(as_text=True) and "13812345678" not in response.get_data(as_text=True)
    assert _count(DynamicCodeUse) == 0 and _count(Sale) == 0
    lookup = db.session.execute(select(ResidentLookup)).scalar_one()
    assert (lookup.actor, lookup.what) == (f"merchant:{alliance.staff.id}", "discount_scan")


def test_sale_answer_is_what_sale_schema_gives_for_the_stored_sale(client, alliance):
    """The sale's answer is written by hand (a hot path); it must be what SaleSchema dumps of the stored row."""
    response = _sell(client, alliance, bill=12345)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    sale = db.session.get(Sale, body["id"])
    sale.merchant_credit = body["merchant_credit"]
    assert body == SaleSchema().dump(sale)
    assert body["merchant_credit"]["reason_code"] == "credit_awarded" and body["created_at"].endswith("Z")


def test_confirmed_sale_records_everything_and_spends_the_code(client, alliance):
    before = _merchant_score(alliance)
    code = dynamic_code(alliance.resident)
    response = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                           json={"code": code, "bill_amount": 8800})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["bill_amount"], body["discount_percent"], body["discount_amount"], body["final_amount"]) == \
        (8800, 8, 704, 8096)
    assert body["resident_masked_name"] == "张*明" and body["status"] == "valid"
    sale = db.session.get(Sale, body["id"])
    assert (sale.resident_id, sale.merchant_id, sale.staff_user_id) == \
        (alliance.resident.id, alliance.merchant.id, alliance.staff.id)
    use = db.session.execute(select(DynamicCodeUse)).scalar_one()
    assert (use.purpose, use.ref) == ("discount", f"sale:{sale.id}")
    again = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                        json={"code": code, "bill_amount": 8800})
    assert_problem(again, 409, "code_already_used")
    assert_problem(client.post("/api/v1/merchant/scan", headers=alliance.staff_headers, json={"code": code}),
                   409, "code_already_used")
    assert _count(Sale) == 1
    assert _merchant_score(alliance) == before + 1
    assert check_balances() == []


def test_retry_with_the_same_idempotency_key_returns_the_first_sale(client, alliance):
    code = dynamic_code(alliance.resident)
    headers = {**alliance.staff_headers, "Idempotency-Key": "till-1-0001"}
    first = client.post("/api/v1/merchant/sales", headers=headers, json={"code": code, "bill_amount": 5000})
    second = client.post("/api/v1/merchant/sales", headers=headers, json={"code": code, "bill_amount": 5000})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json() == second.get_json()
    other_body = client.post("/api/v1/merchant/sales", headers=headers, json={"code": code, "bill_amount": 6000})
    assert_problem(other_body, 409, "idempotency_key_reused")
    assert _count(Sale) == 1 and _count(CreditRecord, CreditRecord.merchant_id == alliance.merchant.id) == 1


def test_bad_bills_are_refused_and_nothing_is_recorded(client, alliance):
    code = dynamic_code(alliance.resident)
    for bill in (-100, 0, 12.5, "100", None, 10_000_001, True, [100]):
        response = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": code, "bill_amount": bill})
        body = assert_problem(response, 422, "validation_failed")
        assert "bill_amount" in body["errors"], bill
    missing = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers, json={"code": code})
    assert "bill_amount" in assert_problem(missing, 422, "validation_failed")["errors"]
    assert _count(Sale) == 0 and _count(DynamicCodeUse) == 0


def test_bad_codes_are_refused_and_nothing_is_recorded(client, alliance):
    resident_card = card_of("resident", alliance.resident)
    valid = dynamic_code(alliance.resident)
    expired = tokens.sign(tokens.KIND_DYNAMIC, alliance.resident.id, ttl=1)
    time.sleep(1.1)
    cases = [
        ("not a code", 400, "invalid_code"),
        (valid[:100], 400, "invalid_code"),
        (valid[:-1] + ("A" if valid[-1] != "A" else "B"), 400, "invalid_code"),
        (expired, 410, "code_expired"),
        (cards.card_token(resident_card), 422, "wrong_code_kind"),
        (cards.card_token(alliance.card), 422, "wrong_code_kind"),
    ]
    for code, status, problem in cases:
        for path in ("/api/v1/merchant/scan", "/api/v1/merchant/sales"):
            response = client.post(path, headers=alliance.staff_headers, json={"code": code, "bill_amount": 100}
                                   if path.endswith("sales") else {"code": code})
            assert_problem(response, status, problem)
    assert _count(Sale) == 0 and _count(DynamicCodeUse) == 0 and _count(ResidentLookup) == 0


def test_a_suspended_merchant_is_refused(client, alliance):
    client.post(f"/api/v1/merchants/{alliance.merchant.id}/suspend", headers=alliance.admin_headers,
                json={"reason": "卫生检查不合格 failed hygiene inspection"})
    code = dynamic_code(alliance.resident)
    assert_problem(client.post("/api/v1/merchant/scan", headers=alliance.staff_headers, json={"code": code}),
                   409, "merchant_not_active")
    assert_problem(client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                               json={"code": code, "bill_amount": 1000}), 409, "merchant_not_active")
    assert _count(Sale) == 0 and _count(DynamicCodeUse) == 0


def test_a_revoked_resident_card_is_refused(client, alliance):
    card = card_of("resident", alliance.resident)
    cards.revoke_card("system", card, "lost")
    db.session.commit()
    response = client.post("/api/v1/merchant/scan", headers=alliance.staff_headers,
                           json={"code": cards.card_url(card)})
    assert response.status_code in (410, 422)
    assert response.get_json()["code"] in ("card_revoked", "wrong_code_kind")
    assert _count(Sale) == 0


def test_a_resident_of_another_district_is_refused(client, alliance, make_district, make_community, make_resident):
    stranger = make_resident(make_community(dist=make_district()), name="外地人")
    response = _sell(client, alliance, resident=stranger)
    assert_problem(response, 422, "other_district")
    assert _count(Sale) == 0 and _count(DynamicCodeUse) == 0


def test_merchant_voids_todays_sale_and_loses_the_credit(client, alliance):
    base = _merchant_score(alliance)
    sale = _sell(client, alliance).get_json()
    assert _merchant_score(alliance) == base + 1
    response = client.post(f"/api/v1/merchant/sales/{sale['id']}/void", headers=alliance.staff_headers,
                           json={"reason": "输错金额 wrong amount"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "voided" and response.get_json()["void_reason"] == "输错金额 wrong amount"
    assert _merchant_score(alliance) == base
    assert_problem(client.post(f"/api/v1/merchant/sales/{sale['id']}/void", headers=alliance.staff_headers,
                               json={"reason": "again"}), 409, "sale_already_voided")
    summary = client.get("/api/v1/merchant/summary", headers=alliance.staff_headers).get_json()
    assert summary["today"]["sales"] == 0 and summary["credit"]["score"] == base
    assert check_balances() == []


def test_merchant_cannot_void_yesterdays_sale_but_the_credit_centre_can(client, alliance):
    base = _merchant_score(alliance)
    sale = _sell(client, alliance).get_json()
    row = db.session.get(Sale, sale["id"])
    row.created_at = row.created_at - timedelta(days=2)
    db.session.commit()
    assert_problem(client.post(f"/api/v1/merchant/sales/{sale['id']}/void", headers=alliance.staff_headers,
                               json={"reason": "late"}), 409, "void_window_closed")
    response = client.post(f"/api/v1/merchants/sales/{sale['id']}/void", headers=alliance.admin_headers,
                           json={"reason": "resident complaint upheld"})
    assert response.status_code == 200 and response.get_json()["status"] == "voided"
    assert _merchant_score(alliance) == base
    voided = db.session.get(Sale, sale["id"])
    assert voided.voided_by == f"staff:{alliance.admin.id}"


def test_nobody_else_voids_a_sale(client, alliance, make_merchant, make_staff, login):
    sale = _sell(client, alliance).get_json()
    other_shop = login(make_staff(merchant=make_merchant(name="别家")))
    assert_problem(client.post(f"/api/v1/merchant/sales/{sale['id']}/void", headers=other_shop,
                               json={"reason": "x"}), 404, "sale_not_found")
    worker = login(make_staff(worker=[alliance.community]))
    assert_problem(client.post(f"/api/v1/merchants/sales/{sale['id']}/void", headers=worker,
                               json={"reason": "x"}), 403)
    assert_problem(client.post(f"/api/v1/merchant/sales/{sale['id']}/void", headers=alliance.staff_headers,
                               json={}), 422)
    assert db.session.get(Sale, sale["id"]).status == "valid"


def test_merchant_credit_accrues_per_sale_up_to_the_daily_cap(client, alliance):
    policy = credit.district_policy(alliance.district.id)
    per_sale, cap = policy.merchant_points_per_sale, policy.merchant_daily_cap
    base = _merchant_score(alliance)
    sales = [_sell(client, alliance, bill=2000 + i).get_json() for i in range(cap + 2)]
    assert all(s["status"] == "valid" for s in sales) and _count(Sale) == cap + 2
    assert _merchant_score(alliance) == base + cap * per_sale
    assert _count(CreditRecord, CreditRecord.merchant_id == alliance.merchant.id) == cap
    # voiding a credited sale takes its credit back and frees its place under today's cap
    client.post(f"/api/v1/merchant/sales/{sales[0]['id']}/void", headers=alliance.staff_headers,
                json={"reason": "refund"})
    assert _merchant_score(alliance) == base + (cap - 1) * per_sale
    _sell(client, alliance, bill=3000)
    assert _merchant_score(alliance) == base + cap * per_sale
    # voiding a sale that earned nothing (over the cap) takes nothing back
    client.post(f"/api/v1/merchant/sales/{sales[-1]['id']}/void", headers=alliance.staff_headers,
                json={"reason": "refund"})
    assert _merchant_score(alliance) == base + cap * per_sale
    assert check_balances() == []


def test_merchant_view_totals_today_and_this_month(client, alliance, make_resident):
    client.put("/api/v1/merchant/discounts", headers=alliance.staff_headers,
               json={"levels": [{"stars": 3, "percent": 5}, {"stars": 4, "percent": 10},
                                {"stars": 5, "percent": 20}]})
    _sell(client, alliance, bill=10000)
    _sell(client, alliance, bill=5000)
    summary = client.get("/api/v1/merchant/summary", headers=alliance.staff_headers).get_json()
    assert summary["today"] == {"sales": 2, "bill_amount": 15000, "discount_amount": 1500, "final_amount": 13500}
    assert summary["month"]["sales"] == 2
    assert summary["credit"]["level"] in "ABCDE" and summary["ratings"] == {"count": 0, "average": None}
    listed = client.get("/api/v1/merchant/sales", headers=alliance.staff_headers).get_json()
    assert listed["total"] == 2 and listed["items"][0]["bill_amount"] == 5000
    admin_view = client.get(f"/api/v1/merchants/{alliance.merchant.id}/summary", headers=alliance.admin_headers)
    assert admin_view.get_json()["today"]["sales"] == 2


def test_residents_see_their_own_purchases(client, alliance, login):
    _sell(client, alliance, bill=4000)
    mine = client.get("/api/v1/me/sales", headers=login(alliance.resident)).get_json()
    assert mine["total"] == 1
    item = mine["items"][0]
    assert item["merchant_name"] == alliance.merchant.name and item["rateable"] is True and item["rated"] is False


@postgres_only
def test_one_phone_code_pays_once_under_ten_parallel_tills(app, alliance):
    """10 concurrent uses of one code on separate connections: exactly one sale."""
    code = dynamic_code(alliance.resident)
    headers, merchant_id = alliance.staff_headers, alliance.merchant.id
    db.session.remove()
    barrier = threading.Barrier(10)
    results = []

    def till(n):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/merchant/sales", headers=headers,
                                   json={"code": code, "bill_amount": 10000 + n})
            results.append((response.status_code, (response.get_json() or {}).get("code")))
            db.session.remove()

    threads = [threading.Thread(target=till, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _ in results) == [201] + [409] * 9, results
    assert {code for status, code in results if status == 409} == {"code_already_used"}
    assert _count(Sale) == 1 and _count(DynamicCodeUse) == 1
    assert _count(CreditRecord, CreditRecord.merchant_id == merchant_id) == 1
    assert check_balances() == []


def test_sale_answer_says_the_credit_the_shop_earned_and_why_none_once_capped(client, alliance):
    policy = credit.district_policy(alliance.district.id)
    answers = [_sell(client, alliance, bill=3000 + i).get_json() for i in range(policy.merchant_daily_cap + 1)]
    assert [a["merchant_credit"]["points"] for a in answers] == \
        [policy.merchant_points_per_sale] * policy.merchant_daily_cap + [0]
    assert [a["merchant_credit"]["reason_code"] for a in answers] == \
        ["credit_awarded"] * policy.merchant_daily_cap + ["daily_cap_reached"]
    # the list of sales does not pretend to know it
    listed = client.get("/api/v1/merchant/sales", headers=alliance.staff_headers).get_json()["items"]
    assert all("merchant_credit" not in s for s in listed)
