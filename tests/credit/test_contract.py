"""The functions other domains call (volunteering, merchants, supermarket): their contract."""
from datetime import timedelta

import pytest

from backend.common.time import utcnow
from backend.credit import service
from backend.credit.models import CreditEntry, CreditRecord
from backend.credit.policy import district_policy
from backend.credit.scoring import check_scores
from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.ledger.service import balance_of, check_balances
from tests.credit.conftest import principal_of


@pytest.fixture
def merchant_items(make_item):
    return {
        "discount": make_item("merchant_discount_given", 1, subject_type="merchant", category="honesty"),
        "good": make_item("merchant_good_rating", 1, subject_type="merchant", cap=(2, "day"), category="business"),
        "bad": make_item("merchant_bad_rating", -2, subject_type="merchant", severity="minor", category="business"),
    }


def test_resident_standing_has_the_agreed_keys(village):
    assert service.resident_standing(village.alice.id) == {
        "score": 100, "stars": 2, "points": 0, "next_star": 3, "score_to_next_star": 10}


def test_create_record_with_variable_points_and_source_ref_is_idempotent(village, make_item):
    item = make_item("volunteer_service", 2, variable=True)
    worker = principal_of(village.worker)
    first = service.create_record(worker, village.alice.id, item.id, utcnow() - timedelta(hours=3), "敬老院服务 3 小时",
                                  points=9, source_ref="activity:12:resident:1")
    again = service.create_record(worker, village.alice.id, item.id, utcnow() - timedelta(hours=3),
                                  points=9, source_ref="activity:12:resident:1")
    db.session.commit()
    assert again.id == first.id and first.points == 9 and first.status == "pending"
    assert db.session.query(CreditRecord).count() == 1
    system = service.create_record("system", village.bob.id, item.id, utcnow(), points=4,
                                   source_ref="activity:12:resident:2")
    assert system.logged_by == "system" and system.logged_by_user_id is None


def test_record_system_credit_is_final_at_once_capped_and_idempotent(village, make_merchant, merchant_items,
                                                                     auth, client):
    merchant = make_merchant()
    client.put("/api/v1/policy", json={"merchant_daily_cap": 2, "merchant_points_per_sale": 3},
               headers=auth(village.admin))
    made = [service.record_system_credit(district_id=merchant.district_id, subject_type="merchant",
                                         subject_id=merchant.id, item_code="merchant_discount_given",
                                         source_ref=f"sale:{n}") for n in range(3)]
    db.session.commit()
    assert [r is not None for r in made] == [True, True, False]
    assert {r.status for r in made[:2]} == {"final"} and made[0].points == 3
    assert service.record_system_credit(district_id=merchant.district_id, subject_type="merchant",
                                        subject_id=merchant.id, item_code="merchant_discount_given",
                                        source_ref="sale:0").id == made[0].id
    assert service.subject_score("merchant", merchant.id) == {"subject_type": "merchant", "subject_id": merchant.id,
                                                              "score": 106, "level": "C"}
    # another day is not capped
    tomorrow = service.record_system_credit(district_id=merchant.district_id, subject_type="merchant",
                                            subject_id=merchant.id, item_code="merchant_discount_given",
                                            source_ref="sale:9", occurred_at=utcnow() - timedelta(days=1))
    assert tomorrow is not None
    assert balance_of("merchant", merchant.id) == 0  # merchants earn score, not points
    assert check_scores() == [] and check_balances() == []


def test_void_system_credit_reverses_with_new_entries_and_is_idempotent(village, make_merchant, merchant_items):
    merchant = make_merchant()
    record = service.record_system_credit(district_id=merchant.district_id, subject_type="merchant",
                                          subject_id=merchant.id, item_code="merchant_good_rating",
                                          source_ref="rating:1")
    assert service.subject_score("merchant", merchant.id)["score"] == 101
    service.void_system_credit("rating:1", actor="merchant-service", reason="评价被撤回")
    service.void_system_credit("rating:1", actor="merchant-service", reason="评价被撤回")
    service.void_system_credit("rating:404", actor="merchant-service", reason="nothing")  # no-op
    db.session.commit()
    assert service.subject_score("merchant", merchant.id)["score"] == 100
    assert db.session.get(CreditRecord, record.id).status == "voided"
    assert [(e.kind, e.delta) for e in db.session.query(CreditEntry).order_by(CreditEntry.id)] == [
        ("final", 1), ("void", -1)]
    assert check_scores() == []


def test_system_credit_for_a_resident_gives_points_and_void_takes_back_what_is_left(village, make_item, make_staff):
    make_item("checkpoint_duty", 10, cap=(5, "month"))
    record = service.record_system_credit(district_id=village.alice.district_id, subject_type="resident",
                                          subject_id=village.alice.id, item_code="checkpoint_duty",
                                          source_ref="shift:1")
    assert record.community_id == village.alice.community_id
    assert service.resident_standing(village.alice.id)["points"] == 10
    from backend.ledger import service as ledger

    account = ledger.get_account("resident", village.alice.id)
    shop = ledger.ensure_account(village.alice.district_id, "supermarket", 1)
    ledger.transfer(account, shop, 7, kind="redemption", key="order:1")  # she spent 7 already
    service.void_system_credit("shift:1", actor="system", reason="班次取消")
    db.session.commit()
    assert service.resident_standing(village.alice.id) == {**service.resident_standing(village.alice.id),
                                                           "score": 100, "points": 0}
    assert check_balances() == [] and check_scores() == []


def test_merchant_levels_follow_policy_thresholds(village, make_merchant, merchant_items):
    merchant = make_merchant()
    for n in range(6):
        service.record_system_credit(district_id=merchant.district_id, subject_type="merchant", subject_id=merchant.id,
                                     item_code="merchant_bad_rating", source_ref=f"bad:{n}")
    db.session.commit()
    assert service.subject_score("merchant", merchant.id) == {**service.subject_score("merchant", merchant.id),
                                                              "score": 88, "level": "D"}
    assert service.subject_score("resident", village.alice.id)["stars"] == 2


def test_district_policy_defaults_and_discount_bounds_by_star(village):
    policy = service.district_policy(village.alice.district_id)
    assert policy.version == 0 and policy.base_score == 100 and policy.notice_days == 7
    assert policy.discount_bounds == {3: (5, 10), 4: (8, 15), 5: (15, 20)}
    assert policy.discount_range(4) == (8, 15) and policy.discount_range(2) is None
    assert policy.merchant_level_thresholds == {"A": 130, "B": 110, "C": 90, "D": 70}
    assert district_policy(village.alice.district_id, utcnow() - timedelta(days=3000)).version == 0


def test_bad_calls_raise_clear_errors(village, make_merchant, merchant_items):
    merchant = make_merchant()
    with pytest.raises(ValidationFailed) as unknown:
        service.record_system_credit(district_id=merchant.district_id, subject_type="merchant",
                                     subject_id=merchant.id, item_code="no_such_item", source_ref="x:1")
    assert unknown.value.code == "unknown_item"
    with pytest.raises(NotFound):
        service.record_system_credit(district_id=merchant.district_id, subject_type="merchant", subject_id=99999,
                                     item_code="merchant_good_rating", source_ref="x:2")
    with pytest.raises(NotFound):
        service.resident_standing(99999)
