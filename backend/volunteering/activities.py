"""Activities: planning, publishing, changing and the lifecycle
(draft → open → running → closed → settled, or cancelled), and the lists staff see."""
from sqlalchemy import select

from ..audit.service import record_audit, summarize
from ..common.pagination import paginate
from ..common.time import utcnow
from ..credit import catalogue
from ..credit.periods import local_date
from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..org.models import Community
from .access import (READ_ROLES, WRITE_ROLES, confirmed_count, get_activity_for_staff, require_state, transition,
                     with_counts)
from .attendance import close_forgotten_checkouts
from .errors import OutsideActivityTime, WrongActivityState
from .models import VolunteerActivity, VolunteerActivityCommunity
from .ratings import apply_ratings
from .rules import CANCELLABLE, EDITABLE, activity_time_errors, in_check_in_window
from .signup import promote_waiting

AUDITED = ["item_id", "title_zh", "title_en", "place", "starts_at", "ends_at", "capacity", "points_per_hour",
           "min_age", "status", "community_ids"]


def _volunteering_item(district_id, item_id, community_ids, starts_at):
    """The catalogue item an activity credits: usable in each of its communities, of category
    ``volunteering`` and with points computed per record (422 otherwise)."""
    item = None
    for community_id in community_ids:
        item = catalogue.item_for_community(item_id, district_id, db.session.get(Community, community_id))
    version = catalogue.version_in_force(item, local_date(starts_at)) if item else None
    if version is None or version.category != "volunteering" or not version.active:
        raise ValidationFailed("请选择有效的志愿服务类评价项目。Choose an active catalogue item of category volunteering.",
                               code="not_volunteering_item",
                               errors={"item_id": ["Not an active volunteering item on the activity's date."]})
    if not version.variable_points or version.points <= 0:
        raise ValidationFailed("该项目分值固定，志愿服务需按时长计分的项目。"
                               "This item gives fixed points; volunteering needs an item whose points are "
                               "computed from hours.", code="not_volunteering_item",
                               errors={"item_id": ["Not a variable-points item."]})
    return item


def _summary(activity):
    out = summarize(activity, [name for name in AUDITED if name != "community_ids"])
    out["community_ids"] = activity.community_ids
    return out

def _check_communities(principal, community_ids):
    ids = sorted(set(community_ids))
    found = set(db.session.execute(
        select(Community.id).where(Community.id.in_(ids), Community.district_id == principal.district_id)
    ).scalars())
    if found != set(ids):
        raise ValidationFailed(errors={"community_ids": [f"Unknown communities: {sorted(set(ids) - found)}."]})
    outside = [cid for cid in ids if not principal.can(cid, *WRITE_ROLES)]
    if outside:
        raise Forbidden("只能为本人负责的社区组织活动。You can only organise activities for your own communities.",
                        code="out_of_scope",
                        errors={"community_ids": [f"Not yours: {outside}."]})
    return ids


def _check_times(starts_at, ends_at):
    errors = activity_time_errors(starts_at, ends_at, utcnow())
    if errors:
        raise ValidationFailed(errors=errors)


def create_activity(principal, data):
    """A worker plans an activity (a draft) for one or more of their communities."""
    community_ids = _check_communities(principal, data["community_ids"])
    _check_times(data["starts_at"], data["ends_at"])
    _volunteering_item(principal.district_id, data["item_id"], community_ids, data["starts_at"])
    activity = VolunteerActivity(
        district_id=principal.district_id, organiser_id=principal.id, status="draft",
        **{k: data.get(k) for k in ("item_id", "title_zh", "title_en", "place", "description", "starts_at",
                                    "ends_at", "capacity", "points_per_hour", "min_age")},
    )
    activity.communities = [VolunteerActivityCommunity(community_id=cid) for cid in community_ids]
    db.session.add(activity)
    db.session.flush()
    record_audit(principal, "volunteering.activity_create", "volunteer_activity", activity.id,
                 after=_summary(activity))
    return with_counts([activity])[0]


def update_activity(principal, activity_id, data):
    """Change a draft or an open activity; more places move the waiting list up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, EDITABLE, "change the activity")
    before = _summary(activity)
    if "community_ids" in data:
        if activity.status != "draft":
            raise WrongActivityState("活动发布后不能再更改面向的社区。"
                                     "The communities can only change while the activity is a draft.",
                                     errors={"community_ids": ["Fixed once open."]})
        ids = _check_communities(principal, data["community_ids"])
        activity.communities = [link for link in activity.communities if link.community_id in ids] + [
            VolunteerActivityCommunity(community_id=cid) for cid in ids if cid not in activity.community_ids
        ]
    if "starts_at" in data or "ends_at" in data:
        _check_times(data.get("starts_at", activity.starts_at), data.get("ends_at", activity.ends_at))
    if {"item_id", "community_ids", "starts_at"} & set(data):
        _volunteering_item(activity.district_id, data.get("item_id", activity.item_id), activity.community_ids,
                           data.get("starts_at", activity.starts_at))
    if "capacity" in data:
        confirmed = confirmed_count(activity.id)
        if data["capacity"] < confirmed:
            raise Conflict(f"已有 {confirmed} 人报名成功，名额不能少于此数。"
                           f"{confirmed} people already have a place; withdraw some first.",
                           code="capacity_below_confirmed", errors={"capacity": [f"At least {confirmed}."]})
    for name in ("item_id", "title_zh", "title_en", "place", "description", "starts_at", "ends_at", "capacity",
                 "points_per_hour", "min_age"):
        if name in data:
            setattr(activity, name, data[name])
    db.session.flush()
    promote_waiting(activity)
    record_audit(principal, "volunteering.activity_update", "volunteer_activity", activity.id, before=before,
                 after=_summary(activity))
    return with_counts([activity])[0]


def open_activity(principal, activity_id):
    """Publish a draft: residents of its communities can sign up."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, ("draft",), "open sign-up")
    if activity.ends_at <= utcnow():
        raise OutsideActivityTime("活动时间已过，请先修改时间。This activity is already over; change its times first.")
    return transition(principal, activity, "open", "open", opened_at=utcnow())


def start_activity(principal, activity_id):
    """The organiser starts the activity on site (the first check-in also does)."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, ("open",), "start the activity")
    now = utcnow()
    if not in_check_in_window(activity.starts_at, activity.ends_at, now):
        raise OutsideActivityTime("活动开始前一小时至结束前才能开始活动。"
                                  "An activity can be started from an hour before its start until its end.")
    return transition(principal, activity, "running", "start", started_at=now)


def close_activity(principal, activity_id, ratings=None):
    """End the activity: whoever is still on site is checked out (flagged); ratings may follow."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    now = utcnow()
    if activity.status == "open" and now < activity.starts_at:
        raise OutsideActivityTime("活动尚未开始，如不举办请取消。This activity has not started yet; cancel it instead.")
    require_state(activity, ("open", "running"), "close the activity")
    close_forgotten_checkouts(activity, now, principal)
    transition(principal, activity, "closed", "close", closed_at=now)
    if ratings:
        apply_ratings(principal, activity, ratings)
    return with_counts([activity])[0]


def cancel_activity(principal, activity_id, reason):
    """Cancel with a reason; everyone signed up sees it cancelled in their list."""
    activity = get_activity_for_staff(principal, activity_id, lock=True)
    require_state(activity, CANCELLABLE, "cancel the activity")
    close_forgotten_checkouts(activity, utcnow(), principal)
    return transition(principal, activity, "cancelled", "cancel", reason=reason, cancelled_at=utcnow(),
                       cancel_reason=reason)


def list_activities(principal, args, page):
    """Activities of my communities, soonest first; ``upcoming`` hides finished ones."""
    stmt = select(VolunteerActivity).where(VolunteerActivity.district_id == principal.district_id)
    scope = principal.communities(*WRITE_ROLES, *READ_ROLES)
    wanted = [args["community_id"]] if args.get("community_id") else None
    if scope is not None or wanted:
        ids = scope if wanted is None else (set(wanted) if scope is None else scope & set(wanted))
        stmt = stmt.where(VolunteerActivity.id.in_(
            select(VolunteerActivityCommunity.activity_id).where(VolunteerActivityCommunity.community_id.in_(ids))
        ))
    if args.get("status"):
        stmt = stmt.where(VolunteerActivity.status.in_(args["status"]))
    if args.get("upcoming"):
        stmt = stmt.where(VolunteerActivity.ends_at > utcnow(),
                          VolunteerActivity.status.in_(("draft", "open", "running")))
    if args.get("starts_from"):
        stmt = stmt.where(VolunteerActivity.starts_at >= args["starts_from"])
    if args.get("starts_until"):
        stmt = stmt.where(VolunteerActivity.starts_at < args["starts_until"])
    result = paginate(stmt.order_by(VolunteerActivity.starts_at, VolunteerActivity.id), page)
    with_counts(result["items"])
    return result


def get_activity(principal, activity_id):
    activity = get_activity_for_staff(principal, activity_id, WRITE_ROLES + READ_ROLES)
    return with_counts([activity])[0]
