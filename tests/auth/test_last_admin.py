"""A district always keeps one active district admin."""
from backend.auth.models import User
from backend.extensions import db
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
