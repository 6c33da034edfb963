"""Password guessing, stopped per sign-in name (staff login, resident login, the public rating form).

``LOGIN_MAX_FAILURES`` wrong passwords in a row lock the name for
``LOGIN_LOCK_MINUTES``; every further wrong password after a lock doubles
the lock, up to ``LOGIN_LOCK_MAX_MINUTES``. While locked even the right
password is refused (without being checked). The count lives in
``login_throttles`` and the row is locked for the whole sign-in (``FOR
UPDATE`` on PostgreSQL; SQLite's write lock does the same), so parallel
guesses on several processes queue behind each other and every one counts.
Failed tries are committed although the request fails (``commit=True``), as
the kiosk PIN's are.
"""
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..common.time import utcnow
from ..errors import Locked
from ..extensions import db
from .models import LoginThrottle

#: wrong passwords older than this are forgotten
FORGET_AFTER = timedelta(hours=24)
KEY_LENGTH = LoginThrottle.__table__.c.key.type.length


class AccountLocked(Locked):
    status = 423
    code = "account_locked"
    title = "Account locked"

    def __init__(self, locked_until, now):
        seconds = max(1, math.ceil((locked_until - now).total_seconds()))
        minutes = math.ceil(seconds / 60)
        super().__init__(
            f"Too many wrong passwords for this account; try again in {minutes} minute"
            f"{'' if minutes == 1 else 's'}.",
            errors={"locked_until": [locked_until.replace(microsecond=0).isoformat() + "Z"]},
        )
        #: for a translated message: the whole minutes to wait, rounded up
        self.minutes = minutes
        self.retry_after = seconds
        self.headers = {"Retry-After": str(seconds)}


def throttle_key(kind, name):
    """``user:<username>`` or ``resident:<phone>``, cut to the column's length."""
    return f"{kind}:{(name or '').strip()}"[:KEY_LENGTH]


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def guard(key):
    """Hold this name's counter for the rest of the request; refuse while it is locked."""
    stmt = _insert()(LoginThrottle).values(key=key, failed_count=0).on_conflict_do_nothing(index_elements=["key"])
    for _ in range(3):
        db.session.execute(stmt)
        row = db.session.execute(
            select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is not None:  # else a parallel sign-in succeeded and deleted it meanwhile: take a new one
            break
    else:  # pragma: no cover - three successful sign-ins in between
        raise RuntimeError("login throttle row keeps vanishing")
    now = utcnow()
    if row.locked_until is not None and row.locked_until > now:
        raise AccountLocked(row.locked_until, now)
    return row


def succeed(row):
    """The right password: forget the failures."""
    db.session.delete(row)
    db.session.flush()


def fail(row, error):
    """Count a wrong password, lock the name when it is one too many, and raise (committing the count)."""
    config = current_app.config
    now = utcnow()
    if row.last_failed_at is not None and row.last_failed_at < now - FORGET_AFTER:
        row.failed_count = 0
    row.failed_count += 1
    row.last_failed_at = now
    over = row.failed_count - config["LOGIN_MAX_FAILURES"]
    if over >= 0:
        cap = config["LOGIN_LOCK_MAX_MINUTES"]
        minutes = min(config["LOGIN_LOCK_MINUTES"] * 2 ** min(over, 20), cap)
        row.locked_until = now + timedelta(minutes=minutes)
        db.session.flush()
        locked = AccountLocked(row.locked_until, now)
        locked.commit = True
        raise locked
    db.session.flush()
    error.commit = True
    raise error
