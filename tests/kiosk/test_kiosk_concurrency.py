"""Two kiosks at once, on real PostgreSQL row locks: one wins, nothing goes negative."""
import threading

from sqlalchemy import func, select

from backend.extensions import db
from backend.ledger.service import check_balances
from backend.supermarket.models import StockMovement, SupermarketOrder
from tests.conftest import make_app, postgres_only
from tests.supermarket.factories import balance, stock_of


def _race(requests):
    """Run ``(path, headers, json)`` requests at the same moment, each thread with its own app and client."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)
    # apps are built here, one after the other: building one touches the shared OpenAPI spec
    apps = [make_app() for _ in requests]

    def run(index, path, headers, body):
        app = apps[index]
        with app.app_context():
            client = app.test_client()
            barrier.wait(timeout=30)
            response = client.post(path, headers=headers, json=body)
            results[index] = (response.status_code, response.get_json())
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _orders():
    return db.session.execute(select(func.count()).select_from(SupermarketOrder)).scalar_one()


@postgres_only
def test_two_kiosks_redeeming_the_last_unit_one_wins(shop_setup, make_kiosk, make_resident, give_points, make_item,
                                                     kiosk_login):
    last_oil = make_item(shop_setup.shop, stock=1, price=10, name_zh="食用油", name_en="Cooking oil")
    _, second_kiosk = make_kiosk(shop_setup.shop)
    neighbour = make_resident(shop_setup.community, name="李秀英")
    give_points(neighbour, 100)
    first = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    second = kiosk_login(second_kiosk, neighbour)
    body = {"lines": [{"item_id": last_oil.id, "quantity": 1}]}
    results = _race([("/api/v1/kiosk/orders", first, body), ("/api/v1/kiosk/orders", second, body)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["code"] == "out_of_stock"
    assert stock_of(last_oil) == 0 and _orders() == 1
    moved = db.session.execute(select(func.sum(StockMovement.quantity)).where(StockMovement.item_id == last_oil.id)
                               ).scalar_one()
    assert moved == 0
    assert sorted([balance(shop_setup.resident), balance(neighbour)]) == [90, 100]
    assert check_balances() == []


@postgres_only
def test_one_resident_at_two_kiosks_cannot_pass_the_limit_or_spend_twice(shop_setup, make_kiosk, make_item,
                                                                         kiosk_login):
    rice = make_item(shop_setup.shop, stock=10, price=10, limit=(1, "month"))
    oil = make_item(shop_setup.shop, stock=10, price=60, category="cleaning")
    _, second_kiosk = make_kiosk(shop_setup.shop)
    here = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    there = kiosk_login(second_kiosk, shop_setup.resident)
    rice_order = {"lines": [{"item_id": rice.id, "quantity": 1}]}
    # one bag of rice a month: both orders pass the first check, the second loses after the lock
    results = _race([("/api/v1/kiosk/orders", here, rice_order), ("/api/v1/kiosk/orders", there, rice_order)])
    assert sorted(status for status, _ in results) == [201, 409], results
    assert next(body for status, body in results if status == 409)["code"] == "limit_exceeded"
    assert balance(shop_setup.resident) == 90 and stock_of(rice) == 9
    # 90 points cover one bottle of oil at 60, not two
    oil_order = {"lines": [{"item_id": oil.id, "quantity": 1}]}
    results = _race([("/api/v1/kiosk/orders", here, oil_order), ("/api/v1/kiosk/orders", there, oil_order)])
    assert sorted(status for status, _ in results) == [201, 409], results
    assert next(body for status, body in results if status == 409)["code"] == "insufficient_points"
    assert balance(shop_setup.resident) == 30 and stock_of(oil) == 9 and _orders() == 2
    assert check_balances() == []
