"""Statement budgets of the paths people wait on: the speed of the hot paths, kept by counting round trips.

Each test sends one request of a hot path through the real HTTP handler (after a warm-up request of the same
kind, as a running process would have served one) and counts every SQL statement it sends to the database
(SQLAlchemy's ``before_cursor_execute`` on the engine: the session row, savepoints, every read and write) plus
its commit (the opening BEGIN is not counted, on either database). The count must stay within the path's
budget: a new feature that adds a round trip to a hot path has to say why, here. The benchmark (``scripts/bench``) measures the speed; these budgets protect it.

Measured on 2026-12-01 before the rework (``before``), and the budget the code now meets.
"""
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from backend.auth.service import issue_tokens, roles_claim
from backend.cards import service as cards
from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit import service as credit
from backend.extensions import db
from tests.merchants.factories import card_of, dynamic_code, ensure_merchant_items, give_stars
from tests.supermarket.factories import give_points, kiosk_login, make_kiosk, make_supermarket, phone_code  # noqa: F401,F811 — fixtures
from tests.volunteering.conftest import clock, vol  # noqa: F401,F811 — the volunteering scene

#: path → (statements before the rework, budget)
BUDGETS = {
    "home": (4, 3),
    "merchant_page": (8, 2),
    "sale": (28, 10),
    "sale_over_cap": (11, 8),
    "redeem": (28, 12),
    "redeem_with_key": (20, 17),
    "log_record": (16, 6),
    "code_refresh": (3, 2),
    "check_in": (12, 7),
    "approve": (9, 5),
    "villages_report": (5, 5),
}

#: path → budget on PostgreSQL where it is lower than on SQLite: a redemption takes the stock and writes its
#: movement row in one statement there (``WITH taken AS (UPDATE …) INSERT …``), which SQLite cannot
BUDGETS_POSTGRESQL = {"redeem": 11, "redeem_with_key": 16}


class StatementCounter:
    def __init__(self):
        self.statements = []

    def count(self):
        return len(self.statements)

    def report(self):
        return "\n".join(f"{n:3}. {s}" for n, s in enumerate(self.statements, 1))


@contextmanager
def counting():
    """Every statement (and the commit) the engine sends while the block runs."""
    counter = StatementCounter()
    engine = db.engine
    # a served request starts with an empty session: nothing the set-up loaded may save a round trip
    db.session.remove()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("BEGIN"):
            return  # SQLite's explicit BEGIN (PostgreSQL's driver opens the transaction by itself): not counted
        counter.statements.append(" ".join(statement.split())[:160])

    def on_commit(conn):
        counter.statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def assert_within_budget(path, counter):
    before, budget = BUDGETS[path]
    if db.engine.dialect.name == "postgresql":
        budget = BUDGETS_POSTGRESQL.get(path, budget)
    assert counter.count() <= budget, (
        f"{path} sent {counter.count()} statements, its budget is {budget} (it was {before} before the rework):\n"
        + counter.report())


def bearer(kind, subject_id, district_id, claims):
    token = issue_tokens(kind, subject_id, district_id, claims, refresh=False)["access_token"]
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def resident_headers(resident):
    return bearer("resident", resident.id, resident.district_id, {"community_id": resident.community_id})


def staff_headers(user):
    return bearer("staff", user.id, user.district_id, {"roles": roles_claim(user), "name": user.display_name})


def add_credit_item(district, code, points=5):
    catalogue.create_item(None, {
        "district_id": district.id, "scope": "district", "subject_type": "resident", "code": code,
        "title_zh": f"项目{code}", "title_en": f"Item {code}", "category": "environment", "points": points,
        "variable_points": False, "cap_count": 3, "cap_period": "month", "evidence_required": False,
        "severity": None, "active": True, "effective_from": date(2020, 1, 1)}, actor="test")
    db.session.commit()
    return catalogue.find_item(code, district_id=district.id)


def iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def _log(client, worker, resident, item):
    return client.post("/api/v1/records", headers=staff_headers(worker), json={
        "resident_id": resident.id, "item_id": item.id, "occurred_at": iso(utcnow() - timedelta(days=1))})


@pytest.fixture
def village(app, district, community, make_staff, make_resident):
    worker = make_staff(worker=[community])
    reviewer = make_staff(reviewer=[community])
    admin = make_staff(district_admin=True)
    residents = [make_resident(community, name=f"王秀{n}") for n in range(3)]
    item = add_credit_item(district, "village_cleanup")
    return dict(district=district, community=community, worker=worker, reviewer=reviewer, admin=admin,
                residents=residents, item=item)


def test_home_stays_within_its_statement_budget(client, village):
    resident = village["residents"][0]
    for _ in range(3):
        assert _log(client, village["worker"], resident, village["item"]).status_code == 201
    headers = resident_headers(resident)
    assert client.get("/api/v1/me/home", headers=headers).status_code == 200
    with counting() as counter:
        response = client.get("/api/v1/me/home", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["records"]) == 3
    assert_within_budget("home", counter)


def test_merchant_page_stays_within_its_statement_budget(client, district, make_merchant):
    ensure_merchant_items(district)
    merchant = make_merchant()
    url, name = f"/c/{cards.card_token(card_of('merchant', merchant))}", merchant.name
    assert client.get(url).status_code == 200
    with counting() as counter:
        response = client.get(url)
    assert response.status_code == 200
    assert name in response.get_data(as_text=True)
    assert_within_budget("merchant_page", counter)


def test_sale_stays_within_its_statement_budget(client, district, community, make_merchant, make_staff,
                                                make_resident, login):
    ensure_merchant_items(district)
    merchant = make_merchant()
    staff = make_staff(merchant=merchant)
    residents = [make_resident(community, name="张三明") for _ in range(2)]
    for resident in residents:
        give_stars(resident, 4)
    headers = login(staff)
    codes = [dynamic_code(r) for r in residents]
    db.session.commit()
    first = client.post("/api/v1/merchant/sales", headers=headers, json={"code": codes[0], "bill_amount": 5000})
    assert first.status_code == 201, first.get_json()
    with counting() as counter:
        response = client.post("/api/v1/merchant/sales", headers=headers, json={"code": codes[1], "bill_amount": 8800})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["discount_amount"] == 704
    assert_within_budget("sale", counter)


def test_sale_by_typed_number_stays_within_the_sale_budget(client, district, community, make_merchant, make_staff,
                                                          make_resident, login):
    """The number opens without the database (an HMAC), so a typed sale costs what a scanned one does."""
    ensure_merchant_items(district)
    merchant = make_merchant()
    headers = login(make_staff(merchant=merchant))
    residents = [make_resident(community, name="张三明") for _ in range(2)]
    for resident in residents:
        give_stars(resident, 4)
    numbers = [cards.issue_dynamic_code(r)["number"] for r in residents]
    db.session.commit()
    first = client.post("/api/v1/merchant/sales", headers=headers, json={"code": numbers[0], "bill_amount": 5000})
    assert first.status_code == 201, first.get_json()
    with counting() as counter:
        response = client.post("/api/v1/merchant/sales", headers=headers,
                               json={"code": numbers[1], "bill_amount": 8800})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["discount_amount"] == 704
    assert_within_budget("sale", counter)


@pytest.fixture
def kiosk_shop(make_community, make_supermarket, make_kiosk, make_resident, give_points, kiosk_login):  # noqa: F811
    """A kiosk's signed-in resident with 100 points and a shop item in stock: (headers, one-item body)."""
    from backend.supermarket import service as supermarket
    from backend.supermarket.models import SupermarketItem

    community = make_community()
    shop = make_supermarket(community)
    _device, kiosk = make_kiosk(shop)
    resident = make_resident(community, pin="123456")
    give_points(resident, 100)
    rice = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, name_zh="大米", name_en="Rice",
                           category="grain_oil", photo="/kiosk/img/rice.svg", price_points=10, stock=0,
                           low_stock_at=1, active=True)
    db.session.add(rice)
    db.session.flush()
    supermarket.move_stock(rice, 10, "intake", actor="test", donor_name="米山镇人民政府", donor_kind="government")
    db.session.commit()
    return kiosk_login(kiosk, resident), {"lines": [{"item_id": rice.id, "quantity": 1}]}


def test_kiosk_redeem_of_one_item_stays_within_its_statement_budget(client, kiosk_shop):
    headers, body = kiosk_shop
    assert client.post("/api/v1/kiosk/orders", headers=headers, json=body).status_code == 201
    with counting() as counter:
        response = client.post("/api/v1/kiosk/orders", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    assert_within_budget("redeem", counter)


def test_kiosk_redeem_with_its_idempotency_key_stays_within_its_statement_budget(client, kiosk_shop):
    """The kiosk confirms with an Idempotency-Key: its record (common.idempotency) is the one mechanism that
    keeps a retried confirmation from making a second order; the redemption spends nothing more on the key."""
    headers, body = kiosk_shop
    assert client.post("/api/v1/kiosk/orders", headers={**headers, "Idempotency-Key": "cart-0"},
                       json=body).status_code == 201
    with counting() as counter:
        response = client.post("/api/v1/kiosk/orders", headers={**headers, "Idempotency-Key": "cart-1"}, json=body)
    assert response.status_code == 201, response.get_json()
    assert_within_budget("redeem_with_key", counter)


def test_log_record_stays_within_its_statement_budget(client, village):
    first, second = village["residents"][:2]
    for resident in (first, second):  # a resident with a credit history (every resident in the benchmark has one)
        assert _log(client, village["worker"], resident, village["item"]).status_code == 201
    headers = staff_headers(village["worker"])
    body = {"resident_id": second.id, "item_id": village["item"].id, "occurred_at": iso(utcnow() - timedelta(days=1))}
    with counting() as counter:
        response = client.post("/api/v1/records", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    assert_within_budget("log_record", counter)


def test_code_refresh_stays_within_its_statement_budget(client, village):
    resident = village["residents"][0]
    headers = resident_headers(resident)
    assert client.post("/api/v1/me/dynamic-code", headers=headers).status_code in (200, 201)
    with counting() as counter:
        response = client.post("/api/v1/me/dynamic-code", headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    assert response.get_json()["token"]
    assert_within_budget("code_refresh", counter)


def test_sale_past_the_daily_cap_stays_within_its_statement_budget(client, district, community, make_merchant,
                                                                   make_staff, make_resident, login):
    """Past the day's cap (most sales of a busy shop) the sale earns nothing and says why without counting again."""
    ensure_merchant_items(district)
    merchant = make_merchant()
    staff = make_staff(merchant=merchant)
    cap = credit.district_policy(district.id).merchant_daily_cap
    residents = [make_resident(community, name="张三明") for _ in range(cap + 1)]
    for resident in residents:
        give_stars(resident, 4)
    headers = login(staff)
    codes = [dynamic_code(r) for r in residents]
    db.session.commit()
    for code in codes[:cap]:
        first = client.post("/api/v1/merchant/sales", headers=headers, json={"code": code, "bill_amount": 5000})
        assert first.get_json()["merchant_credit"]["awarded"] is True, first.get_json()
    with counting() as counter:
        response = client.post("/api/v1/merchant/sales", headers=headers, json={"code": codes[cap], "bill_amount": 8800})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["merchant_credit"]["reason_code"] == "daily_cap_reached"
    assert_within_budget("sale_over_cap", counter)


def test_check_in_scan_stays_within_its_statement_budget(vol, login):  # noqa: F811
    activity = vol.started()
    residents = [vol.resident() for _ in range(2)]
    start = vol.clock()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    for resident in residents:
        assert vol.post(f"/activities/{activity['id']}/sign-up", login(resident)).status_code == 200
    vol.clock.set(start)
    codes = [vol.code(r) for r in residents]
    vol.clock.advance(minutes=3)
    assert vol.check_in(activity["id"], codes[0]).get_json()["outcome"] == "checked_in"
    with counting() as counter:
        answer = vol.check_in(activity["id"], codes[1])
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "checked_in", answer.get_json()
    assert_within_budget("check_in", counter)


def test_approve_stays_within_its_statement_budget(client, village):
    records = [_log(client, village["worker"], r, village["item"]).get_json()["id"] for r in village["residents"][:2]]
    headers = staff_headers(village["reviewer"])
    assert client.post(f"/api/v1/records/{records[0]}/approve", json={}, headers=headers).status_code == 200
    with counting() as counter:
        response = client.post(f"/api/v1/records/{records[1]}/approve", json={"note": "核实无误"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert_within_budget("approve", counter)


def test_villages_report_stays_within_its_statement_budget(client, village):
    for resident in village["residents"]:
        assert _log(client, village["worker"], resident, village["item"]).status_code == 201
    headers, community_id = staff_headers(village["admin"]), village["community"].id
    assert client.get("/api/v1/reports/villages", headers=headers).status_code == 200
    with counting() as counter:
        response = client.get("/api/v1/reports/villages", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert [v["community_id"] for v in response.get_json()["villages"]] == [community_id]
    assert_within_budget("villages_report", counter)
