import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.ledger.models import Transfer
from backend.ledger.service import check_balances
from backend.supermarket.models import StockMovement, SupermarketOrder
from tests.fixtures import assert_problem
from tests.supermarket.factories import balance, stock_of


@pytest.fixture
def setup(community, make_supermarket, make_item, make_resident, give_points, make_staff, login):
    class S:
        pass

    s = S()
    s.shop = make_supermarket(community)
    s.rice = make_item(s.shop, stock=10, price=30, name_zh="大米", name_en="Rice")
    s.soap = make_item(s.shop, stock=10, price=5, name_zh="肥皂", name_en="Soap", category="cleaning")
    s.resident = make_resident(community, name="张三明")
    give_points(s.resident, 100)
    s.worker = login(make_staff(worker=[community]))
    return s


def test_worker_hands_the_goods_over_by_scanning_the_pickup_code(client, setup, make_order):
    order = make_order(setup.resident, setup.shop, [(setup.rice, 1), (setup.soap, 2)])
    looked = client.get(f"/api/v1/supermarkets/pickups/{order.pickup_code.lower()}", headers=setup.worker)
    assert looked.status_code == 200
    body = looked.get_json()
    assert body["masked_name"] == "张*明" and body["status"] == "placed"
    assert [(line["name_zh"], line["quantity"]) for line in body["lines"]] == [("大米", 1), ("肥皂", 2)]
    handed = client.post("/api/v1/supermarkets/pickups", headers=setup.worker, json={"code": order.pickup_code})
    assert handed.status_code == 200 and handed.get_json()["status"] == "collected"
    again = client.post("/api/v1/supermarkets/pickups", headers=setup.worker, json={"code": order.pickup_code})
    assert_problem(again, 409, "order_already_collected")
    # handing over moves nothing: points and stock were taken at redemption
    assert balance(setup.resident) == 100 - 40 and stock_of(setup.rice) == 9
    assert check_balances() == []


def test_cancelling_an_uncollected_order_returns_points_and_stock(client, setup, make_order):
    order = make_order(setup.resident, setup.shop, [(setup.rice, 2), (setup.soap, 1)])
    assert balance(setup.resident) == 35 and stock_of(setup.rice) == 8
    response = client.post(f"/api/v1/supermarkets/orders/{order.id}/cancel", headers=setup.worker,
                           json={"reason": "居民改变主意"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert balance(setup.resident) == 100 and stock_of(setup.rice) == 10 and stock_of(setup.soap) == 10
    kinds = db.session.execute(select(StockMovement.kind).where(StockMovement.item_id == setup.rice.id)
                               .order_by(StockMovement.id)).scalars().all()
    assert kinds == ["intake", "redemption", "cancellation"]
    refund = db.session.execute(select(Transfer).where(Transfer.idempotency_key == f"order:{order.id}:refund")
                                ).scalar_one()
    assert refund.kind == "redemption_refund" and refund.amount == 65
    assert check_balances() == []


def test_an_order_is_cancelled_or_collected_once(client, setup, make_order):
    collected = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    client.post("/api/v1/supermarkets/pickups", headers=setup.worker, json={"code": collected.pickup_code})
    assert_problem(client.post(f"/api/v1/supermarkets/orders/{collected.id}/cancel", headers=setup.worker,
                               json={"reason": "太晚了"}), 409, "order_already_collected")
    cancelled = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    assert client.post(f"/api/v1/supermarkets/orders/{cancelled.id}/cancel", headers=setup.worker,
                       json={"reason": "取消"}).status_code == 200
    assert_problem(client.post(f"/api/v1/supermarkets/orders/{cancelled.id}/cancel", headers=setup.worker,
                               json={"reason": "再取消"}), 409, "order_cancelled")
    assert_problem(client.post("/api/v1/supermarkets/pickups", headers=setup.worker,
                               json={"code": cancelled.pickup_code}), 409, "order_cancelled")
    assert balance(setup.resident) == 95 and stock_of(setup.soap) == 9
    assert check_balances() == []


def test_cancel_needs_a_reason(client, setup, make_order):
    order = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    assert_problem(client.post(f"/api/v1/supermarkets/orders/{order.id}/cancel", headers=setup.worker, json={}),
                   422, "validation_failed")
    assert balance(setup.resident) == 95


def test_pickup_code_is_unknown_to_workers_of_other_shops(client, setup, make_order, make_staff, make_community,
                                                          login):
    order = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    stranger = login(make_staff(worker=[make_community()]))
    assert_problem(client.post("/api/v1/supermarkets/pickups", headers=stranger, json={"code": order.pickup_code}),
                   404, "pickup_code_not_found")
    assert_problem(client.get("/api/v1/supermarkets/pickups/NOSUCHCODE", headers=setup.worker), 404,
                   "pickup_code_not_found")
    assert_problem(client.post(f"/api/v1/supermarkets/orders/{order.id}/cancel", headers=stranger,
                               json={"reason": "x"}), 404)
    db.session.expire_all()
    assert db.session.get(SupermarketOrder, order.id).status == "placed"


def test_orders_are_listed_by_status(client, setup, make_order):
    first = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    second = make_order(setup.resident, setup.shop, [(setup.soap, 1)])
    client.post("/api/v1/supermarkets/pickups", headers=setup.worker, json={"code": first.pickup_code})
    placed = client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders?status=placed", headers=setup.worker)
    assert [o["id"] for o in placed.get_json()["items"]] == [second.id]
    everything = client.get(f"/api/v1/supermarkets/{setup.shop.id}/orders", headers=setup.worker).get_json()
    assert everything["total"] == 2
    one = client.get(f"/api/v1/supermarkets/orders/{first.id}", headers=setup.worker).get_json()
    assert one["status"] == "collected" and one["collected_by"].startswith("staff:")
