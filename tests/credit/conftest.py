"""Factories for credit tests: catalogue items, a small village with its staff, and HTTP helpers."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from backend.auth.service import issue_tokens, roles_claim
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit.models import CatalogueItem
from backend.extensions import db
from backend.residents.models import Resident

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def principal_of(user):
    """The ``Principal`` a staff user's token would carry (for calling services directly)."""
    return Principal(kind="staff", id=user.id, district_id=user.district_id, roles=roles_claim(user),
                     name=user.display_name)


def resident_principal(resident):
    return Principal(kind="resident", id=resident.id, district_id=resident.district_id)


@pytest.fixture
def make_item(app, district):
    """``make_item(code, points=5, cap=(3, "month"), evidence=True, severity="minor", variable=True,
    scope="community", community=c, subject_type="merchant", effective_from=date)``."""

    def make(code="village_cleanup", points=5, *, cap=None, evidence=False, severity=None, variable=False,
             scope="district", community=None, town_id=None, subject_type="resident", effective_from=date(2020, 1, 1),
             category=None, title_zh=None, title_en=None, dist=None):
        if points < 0 and severity is None:
            severity = "minor"
        data = {
            "district_id": (dist or district).id, "code": code, "scope": scope, "subject_type": subject_type,
            "town_id": town_id, "community_id": community.id if community is not None else None,
            "title_zh": title_zh or f"项目{code}", "title_en": title_en or f"Item {code}",
            "category": category or ("volunteering" if variable else "environment"), "points": points,
            "variable_points": variable, "cap_count": cap[0] if cap else None, "cap_period": cap[1] if cap else None,
            "evidence_required": evidence, "severity": severity, "active": True, "effective_from": effective_from,
        }
        view = catalogue.create_item(None, data, actor="test")
        db.session.commit()
        return db.session.get(CatalogueItem, view["id"])

    return make


@pytest.fixture
def village(app, district, make_community, make_staff, make_resident, make_household):
    """A village with a worker, a reviewer (who also logs), a district admin and residents."""
    community = make_community(name_zh="西楼村", name_en="Xilou Village")
    other = make_community(name_zh="东楼村", name_en="Donglou Village")
    household = make_household(community, name="王家")
    worker = make_staff(worker=[community])
    reviewer = make_staff(reviewer=[community], worker=[community])
    reviewer2 = make_staff(reviewer=[community])
    admin = make_staff(district_admin=True)
    outsider_worker = make_staff(worker=[other], reviewer=[other])
    alice = make_resident(community, name="王秀英", household=household)
    bob = make_resident(community, name="王建国", household=household)
    carol = make_resident(community, name="李桂兰")
    stranger = make_resident(other, name="赵志强")
    return SimpleNamespace(community=community, other=other, household=household, worker=worker,
                           reviewer=reviewer, reviewer2=reviewer2, admin=admin, outsider_worker=outsider_worker,
                           alice=alice, bob=bob, carol=carol, stranger=stranger)


@pytest.fixture
def auth(app):
    """``auth(user_or_resident)`` → headers with a fresh token (no login round trip, no rate limit)."""

    def headers(account):
        if isinstance(account, Resident):
            tokens = issue_tokens("resident", account.id, account.district_id, {"community_id": account.community_id},
                                  refresh=False)
        else:
            tokens = issue_tokens("staff", account.id, account.district_id,
                                  {"roles": roles_claim(account), "name": account.display_name}, refresh=False)
        db.session.commit()
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return headers


def iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def yesterday():
    return utcnow() - timedelta(days=1)


@pytest.fixture
def log_record(client, auth):
    """POST /records as ``who`` (default: the village worker); returns the response."""

    def post(who, resident, item, *, occurred_at=None, headers=None, **extra):
        body = {"resident_id": resident.id, "item_id": item.id, "occurred_at": iso(occurred_at or yesterday())}
        body.update(extra)
        return client.post("/api/v1/records", json=body, headers={**auth(who), **(headers or {})})

    return post
