"""District admins add, approve, suspend, reinstate and expel merchants; merchant staff accounts."""
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.cards.models import Card
from backend.credit import catalogue
from backend.credit import service as credit
from backend.extensions import db
from backend.merchants.models import Merchant
from seed.credit import MERCHANT_ITEMS
from tests.fixtures import PASSWORD, assert_problem

NEW_SHOP = {"name": "老李水暖", "category": "plumbing", "address": "文登区峰山路3号", "licence_no": "91371081MA3C0099",
            "contact_name": "李师傅", "contact_phone": "13906319999"}


def test_admin_adds_a_pending_merchant_and_approval_issues_its_door_card(client, make_staff, login):
    headers = login(make_staff(district_admin=True))
    created = client.post("/api/v1/merchants", headers=headers, json=NEW_SHOP)
    assert created.status_code == 201, created.get_json()
    merchant = created.get_json()
    assert merchant["status"] == "pending" and merchant["category_zh"] == "水暖"
    assert db.session.execute(select(Card).where(Card.kind == "merchant")).first() is None
    approved = client.post(f"/api/v1/merchants/{merchant['id']}/approve", headers=headers, json={})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["approved_at"]
    card = db.session.execute(select(Card).where(Card.kind == "merchant", Card.subject_id == merchant["id"])).scalar_one()
    assert card.status == "active"
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.target_type == "merchant")).scalars().all()
    assert actions == ["merchant.create", "merchant.approve"]


def test_suspend_and_expel_need_a_reason_and_follow_the_lifecycle(client, make_staff, make_merchant, login):
    headers = login(make_staff(district_admin=True))
    merchant = make_merchant()
    assert_problem(client.post(f"/api/v1/merchants/{merchant.id}/suspend", headers=headers, json={}), 422)
    suspended = client.post(f"/api/v1/merchants/{merchant.id}/suspend", headers=headers,
                            json={"reason": "投诉核实 complaints confirmed"})
    assert suspended.get_json()["status"] == "suspended"
    assert suspended.get_json()["status_reason"] == "投诉核实 complaints confirmed"
    assert_problem(client.post(f"/api/v1/merchants/{merchant.id}/approve", headers=headers, json={}), 409,
                   "invalid_status_transition")
    reinstated = client.post(f"/api/v1/merchants/{merchant.id}/reinstate", headers=headers, json={})
    assert reinstated.get_json()["status"] == "approved" and reinstated.get_json()["status_reason"] is None
    expelled = client.post(f"/api/v1/merchants/{merchant.id}/expel", headers=headers, json={"reason": "fraud"})
    assert expelled.get_json()["status"] == "expelled"
    for action in ("approve", "suspend", "reinstate", "expel"):
        assert_problem(client.post(f"/api/v1/merchants/{merchant.id}/{action}", headers=headers,
                                   json={"reason": "x"}), 409, "invalid_status_transition")
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "merchant.expel")).scalar_one()
    assert entry.reason == "fraud" and entry.before == {"status": "approved", "status_reason": None}


def test_only_district_admins_manage_merchants(client, community, make_staff, make_merchant, login):
    worker = login(make_staff(worker=[community]))
    assert_problem(client.post("/api/v1/merchants", headers=worker, json=NEW_SHOP), 403, "role_required")
    merchant = make_merchant(status="pending")
    assert_problem(client.post(f"/api/v1/merchants/{merchant.id}/approve", headers=worker, json={}), 403)
    assert client.get("/api/v1/merchants", headers=worker).get_json()["total"] == 1


def test_merchants_of_another_district_are_invisible(client, make_district, make_staff, make_merchant, login):
    headers = login(make_staff(district_admin=True))
    foreign = make_merchant(dist=make_district())
    assert_problem(client.get(f"/api/v1/merchants/{foreign.id}", headers=headers), 404, "merchant_not_found")
    assert_problem(client.post(f"/api/v1/merchants/{foreign.id}/suspend", headers=headers,
                               json={"reason": "x"}), 404)


def test_bad_merchant_input_names_each_field(client, make_staff, login):
    headers = login(make_staff(district_admin=True))
    body = assert_problem(client.post("/api/v1/merchants", headers=headers,
                                      json={"name": "", "category": "casino", "contact_phone": "call me"}), 422)
    assert set(body["errors"]) == {"name", "category", "address", "contact_phone"}
    assert db.session.execute(select(Merchant)).first() is None


def test_admin_edits_a_merchant_profile(client, make_staff, make_merchant, login):
    headers = login(make_staff(district_admin=True))
    merchant = make_merchant()
    response = client.patch(f"/api/v1/merchants/{merchant.id}", headers=headers,
                            json={"address": "文登区米山路99号", "category": "restaurant"})
    assert response.get_json()["address"] == "文登区米山路99号" and response.get_json()["category_en"] == "Restaurant"
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "merchant.update")).scalar_one()
    assert entry.before["address"] == "文登区米山路1号"


def test_merchant_staff_account_signs_in_as_its_merchant(client, make_staff, make_merchant, login):
    headers = login(make_staff(district_admin=True))
    merchant = make_merchant()
    created = client.post("/api/v1/staff", headers=headers,
                          json={"username": "wang_barber", "display_name": "王师傅", "password": PASSWORD,
                                "merchant_id": merchant.id})
    assert created.status_code == 201
    token = client.post("/api/v1/auth/login", json={"username": "wang_barber", "password": PASSWORD}).get_json()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"}).get_json()
    assert me["kind"] == "merchant" and me["merchant_id"] == merchant.id
    summary = client.get("/api/v1/merchant/summary", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert summary.status_code == 200 and summary.get_json()["merchant"]["name"] == merchant.name


def test_credit_centre_logs_a_negative_record_and_the_level_drops(client, alliance):
    row = next(r for r in MERCHANT_ITEMS if r[0] == "merchant_short_weight")
    if catalogue.find_item(row[0], district_id=alliance.district.id) is None:
        catalogue.create_item(None, {"district_id": alliance.district.id, "scope": "district",
                                     "subject_type": "merchant", "code": row[0], "title_zh": row[1],
                                     "title_en": row[2], "category": row[3], "points": row[4],
                                     "severity": row[7]}, actor="test")
        db.session.commit()
    before = credit.subject_score("merchant", alliance.merchant.id)
    response = client.post(f"/api/v1/merchants/{alliance.merchant.id}/credit-records", headers=alliance.admin_headers,
                           json={"item_code": "merchant_short_weight", "note": "市场监管抽查短斤缺两 inspection"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["points"] == row[4] and body["status"] == "final"
    assert body["credit"]["score"] == before["score"] + row[4]
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "merchant.credit_record")).scalar_one()
    assert entry.reason == "市场监管抽查短斤缺两 inspection"
    for code in ("merchant_discount_given", "no_such_item", "village_cleanup"):
        refused = client.post(f"/api/v1/merchants/{alliance.merchant.id}/credit-records",
                              headers=alliance.admin_headers, json={"item_code": code, "note": "x"})
        assert_problem(refused, 422, "unknown_item")
    assert_problem(client.post(f"/api/v1/merchants/{alliance.merchant.id}/credit-records",
                               headers=alliance.staff_headers, json={"item_code": "merchant_short_weight",
                                                                     "note": "x"}), 403)


def test_merchant_staff_see_their_door_card(client, alliance):
    card = client.get("/api/v1/merchant/card", headers=alliance.staff_headers)
    assert card.status_code == 200 and card.get_json()["id"] == alliance.card.id
    image = client.get(f"/api/v1/cards/{alliance.card.id}/qr.png", headers=alliance.staff_headers)
    assert image.status_code == 200 and image.mimetype == "image/png"
