"""A resident's points history, and manual adjustments."""
from backend.extensions import db
from backend.ledger import service as ledger
from backend.residents.models import ResidentLookup
from tests.fixtures import assert_problem


def _fund(resident, amount, key):
    fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
    account = ledger.ensure_account(resident.district_id, "resident", resident.id)
    moved = ledger.transfer(fund, account, amount, kind="credit_award", key=key, ref_type="credit_record", ref_id=7)
    db.session.commit()
    return moved


def test_resident_ledger_history_is_newest_first_and_paginated(client, auth, community, make_resident):
    resident = make_resident(community)
    empty = client.get("/api/v1/me/ledger", headers=auth(resident)).get_json()
    assert empty == {"items": [], "page": 1, "per_page": 20, "total": 0, "balance": 0}
    first = _fund(resident, 10, "a")
    _fund(resident, 5, "b")
    shop = ledger.ensure_account(resident.district_id, "supermarket", 1)
    ledger.transfer(ledger.get_account("resident", resident.id), shop, 4, kind="redemption", key="order:1",
                    ref_type="order", ref_id=1)
    ledger.reverse(first, key="a:rev", partial=True)
    db.session.commit()
    page = client.get("/api/v1/me/ledger?per_page=2", headers=auth(resident)).get_json()
    assert page["balance"] == 1 and page["total"] == 4
    assert [(line["kind"], line["delta"], line["counterparty_kind"]) for line in page["items"]] == [
        ("reversal", -10, "community_fund"),
        ("redemption", -4, "supermarket")]
    assert page["items"][0]["reverses_id"] == first.id
    second = client.get("/api/v1/me/ledger?per_page=2&page=2", headers=auth(resident)).get_json()
    assert [line["delta"] for line in second["items"]] == [5, 10]
    assert ledger.check_balances() == []


def test_staff_ledger_view_is_scoped_and_logged(client, auth, community, make_community, make_resident, make_staff):
    resident = make_resident(community)
    _fund(resident, 10, "a")
    reviewer = make_staff(reviewer=[community])
    outsider = make_staff(reviewer=[make_community()])
    page = client.get(f"/api/v1/residents/{resident.id}/ledger", headers=auth(reviewer)).get_json()
    assert page["balance"] == 10
    assert db.session.query(ResidentLookup).filter_by(resident_id=resident.id, what="ledger").count() == 1
    assert_problem(client.get(f"/api/v1/residents/{resident.id}/ledger", headers=auth(outsider)), 404)


def test_adjustments_are_for_district_admins_and_audited(client, auth, community, make_resident, make_staff):
    from backend.audit.models import AuditLog

    resident = make_resident(community)
    admin = make_staff(district_admin=True)
    reviewer = make_staff(reviewer=[community])
    body = {"resident_id": resident.id, "direction": "grant", "amount": 8, "reason": "补录 2023 年积分"}
    assert_problem(client.post("/api/v1/ledger/adjustments", json=body, headers=auth(reviewer)), 403, "role_required")
    granted = client.post("/api/v1/ledger/adjustments", json=body, headers=auth(admin))
    assert granted.status_code == 201 and granted.get_json()["balance"] == 8 and granted.get_json()["delta"] == 8
    audit = db.session.query(AuditLog).filter_by(action="points.grant").one()
    assert audit.reason == "补录 2023 年积分" and audit.after["amount"] == 8
    assert_problem(client.post("/api/v1/ledger/adjustments", json={**body, "resident_id": 99999},
                               headers=auth(admin)), 404, "resident_not_found")
    assert ledger.check_balances() == []
