from datetime import timedelta

from flask_jwt_extended import create_access_token

from backend.auth.models import AuthSession
from backend.extensions import db
from tests.fixtures import PASSWORD, assert_problem


def test_staff_login_returns_access_and_refresh_tokens(client, make_staff, community):
    user = make_staff(worker=[community])
    response = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["access_token"] and body["refresh_token"] and body["token_type"] == "Bearer"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()
    assert me["kind"] == "staff" and me["id"] == user.id and me["roles"] == {"worker": [community.id]}


def test_wrong_password_is_401_without_saying_which_part(client, make_staff, community):
    user = make_staff(worker=[community])
    wrong_password = client.post("/api/v1/auth/login", json={"username": user.username, "password": "nope"})
    unknown_user = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert assert_problem(wrong_password, 401, "invalid_credentials")["detail"] == \
        assert_problem(unknown_user, 401, "invalid_credentials")["detail"]


def test_disabled_account_cannot_sign_in(client, make_staff, community):
    user = make_staff(worker=[community])
    user.is_active = False
    db.session.commit()
    response = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert_problem(response, 401, "account_disabled")


def test_resident_login_by_phone(client, make_resident, community):
    resident = make_resident(community)
    response = client.post("/api/v1/auth/resident-login", json={"phone": resident.phone, "password": PASSWORD})
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    me = client.get("/api/v1/residents/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["id"] == resident.id and me["name"] == "张三明"


def test_refresh_gives_new_access_token_and_access_token_cannot_refresh(client, make_staff, community):
    user = make_staff(worker=[community])
    tokens = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}).get_json()
    refreshed = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert refreshed.status_code == 200
    new_access = refreshed.get_json()["access_token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new_access}"}).status_code == 200
    wrong = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert_problem(wrong, 401)


def test_logout_revokes_access_and_refresh_tokens(client, make_staff, community):
    user = make_staff(worker=[community])
    tokens = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}).get_json()
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=access).status_code == 204
    assert_problem(client.get("/api/v1/auth/me", headers=access), 401, "token_revoked")
    refresh = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert_problem(refresh, 401, "token_revoked")


def test_tampered_and_expired_tokens_are_401(app, client, make_staff, community, login):
    user = make_staff(worker=[community])
    headers = login(user)
    token = headers["Authorization"].split()[1]
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload[:-2]}AA.{signature}"
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tampered}"}), 401,
                   "token_invalid")
    session = db.session.query(AuthSession).first()
    expired = create_access_token(f"staff:{user.id}", expires_delta=timedelta(seconds=-5),
                                  additional_claims={"kind": "staff", "district_id": user.district_id,
                                                     "sid": session.id})
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"}), 401,
                   "token_expired")
    assert_problem(client.get("/api/v1/auth/me"), 401, "token_missing")


def test_login_is_rate_limited(app, client, make_staff, community):
    # per client address; guesses at one account are stopped sooner, per account (test_password_guessing)
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    user = make_staff(worker=[community])
    statuses = [
        client.post("/api/v1/auth/login", json={"username": f"{user.username}-{n}", "password": "wrong"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    last = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert_problem(last, 429, "rate_limited")


def test_role_change_revokes_sessions(client, make_staff, community, login):
    admin = make_staff(district_admin=True)
    worker = make_staff(worker=[community])
    worker_headers = login(worker)
    response = client.patch(f"/api/v1/staff/{worker.id}", headers=login(admin),
                            json={"roles": [{"role": "reviewer", "community_id": community.id}]})
    assert response.status_code == 200
    assert response.get_json()["roles"] == [{"role": "reviewer", "community_id": community.id}]
    assert_problem(client.get("/api/v1/auth/me", headers=worker_headers), 401, "token_revoked")


def test_only_district_admin_manages_staff(client, make_staff, community, login):
    worker = make_staff(worker=[community])
    response = client.post("/api/v1/staff", headers=login(worker),
                           json={"username": "newbie", "display_name": "新人", "password": "longenough1",
                                 "roles": [{"role": "worker", "community_id": community.id}]})
    assert_problem(response, 403, "role_required")


def test_staff_role_needs_community_in_my_district(client, make_staff, make_district, make_community, login):
    admin = make_staff(district_admin=True)
    foreign = make_community(dist=make_district())
    response = client.post("/api/v1/staff", headers=login(admin),
                           json={"username": "newbie", "display_name": "新人", "password": "longenough1",
                                 "roles": [{"role": "worker", "community_id": foreign.id}]})
    body = assert_problem(response, 422, "validation_failed")
    assert "roles" in body["errors"]


def test_a_refresh_token_opens_no_endpoint_and_an_access_token_renews_nothing(client, make_staff, community):
    """The token's type is checked on every request (the fast path verifies it as flask-jwt-extended does)."""
    user = make_staff(worker=[community])
    tokens = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}).get_json()
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}),
                   401, "token_invalid")
    assert_problem(client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"}),
                   401, "token_invalid")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
