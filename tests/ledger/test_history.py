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


def test_a_credit_left_for_settle_is_applied_by_it_and_a_commit_without_it_is_refused(community, make_resident):
    import pytest

    resident = make_resident(community)
    _fund(resident, 10, "seed")
    account = ledger.get_account("resident", resident.id)
    shop = ledger.ensure_account(resident.district_id, "supermarket", 1)
    db.session.commit()
    paid = ledger.transfer(account, shop, 4, kind="redemption", key="order:1:pay", new_key=True, credit_later=True)
    assert account.balance == 6 and shop.balance == 0  # the debit now, the credit waits
    with pytest.raises(ledger.UnsettledCredit):
        db.session.commit()
    db.session.rollback()
    assert ledger.get_by_key("order:1:pay") is None and ledger.balance_of("resident", resident.id) == 10
    paid = ledger.transfer(account, shop, 4, kind="redemption", key="order:1:pay", new_key=True, credit_later=True)
    ledger.settle()
    db.session.commit()
    assert ledger.balance_of("resident", resident.id) == 6 and ledger.balance_of("supermarket", 1) == 4
    assert ledger.get_by_key("order:1:pay").id == paid.id
    assert ledger.check_balances() == []


def test_every_transfer_locks_the_residents_account_before_the_shared_one(community, make_resident):
    """One lock order for all transfers (residents' accounts, then shops, merchants and funds), so a
    redemption (resident → shop) and a refund (shop → resident) at the same moment cannot deadlock."""
    from sqlalchemy import event

    resident = make_resident(community)
    # the shop's account is the older row (lower id): id order alone would lock it first on a refund
    shop = ledger.ensure_account(resident.district_id, "supermarket", 1)
    _fund(resident, 10, "seed")
    account = ledger.get_account("resident", resident.id)
    assert shop.id < account.id
    locked = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("UPDATE accounts"):
            locked.append(context.compiled_parameters[0]["account_id"])

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        for source, target, key in ((account, shop, "pay"), (shop, account, "refund")):
            locked.clear()
            ledger.transfer(source, target, 3, kind="redemption", key=key)
            assert locked[0] == account.id and len(locked) == 2, (key, locked)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    db.session.commit()
    assert ledger.balance_of("resident", resident.id) == 10 and ledger.check_balances() == []
