"""Residents get into the phone app with a worker's one-time activation code."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.auth.models import AuthSession
from backend.common.time import utcnow
from backend.extensions import db
from backend.residents.models import ActivationCode
from tests.fixtures import assert_problem, valid_id_number

ID_NUMBER = valid_id_number(11)
NEW_PASSWORD = "my-new-secret-9"


@pytest.fixture
def setup(client, make_staff, community, make_resident, login):
    resident = make_resident(community, phone="13955550001", password=None, id_number=ID_NUMBER)
    worker = make_staff(worker=[community])
    return resident, login(worker)


def _issue(client, headers, resident):
    response = client.post(f"/api/v1/residents/{resident.id}/activation-code", headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _activate(client, phone="13955550001", code="00000000", id_last4=ID_NUMBER[-4:], password=NEW_PASSWORD):
    body = {"phone": phone, "code": code, "password": password}
    if id_last4 is not None:
        body["id_last4"] = id_last4
    return client.post("/api/v1/auth/resident-activate", json=body)


def _login(client, password=NEW_PASSWORD, phone="13955550001"):
    return client.post("/api/v1/auth/resident-login", json={"phone": phone, "password": password})


def test_activation_code_is_shown_once_and_stored_only_as_hash(client, setup):
    resident, headers = setup
    issued = _issue(client, headers, resident)
    assert len(issued["code"]) == 8 and issued["code"].isdigit()
    assert issued["resident_id"] == resident.id and issued["expires_at"].endswith("Z")
    row = db.session.execute(select(ActivationCode)).scalar_one()
    assert issued["code"] not in row.code_hash
    # nothing else the worker can read repeats it
    profile = client.get(f"/api/v1/residents/{resident.id}", headers=headers).get_data(as_text=True)
    assert issued["code"] not in profile
    audit = client.get("/api/v1/audit?action=resident.activation_code_issued",
                       headers=headers).get_data(as_text=True)
    assert issued["code"] not in audit


def test_resident_activates_with_phone_code_and_id_digits_and_is_signed_in(client, setup):
    resident, headers = setup
    assert_problem(_login(client), 401, "invalid_credentials")
    code = _issue(client, headers, resident)["code"]
    response = _activate(client, code=code)
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (me["kind"], me["id"]) == ("resident", resident.id)
    assert _login(client).status_code == 200


def test_activation_code_works_only_once(client, setup):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    assert _activate(client, code=code).status_code == 200
    assert_problem(_activate(client, code=code, password="another-pass-1"), 401, "invalid_activation")
    assert _login(client).status_code == 200
    assert_problem(_login(client, password="another-pass-1"), 401, "invalid_credentials")


def test_new_code_retires_the_older_one_and_resets_a_forgotten_password(client, setup):
    resident, headers = setup
    first = _issue(client, headers, resident)["code"]
    old_token = _activate(client, code=first, password="forgotten-pass-1").get_json()["access_token"]
    second = _issue(client, headers, resident)["code"]
    third = _issue(client, headers, resident)["code"]
    assert_problem(_activate(client, code=second), 401, "invalid_activation")
    assert _activate(client, code=third).status_code == 200
    assert _login(client).status_code == 200
    assert_problem(_login(client, password="forgotten-pass-1"), 401, "invalid_credentials")
    # sessions opened with the old password end
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old_token}"}),
                   401, "token_revoked")


def test_five_wrong_tries_lock_activation_even_for_the_right_code(client, setup, app):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for left in (4, 3, 2, 1):
        body = assert_problem(_activate(client, code=wrong), 401, "invalid_activation")
        assert body["errors"]["tries_left"] == [str(left)]
    body = assert_problem(_activate(client, code=wrong), 423, "activation_locked")
    assert body["errors"]["locked_until"][0].endswith("Z")
    # the failed requests were refused, yet the lock was committed
    db.session.expire_all()
    assert db.session.execute(select(ActivationCode)).scalar_one().locked_until > utcnow()
    assert_problem(_activate(client, code=code), 423, "activation_locked")
    assert_problem(_login(client), 401, "invalid_credentials")
    # after the lock the right code still works (it was not spent)
    row = db.session.execute(select(ActivationCode)).scalar_one()
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _activate(client, code=code).status_code == 200


def test_wrong_id_digits_count_as_a_wrong_try(client, setup):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    wrong_last4 = "0000" if ID_NUMBER[-4:] != "0000" else "1111"
    body = assert_problem(_activate(client, code=code, id_last4=wrong_last4), 401, "invalid_activation")
    assert body["errors"]["tries_left"] == ["4"]
    assert_problem(_activate(client, code=code, id_last4=None), 401, "invalid_activation")
    assert_problem(_login(client), 401, "invalid_credentials")
    assert _activate(client, code=code).status_code == 200


def test_resident_without_id_number_activates_with_phone_and_code(client, make_staff, community, make_resident,
                                                                    login):
    resident = make_resident(community, phone="13955550002", password=None)
    code = _issue(client, login(make_staff(worker=[community])), resident)["code"]
    assert _activate(client, phone="13955550002", code=code, id_last4=None).status_code == 200


def test_expired_activation_code_is_refused(client, setup):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    row = db.session.execute(select(ActivationCode)).scalar_one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert_problem(_activate(client, code=code), 410, "activation_code_expired")
    assert_problem(_login(client), 401, "invalid_credentials")


def test_unknown_phone_gets_the_same_answer_as_a_wrong_code(client, setup):
    resident, headers = setup
    _issue(client, headers, resident)
    unknown = assert_problem(_activate(client, phone="13900000999"), 401, "invalid_activation")
    assert "tries_left" not in (unknown.get("errors") or {})
    no_code = assert_problem(_activate(client, phone="13955550001"), 401, "invalid_activation")
    assert unknown["detail"] == no_code["detail"].split(" 4 tries left.")[0]


def test_malformed_activation_input_is_refused_field_by_field(client, setup):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    for field, value in [("phone", "call me"), ("code", "1234"), ("code", "abcdefgh"), ("id_last4", "12"),
                         ("password", "short"), ("code", 12345678)]:
        body = {"phone": "13955550001", "code": code, "id_last4": ID_NUMBER[-4:], "password": NEW_PASSWORD,
                field: value}
        problem = assert_problem(client.post("/api/v1/auth/resident-activate", json=body), 422, "validation_failed")
        assert field in problem["errors"]
    assert_problem(client.post("/api/v1/auth/resident-activate", data="{", content_type="application/json"),
                   400, "malformed_json")
    # none of it counted as a try or spent the code
    assert db.session.execute(select(ActivationCode)).scalar_one().failed_count == 0
    assert _activate(client, code=code).status_code == 200


def test_worker_cannot_issue_a_code_for_another_community(client, make_staff, make_community, make_resident,
                                                           login):
    mine, theirs = make_community(), make_community()
    resident = make_resident(theirs, phone="13955550003")
    headers = login(make_staff(worker=[mine]))
    assert_problem(client.post(f"/api/v1/residents/{resident.id}/activation-code", headers=headers), 404)
    assert db.session.execute(select(ActivationCode)).first() is None


def test_reviewer_and_resident_cannot_issue_activation_codes(client, make_staff, community, make_resident, login):
    resident = make_resident(community, phone="13955550004")
    for headers in (login(make_staff(reviewer=[community])), login(resident)):
        assert_problem(client.post(f"/api/v1/residents/{resident.id}/activation-code", headers=headers), 403)
    assert db.session.execute(select(ActivationCode)).first() is None


def test_resident_without_phone_gets_no_activation_code(client, setup, make_resident, community):
    _resident, headers = setup
    phoneless = make_resident(community, password=None)
    phoneless.phone = None
    db.session.commit()
    body = assert_problem(client.post(f"/api/v1/residents/{phoneless.id}/activation-code", headers=headers),
                          409, "phone_missing")
    assert "phone" in body["errors"]
    assert_problem(client.post("/api/v1/residents/999999/activation-code", headers=headers), 404)


def test_moved_out_resident_cannot_activate(client, setup):
    resident, headers = setup
    code = _issue(client, headers, resident)["code"]
    resident.status = "moved_out"
    db.session.commit()
    assert_problem(_activate(client, code=code), 401, "invalid_activation")
    assert db.session.execute(select(AuthSession)).first() is not None  # only the worker's session
    assert all(s.kind == "staff" for s in db.session.execute(select(AuthSession)).scalars())
