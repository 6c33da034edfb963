"""The counter hands goods over on a phone with a poor signal: a handover retried with its
Idempotency-Key gets the first answer again and moves nothing twice; a pickup code shown a second
time (a new handover) is refused in the reader's language."""
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.ledger.models import Transfer
from backend.ledger.service import check_balances
from backend.supermarket.models import StockMovement, SupermarketOrder
from tests.fixtures import assert_problem
from tests.supermarket.factories import balance, stock_of


@pytest.fixture
def counter(community, make_supermarket, make_item, make_resident, give_points, make_staff, login, make_order):
    class C:
        pass

    c = C()
    c.shop = make_supermarket(community)
    c.rice = make_item(c.shop, stock=10, price=30, name_zh="大米", name_en="Rice")
    c.resident = make_resident(community, name="张三明")
    give_points(c.resident, 100)
    c.worker = login(make_staff(worker=[community]))
    c.order = make_order(c.resident, c.shop, [(c.rice, 2)])
    return c


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_retried_handover_with_the_same_key_replays_the_first_answer_and_moves_nothing(client, counter):
    headers = {**counter.worker, "Idempotency-Key": "handover-lost-answer"}
    transfers, movements = _count(Transfer), _count(StockMovement)
    first = client.post("/api/v1/supermarkets/pickups", headers=headers, json={"code": counter.order.pickup_code})
    assert first.status_code == 200 and first.get_json()["status"] == "collected"
    again = client.post("/api/v1/supermarkets/pickups", headers=headers, json={"code": counter.order.pickup_code})
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    # one handover: one audit entry, the first time kept, no points or stock moved by either call
    assert _count(AuditLog, AuditLog.action == "supermarket_order.collect") == 1
    db.session.expire_all()
    assert db.session.get(SupermarketOrder, counter.order.id).status == "collected"
    assert _count(Transfer) == transfers and _count(StockMovement) == movements
    assert balance(counter.resident) == 40 and stock_of(counter.rice) == 8
    assert check_balances() == []


def test_a_pickup_code_shown_again_is_refused_in_chinese_and_english(client, zh_client, counter):
    client.post("/api/v1/supermarkets/pickups", headers=counter.worker, json={"code": counter.order.pickup_code})
    english = assert_problem(client.post("/api/v1/supermarkets/pickups", headers=counter.worker,
                                         json={"code": counter.order.pickup_code}), 409, "order_already_collected")
    assert english["detail"] == "These goods have already been handed over."
    chinese = assert_problem(zh_client.post("/api/v1/supermarkets/pickups", headers=counter.worker,
                                            json={"code": counter.order.pickup_code}), 409, "order_already_collected")
    assert chinese["detail"] == "这些商品已经领取。"
    assert _count(AuditLog, AuditLog.action == "supermarket_order.collect") == 1


def test_a_handover_key_reused_for_another_code_is_refused(client, counter, make_order):
    other = make_order(counter.resident, counter.shop, [(counter.rice, 1)])
    headers = {**counter.worker, "Idempotency-Key": "one-key"}
    assert client.post("/api/v1/supermarkets/pickups", headers=headers,
                       json={"code": counter.order.pickup_code}).status_code == 200
    assert_problem(client.post("/api/v1/supermarkets/pickups", headers=headers, json={"code": other.pickup_code}),
                   409, "idempotency_key_reused")
    db.session.expire_all()
    assert db.session.get(SupermarketOrder, other.id).status == "placed"


def test_a_receipt_of_another_shop_run_by_the_same_worker_is_refused_at_this_counter(client, zh_client, counter,
                                                                                       community, make_supermarket,
                                                                                       make_item, make_order):
    second_shop = make_supermarket(community, name_zh="西楼村第二信用超市")
    oil = make_item(second_shop, stock=5, price=10, name_zh="食用油", name_en="Oil")
    other = make_order(counter.resident, second_shop, [(oil, 1)])
    here = counter.shop.id
    looked = client.get(f"/api/v1/supermarkets/pickups/{other.pickup_code}?supermarket_id={here}",
                        headers=counter.worker)
    assert assert_problem(looked, 409, "pickup_other_supermarket")["detail"] == \
        "This order belongs to another supermarket and is collected there."
    handed = zh_client.post("/api/v1/supermarkets/pickups", headers=counter.worker,
                            json={"code": other.pickup_code, "supermarket_id": here})
    assert assert_problem(handed, 409, "pickup_other_supermarket")["detail"] == "该订单属于另一家超市，请到该超市取货。"
    db.session.expire_all()
    assert db.session.get(SupermarketOrder, other.id).status == "placed"
    # at its own counter it is handed over
    assert client.post("/api/v1/supermarkets/pickups", headers=counter.worker,
                       json={"code": other.pickup_code, "supermarket_id": second_shop.id}).status_code == 200
    assert client.get(f"/api/v1/supermarkets/pickups/{counter.order.pickup_code}?supermarket_id={here}",
                      headers=counter.worker).get_json()["status"] == "placed"
