"""Factories for volunteer service tests: a small district with two communities taking part,
one that does not, an organiser, a reviewer, a volunteering catalogue item and a clock."""
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from backend.cards import service as cards
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit.models import CatalogueItem, CatalogueItemVersion
from backend.extensions import db
from backend.volunteering import activities, attendance, settlement, signup
from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation

#: the volunteering modules that read the clock
CLOCKED = (activities, attendance, settlement, signup)


class Clock:
    """What ``utcnow()`` answers inside the volunteering service; starts at the real now."""

    def __init__(self):
        self.now = utcnow().replace(microsecond=0)

    def __call__(self):
        return self.now

    def set(self, value):
        self.now = value

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    for module in CLOCKED:
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


def add_item(district, *, code="volunteer_service", category="volunteering", variable_points=True, points=1,
             title_zh="志愿服务", title_en="Volunteer service", cap_count=None, cap_period=None):
    item = CatalogueItem(district_id=district.id, scope="district", scope_key="d", code=code)
    item.versions.append(CatalogueItemVersion(
        version=1, effective_from=date(2000, 1, 1), title_zh=title_zh, title_en=title_en, category=category,
        points=points, variable_points=variable_points, cap_count=cap_count, cap_period=cap_period))
    db.session.add(item)
    db.session.commit()
    return item


def add_service(vol, resident, item, starts_at, minutes, *, settled=True):
    """A settled activity in the past with ``resident``'s credited minutes (built directly)."""
    activity = VolunteerActivity(
        district_id=vol.district.id, item_id=item.id, title_zh="活动", title_en="Activity", place="村委会",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=4), capacity=10, points_per_hour=10,
        status="settled" if settled else "closed", organiser_id=vol.organiser.id)
    activity.communities = [VolunteerActivityCommunity(community_id=resident.community_id)]
    db.session.add(activity)
    db.session.flush()
    db.session.add(VolunteerParticipation(
        district_id=vol.district.id, activity_id=activity.id, resident_id=resident.id, status="confirmed",
        checked_in_at=starts_at, checked_out_at=starts_at + timedelta(minutes=minutes),
        credited_minutes=minutes if settled else None, points=minutes // 6 if settled else None,
        settled_at=starts_at + timedelta(hours=5) if settled else None))
    db.session.commit()
    return activity


def add_history(vol, resident):
    """Settled service over three local years and two kinds (315 minutes), plus an unsettled activity."""
    checkpoint = add_item(vol.district, code="epidemic_checkpoint", title_zh="疫情卡点值守",
                          title_en="Epidemic checkpoint duty")
    add_service(vol, resident, vol.item, datetime(2023, 6, 1, 1), 120)
    add_service(vol, resident, vol.item, datetime(2024, 3, 2, 1), 90)
    add_service(vol, resident, checkpoint, datetime(2024, 4, 2, 1), 60)
    # 1 January 2025, 01:00 in China is still 2024 in UTC: it counts for 2025
    add_service(vol, resident, checkpoint, datetime(2024, 12, 31, 17), 45)
    add_service(vol, resident, vol.item, datetime(2024, 5, 2, 1), 200, settled=False)  # not settled: not counted
    return checkpoint


def staff_principal(user):
    """The ``Principal`` a user's token would carry (for calling services directly)."""
    roles = {}
    for assignment in user.roles:
        if assignment.role == "district_admin":
            roles["district_admin"] = None
        else:
            roles.setdefault(assignment.role, []).append(assignment.community_id)
    return Principal(kind="staff", id=user.id, district_id=user.district_id, roles=roles, name=user.display_name)


@pytest.fixture
def vol(app, client, clock, district, make_community, make_staff, make_resident, login):
    """The scene: communities ``c1``, ``c2`` take part, ``c3`` does not; ``organiser`` works in
    c1 and c2, ``reviewer`` reviews both, ``outsider`` works only in c3."""
    c1, c2, c3 = make_community(), make_community(), make_community()
    organiser = make_staff(worker=[c1, c2], username="organiser")
    colleague = make_staff(worker=[c1, c2], username="colleague")
    reviewer = make_staff(reviewer=[c1, c2], username="reviewer")
    outsider = make_staff(worker=[c3], username="outsider")
    item = add_item(district)
    scene = SimpleNamespace(
        district=district, c1=c1, c2=c2, c3=c3, organiser=organiser, colleague=colleague, reviewer=reviewer,
        outsider=outsider, item=item, client=client,
        org=login(organiser), rev=login(reviewer), out=login(outsider),
    )

    def resident(community=None, **kw):
        return make_resident(community or c1, **kw)

    def activity(headers=None, *, open_=True, **overrides):
        """Create (and by default open) an activity through the API; returns its JSON."""
        now = clock()
        body = {
            "community_ids": [c1.id], "item_id": item.id, "title_zh": "清扫村道", "title_en": "Sweeping the lanes",
            "place": "西楼村村委会门口", "starts_at": _iso(now + timedelta(days=1)),
            "ends_at": _iso(now + timedelta(days=1, hours=3)), "capacity": 10, "points_per_hour": 10,
        }
        body.update(overrides)
        created = client.post("/api/v1/volunteering/activities", json=body, headers=headers or scene.org)
        assert created.status_code == 201, created.get_json()
        data = created.get_json()
        if open_:
            opened = client.post(f"/api/v1/volunteering/activities/{data['id']}/open", headers=headers or scene.org)
            assert opened.status_code == 200, opened.get_json()
            data = opened.get_json()
        return data

    def started(**overrides):
        """An open activity from 09:00 to 11:00 five hours ago; the clock stands at its start.

        Everything happens in the past of the real clock, so the credit records it
        makes are not "in the future" for the credit domain.
        """
        base = utcnow().replace(microsecond=0) - timedelta(hours=5)
        clock.set(base)
        overrides.setdefault("starts_at", _iso(base + timedelta(hours=1)))
        overrides.setdefault("ends_at", _iso(base + timedelta(hours=3)))
        data = activity(**overrides)
        clock.set(base + timedelta(hours=1))
        data["start"] = base + timedelta(hours=1)
        return data

    def card(resident):
        issued = cards.issue_card(resident.district_id, "resident", resident.id)
        db.session.commit()
        return issued

    def code(resident):
        """The QR content of a freshly printed resident card (a URL, as a camera reads it)."""
        return cards.card_url(card(resident))

    def phone_code(resident):
        return cards.issue_dynamic_code(resident)["url"]

    def post(path, headers=None, **body):
        return client.post(f"/api/v1/volunteering{path}", json=body, headers=headers or scene.org)

    def get(path, headers=None, **query):
        return client.get(f"/api/v1/volunteering{path}", query_string=query, headers=headers or scene.org)

    def check_in(activity_id, code_, headers=None, **extra):
        return post(f"/activities/{activity_id}/check-in", headers, code=code_, **extra)

    def check_out(activity_id, code_, headers=None):
        return post(f"/activities/{activity_id}/check-out", headers, code=code_)

    def principal(user):
        return staff_principal(user)

    scene.resident, scene.activity, scene.card, scene.code = resident, activity, card, code
    scene.phone_code = phone_code
    scene.post, scene.get, scene.check_in, scene.check_out = post, get, check_in, check_out
    scene.principal, scene.login, scene.started, scene.clock = principal, login, started, clock
    return scene


def _iso(value):
    return value.isoformat() + "Z"


iso = _iso
