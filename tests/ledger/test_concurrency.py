"""Concurrent spends on PostgreSQL: the guarded debit lets exactly what the balance covers through."""
import threading

from backend.extensions import db
from backend.ledger import service as ledger
from tests.conftest import postgres_only


@postgres_only
def test_twenty_concurrent_spends_of_a_balance_covering_five(app, auth, community, make_resident, make_staff):
    resident = make_resident(community)
    admin = make_staff(district_admin=True)
    fund = ledger.ensure_account(resident.district_id, "community_fund", community.id)
    account = ledger.ensure_account(resident.district_id, "resident", resident.id)
    ledger.transfer(fund, account, 50, kind="credit_award", key="seed:50")
    db.session.commit()
    headers = auth(admin)
    body = {"resident_id": resident.id, "direction": "deduct", "amount": 10, "reason": "兑换一袋大米"}
    start = threading.Barrier(20)
    results = []
    lock = threading.Lock()

    def spend(n):
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = client.post("/api/v1/ledger/adjustments", json=body,
                                   headers={**headers, "Idempotency-Key": f"spend-{n}"})
            with lock:
                results.append((response.status_code, response.get_json()))
            db.session.remove()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [409] * 15, results
    assert all(body["code"] == "insufficient_points" for status, body in results if status == 409)
    db.session.expire_all()
    assert ledger.balance_of("resident", resident.id) == 0
    assert ledger.check_balances() == [] and ledger.total_of_all_accounts() == 0


@postgres_only
def test_concurrent_retries_of_one_idempotency_key_spend_once(app, auth, community, make_resident, make_staff):
    resident = make_resident(community)
    admin = make_staff(district_admin=True)
    fund = ledger.ensure_account(resident.district_id, "community_fund", community.id)
    ledger.transfer(fund, ledger.ensure_account(resident.district_id, "resident", resident.id), 50,
                    kind="credit_award", key="seed:50")
    db.session.commit()
    headers = {**auth(admin), "Idempotency-Key": "one-spend"}
    body = {"resident_id": resident.id, "direction": "deduct", "amount": 10, "reason": "兑换"}
    start = threading.Barrier(8)
    results = []

    def retry():
        with app.app_context():
            start.wait()
            response = app.test_client().post("/api/v1/ledger/adjustments", json=body, headers=headers)
            results.append((response.status_code, response.get_json()))
            db.session.remove()

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in results] == [201] * 8, results
    assert len({body["transfer_id"] for _, body in results}) == 1
    db.session.expire_all()
    assert ledger.balance_of("resident", resident.id) == 40
    assert ledger.check_balances() == []
