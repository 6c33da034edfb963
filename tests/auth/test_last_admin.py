"""A district always keeps one active district admin."""
import threading

from sqlalchemy import func, select

from backend.auth.models import User
from backend.extensions import db
from tests.conftest import make_app
from tests.fixtures import assert_problem


def test_last_district_admin_cannot_demote_itself(client, make_staff, community, login):
    admin = make_staff(district_admin=True)
    headers = login(admin)
    response = client.patch(f"/api/v1/staff/{admin.id}", headers=headers,
                            json={"roles": [{"role": "reviewer", "community_id": community.id}]})
    assert_problem(response, 409, "last_district_admin")
    db.session.expire_all()
    assert [r.role for r in db.session.get(User, admin.id).roles] == ["district_admin"]
    # and nothing else was half-done: its session still works
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_last_district_admin_cannot_disable_itself(client, make_staff, login):
    admin = make_staff(district_admin=True)
    response = client.patch(f"/api/v1/staff/{admin.id}", headers=login(admin), json={"is_active": False})
    assert_problem(response, 409, "last_district_admin")
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


def test_admin_can_step_down_when_another_active_admin_remains(client, make_staff, community, login):
    first, second = make_staff(district_admin=True), make_staff(district_admin=True)
    response = client.patch(f"/api/v1/staff/{first.id}", headers=login(first),
                            json={"roles": [{"role": "worker", "community_id": community.id}]})
    assert response.status_code == 200
    # now the second is the last one: the first (no longer admin) could not, and the second itself cannot
    response = client.patch(f"/api/v1/staff/{second.id}", headers=login(second), json={"is_active": False})
    assert_problem(response, 409, "last_district_admin")


def test_a_disabled_admin_does_not_count_as_the_remaining_one(client, make_staff, login):
    active, disabled = make_staff(district_admin=True), make_staff(district_admin=True)
    headers = login(active)
    db.session.get(User, disabled.id).is_active = False
    db.session.commit()
    response = client.patch(f"/api/v1/staff/{active.id}", headers=headers, json={"is_active": False})
    assert_problem(response, 409, "last_district_admin")


def test_an_admin_of_another_district_does_not_count(client, make_staff, make_district, login):
    admin = make_staff(district_admin=True)
    make_staff(district_admin=True, dist=make_district())
    response = client.patch(f"/api/v1/staff/{admin.id}", headers=login(admin), json={"is_active": False})
    assert_problem(response, 409, "last_district_admin")


def test_last_admin_can_still_change_its_name_and_password(client, make_staff, login):
    admin = make_staff(district_admin=True)
    response = client.patch(f"/api/v1/staff/{admin.id}", headers=login(admin),
                            json={"display_name": "主任", "password": "another-secret", "is_active": True,
                                  "roles": [{"role": "district_admin"}]})
    assert response.status_code == 200 and response.get_json()["display_name"] == "主任"


def test_two_last_admins_demoting_each_other_at_once_leave_one(make_staff, community, login):
    first, second = make_staff(district_admin=True), make_staff(district_admin=True)
    first_headers, second_headers = login(first), login(second)
    first_id, second_id = first.id, second.id
    db.session.remove()
    apps = [make_app(), make_app()]
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index, headers, target):
        with apps[index].app_context():
            client = apps[index].test_client()
            barrier.wait(timeout=30)
            response = client.patch(f"/api/v1/staff/{target}", headers=headers, json={"is_active": False})
            results[index] = (response.status_code, (response.get_json() or {}).get("code") or "")
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(0, first_headers, second_id)),
               threading.Thread(target=run, args=(1, second_headers, first_id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(code for _, code in results)
    # one wins; the other is refused as the last admin, or finds its own session revoked by the winner
    assert sorted(status for status, _ in results)[0] == 200, results
    assert codes[1] in ("last_district_admin", "token_revoked"), results
    active = db.session.execute(select(func.count()).select_from(User).where(User.is_active.is_(True))).scalar_one()
    assert active == 1
