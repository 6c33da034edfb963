"""The credit part of ``flask jobs run`` (cron, every minute): idempotent, no long-running process.

* finalise records whose public notice ended without objection;
* expire points older than the policy's life, first in first out, into the
  district's ``expiry`` account. Each district remembers how far incoming
  transfers have been checked, so a run only looks at accounts that received
  points in the window that just crossed the cutoff.
"""
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from ..ledger import service as ledger
from ..ledger.models import Account
from ..org.models import District
from .models import CreditJobState
from .policy import district_policy
from .service import finalise_due

log = logging.getLogger(__name__)


def run(now):
    """One pass; returns counts for the command's output."""
    counts = {"finalised": finalise_due(now), "expired_accounts": 0, "expired_points": 0}
    for district_id in db.session.execute(select(District.id).order_by(District.id)).scalars():
        accounts, points = expire_points(district_id, now)
        counts["expired_accounts"] += accounts
        counts["expired_points"] += points
    return counts


def _state(district_id):
    """This district's job state, locked so two overlapping runs do not expire the same window."""
    if db.session.get(CreditJobState, district_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(CreditJobState(district_id=district_id, expiry_checked_until=None))
        except IntegrityError:
            pass
    return db.session.execute(
        select(CreditJobState).where(CreditJobState.district_id == district_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def expire_points(district_id, now):
    """Expire what became too old since the last run; returns (accounts touched, points expired)."""
    policy = district_policy(district_id, now)
    cutoff = now - timedelta(days=policy.points_life_days)
    state = _state(district_id)
    since = state.expiry_checked_until
    if since is not None and cutoff <= since:
        return 0, 0
    touched = expired = 0
    account_ids = ledger.accounts_receiving(district_id, "resident", since, cutoff)
    if account_ids:
        sink = ledger.ensure_account(district_id, "expiry", district_id)
        for account_id in account_ids:
            try:
                moved = ledger.expire(db.session.get(Account, account_id), sink, cutoff)
            except DomainError as error:  # never let one account stop the district's run
                log.warning("expiry of account %s skipped: %s", account_id, error.detail)
                continue
            if moved is not None:
                touched += 1
                expired += moved.amount
    state.expiry_checked_until = cutoff
    state.updated_at = now
    db.session.flush()
    return touched, expired
