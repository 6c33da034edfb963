"""Sessions die when they should: new password or PIN, a changed status or role, and only for their owner."""
import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from backend.auth.models import AuthSession
from backend.extensions import db
from backend.residents.models import Resident
from tests.fixtures import PASSWORD, assert_problem


def _tokens(client, account):
    if isinstance(account, Resident):
        response = client.post("/api/v1/auth/resident-login", json={"phone": account.phone, "password": PASSWORD})
    else:
        response = client.post("/api/v1/auth/login", json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return ({"Authorization": f"Bearer {body['access_token']}"},
            {"Authorization": f"Bearer {body['refresh_token']}"})


def _assert_both_dead(client, access, refresh, me="/api/v1/auth/me"):
    assert_problem(client.get(me, headers=access), 401, "token_revoked")
    assert_problem(client.post("/api/v1/auth/refresh", headers=refresh), 401, "token_revoked")


def test_resident_password_reset_revokes_access_and_refresh_tokens(client, make_staff, make_resident, community,
                                                                  login):
    resident = make_resident(community)
    access, refresh = _tokens(client, resident)
    assert client.get("/api/v1/residents/me", headers=access).status_code == 200
    worker = login(make_staff(worker=[community]))
    response = client.patch(f"/api/v1/residents/{resident.id}", headers=worker, json={"password": "new-secret-42"})
    assert response.status_code == 200
    _assert_both_dead(client, access, refresh, "/api/v1/residents/me")
    # the new password works
    assert client.post("/api/v1/auth/resident-login",
                       json={"phone": resident.phone, "password": "new-secret-42"}).status_code == 200


def test_resident_pin_reset_revokes_the_residents_sessions(client, make_staff, make_resident, community, login):
    resident = make_resident(community)
    access, refresh = _tokens(client, resident)
    worker = login(make_staff(worker=[community]))
    assert client.put(f"/api/v1/residents/{resident.id}/pin", headers=worker, json={"pin": "864209"}).status_code \
        == 204
    _assert_both_dead(client, access, refresh)


@pytest.mark.parametrize("status", ["moved_out", "deceased"])
def test_status_change_revokes_the_residents_sessions(client, make_staff, make_resident, community, login, status):
    resident = make_resident(community)
    access, refresh = _tokens(client, resident)
    worker = login(make_staff(worker=[community]))
    assert client.patch(f"/api/v1/residents/{resident.id}", headers=worker,
                        json={"status": status}).status_code == 200
    _assert_both_dead(client, access, refresh)
    # and the resident cannot sign in again
    assert_problem(client.post("/api/v1/auth/resident-login", json={"phone": resident.phone, "password": PASSWORD}),
                   401, "invalid_credentials")


def test_editing_a_residents_name_keeps_their_sessions(client, make_staff, make_resident, community, login):
    resident = make_resident(community)
    access, _ = _tokens(client, resident)
    worker = login(make_staff(worker=[community]))
    assert client.patch(f"/api/v1/residents/{resident.id}", headers=worker, json={"name": "张三"}).status_code == 200
    assert client.get("/api/v1/residents/me", headers=access).status_code == 200


def test_refresh_checks_the_resident_is_still_active(client, make_resident, community):
    resident = make_resident(community)
    access, refresh = _tokens(client, resident)
    # changed behind the service's back (no revocation): the refresh itself must look
    db.session.get(Resident, resident.id).status = "deceased"
    db.session.commit()
    assert_problem(client.post("/api/v1/auth/refresh", headers=refresh), 401, "account_inactive")


def test_refresh_still_works_for_an_active_resident(client, make_resident, community):
    resident = make_resident(community)
    _, refresh = _tokens(client, resident)
    response = client.post("/api/v1/auth/refresh", headers=refresh)
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    assert client.get("/api/v1/residents/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_staff_password_reset_revokes_sessions(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    worker = make_staff(worker=[community])
    access, refresh = _tokens(client, worker)
    assert client.patch(f"/api/v1/staff/{worker.id}", headers=admin,
                        json={"password": "a-brand-new-one"}).status_code == 200
    _assert_both_dead(client, access, refresh)


def test_disabling_staff_revokes_sessions_and_refresh(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    worker = make_staff(worker=[community])
    access, refresh = _tokens(client, worker)
    assert client.patch(f"/api/v1/staff/{worker.id}", headers=admin, json={"is_active": False}).status_code == 200
    _assert_both_dead(client, access, refresh)


def test_token_whose_sub_is_not_its_sessions_owner_is_refused(app, client, make_staff, community, login):
    mine = make_staff(worker=[community])
    victim = make_staff(district_admin=True)
    login(mine)
    session = db.session.query(AuthSession).filter_by(subject_id=mine.id).one()
    claims = {"kind": "staff", "district_id": mine.district_id, "sid": session.id,
              "roles": {"district_admin": None}}
    borrowed = create_access_token(f"staff:{victim.id}", additional_claims=claims)
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {borrowed}"}), 401,
                   "token_revoked")
    borrowed_refresh = create_refresh_token(f"staff:{victim.id}", additional_claims=claims)
    assert_problem(client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {borrowed_refresh}"}),
                   401, "token_revoked")
    # the same subject under another kind is not the session's owner either
    other_kind = create_access_token(f"merchant:{mine.id}", additional_claims={**claims, "kind": "merchant"})
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other_kind}"}), 401,
                   "token_revoked")
    # while a token naming its real owner passes
    own = create_access_token(f"staff:{mine.id}", additional_claims={**claims, "roles": {}})
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {own}"}).status_code == 200


def test_token_with_a_non_text_session_id_is_refused(client, make_staff, community):
    user = make_staff(worker=[community])
    token = create_access_token(f"staff:{user.id}", additional_claims={"kind": "staff",
                                                                       "district_id": user.district_id, "sid": 7})
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}), 401,
                   "token_revoked")
