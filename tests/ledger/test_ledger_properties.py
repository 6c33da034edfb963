"""Property-based tests of the ledger: whatever sequence of credits, debits, reversals and retried
idempotency keys happens, every balance equals the sum of its transfers, all accounts together
hold zero, and no resident balance is ever below zero."""
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.errors import Conflict
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.models import Account, Transfer

RESIDENTS = 3
_owner_ids = itertools.count(1000)

credit = st.tuples(st.just("credit"), st.integers(0, RESIDENTS - 1), st.integers(1, 50))
debit = st.tuples(st.just("debit"), st.integers(0, RESIDENTS - 1), st.integers(1, 60))
reverse = st.tuples(st.just("reverse"), st.integers(0, 40), st.booleans())
retry = st.tuples(st.just("retry"), st.integers(0, 40), st.integers(-3, 3))
operations = st.lists(st.one_of(credit, debit, reverse, retry), min_size=1, max_size=40)


def _accounts(district_id):
    base = next(_owner_ids) * 10
    fund = ledger.ensure_account(district_id, "community_fund", base)
    shop = ledger.ensure_account(district_id, "supermarket", base)
    residents = [ledger.ensure_account(district_id, "resident", base + n) for n in range(RESIDENTS)]
    return fund, shop, residents


def _assert_invariants(model):
    db.session.expire_all()
    assert ledger.check_balances() == []
    assert ledger.total_of_all_accounts() == 0
    balances = dict(db.session.execute(select(Account.id, Account.balance)).all())
    for account_id, expected in model.items():
        assert balances[account_id] == expected
    assert all(balance >= 0 for account_id, balance in balances.items()
               if not db.session.get(Account, account_id).allow_negative)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_sequences_keep_balances_equal_to_their_transfers(app, district, ops):
    fund, shop, residents = _accounts(district.id)
    model = {fund.id: 0, shop.id: 0, **{r.id: 0 for r in residents}}
    made = []  # (key, source, target, amount, kind, transfer)
    keys = itertools.count()
    try:
        for op in ops:
            if op[0] in ("credit", "debit"):
                _, who, amount = op
                source, target = (fund, residents[who]) if op[0] == "credit" else (residents[who], shop)
                key = f"op:{next(keys)}"
                if not source.allow_negative and model[source.id] < amount:
                    try:
                        ledger.transfer(source, target, amount, kind=op[0], key=key)
                    except ledger.InsufficientPoints:
                        continue
                    raise AssertionError("an overdraft was allowed")
                moved = ledger.transfer(source, target, amount, kind=op[0], key=key)
                model[source.id] -= amount
                model[target.id] += amount
                made.append((key, source, target, amount, op[0], moved))
            elif op[0] == "reverse" and made:
                key, source, target, amount, kind, original = made[op[1] % len(made)]
                already = db.session.execute(
                    select(Transfer).where(Transfer.reverses_id == original.id)).scalar_one_or_none()
                take = amount
                if op[2] and not target.allow_negative:
                    take = min(amount, model[target.id])
                if already is not None:
                    assert ledger.reverse(original, key=f"{key}:rev", partial=op[2]).id == already.id
                    continue
                if take <= 0:
                    assert ledger.reverse(original, key=f"{key}:rev", partial=op[2]) is None
                    continue
                if not op[2] and not target.allow_negative and model[target.id] < amount:
                    try:
                        ledger.reverse(original, key=f"{key}:rev")
                    except ledger.InsufficientPoints:
                        continue
                    raise AssertionError("a reversal overdrew an account")
                back = ledger.reverse(original, key=f"{key}:rev", partial=op[2])
                assert back.amount == take and back.reverses_id == original.id
                model[target.id] -= take
                model[source.id] += take
            elif op[0] == "retry" and made:
                key, source, target, amount, kind, original = made[op[1] % len(made)]
                if op[2] == 0:  # the same request again: the first transfer, nothing moves
                    assert ledger.transfer(source, target, amount, kind=kind, key=key).id == original.id
                else:  # the same key with another body is refused
                    other = amount + op[2] if amount + op[2] >= 1 else amount + abs(op[2])
                    try:
                        ledger.transfer(source, target, other, kind=kind, key=key)
                    except Conflict as error:
                        assert error.code == "idempotency_key_reused"
                    else:
                        raise AssertionError("a reused key moved points")
            _assert_invariants(model)
    finally:
        db.session.rollback()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.one_of(st.integers(max_value=0), st.floats(allow_nan=False), st.booleans(), st.text(max_size=3)))
def test_non_positive_or_non_integer_amounts_are_refused(app, district, amount):
    fund, _shop, residents = _accounts(district.id)
    try:
        try:
            ledger.transfer(fund, residents[0], amount, kind="credit", key="bad")
        except ledger.ValidationFailed as error:
            assert error.code == "invalid_amount"
        else:
            raise AssertionError(f"{amount!r} was accepted")
        assert db.session.execute(select(Transfer)).first() is None
    finally:
        db.session.rollback()
