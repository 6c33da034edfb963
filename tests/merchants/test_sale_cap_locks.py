"""A shop past today's credit cap on real PostgreSQL row locks: its sales (most sales of a busy shop's day)
neither lock nor wait for the shop's credit row, which a sale that still earns credit holds until it commits."""
from sqlalchemy import text

from backend.credit import service as credit
from backend.extensions import db
from tests.conftest import postgres_only
from tests.fixtures import post_from_another_process
from tests.merchants.factories import dynamic_code, give_stars


def _sell_in_thread(headers, code):
    return post_from_another_process("/api/v1/merchant/sales", headers, {"code": code, "bill_amount": 5000})


def _hold_shop_credit_row(merchant_id):
    """Another transaction holding the shop's credit row, as a sale that earns credit does until it commits."""
    connection = db.engine.connect()
    connection.execute(text("SELECT id FROM credit_subjects WHERE subject_type = 'merchant' AND merchant_id = :id "
                            "FOR UPDATE"), {"id": merchant_id})
    return connection


@postgres_only
def test_a_sale_past_the_daily_cap_does_not_wait_for_the_shops_credit_row(alliance, make_resident):
    cap = credit.district_policy(alliance.district.id).merchant_daily_cap
    residents = [make_resident(alliance.community, name="李四明") for _ in range(cap + 2)]
    for resident in residents:
        give_stars(resident, 4)
    codes = [dynamic_code(r) for r in residents]
    db.session.commit()
    for code in codes[:cap]:
        thread, result = _sell_in_thread(alliance.staff_headers, code)
        thread.join(timeout=20)
        assert result[0][1]["merchant_credit"]["awarded"] is True, result
    held = _hold_shop_credit_row(alliance.merchant.id)
    try:
        thread, result = _sell_in_thread(alliance.staff_headers, codes[cap])
        thread.join(timeout=10)
        finished_while_held = not thread.is_alive()
    finally:
        held.rollback()
        held.close()
        thread.join(timeout=20)
    assert finished_while_held, "a sale past the cap waited for the shop's credit row"
    status, body = result[0]
    assert status == 201 and body["merchant_credit"]["awarded"] is False
    assert body["merchant_credit"]["reason_code"] == "daily_cap_reached"
