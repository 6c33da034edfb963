"""Password guessing is stopped per account, in the database; the per-address limit lets a village sign up."""
import threading
from datetime import timedelta

import pytest

from backend.auth.models import LoginThrottle
from backend.auth.passwords import hash_secret
from backend.cards import service as cards
from backend.common.time import utcnow
from backend.extensions import db
from backend.residents.models import Resident
from tests.conftest import make_app
from tests.fixtures import PASSWORD, assert_problem


def _staff_login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _resident_login(client, phone, password):
    return client.post("/api/v1/auth/resident-login", json={"phone": phone, "password": password})


def _addresses():
    n = 0
    while True:
        n += 1
        yield {"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"}


def test_five_wrong_passwords_lock_a_staff_account_even_from_many_addresses(client, make_staff, community):
    user = make_staff(worker=[community])
    address = _addresses()
    for _ in range(4):
        response = client.post("/api/v1/auth/login", json={"username": user.username, "password": "guess"},
                               environ_base=next(address))
        assert_problem(response, 401, "invalid_credentials")
    fifth = client.post("/api/v1/auth/login", json={"username": user.username, "password": "guess"},
                        environ_base=next(address))
    body = assert_problem(fifth, 423, "account_locked")
    assert "try again in 1 minute" in body["detail"] and body["errors"]["locked_until"][0].endswith("Z")
    assert 58 <= int(fifth.headers["Retry-After"]) <= 60
    # locked: the right password from yet another address is refused too, and says when to retry
    right = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD},
                        environ_base=next(address))
    assert_problem(right, 423, "account_locked")
    assert 0 < int(right.headers["Retry-After"]) <= 60


def test_failed_attempts_are_committed_though_the_request_fails(client, make_staff, community):
    user = make_staff(worker=[community])
    for _ in range(3):
        _staff_login(client, user.username, "guess")
    db.session.expire_all()
    row = db.session.get(LoginThrottle, f"user:{user.username}")
    assert row.failed_count == 3 and row.locked_until is None


def test_counter_is_shared_by_every_process(client, make_staff, community):
    # a second app is another process's view: it sees the first one's failures through the database
    username = make_staff(worker=[community]).username
    for _ in range(4):
        assert_problem(_staff_login(client, username, "guess"), 401, "invalid_credentials")
    db.session.remove()  # the test's own session must not hold SQLite's write lock
    other = make_app()
    assert_problem(_staff_login(other.test_client(), username, "guess"), 423, "account_locked")
    assert_problem(_staff_login(client, username, PASSWORD), 423, "account_locked")
    with other.app_context():
        db.engine.dispose()


def test_lock_grows_with_each_wrong_password_after_it_and_is_capped(app, client, make_staff, community):
    user = make_staff(worker=[community])
    key = f"user:{user.username}"
    for _ in range(5):
        _staff_login(client, user.username, "guess")
    seen = []
    for _ in range(8):
        # the lock runs out (moved into the past), then the next wrong password locks again, longer
        db.session.get(LoginThrottle, key).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        response = _staff_login(client, user.username, "guess")
        assert_problem(response, 423, "account_locked")
        locked_until = db.session.get(LoginThrottle, key).locked_until
        seen.append(round((locked_until - utcnow()).total_seconds() / 60))
        assert abs(int(response.headers["Retry-After"]) - (locked_until - utcnow()).total_seconds()) <= 2
        db.session.expire_all()
    assert seen == [2, 4, 8, 16, 32, 60, 60, 60]  # doubling minutes, at most an hour


def test_right_password_before_the_lock_clears_the_count(client, make_staff, community):
    user = make_staff(worker=[community])
    for _ in range(4):
        _staff_login(client, user.username, "guess")
    assert _staff_login(client, user.username, PASSWORD).status_code == 200
    db.session.expire_all()
    assert db.session.get(LoginThrottle, f"user:{user.username}") is None
    for _ in range(4):
        assert_problem(_staff_login(client, user.username, "guess"), 401, "invalid_credentials")


def test_old_failures_are_forgotten(client, make_staff, community):
    user = make_staff(worker=[community])
    for _ in range(4):
        _staff_login(client, user.username, "guess")
    db.session.get(LoginThrottle, f"user:{user.username}").last_failed_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert_problem(_staff_login(client, user.username, "guess"), 401, "invalid_credentials")
    db.session.expire_all()
    assert db.session.get(LoginThrottle, f"user:{user.username}").failed_count == 1


def test_unknown_username_locks_like_a_real_one(client):
    # a lock must not tell a guesser which accounts exist
    for _ in range(4):
        assert_problem(_staff_login(client, "admin", "guess"), 401, "invalid_credentials")
    assert_problem(_staff_login(client, "admin", "guess"), 423, "account_locked")


def test_lock_is_per_account_not_for_everyone(client, make_staff, community):
    victim, colleague = make_staff(worker=[community]), make_staff(worker=[community])
    for _ in range(5):
        _staff_login(client, victim.username, "guess")
    assert _staff_login(client, colleague.username, PASSWORD).status_code == 200


def test_resident_login_locks_after_five_wrong_passwords(client, make_resident, community):
    resident = make_resident(community)
    for _ in range(4):
        assert_problem(_resident_login(client, resident.phone, "guess"), 401, "invalid_credentials")
    assert_problem(_resident_login(client, resident.phone, "guess"), 423, "account_locked")
    assert_problem(_resident_login(client, resident.phone, PASSWORD), 423, "account_locked")


def test_rating_form_and_resident_login_share_one_counter(client, make_resident, make_merchant, community):
    resident = make_resident(community)
    merchant = make_merchant()
    card = cards.ensure_card(merchant.district_id, "merchant", merchant.id)
    db.session.commit()
    form = "/c/" + cards.card_token(card) + "/rating"
    for _ in range(3):
        response = client.post(form, data={"phone": resident.phone, "password": "guess", "stars": "5"})
        assert response.status_code == 401
    assert_problem(_resident_login(client, resident.phone, "guess"), 401, "invalid_credentials")
    # the fifth wrong password, on the rating form, locks the app's sign-in as well
    locked_page = client.post(form, data={"phone": resident.phone, "password": "guess", "stars": "5"})
    assert locked_page.status_code == 423 and locked_page.mimetype == "text/html"
    assert "try again in" in locked_page.get_data(as_text=True)
    assert_problem(_resident_login(client, resident.phone, PASSWORD), 423, "account_locked")
    still_locked = client.post(form, data={"phone": resident.phone, "password": PASSWORD, "stars": "5"})
    assert still_locked.status_code == 423


def test_village_sign_up_day_200_residents_from_one_address(app, client, community):
    """A committee's Wi-Fi: 200 residents sign in to the app within minutes, some after a typo."""
    hashed = hash_secret(PASSWORD)  # one hash for all: the test is about limits, not hashing
    residents = [Resident(district_id=community.district_id, community_id=community.id, name=f"村民{i}",
                          gender="female", birth_year=1960, phone=f"1370000{i:04d}", password_hash=hashed)
                 for i in range(200)]
    db.session.add_all(residents)
    db.session.commit()
    wifi = {"REMOTE_ADDR": "192.0.2.10"}
    statuses = []
    for i, resident in enumerate(residents):
        if i % 10 == 0:
            assert client.post("/api/v1/auth/resident-login", environ_base=wifi,
                               json={"phone": resident.phone, "password": "typo"}).status_code == 401
        statuses.append(client.post("/api/v1/auth/resident-login", environ_base=wifi,
                                    json={"phone": resident.phone, "password": PASSWORD}).status_code)
    assert statuses == [200] * 200


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/login", lambda n: {"username": f"nobody{n}", "password": "guess"}),
    ("/api/v1/auth/resident-login", lambda n: {"phone": f"1399999{n:04d}", "password": "guess"}),
])
def test_per_address_limit_still_stops_a_flood(app, client, path, body):
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    statuses = [client.post(path, json=body(n)).status_code for n in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def _race(path, bodies):
    """POST ``bodies`` to ``path`` at the same moment, each from its own app (another process's view)."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)
    apps = [make_app() for _ in bodies]  # built one after the other: building touches the shared OpenAPI spec

    def run(index, body):
        app = apps[index]
        with app.app_context():
            client = app.test_client()
            barrier.wait(timeout=30)
            response = client.post(path, json=body, environ_base={"REMOTE_ADDR": f"10.9.0.{index + 1}"})
            results[index] = (response.status_code, response.get_json()["code"] if response.status_code != 200
                              else "ok")
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_parallel_guesses_from_many_processes_all_count(make_staff, community):
    # eight guesses at once, eight processes, eight addresses: four may be told "wrong", the rest meet the lock
    username = make_staff(worker=[community]).username
    db.session.remove()
    results = _race("/api/v1/auth/login", [{"username": username, "password": f"guess{n}"} for n in range(8)])
    assert sorted(results) == [(401, "invalid_credentials")] * 4 + [(423, "account_locked")] * 4, results
    assert db.session.get(LoginThrottle, f"user:{username}").failed_count == 5
