"""Demo volunteer activities in every state, with sign-ups, attendance and one settlement.

Idempotent: an activity is found by its district and Chinese title before it is
made, so running ``flask seed demo`` again changes nothing. Times are relative to
when the demo was first seeded (China Standard Time in the comments).
"""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from backend.auth.service import roles_claim
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit.models import CatalogueItem
from backend.extensions import db
from backend.volunteering import settlement
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation

#: kinds of service besides the credit catalogue's ``volunteer_service``: points come from hours
KINDS = [
    ("volunteer_elderly_care", "敬老助老志愿服务", "Volunteering: caring for the elderly"),
    ("volunteer_environment", "环境整治志愿服务", "Volunteering: cleaning up the village"),
]

# title zh, title en, kind code, communities, organiser, place, start (days from today, local hour), hours,
# capacity, points per hour, min age, state
ACTIVITIES = [
    ("敬老院助餐送餐", "Serving meals at the care home", "volunteer_elderly_care", ["XL", "DL"], "worker1",
     "米山镇敬老院", (-10, 9), 3, 12, 10, None, "settled"),
    ("西楼村村道清扫", "Sweeping the lanes of Xilou", "volunteer_environment", ["XL"], "worker1",
     "西楼村村委会门口集合", (-2, 8), 2, 10, 8, 14, "closed"),
    ("文明劝导（十字路口）", "Civility patrol at the crossroads", "volunteer_service", ["XL", "DL"], "worker1",
     "文登区米山路与世纪大道路口", (0, None), 3, 8, 10, 18, "running"),
    ("植树节义务植树", "Planting trees on Arbor Day", "volunteer_environment", ["XL", "DL"], "worker1",
     "东楼村后山", (5, 8), 3, 5, 10, 12, "open"),
    ("防汛物资清点", "Counting flood-defence supplies", "volunteer_service", ["DL"], "worker1",
     "东楼村仓库", (20, 14), 2, 6, 8, 18, "draft"),
    ("广场舞比赛志愿者", "Helpers at the square-dance contest", "volunteer_service", ["XL"], "worker1",
     "西楼村文化广场", (3, 18), 2, 10, 8, None, "cancelled"),
    ("社区图书角整理", "Tidying the community reading corner", "volunteer_service", ["MSC", "LSC"], "worker2",
     "米山社区党群服务中心", (4, 14), 2, 6, 10, None, "open"),
]
LOCAL = timedelta(hours=8)


def _principal(user):
    return Principal(kind="staff", id=user.id, district_id=user.district_id, roles=roles_claim(user),
                     name=user.display_name)


def _ensure_kinds(district_id):
    for code, zh, en in KINDS:
        if catalogue.find_item(code, district_id=district_id) is None:
            catalogue.create_item(None, {
                "district_id": district_id, "scope": "district", "code": code, "title_zh": zh, "title_en": en,
                "category": "volunteering", "points": 2, "variable_points": True, "cap_count": None,
                "cap_period": None, "evidence_required": False, "severity": None, "active": True,
                "subject_type": "resident", "effective_from": date(2018, 1, 1)}, actor="seed")


def _start(now, days, hour):
    """Naive UTC for ``hour`` o'clock local time, ``days`` from today (hour None: an hour ago)."""
    if hour is None:
        return (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    day = (now + LOCAL).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour) - LOCAL


def _people(context, codes, count, skip=0):
    ids = {context["communities"][code].id for code in codes}
    eligible = [r for r in context["residents"] if r.community_id in ids]
    return eligible[skip:skip + count]


def _attend(activity, part, rng, now, *, left_at=None, forgot=False):
    """Checked in around the start; out at ``left_at``, at the end (forgotten) or still on site."""
    part.checked_in_at = min(now, activity.starts_at + timedelta(minutes=rng.randrange(-10, 25)))
    part.checked_in_by = activity.organiser_id
    if forgot:
        part.checked_out_at, part.checkout_forgotten = activity.ends_at, True
    elif left_at is not None:
        part.checked_out_at, part.checked_out_by = max(left_at, part.checked_in_at), activity.organiser_id


def seed(context):
    district, users, rng = context["district"], context["users"], context["rng"]
    summary = context.get("summary", {})
    _ensure_kinds(district.id)
    now = utcnow()
    created = 0
    for (zh, en, kind, codes, organiser, place, (days, hour), hours, capacity, rate, min_age,
         state) in ACTIVITIES:
        if db.session.execute(select(VolunteerActivity.id).where(
                VolunteerActivity.district_id == district.id, VolunteerActivity.title_zh == zh)).first():
            continue
        item = db.session.execute(select(CatalogueItem).where(
            CatalogueItem.district_id == district.id, CatalogueItem.scope_key == "d",
            CatalogueItem.code == kind)).scalar_one()
        starts_at = _start(now, days, hour)
        activity = VolunteerActivity(
            district_id=district.id, item_id=item.id, title_zh=zh, title_en=en, place=place,
            description=f"{zh}。请穿方便活动的衣服，准时签到。/ {en}. Wear comfortable clothes; check in on time.",
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), capacity=capacity,
            points_per_hour=rate, min_age=min_age, status="draft", organiser_id=users[organiser].id,
            created_at=min(now, starts_at) - timedelta(days=7))
        activity.communities = [VolunteerActivityCommunity(community_id=context["communities"][c].id)
                                for c in codes]
        db.session.add(activity)
        db.session.flush()
        created += 1
        if state != "draft":
            activity.opened_at = activity.created_at + timedelta(hours=1)
        people = _people(context, codes, {"open": capacity + 2, "draft": 0}.get(state, capacity - 2))
        for n, resident in enumerate(people):
            if min_age and starts_at.year - resident.birth_year < min_age:
                continue
            status = "confirmed" if n < capacity else "waiting"
            db.session.add(VolunteerParticipation(
                district_id=district.id, activity_id=activity.id, resident_id=resident.id, status=status,
                signed_up_at=activity.opened_at + timedelta(hours=n + 1)))
        db.session.flush()
        parts = db.session.execute(select(VolunteerParticipation).where(
            VolunteerParticipation.activity_id == activity.id).order_by(VolunteerParticipation.id)).scalars().all()
        if state in ("settled", "closed", "running"):
            activity.started_at = activity.starts_at
            for n, part in enumerate(parts):
                if n == len(parts) - 1:
                    continue  # a no-show
                if state == "running":
                    if n < 4:  # three on site, one who already left
                        _attend(activity, part, rng, now, left_at=now - timedelta(minutes=10) if n == 3 else None)
                    continue
                left_at = activity.ends_at - timedelta(minutes=rng.randrange(0, 50))
                _attend(activity, part, rng, now, left_at=left_at, forgot=state == "closed" and n == 0)
                if state == "settled":
                    part.quality_percent = rng.choice((80, 100, 100, 100, 120))
        if state == "cancelled":
            activity.cancelled_at = activity.opened_at + timedelta(days=1)
            activity.cancel_reason = "气象台发布暴雨预警，活动取消 / Cancelled: heavy rain warning"
        activity.status = {"settled": "closed"}.get(state, state)
        if activity.status == "closed":
            activity.closed_at = activity.ends_at
        db.session.flush()
        if state == "settled":
            settlement.settle_activity(_principal(users[organiser]), activity.id)
    summary["volunteer_activities_created"] = created
