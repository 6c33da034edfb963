"""Settlement: a closed activity's attendance becomes pending credit records,
one per attendee, for a different reviewer to approve."""
from sqlalchemy import select

from ..audit.service import record_audit
from ..common.time import utcnow
from ..credit import service as credit
from ..errors import Forbidden
from ..extensions import db
from ..ledger import points as ledger_points
from .access import WRITE_ROLES, get_activity_for_staff, require_state, transition, with_counts
from .models import VolunteerActivity, VolunteerParticipation
from .ratings import apply_ratings
from .rules import credited_minutes, points_for, quality_text, volunteer_settings


def settle_activity(principal, activity_id, ratings=None):
    """Turn a closed activity's attendance into pending credit records.

    Minutes are rounded by policy and capped at the activity's length; points
    are hours × points per hour × quality. Each record is logged in the
    settler's name, so a different reviewer must approve it, and carries the
    source reference ``activity:<id>:resident:<id>``, so settling again —
    here or after a crash — finds the records instead of making new ones.
    """
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    if activity.status == "settled":
        return with_counts([activity])[0]
    require_state(activity, ("closed",), "settle")
    outside = [cid for cid in activity.community_ids if not principal.can(cid, *WRITE_ROLES)]
    if outside:
        # the records are logged in the settler's name, for residents of every community of the activity
        raise Forbidden("只有本活动所有社区的信用采集员才能结算。"
                        "Only a worker of every community of the activity can settle it.", code="out_of_scope",
                        errors={"community_ids": [f"Not yours: {outside}."]})
    if ratings:
        apply_ratings(principal, activity, ratings)
    settings = volunteer_settings(activity.district_id)
    attendees = db.session.execute(
        select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity.id,
            VolunteerParticipation.status == "confirmed",
            VolunteerParticipation.checked_in_at.is_not(None),
        ).order_by(VolunteerParticipation.id)
    ).scalars().all()
    now = utcnow()
    created = 0
    for part in attendees:
        minutes = credited_minutes(part.checked_in_at, part.checked_out_at or activity.ends_at,
                                   activity.length_minutes, settings)
        part.quality_percent = part.quality_percent or settings.default_quality_percent
        part.credited_minutes = minutes
        part.points = points_for(minutes, activity.points_per_hour, part.quality_percent)
        part.settled_at = now
        if part.points > 0:
            record = credit.create_record(
                principal, part.resident_id, activity.item_id, part.checked_out_at or activity.ends_at,
                note=f"{activity.title_zh} / {activity.title_en}: {minutes} min × {activity.points_per_hour}/h "
                     f"× {quality_text(part.quality_percent)}",
                points=part.points, source_ref=f"activity:{activity.id}:resident:{part.resident_id}",
            )
            created += part.credit_record_id is None
            part.credit_record_id = record.id
    db.session.flush()
    transition(principal, activity, "settled", "settle", settled_at=now, settled_by=principal.id)
    record_audit(principal, "volunteering.settlement", "volunteer_activity", activity.id,
                 after={"attendees": len(attendees), "records": created,
                        "points": sum(p.points or 0 for p in attendees)})
    return with_counts([activity])[0]


def activity_titles(record_ids):
    """{credit record id: (activity title zh, en)} of records a settlement logged: a points history line
    then says which activity the hours were for, after the rule's title."""
    rows = db.session.execute(
        select(VolunteerParticipation.credit_record_id, VolunteerActivity.title_zh, VolunteerActivity.title_en)
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerParticipation.activity_id)
        .where(VolunteerParticipation.credit_record_id.in_(record_ids))
    ).all()
    return {record_id: (zh, en or zh) for record_id, zh, en in rows}


# after the rule's title (rank 1): the ledger asks, it imports nothing of volunteering
ledger_points.register_purpose("credit_record", activity_titles, rank=1)
