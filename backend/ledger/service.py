"""The ledger: the only code that creates transfers or touches a balance.

A transfer moves a positive integer amount between two accounts. The two
balance updates and the transfer row are one unit of the request's
transaction (inside a savepoint when a replay can follow, see ``new_key``):

* the debit is a guarded ``UPDATE … WHERE balance >= amount`` (unless the
  account may go negative), so concurrent spends on several API processes
  can never take a resident below zero — PostgreSQL's row lock serialises
  them and the loser sees the new balance;
* the transfer's ``idempotency_key`` is unique, so a retried cause replays
  the first transfer instead of moving points again; a concurrent duplicate
  waits on the unique index, fails, and its savepoint undoes its updates.

Lock order, the same for every transfer so that none can deadlock another:
residents' accounts first, then the accounts many requests share (a shop's,
a merchant's, a fund), each group in id order. The shared account is the hot
row of a busy path, so it is also locked last; a caller may leave its credit
for ``settle()``, its last write before the commit (``credit_later``), and
the commit refuses to run while a credit is left unsettled.

Statements are SQLAlchemy Core on purpose: this is the hottest write path.
"""
from sqlalchemy import bindparam, case, event, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from ..common.pagination import paginate
from ..common.sql import attach_inserted
from ..common.time import utcnow
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from .models import Account, Transfer

FUND_KINDS = ("community_fund", "district_fund")
#: session.info key of the credits ``transfer(..., credit_later=True)`` left for ``settle()``
UNSETTLED = "ledger_unsettled_credits"


class UnsettledCredit(RuntimeError):
    """A commit was attempted with a transfer whose credit was never applied: a programming error."""


class InsufficientPoints(Conflict):
    code = "insufficient_points"
    title = "Not enough points"


def get_account(kind, owner_id):
    return db.session.execute(
        select(Account).where(Account.kind == kind, Account.owner_id == owner_id)
    ).scalar_one_or_none()


def ensure_account(district_id, kind, owner_id):
    """The account of ``(kind, owner_id)``, created on first use (race-safe)."""
    account = get_account(kind, owner_id)
    if account is not None:
        return account
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(Account).values(
                    district_id=district_id, kind=kind, owner_id=owner_id, balance=0,
                    allow_negative=kind in FUND_KINDS, created_at=utcnow(),
                )
            )
    except IntegrityError:
        pass
    return get_account(kind, owner_id)


def ensure_accounts(district_id, *owners):
    """The accounts of several ``(kind, owner_id)`` at once, in the order asked: one statement when they
    all exist (a redemption's resident and shop), each missing one created as ``ensure_account`` does."""
    # accounts this request holds already (a kiosk reads the resident's and the shop's with its session)
    # (loaded ones only: an expired account is read again below, with the others)
    found = {(obj.kind, obj.owner_id): obj for obj in list(db.session.identity_map.values())
             if isinstance(obj, Account) and {"kind", "owner_id", "balance"} <= obj.__dict__.keys()
             and (obj.kind, obj.owner_id) in owners}
    missing = [owner for owner in owners if owner not in found]
    if missing:
        rows = db.session.execute(
            select(Account).where(or_(*[(Account.kind == kind) & (Account.owner_id == owner)
                                        for kind, owner in missing]))
        ).scalars()
        found.update({(account.kind, account.owner_id): account for account in rows})
    return [found.get((kind, owner)) or ensure_account(district_id, kind, owner) for kind, owner in owners]


def balance_of(kind, owner_id):
    account = get_account(kind, owner_id)
    return account.balance if account is not None else 0


def _existing(key):
    return db.session.execute(select(Transfer).where(Transfer.idempotency_key == key)).scalar_one_or_none()


def _same(transfer, from_id, to_id, amount, kind):
    return (transfer.from_account_id, transfer.to_account_id, transfer.amount, transfer.kind) == (
        from_id, to_id, amount, kind,
    )


def _replay(found, from_id, to_id, amount, kind):
    if not _same(found, from_id, to_id, amount, kind):
        raise Conflict("This idempotency key was used for a different transfer.", code="idempotency_key_reused")
    return found


def transfer(source, target, amount, *, kind, key, ref_type=None, ref_id=None, actor=None, memo=None,
             reverses_id=None, new_key=False, credit_later=False):
    """Move ``amount`` points from ``source`` to ``target`` (``Account`` rows).

    Returns the ``Transfer``; a repeated ``key`` returns the first transfer.
    Raises ``InsufficientPoints`` if ``source`` may not go negative and holds less.

    ``new_key``: the caller built ``key`` from a row it inserted in this very
    transaction (``order:<new id>:pay``), so no transfer can carry it yet, and a
    failure ends the request: the look-up and the savepoint are skipped, and the
    unique index on the key stays the last line of defence. The balances come
    back from the ``UPDATE … RETURNING`` and the transfer from ``INSERT …
    RETURNING``: nothing is read again.

    ``credit_later`` (with ``new_key``): the debit and the transfer row are
    written now, the credit of ``target`` (a shop's account every kiosk of the
    shop pays into) waits for ``settle()``, which the caller runs as the last
    writes before its commit, so the hot row stays locked only for the commit.
    The transaction is all or nothing as before: a commit with the credit
    still unsettled raises ``UnsettledCredit``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed("A transfer amount is a positive whole number.", code="invalid_amount",
                               errors={"amount": ["Must be a positive integer."]})
    if source.id == target.id:
        raise ValidationFailed("A transfer needs two different accounts.", code="same_account")
    if credit_later and not new_key:
        raise ValueError("credit_later needs new_key: a replayed transfer has nothing left to credit")
    if new_key:
        balances, made = _move(source, target, amount, kind=kind, key=key, ref_type=ref_type, ref_id=ref_id,
                               actor=actor, memo=memo, reverses_id=reverses_id, credit_later=credit_later)
    else:
        found = _existing(key)
        if found is not None:
            return _replay(found, source.id, target.id, amount, kind)
        try:
            with db.session.begin_nested():
                balances, made = _move(source, target, amount, kind=kind, key=key, ref_type=ref_type,
                                       ref_id=ref_id, actor=actor, memo=memo, reverses_id=reverses_id)
        except IntegrityError:
            found = _existing(key)
            if found is None:
                raise
            return _replay(found, source.id, target.id, amount, kind)
    for account in (source, target):
        if account.id in balances:
            set_committed_value(account, "balance", balances[account.id])
    return made


def _lock_order(account):
    """Residents' accounts before the shared ones (shops, merchants, funds), then by id."""
    return (account.kind != "resident", account.id)


_accounts, _transfers = Account.__table__, Transfer.__table__
# the hot statements, built once (SQLAlchemy Core on the tables: a quarter of the ORM statement's Python)
#: a guarded debit: no row comes back when the account may not go negative and holds less
_DEBIT = (update(_accounts)
          .where(_accounts.c.id == bindparam("account_id"),
                 _accounts.c.allow_negative | (_accounts.c.balance >= bindparam("amount")))
          .values(balance=_accounts.c.balance - bindparam("amount")).returning(_accounts.c.balance))
_CREDIT = (update(_accounts).where(_accounts.c.id == bindparam("account_id"))
           .values(balance=_accounts.c.balance + bindparam("amount")).returning(_accounts.c.balance))
_INSERT_TRANSFER = insert(_transfers).returning(_transfers.c.id)


def _update_balance(account_id, delta):
    """The one balance writer: ``UPDATE … RETURNING balance``, guarded on a debit (None: not covered)."""
    stmt = _DEBIT if delta < 0 else _CREDIT
    return db.session.execute(stmt, {"account_id": account_id, "amount": abs(delta)}).scalar_one_or_none()


def _move(source, target, amount, *, kind, key, ref_type, ref_id, actor, memo, reverses_id, credit_later=False):
    """The guarded debit, the credit and the transfer row: ({account id: new balance}, transfer).

    With ``credit_later`` the credit is left for ``settle()`` (and missing from the balances returned)."""
    balances = {}
    moves = [(source, -amount)] if credit_later else [(source, -amount), (target, amount)]
    for account, delta in sorted(moves, key=lambda move: _lock_order(move[0])):
        balance = _update_balance(account.id, delta)
        if balance is None:
            raise InsufficientPoints(f"The balance does not cover {amount} points.")
        balances[account.id] = balance
    values = dict(
        district_id=source.district_id, from_account_id=source.id, to_account_id=target.id,
        amount=amount, kind=kind, ref_type=ref_type, ref_id=None if ref_id is None else str(ref_id),
        idempotency_key=key, reverses_id=reverses_id, actor=actor, memo=memo, created_at=utcnow(),
    )
    # the row as inserted becomes the session's object (no read back, no unit of work)
    made = attach_inserted(Transfer(id=db.session.execute(_INSERT_TRANSFER, values).scalar_one(), **values))
    if credit_later:
        unsettled = db.session.info.setdefault(UNSETTLED, {})
        held, owed = unsettled.get(target.id, (target, 0))
        unsettled[target.id] = (held, owed + amount)
    return balances, made


def settle():
    """Apply the credits ``transfer(..., credit_later=True)`` left, one ``UPDATE`` per account (in the lock
    order): the caller's last writes before its commit. Nothing to do: no statement."""
    unsettled = db.session.info.pop(UNSETTLED, None)
    if not unsettled:
        return
    for account_id, (account, owed) in sorted(unsettled.items(), key=lambda pair: _lock_order(pair[1][0])):
        set_committed_value(account, "balance", _update_balance(account_id, owed))


@event.listens_for(Session, "before_commit")
def _refuse_unsettled(session):
    if session.info.get(UNSETTLED):
        raise UnsettledCredit("a transfer's credit was left for ledger.settle() and never settled")


@event.listens_for(Session, "after_transaction_end")
def _forget_unsettled(session, transaction):
    if transaction.parent is None:  # the request's transaction (not a savepoint) ended: rolled back with it
        session.info.pop(UNSETTLED, None)


def reverse(original, *, key, actor=None, memo=None, kind="reversal", partial=False):
    """A new transfer that undoes ``original`` (once: ``reverses_id`` is unique).

    With ``partial`` the reversal takes at most what the receiving account
    still holds (points already spent cannot be taken back below zero) and
    returns ``None`` when there is nothing to take.
    """
    already = db.session.execute(select(Transfer).where(Transfer.reverses_id == original.id)).scalar_one_or_none()
    if already is not None:
        return already
    source = db.session.get(Account, original.to_account_id)
    target = db.session.get(Account, original.from_account_id)
    amount = original.amount
    if partial and not source.allow_negative:
        db.session.refresh(source, ["balance"])
        amount = min(amount, source.balance)
        if amount <= 0:
            return None
    return transfer(source, target, amount, kind=kind, key=key, ref_type="transfer", ref_id=original.id,
                    actor=actor, memo=memo, reverses_id=original.id)


def get_by_key(key):
    """The transfer made under idempotency ``key``, or None."""
    return _existing(key)


def history(account, page):
    """Transfers in and out of ``account``, newest first, with the signed amount."""
    signed = case((Transfer.to_account_id == account.id, Transfer.amount), else_=-Transfer.amount)
    stmt = (
        select(Transfer, signed.label("delta"))
        .where((Transfer.from_account_id == account.id) | (Transfer.to_account_id == account.id))
        .order_by(Transfer.id.desc())
    )
    return paginate(stmt, page, scalars=False)


def check_balances():
    """Recompute every balance from transfers; returns the accounts that differ."""
    incoming = (
        select(Transfer.to_account_id.label("account_id"), func.sum(Transfer.amount).label("total"))
        .group_by(Transfer.to_account_id).subquery()
    )
    outgoing = (
        select(Transfer.from_account_id.label("account_id"), func.sum(Transfer.amount).label("total"))
        .group_by(Transfer.from_account_id).subquery()
    )
    expected = func.coalesce(incoming.c.total, 0) - func.coalesce(outgoing.c.total, 0)
    rows = db.session.execute(
        select(Account.id, Account.kind, Account.owner_id, Account.balance, expected.label("expected"))
        .outerjoin(incoming, incoming.c.account_id == Account.id)
        .outerjoin(outgoing, outgoing.c.account_id == Account.id)
        .where(Account.balance != expected)
    ).all()
    return [row._asdict() for row in rows]


def total_of_all_accounts():
    return db.session.execute(select(func.coalesce(func.sum(Account.balance), 0))).scalar_one()


def account_history(account, page):
    """One page of an account's movements, newest first, as plain dicts with the signed ``delta``
    and the kind of account on the other side (``community_fund``, ``supermarket``, ``expiry`` …)."""
    other = aliased(Account)
    incoming = Transfer.to_account_id == account.id
    signed = case((incoming, Transfer.amount), else_=-Transfer.amount)
    other_id = case((incoming, Transfer.from_account_id), else_=Transfer.to_account_id)
    stmt = (
        select(Transfer, signed.label("delta"), other.kind.label("counterparty_kind"))
        .join(other, other.id == other_id)
        .where((Transfer.from_account_id == account.id) | incoming)
        .order_by(Transfer.id.desc())
    )
    result = paginate(stmt, page, scalars=False)
    result["items"] = [
        {"id": t.id, "delta": int(delta), "kind": t.kind, "counterparty_kind": counterparty, "ref_type": t.ref_type,
         "ref_id": t.ref_id, "memo": t.memo, "reverses_id": t.reverses_id, "created_at": t.created_at}
        for t, delta, counterparty in result["items"]
    ]
    return result


# --- expiry: first in, first out ----------------------------------------------------------


def accounts_receiving(district_id, kind, since, until):
    """Ids of ``kind`` accounts of the district with an incoming transfer created in (since, until]."""
    stmt = (
        select(Transfer.to_account_id).distinct()
        .join(Account, Account.id == Transfer.to_account_id)
        .where(Account.district_id == district_id, Account.kind == kind, Transfer.created_at <= until)
    )
    if since is not None:
        stmt = stmt.where(Transfer.created_at > since)
    return list(db.session.execute(stmt).scalars())


def expirable_amount(account_id, cutoff):
    """Points received up to ``cutoff`` that no later debit has used (debits use the oldest first).

    Returns ``(amount, debited)`` where ``debited`` is everything ever taken out of the account.
    """
    received = db.session.execute(
        select(func.coalesce(func.sum(Transfer.amount), 0))
        .where(Transfer.to_account_id == account_id, Transfer.created_at <= cutoff)
    ).scalar_one()
    debited = db.session.execute(
        select(func.coalesce(func.sum(Transfer.amount), 0)).where(Transfer.from_account_id == account_id)
    ).scalar_one()
    return max(0, int(received) - int(debited)), int(debited)


def expire(account, expiry_account, cutoff, *, actor="system"):
    """Move what is older than ``cutoff`` and unspent to ``expiry_account``; None if nothing is due.

    The key names the account's debit total before the move, so a rerun over
    the same state replays instead of expiring twice.
    """
    for attempt in range(3):
        amount, debited = expirable_amount(account.id, cutoff)
        if amount <= 0:
            return None
        try:
            return transfer(account, expiry_account, amount, kind="expiry", key=f"expiry:{account.id}:{debited}",
                            ref_type="account", ref_id=account.id, actor=actor,
                            memo="points older than the policy allows")
        except InsufficientPoints:  # a spend committed between the sums and the move: count again
            if attempt == 2:
                raise
    return None


def get_transfer(transfer_id):
    found = db.session.get(Transfer, transfer_id)
    if found is None:
        raise NotFound("No such transfer.")
    return found
