from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from backend.extensions import db
from backend.ledger.models import Transfer
from backend.ledger.service import check_balances
from backend.residents.models import Resident
from backend.supermarket.models import StockMovement, SupermarketOrder
from tests.fixtures import assert_problem
from tests.supermarket.factories import balance, stock_of


@pytest.fixture
def signed_in(shop_setup, kiosk_login):
    shop_setup.headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    return shop_setup


def _order(client, headers, *lines, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/kiosk/orders", headers={**headers, **extra},
                       json={"lines": [{"item_id": item.id, "quantity": qty} for item, qty in lines]})


def _orders():
    return db.session.execute(select(func.count()).select_from(SupermarketOrder)).scalar_one()


def test_redemption_takes_points_and_stock_and_gives_a_receipt(client, signed_in, make_item):
    rice = make_item(signed_in.shop, stock=5, price=30, name_zh="大米", name_en="Rice")
    soap = make_item(signed_in.shop, stock=5, price=5, name_zh="肥皂", name_en="Soap", category="cleaning")
    response = _order(client, signed_in.headers, (rice, 2), (soap, 1))
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()
    order = receipt["order"]
    assert order["total_points"] == 65 and order["status"] == "placed"
    assert order["receipt_no"] and len(order["pickup_code"]) == 10
    assert receipt["pickup_qr"].startswith("data:image/svg+xml;base64,")
    assert receipt["balance_after"] == 35 == balance(signed_in.resident)
    assert [(line["name_en"], line["quantity"], line["line_points"]) for line in order["lines"]] == [
        ("Rice", 2, 60), ("Soap", 1, 5)]
    assert stock_of(rice) == 3 and stock_of(soap) == 4
    paid = db.session.execute(select(Transfer).where(Transfer.idempotency_key == f"order:{order['id']}:pay")
                              ).scalar_one()
    assert paid.kind == "redemption" and paid.amount == 65
    moved = db.session.execute(select(StockMovement.quantity).where(StockMovement.kind == "redemption")
                               .order_by(StockMovement.item_id)).scalars().all()
    assert moved == [-2, -1]
    assert check_balances() == []


def test_not_enough_points_moves_nothing(client, signed_in, make_item):
    tv = make_item(signed_in.shop, stock=5, price=101)
    body = assert_problem(_order(client, signed_in.headers, (tv, 1)), 409, "insufficient_points")
    assert "101" in body["detail"]
    assert balance(signed_in.resident) == 100 and stock_of(tv) == 5 and _orders() == 0
    assert check_balances() == []


def test_out_of_stock_moves_nothing(client, signed_in, make_item):
    oil = make_item(signed_in.shop, stock=1, price=10)
    soap = make_item(signed_in.shop, stock=9, price=1)
    body = assert_problem(_order(client, signed_in.headers, (soap, 1), (oil, 2)), 409, "out_of_stock")
    assert f"items.{oil.id}" in body["errors"]
    assert balance(signed_in.resident) == 100 and stock_of(oil) == 1 and stock_of(soap) == 9 and _orders() == 0
    assert check_balances() == []


def test_monthly_limit_counts_earlier_orders_but_not_cancelled_ones(client, signed_in, make_item, make_staff,
                                                                    login):
    rice = make_item(signed_in.shop, stock=20, price=5, limit=(2, "month"))
    assert_problem(_order(client, signed_in.headers, (rice, 3)), 409, "limit_exceeded")
    assert _order(client, signed_in.headers, (rice, 1)).status_code == 201
    second = _order(client, signed_in.headers, (rice, 1))
    assert second.status_code == 201
    body = assert_problem(_order(client, signed_in.headers, (rice, 1)), 409, "limit_exceeded")
    assert "0 left" in body["errors"][f"items.{rice.id}"][0]
    worker = login(make_staff(worker=[signed_in.community]))
    client.post(f"/api/v1/supermarkets/orders/{second.get_json()['order']['id']}/cancel", headers=worker,
                json={"reason": "取消"})
    assert _order(client, signed_in.headers, (rice, 1)).status_code == 201
    assert stock_of(rice) == 18 and balance(signed_in.resident) == 90
    assert check_balances() == []


def test_limit_starts_afresh_next_month(client, signed_in, make_item):
    rice = make_item(signed_in.shop, stock=20, price=5, limit=(1, "month"))
    assert _order(client, signed_in.headers, (rice, 1)).status_code == 201
    assert_problem(_order(client, signed_in.headers, (rice, 1)), 409, "limit_exceeded")
    db.session.execute(update(SupermarketOrder).values(created_at=SupermarketOrder.created_at - timedelta(days=32)))
    db.session.commit()
    assert _order(client, signed_in.headers, (rice, 1)).status_code == 201


def test_catalogue_shows_stock_limits_and_only_this_shops_items(client, signed_in, make_item, make_supermarket):
    rice = make_item(signed_in.shop, stock=20, price=5, limit=(2, "month"))
    towel = make_item(signed_in.shop, stock=0, price=8, category="textiles", name_en="Towel")
    make_item(signed_in.shop, stock=3, active=False)
    make_item(make_supermarket(signed_in.community), stock=3)
    _order(client, signed_in.headers, (rice, 1))
    body = client.get("/api/v1/kiosk/catalogue", headers=signed_in.headers).get_json()
    items = {i["id"]: i for i in body["items"]}
    assert set(items) == {rice.id, towel.id}
    assert items[rice.id]["remaining_allowance"] == 1 and items[rice.id]["stock"] == 19
    assert items[towel.id]["stock"] == 0 and items[towel.id]["remaining_allowance"] is None
    assert [c["code"] for c in body["categories"]] == ["grain_oil", "textiles"]
    assert body["categories"][0]["name_zh"] == "粮油" and body["points"] == 95
    assert body["supermarket"]["id"] == signed_in.shop.id


def test_items_of_another_supermarket_are_refused(client, signed_in, make_item, make_supermarket):
    other = make_item(make_supermarket(signed_in.community), stock=3, price=5)
    mine = make_item(signed_in.shop, stock=3, price=5)
    body = assert_problem(_order(client, signed_in.headers, (mine, 1), (other, 1)), 422, "item_not_in_supermarket")
    assert list(body["errors"]) == [f"items.{other.id}"]
    response = client.post("/api/v1/kiosk/orders", headers=signed_in.headers,
                           json={"lines": [{"item_id": 999999, "quantity": 1}]})
    assert_problem(response, 422, "item_not_in_supermarket")
    assert stock_of(other) == 3 and stock_of(mine) == 3 and balance(signed_in.resident) == 100 and _orders() == 0


@pytest.mark.parametrize("lines", [
    [{"item_id": 1, "quantity": -1}],
    [{"item_id": 1, "quantity": 0}],
    [{"item_id": 1, "quantity": 1.5}],
    [{"item_id": 1, "quantity": "2"}],
    [{"item_id": 1}],
    [],
    "rice",
])
def test_bad_lines_are_validation_errors(client, signed_in, make_item, lines):
    make_item(signed_in.shop, stock=3)
    assert_problem(client.post("/api/v1/kiosk/orders", headers=signed_in.headers, json={"lines": lines}), 422,
                   "validation_failed")
    assert _orders() == 0 and balance(signed_in.resident) == 100


def test_malformed_json_is_a_problem(client, signed_in):
    response = client.post("/api/v1/kiosk/orders", headers={**signed_in.headers, "Content-Type": "application/json"},
                           data="{lines:")
    assert_problem(response, 400)


def test_item_taken_off_sale_is_refused(client, signed_in, make_item):
    item = make_item(signed_in.shop, stock=3, active=False)
    assert_problem(_order(client, signed_in.headers, (item, 1)), 409, "item_unavailable")


def test_same_item_twice_in_a_cart_is_one_line(client, signed_in, make_item):
    soap = make_item(signed_in.shop, stock=5, price=5)
    response = client.post("/api/v1/kiosk/orders", headers=signed_in.headers, json={
        "lines": [{"item_id": soap.id, "quantity": 1}, {"item_id": soap.id, "quantity": 2}]})
    assert response.status_code == 201
    assert [(line["item_id"], line["quantity"]) for line in response.get_json()["order"]["lines"]] == [(soap.id, 3)]
    assert stock_of(soap) == 2


def test_retried_confirmation_makes_exactly_one_order(client, signed_in, make_item):
    soap = make_item(signed_in.shop, stock=5, price=10)
    first = _order(client, signed_in.headers, (soap, 2), key="cart-1")
    again = _order(client, signed_in.headers, (soap, 2), key="cart-1")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["order"]["id"] == first.get_json()["order"]["id"]
    assert _orders() == 1 and stock_of(soap) == 3 and balance(signed_in.resident) == 80
    different = _order(client, signed_in.headers, (soap, 1), key="cart-1")
    assert_problem(different, 409, "idempotency_key_reused")
    assert _orders() == 1 and check_balances() == []


def test_retry_after_signing_in_again_still_makes_one_order(client, signed_in, make_item, kiosk_login):
    soap = make_item(signed_in.shop, stock=5, price=10)
    assert _order(client, signed_in.headers, (soap, 1), key="cart-9").status_code == 201
    fresh = kiosk_login(signed_in.kiosk, signed_in.resident)
    assert _order(client, fresh, (soap, 1), key="cart-9").status_code == 201
    assert _orders() == 1 and balance(signed_in.resident) == 90


def test_service_is_idempotent_on_its_own_key(signed_in, make_item, make_order):
    soap = make_item(signed_in.shop, stock=5, price=10)
    first = make_order(signed_in.resident, signed_in.shop, [(soap, 1)], key="k1")
    again = make_order(signed_in.resident, signed_in.shop, [(soap, 1)], key="k1")
    assert first.id == again.id and _orders() == 1 and balance(signed_in.resident) == 90


def test_resident_who_moved_away_cannot_redeem(client, signed_in, make_item, make_community):
    soap = make_item(signed_in.shop, stock=5, price=10)
    resident = db.session.get(Resident, signed_in.resident.id)
    resident.community_id = make_community().id
    db.session.commit()
    assert_problem(_order(client, signed_in.headers, (soap, 1)), 403, "wrong_community")
    assert stock_of(soap) == 5 and balance(signed_in.resident) == 100


def test_closed_supermarket_redeems_nothing(client, signed_in, make_item):
    soap = make_item(signed_in.shop, stock=5, price=10)
    signed_in.shop.active = False
    db.session.commit()
    assert_problem(_order(client, signed_in.headers, (soap, 1)), 409, "supermarket_closed")


def test_home_shows_masked_name_points_history_and_pending_orders(client, signed_in, make_item):
    soap = make_item(signed_in.shop, stock=5, price=10)
    receipt = _order(client, signed_in.headers, (soap, 1)).get_json()
    home = client.get("/api/v1/kiosk/me", headers=signed_in.headers).get_json()
    assert home["masked_name"] == "张*明" and home["points"] == 90
    assert [(h["kind"], h["delta"]) for h in home["history"]] == [("redemption", -10), ("credit_award", 100)]
    assert home["history"][0]["memo"] == receipt["order"]["receipt_no"]
    assert [o["receipt_no"] for o in home["pending_orders"]] == [receipt["order"]["receipt_no"]]
    assert "score" in home and "stars" in home


def test_home_history_says_what_each_line_was_for(client, signed_in, make_item, make_staff):
    from datetime import date

    from backend.common.time import utcnow
    from backend.credit import catalogue
    from backend.credit import service as credit
    from backend.credit.scoring import finalise
    from backend.supermarket import service as supermarket
    from tests.credit.conftest import principal_of

    rule = catalogue.create_item(None, {
        "district_id": signed_in.resident.district_id, "code": "clean_lane", "scope": "district",
        "subject_type": "resident", "town_id": None, "community_id": None, "title_zh": "打扫村道",
        "title_en": "Swept the village lane", "category": "environment", "points": 30, "variable_points": False,
        "cap_count": None, "cap_period": None, "evidence_required": False, "severity": None, "active": True,
        "effective_from": date(2020, 1, 1)}, actor="test")
    worker = make_staff(worker=[signed_in.community])
    finalise(credit.create_record(principal_of(worker), signed_in.resident.id, rule["id"], utcnow()))
    db.session.commit()
    rice = make_item(signed_in.shop, stock=5, price=20, name_zh="大米", name_en="Rice")
    soap = make_item(signed_in.shop, stock=5, price=5, name_zh="肥皂", name_en="Soap", category="cleaning")
    kept = _order(client, signed_in.headers, (rice, 1), (soap, 2)).get_json()["order"]
    given_back = _order(client, signed_in.headers, (soap, 1)).get_json()["order"]
    manager = make_staff(worker=[signed_in.community], reviewer=[signed_in.community])
    supermarket.cancel_order(principal_of(manager), given_back["id"], "changed her mind")
    db.session.commit()

    home = client.get("/api/v1/kiosk/me", headers=signed_in.headers).get_json()
    assert [(h["kind"], h["delta"], h["for_zh"], h["for_en"]) for h in home["history"]] == [
        ("redemption_refund", 5, "肥皂×1", "Soap ×1"),
        ("redemption", -5, "肥皂×1", "Soap ×1"),
        ("redemption", -30, "大米×1、肥皂×2", "Rice ×1, Soap ×2"),
        ("credit_award", 30, "打扫村道", "Swept the village lane"),
        ("credit_award", 100, None, None),  # the fixture's points come from no rule
    ]
    # a pending order lists the goods to collect; the cancelled one is gone
    [pending] = home["pending_orders"]
    assert pending["receipt_no"] == kept["receipt_no"]
    assert [(line["name_zh"], line["name_en"], line["quantity"]) for line in pending["lines"]] == [
        ("大米", "Rice", 1), ("肥皂", "Soap", 2)]


def test_a_redemption_writes_the_shops_account_and_the_stock_last_right_before_its_commit(
        client, signed_in, make_item):
    """The shop's account and the item's stock are the rows every redemption at a shop shares: they are
    locked by the last writes before the commit, after the order, its lines, the debit and the transfer."""
    from tests.perf.test_statement_budgets import counting

    soap = make_item(signed_in.shop, stock=5, price=10)
    item_type, soap_id, resident_id = type(soap), soap.id, signed_in.resident.id
    with counting() as counter:  # (it starts the session afresh, as a served request does)
        response = _order(client, signed_in.headers, (soap, 1))
    assert response.status_code == 201, response.get_json()
    soap, signed_in.resident = db.session.get(item_type, soap_id), db.session.get(Resident, resident_id)
    statements = counter.statements
    shop_credit = "UPDATE accounts SET balance=(accounts.balance +"
    credit = next(n for n, s in enumerate(statements) if s.startswith(shop_credit))
    assert statements[-1] == "COMMIT"
    hot = statements[credit:-1]
    assert all(s.startswith(("UPDATE accounts", "UPDATE supermarket_items", "INSERT INTO stock_movements",
                             "WITH taken AS (UPDATE supermarket_items")) for s in hot), counter.report()
    assert len(hot) <= 3, counter.report()
    before = statements[:credit]
    for write in ("INSERT INTO supermarket_orders", "INSERT INTO supermarket_order_lines",
                  "UPDATE accounts SET balance=(accounts.balance -", "INSERT INTO transfers",
                  "UPDATE supermarket_orders SET transfer_id"):
        assert any(s.startswith(write) for s in before), (write, counter.report())
    assert not any("supermarket_items SET" in s for s in before), counter.report()
    assert stock_of(soap) == 4 and balance(signed_in.resident) == 90 and check_balances() == []
    assert db.session.execute(select(StockMovement.stock_after).where(StockMovement.item_id == soap.id,
                                                                      StockMovement.kind == "redemption")
                              ).scalar_one() == 4


def test_the_last_unit_taken_between_the_check_and_the_take_refuses_the_order_whole(
        client, signed_in, make_item, monkeypatch):
    """The stock is read for the answer and taken (guarded) last: when another kiosk took the last unit in
    between, the guarded take refuses and nothing of the order, the debit or the transfer is left."""
    from backend.supermarket import service as supermarket

    soap = make_item(signed_in.shop, stock=1, price=10)
    real_settle = supermarket.ledger.settle

    def settle_after_another_kiosk_took_it():
        db.session.execute(update(type(soap)).where(type(soap).id == soap.id).values(stock=0))
        real_settle()

    monkeypatch.setattr(supermarket.ledger, "settle", settle_after_another_kiosk_took_it)
    assert_problem(_order(client, signed_in.headers, (soap, 1)), 409, "out_of_stock")
    monkeypatch.undo()
    assert stock_of(soap) == 1 and balance(signed_in.resident) == 100 and _orders() == 0
    assert db.session.execute(select(func.count()).select_from(Transfer)
                              .where(Transfer.kind == "redemption")).scalar_one() == 0
    assert check_balances() == []


def test_the_orders_unique_key_refuses_a_second_order_when_no_idempotency_record_answered_first(
        client, signed_in, make_item, make_order):
    """At the kiosk the Idempotency-Key record is the one mechanism that replays a retried confirmation; an
    order made under the same key without that record (a script calling the service) is still caught by the
    unique (resident, key) of orders, the last line of defence: a conflict, never a second order."""
    soap = make_item(signed_in.shop, stock=5, price=10)
    make_order(signed_in.resident, signed_in.shop, [(soap, 1)], key="cart-7")
    assert_problem(_order(client, signed_in.headers, (soap, 1), key="cart-7"), 409, "conflict")
    assert _orders() == 1 and stock_of(soap) == 4 and balance(signed_in.resident) == 90
    assert check_balances() == []
