import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.supermarket.models import StockMovement, SupermarketItem
from tests.fixtures import assert_problem
from tests.supermarket.factories import stock_of


@pytest.fixture
def shop(community, make_supermarket):
    return make_supermarket(community)


@pytest.fixture
def worker(client, make_staff, community, login):
    return login(make_staff(worker=[community]))


def _movements(item):
    db.session.expire_all()
    return db.session.execute(
        select(StockMovement).where(StockMovement.item_id == item.id).order_by(StockMovement.id)).scalars().all()


def test_worker_adds_an_item_with_a_monthly_limit_and_no_stock(client, shop, worker):
    response = client.post(f"/api/v1/supermarkets/{shop.id}/items", headers=worker, json={
        "name_zh": "大米（5公斤）", "name_en": "Rice (5 kg)", "category": "grain_oil",
        "photo": "/kiosk/img/rice.svg", "price_points": 50, "limit_quantity": 2, "limit_period": "month"})
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["stock"] == 0 and item["limit_quantity"] == 2 and item["limit_period"] == "month"


def test_item_stock_cannot_be_set_directly(client, shop, worker, make_item):
    item = make_item(shop, stock=5)
    create = client.post(f"/api/v1/supermarkets/{shop.id}/items", headers=worker, json={
        "name_zh": "肥皂", "name_en": "Soap", "category": "cleaning", "price_points": 5, "stock": 100})
    assert_problem(create, 422, "validation_failed")
    patch = client.patch(f"/api/v1/supermarkets/{shop.id}/items/{item.id}", headers=worker, json={"stock": 100})
    assert_problem(patch, 422, "validation_failed")
    assert stock_of(item) == 5


def test_item_with_half_a_limit_or_a_script_photo_is_refused(client, shop, worker):
    base = {"name_zh": "毛巾", "name_en": "Towel", "category": "textiles", "price_points": 10}
    half = client.post(f"/api/v1/supermarkets/{shop.id}/items", headers=worker, json={**base, "limit_quantity": 2})
    assert_problem(half, 422, "validation_failed")
    script = client.post(f"/api/v1/supermarkets/{shop.id}/items", headers=worker,
                         json={**base, "photo": "javascript:alert(1)"})
    assert_problem(script, 422, "validation_failed")
    free = client.post(f"/api/v1/supermarkets/{shop.id}/items", headers=worker, json={**base, "price_points": 0})
    assert_problem(free, 422, "validation_failed")


def test_intake_from_each_kind_of_donor_is_a_movement_row(client, shop, worker, make_item):
    item = make_item(shop, stock=0)
    for kind, donor, qty in [("government", "米山镇人民政府", 20), ("school", "米山中学教师", 5),
                             ("company", "文登建材公司", 10), ("individual", "王先生", 1)]:
        response = client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/intakes", headers=worker,
                               json={"quantity": qty, "donor_name": donor, "donor_kind": kind, "note": "春节捐赠"})
        assert response.status_code == 201, response.get_json()
    assert stock_of(item) == 36
    moves = _movements(item)
    assert [m.donor_kind for m in moves] == ["government", "school", "company", "individual"]
    assert [m.stock_after for m in moves] == [20, 25, 35, 36]
    assert sum(m.quantity for m in moves) == stock_of(item)


def test_intake_needs_a_known_donor_kind_and_a_positive_quantity(client, shop, worker, make_item):
    item = make_item(shop, stock=3)
    url = f"/api/v1/supermarkets/{shop.id}/items/{item.id}/intakes"
    assert_problem(client.post(url, headers=worker, json={"quantity": -5, "donor_name": "王先生",
                                                          "donor_kind": "individual"}), 422, "validation_failed")
    assert_problem(client.post(url, headers=worker, json={"quantity": 5, "donor_name": "王先生",
                                                          "donor_kind": "alien"}), 422, "validation_failed")
    assert_problem(client.post(url, headers=worker, json={"quantity": 5, "donor_kind": "individual"}), 422,
                   "validation_failed")
    assert stock_of(item) == 3 and len(_movements(item)) == 1


def test_intake_is_idempotent_on_retry(client, shop, worker, make_item):
    item = make_item(shop, stock=0)
    url = f"/api/v1/supermarkets/{shop.id}/items/{item.id}/intakes"
    body = {"quantity": 7, "donor_name": "米山中学", "donor_kind": "school"}
    first = client.post(url, headers={**worker, "Idempotency-Key": "intake-1"}, json=body)
    again = client.post(url, headers={**worker, "Idempotency-Key": "intake-1"}, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert stock_of(item) == 7 and len(_movements(item)) == 1


def test_adjustment_needs_a_reason_and_never_takes_stock_below_zero(client, shop, worker, make_item):
    item = make_item(shop, stock=4)
    url = f"/api/v1/supermarkets/{shop.id}/items/{item.id}/adjustments"
    assert_problem(client.post(url, headers=worker, json={"quantity": -1}), 422, "validation_failed")
    assert_problem(client.post(url, headers=worker, json={"quantity": 0, "reason": "盘点"}), 422,
                   "validation_failed")
    assert_problem(client.post(url, headers=worker, json={"quantity": -5, "reason": "受潮"}), 409, "out_of_stock")
    assert stock_of(item) == 4
    done = client.post(url, headers=worker, json={"quantity": -3, "reason": "受潮损坏"})
    assert done.status_code == 201 and done.get_json()["stock_after"] == 1
    assert [m.kind for m in _movements(item)] == ["intake", "adjustment"]


def test_low_stock_list_shows_items_at_or_below_their_mark(client, shop, worker, make_item):
    empty = make_item(shop, stock=0, low_stock_at=3)
    low = make_item(shop, stock=3, low_stock_at=3)
    make_item(shop, stock=10, low_stock_at=3)
    make_item(shop, stock=0, active=False)
    listed = client.get(f"/api/v1/supermarkets/{shop.id}/low-stock", headers=worker).get_json()
    assert [i["id"] for i in listed] == [empty.id, low.id]


def test_movements_are_listed_newest_first_with_filters(client, shop, worker, make_item):
    item = make_item(shop, stock=5)
    client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/adjustments", headers=worker,
                json={"quantity": -1, "reason": "盘点差异"})
    page = client.get(f"/api/v1/supermarkets/{shop.id}/stock-movements?item_id={item.id}", headers=worker).get_json()
    assert [m["kind"] for m in page["items"]] == ["adjustment", "intake"] and page["total"] == 2
    intakes = client.get(f"/api/v1/supermarkets/{shop.id}/stock-movements?kind=intake", headers=worker).get_json()
    assert intakes["total"] == 1 and intakes["items"][0]["donor_name"] == "米山镇人民政府"


def test_item_of_another_supermarket_is_not_found_here(client, community, make_supermarket, worker, make_item):
    here, there = make_supermarket(community), make_supermarket(community)
    item = make_item(there, stock=2)
    response = client.post(f"/api/v1/supermarkets/{here.id}/items/{item.id}/intakes", headers=worker,
                           json={"quantity": 1, "donor_name": "王先生", "donor_kind": "individual"})
    assert_problem(response, 404, "item_not_found")
    assert stock_of(item) == 2


def test_worker_of_another_community_cannot_touch_the_stock(client, shop, community, make_staff, make_community,
                                                            login, make_item):
    item = make_item(shop, stock=2)
    stranger = login(make_staff(worker=[make_community()]))
    response = client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/intakes", headers=stranger,
                           json={"quantity": 1, "donor_name": "王先生", "donor_kind": "individual"})
    assert_problem(response, 404, "not_found")
    reviewer = login(make_staff(reviewer=[community]))
    response = client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/adjustments", headers=reviewer,
                           json={"quantity": 1, "reason": "x"})
    assert_problem(response, 403, "role_required")
    assert stock_of(item) == 2


def test_database_refuses_negative_stock_even_without_the_guard(shop, make_item):
    item = make_item(shop, stock=1)
    with pytest.raises(IntegrityError):
        db.session.execute(update(SupermarketItem).where(SupermarketItem.id == item.id).values(stock=-1))
        db.session.flush()
    db.session.rollback()
    assert stock_of(item) == 1
