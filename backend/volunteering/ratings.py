"""Rating attendees: the organiser gives each one a quality factor of the policy
(0.8 / 1.0 / 1.2), at closing, at settlement or on its own."""
from ..audit.service import record_audit
from ..errors import ValidationFailed
from ..extensions import db
from .access import get_activity_for_staff, participation_of, require_state, with_counts
from .errors import NotCheckedIn
from .rules import RATABLE, quality_percent, quality_text, volunteer_settings


def _quality_percent(settings, value):
    percent = quality_percent(settings, value)
    if percent is None:
        allowed = ", ".join(quality_text(p) for p in settings.quality_percents)
        raise ValidationFailed(f"服务质量系数只能是 {allowed}。Quality must be one of {allowed}.",
                               code="invalid_quality",
                               errors={"quality": [f"One of {allowed}."]})
    return percent


def apply_ratings(principal, activity, ratings):
    """Store each rating on its participation (attendees only), audited in one entry."""
    settings = volunteer_settings(activity.district_id)
    changed = {}
    for rating in ratings:
        part = participation_of(activity, rating["participation_id"])
        if part.checked_in_at is None:
            raise NotCheckedIn(f"参与者 {part.id} 未到场，无需评价。Participant {part.id} did not attend; nothing to rate.",
                               errors={"participation_id": [str(part.id)]})
        part.quality_percent = _quality_percent(settings, rating["quality"])
        changed[str(part.id)] = part.quality_percent
    db.session.flush()
    if changed:
        record_audit(principal, "volunteering.rate", "volunteer_activity", activity.id, after=changed)


def rate_participants(principal, activity_id, ratings):
    """The organiser rates the quality of each attendee's service (0.8 / 1.0 / 1.2)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, RATABLE, "rate participants")
    apply_ratings(principal, activity, ratings)
    return with_counts([activity])[0]
