"""District credit policy: versioned (a change is a new version from ``effective_from``).

Until a district saves its first version the built-in defaults below apply
(version 0). ``district_policy(district_id, at)`` answers which version was in
force at a moment, so a past star level can always be explained.
"""
import time

from sqlalchemy import event, func, select
from sqlalchemy.orm import object_session

from ..audit.service import record_audit
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from .models import CreditPolicy

DEFAULTS = {
    "base_score": 100,
    # 1★ ≥ 60, 2★ ≥ 90 (a newcomer at 100 holds 2★), 3★ ≥ 110, 4★ ≥ 130, 5★ ≥ 160
    "star_thresholds": [60, 90, 110, 130, 160],
    "notice_days": 7,
    "objection_deadline_days": 15,
    "repair_wait_days": 90,
    "repair_volunteer_hours": 0,
    "points_life_days": 730,
    "negatives_take_points": False,
    "discount_bounds": {3: (5, 10), 4: (8, 15), 5: (15, 20)},
    "merchant_level_thresholds": {"A": 130, "B": 110, "C": 90, "D": 70},
    "merchant_points_per_sale": 1,
    "merchant_daily_cap": 5,
}
FIELDS = list(DEFAULTS)
MERCHANT_LEVELS = ("A", "B", "C", "D")


def _default(district_id):
    policy = CreditPolicy(district_id=district_id, version=0, effective_from=None, note="built-in defaults",
                          created_by="system")
    for name, value in DEFAULTS.items():
        setattr(policy, name, value)
    return policy


#: seconds a process keeps a district's policy versions before it asks the database again
CACHE_SECONDS = 5.0
_cached = {}  # district id -> (monotonic time loaded, [versions, newest first])


def district_policy(district_id, at=None):
    """The policy version in force at ``at`` (default now); the built-in defaults if none was saved.

    Every request on a hot path needs it, and versions never change once saved
    (a change is a new version), so each process keeps a district's versions for
    ``CACHE_SECONDS``: a new version reaches other processes within that time.
    A session that has just written a version reads from the database.
    """
    at = at or utcnow()
    for policy in _versions(district_id):
        if policy.effective_from <= at:
            return policy
    return _default(district_id)


def _versions(district_id):
    if db.session.info.get("policy_written"):
        return _load_versions(district_id)
    hit = _cached.get(district_id)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    versions = _load_versions(district_id)
    _cached[district_id] = (time.monotonic(), versions)
    return versions


def _load_versions(district_id):
    """Detached copies: safe to share between requests, never flushed back."""
    rows = db.session.execute(
        select(CreditPolicy).where(CreditPolicy.district_id == district_id, CreditPolicy.effective_from.is_not(None))
        .order_by(CreditPolicy.effective_from.desc(), CreditPolicy.version.desc())
    ).scalars().all()
    columns = [c.key for c in CreditPolicy.__mapper__.column_attrs]
    return [CreditPolicy(**{key: getattr(row, key) for key in columns}) for row in rows]


def forget_cached_policies():
    _cached.clear()


@event.listens_for(CreditPolicy, "after_insert")
@event.listens_for(CreditPolicy, "after_update")
@event.listens_for(CreditPolicy, "after_delete")
def _policy_written(_mapper, _connection, target):
    _cached.pop(target.district_id, None)
    session = object_session(target)
    if session is not None:
        session.info["policy_written"] = True


def stars_for(score, policy):
    """0 to 5 stars: the number of thresholds the score reaches."""
    return sum(1 for threshold in policy.star_thresholds if score >= threshold)


def next_star(score, policy):
    """(next star level, score still needed) or (None, None) at the top."""
    stars = stars_for(score, policy)
    if stars >= len(policy.star_thresholds):
        return None, None
    return stars + 1, policy.star_thresholds[stars] - score


def merchant_level_for(score, policy):
    """'A' … 'E' from the merchant thresholds (E below D)."""
    thresholds = policy.merchant_level_thresholds
    for level in MERCHANT_LEVELS:
        if score >= thresholds[level]:
            return level
    return "E"


def list_policy_versions(principal, page):
    stmt = (
        select(CreditPolicy)
        .where(CreditPolicy.district_id == principal.district_id)
        .order_by(CreditPolicy.version.desc())
    )
    return paginate(stmt, page)


def _validate(data):
    errors = {}
    thresholds = data["star_thresholds"]
    if len(thresholds) != 5 or any(b <= a for a, b in zip(thresholds, thresholds[1:])):
        errors["star_thresholds"] = ["Five minimum scores for 1 to 5 stars, strictly increasing."]
    bounds = data["discount_bounds"]
    for stars, pair in bounds.items():
        if stars not in (1, 2, 3, 4, 5) or len(pair) != 2 or not (0 <= pair[0] <= pair[1] <= 100):
            errors.setdefault("discount_bounds", []).append(
                f"Star {stars}: min and max percent with 0 <= min <= max <= 100.")
    levels = data["merchant_level_thresholds"]
    if set(levels) != set(MERCHANT_LEVELS) or any(
        levels[b] >= levels[a] for a, b in zip(MERCHANT_LEVELS, MERCHANT_LEVELS[1:])
    ):
        errors["merchant_level_thresholds"] = ["Scores for A, B, C and D, each lower than the one before."]
    if errors:
        raise ValidationFailed("The policy is not consistent.", code="invalid_policy", errors=errors)


def update_policy(principal, data):
    """Save a new version (from ``effective_from``, default now); fields not given keep their value."""
    now = utcnow()
    effective_from = data.pop("effective_from", None) or now
    if effective_from < now.replace(second=0, microsecond=0):
        raise ValidationFailed("A policy change cannot take effect in the past.", code="effective_in_past",
                               errors={"effective_from": ["Must be now or later."]})
    current = district_policy(principal.district_id, effective_from)
    merged = {name: data.get(name, getattr(current, name)) for name in FIELDS}
    merged["discount_bounds"] = {int(k): tuple(v) for k, v in merged["discount_bounds"].items()}
    _validate(merged)
    latest = db.session.execute(
        select(func.max(CreditPolicy.version)).where(CreditPolicy.district_id == principal.district_id)
    ).scalar() or 0
    policy = CreditPolicy(district_id=principal.district_id, version=latest + 1, effective_from=effective_from,
                          note=data.get("note"), created_by=principal.ref)
    for name, value in merged.items():
        setattr(policy, name, value)
    db.session.add(policy)
    db.session.flush()
    before = {name: _plain(getattr(current, name)) for name in FIELDS}
    after = {name: _plain(getattr(policy, name)) for name in FIELDS}
    record_audit(principal, "credit_policy.update", "credit_policy", policy.id, before=before, after=after,
                 reason=data.get("note"))
    return policy


def _plain(value):
    if isinstance(value, dict):
        return {str(k): list(v) if isinstance(v, tuple) else v for k, v in value.items()}
    return value
