"""Small callable fixtures that build data: ``make_resident(community=…)``."""
import itertools

import pytest

from backend.auth.models import RoleAssignment, User
from backend.auth.passwords import hash_secret
from backend.extensions import db
from backend.merchants.models import Merchant
from backend.org.models import Community, District, Household, Town
from backend.residents import idnumbers
from backend.residents.models import Resident

PASSWORD = "correct-horse-1"
_seq = itertools.count(1)


def valid_id_number(n):
    first17 = f"371081{1950 + n % 60:04d}0101{n % 1000:03d}"
    return first17 + idnumbers.check_digit(first17)


@pytest.fixture
def make_district(app):
    def make(code=None, **kw):
        n = next(_seq)
        district = District(code=code or f"D{n}", name_zh=kw.get("name_zh", f"文登区{n}"),
                            name_en=kw.get("name_en", f"Wendeng {n}"))
        db.session.add(district)
        db.session.commit()
        return district

    return make


@pytest.fixture
def district(make_district):
    return make_district()


@pytest.fixture
def make_community(app, district):
    def make(town=None, dist=None, **kw):
        n = next(_seq)
        dist = dist or (town.district if town else district)
        if town is None:
            town = Town(district_id=dist.id, code=f"T{n}", name_zh=f"镇{n}", name_en=f"Town {n}")
            db.session.add(town)
            db.session.flush()
        community = Community(district_id=dist.id, town_id=town.id, code=kw.get("code", f"C{n}"),
                              name_zh=kw.get("name_zh", f"村{n}"), name_en=kw.get("name_en", f"Village {n}"))
        db.session.add(community)
        db.session.commit()
        return community

    return make


@pytest.fixture
def community(make_community):
    return make_community()


@pytest.fixture
def make_household(app):
    def make(community, **kw):
        n = next(_seq)
        household = Household(district_id=community.district_id, community_id=community.id,
                              code=kw.get("code", f"H{n}"), name=kw.get("name", f"张家{n}"))
        db.session.add(household)
        db.session.commit()
        return household

    return make


@pytest.fixture
def make_resident(app):
    def make(community, *, name="张三明", household=None, phone=None, password=PASSWORD, pin=None,
             id_number=None, birth_year=1958, gender="male"):
        n = next(_seq)
        resident = Resident(
            district_id=community.district_id, community_id=community.id,
            household_id=household.id if household else None, name=name, gender=gender,
            birth_year=birth_year, phone=phone or f"138{n:08d}",
            password_hash=hash_secret(password) if password else None,
            pin_hash=hash_secret(pin) if pin else None,
        )
        if id_number:
            resident.id_hash, resident.id_last4 = idnumbers.id_hash(id_number), id_number[-4:]
        db.session.add(resident)
        db.session.commit()
        return resident

    return make


@pytest.fixture
def make_staff(app, district):
    """``make_staff(worker=[c1], reviewer=[c2])``, ``make_staff(district_admin=True)``."""

    def make(*, worker=(), reviewer=(), district_admin=False, dist=None, username=None, resident=None,
             merchant=None):
        n = next(_seq)
        dist = dist or district
        user = User(district_id=dist.id, username=username or f"user{n}", display_name=f"员工{n}",
                    password_hash=hash_secret(PASSWORD), resident_id=resident.id if resident else None,
                    merchant_id=merchant.id if merchant else None)
        for role, communities in (("worker", worker), ("reviewer", reviewer)):
            for c in communities:
                user.roles.append(RoleAssignment(role=role, community_id=c.id))
        if district_admin:
            user.roles.append(RoleAssignment(role="district_admin", community_id=None))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_merchant(app, district):
    def make(*, dist=None, status="approved", name="老王理发店", category="barber"):
        dist = dist or district
        merchant = Merchant(district_id=dist.id, name=name, category=category, address="文登区米山路1号",
                            contact_phone="13900000000", status=status)
        db.session.add(merchant)
        db.session.commit()
        return merchant

    return make


@pytest.fixture
def login(client):
    """``login(user)`` → Authorization headers for a staff, merchant or resident account."""

    def do(account, password=PASSWORD):
        if isinstance(account, Resident):
            response = client.post("/api/v1/auth/resident-login", json={"phone": account.phone, "password": password})
        else:
            response = client.post("/api/v1/auth/login", json={"username": account.username, "password": password})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return do


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    if code:
        assert body["code"] == code, body
    return body


def in_both_languages(app, method, url, headers=None, **kw):
    """The same request read by a default (zh-CN) reader and by one sending ``Accept-Language: en``."""
    bodies = []
    for language in (None, "en"):
        sent = dict(headers or {})
        if language:
            sent["Accept-Language"] = language
        response = app.test_client().open(url, method=method, headers=sent, **kw)
        assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
        assert response.headers["Content-Language"] == ("en" if language else "zh-CN")
        bodies.append(response.get_json())
    assert bodies[0]["code"] == bodies[1]["code"] and bodies[0]["status"] == bodies[1]["status"]
    return bodies


def assert_chinese(*texts):
    for text in texts:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
        assert "_" not in text or "limit_" in text, text  # no internal names such as in_notice


def assert_english(*texts):
    for text in texts:
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def post_from_another_process(path, headers, body):
    """POST ``body`` to ``path`` from another thread with an app and a database connection of its own (what a
    second API process is to row locks); returns ``(thread, result)``: ``result`` holds ``(status, json)``
    once the thread has ended."""
    import threading

    from tests.conftest import make_app

    app = make_app()
    result = []

    def run():
        with app.app_context():
            response = app.test_client().post(path, headers=headers, json=body)
            result.append((response.status_code, response.get_json()))
            db.session.remove()
            db.engine.dispose()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result
