"""No secret is a constant of the code: development instances make their own; production insists on them."""
import os
import stat
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token

from backend import create_app
from backend.auth.models import AuthSession
from backend.cards import tokens
from backend.config import PUBLISHED_SECRETS, SECRET_SETTINGS, SECRETS_FILE, Config, ProductionConfig, \
    instance_secrets
from backend.extensions import db
from tests.conftest import DATABASE_URL, make_app

#: what backend/config.py printed as the development secret before instances had their own
OLD_PUBLISHED_SECRET = "dev-secret-change-me-not-for-production-use"
UNSET = {name: None for name in SECRET_SETTINGS}


_APPS = []


@pytest.fixture(autouse=True)
def _close_extra_apps():
    yield
    while _APPS:
        with _APPS.pop().app_context():
            db.engine.dispose()


def _dev_app(instance, monkeypatch, **overrides):
    monkeypatch.setenv("CHENGXIN_INSTANCE_PATH", str(instance))
    settings = dict(SQLALCHEMY_DATABASE_URI=DATABASE_URL, PASSWORD_HASH_CHEAP=True, **UNSET)
    settings.update(overrides)
    app = create_app(Config, **settings)
    _APPS.append(app)
    return app


def test_development_app_generates_its_own_secrets_in_a_private_file(tmp_path, monkeypatch):
    app = _dev_app(tmp_path / "instance", monkeypatch)
    path = tmp_path / "instance" / SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = {name: app.config[name] for name in SECRET_SETTINGS}
    assert values == instance_secrets(tmp_path / "instance")
    assert not set(values.values()) & PUBLISHED_SECRETS
    assert len({values["SECRET_KEY"], values["JWT_SECRET_KEY"], values["ID_HASH_KEY"]}) == 3
    assert tokens.public_entry(values["TOKEN_SIGNING_KEYS"])  # a usable Ed25519 key
    # the next start (or another worker) reads the same secrets; another instance has its own
    assert _dev_app(tmp_path / "instance", monkeypatch).config["SECRET_KEY"] == values["SECRET_KEY"]
    assert _dev_app(tmp_path / "other", monkeypatch).config["SECRET_KEY"] != values["SECRET_KEY"]


def test_secrets_given_by_the_environment_win_and_are_not_written(tmp_path, monkeypatch):
    given = {"SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40, "ID_HASH_KEY": "i" * 40,
             "TOKEN_SIGNING_KEYS": tokens.generate_signing_key()}
    app = _dev_app(tmp_path, monkeypatch, **given)
    assert {name: app.config[name] for name in SECRET_SETTINGS} == given
    assert not (tmp_path / SECRETS_FILE).exists()


def test_a_damaged_secrets_file_stops_the_start_instead_of_being_replaced(tmp_path, monkeypatch):
    # new secrets would silently invalidate every printed card and ID-number look-up
    (tmp_path / SECRETS_FILE).write_text('{"SECRET_KEY": "x"')
    with pytest.raises(RuntimeError, match="not valid JSON"):
        _dev_app(tmp_path, monkeypatch)
    (tmp_path / SECRETS_FILE).write_text('{"SECRET_KEY": "x"}')
    with pytest.raises(RuntimeError, match="ID_HASH_KEY"):
        _dev_app(tmp_path, monkeypatch)


def _first_start(instance):
    return instance_secrets(instance)["SECRET_KEY"]


def test_workers_starting_together_share_one_set_of_secrets(tmp_path):
    with ProcessPoolExecutor(4) as pool:
        keys = set(pool.map(_first_start, [tmp_path] * 8))
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == [SECRETS_FILE]  # no drafts left behind


def test_token_signed_with_the_old_published_constant_is_refused(client, make_staff, community, tmp_path,
                                                                 monkeypatch):
    user = make_staff(worker=[community])
    assert client.post("/api/v1/auth/login",
                       json={"username": user.username, "password": "correct-horse-1"}).status_code == 200
    session_id = db.session.query(AuthSession.id).scalar()
    user_id, district_id = user.id, user.district_id
    db.session.remove()  # the test's own session must not hold SQLite's write lock
    dev = _dev_app(tmp_path, monkeypatch)
    now = datetime.now(timezone.utc)
    claims = {"sub": f"staff:{user_id}", "kind": "staff", "district_id": district_id, "sid": session_id,
              "roles": {"district_admin": None}, "type": "access", "fresh": False, "jti": uuid.uuid4().hex,
              "iat": now, "nbf": now, "exp": now + timedelta(minutes=15)}
    forged = pyjwt.encode(claims, OLD_PUBLISHED_SECRET, algorithm="HS256")
    response = dev.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.get_json()["code"] == "token_invalid"
    # the same claims signed with the instance's own key pass: the key alone made the difference
    with dev.app_context():
        genuine = create_access_token(claims["sub"], additional_claims={
            k: claims[k] for k in ("kind", "district_id", "sid", "roles")})
    assert dev.test_client().get("/api/v1/auth/me",
                                 headers={"Authorization": f"Bearer {genuine}"}).status_code == 200


def test_phone_code_signed_with_the_old_published_key_is_refused(make_resident, community, tmp_path, monkeypatch):
    resident_id = make_resident(community).id
    db.session.remove()
    # the old development card key was derived from the published SECRET_KEY
    old = make_app(SECRET_KEY=OLD_PUBLISHED_SECRET, TOKEN_SIGNING_KEYS="")
    _APPS.append(old)
    with old.app_context():
        forged = tokens.sign(tokens.KIND_DYNAMIC, resident_id, ttl=600)
    dev = _dev_app(tmp_path, monkeypatch)
    assert dev.test_client().get(f"/c/{forged}").status_code == 400
    with dev.app_context():
        genuine = tokens.sign(tokens.KIND_DYNAMIC, resident_id, ttl=600)
    assert dev.test_client().get(f"/c/{genuine}").status_code == 200


def test_production_refuses_to_start_without_explicit_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("CHENGXIN_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError) as error:
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=DATABASE_URL, **UNSET)
    for name in ("SECRET_KEY", "ID_HASH_KEY", "TOKEN_SIGNING_KEYS"):
        assert name in str(error.value)
    assert not (tmp_path / SECRETS_FILE).exists()  # production never makes its own
    published = dict(UNSET, SECRET_KEY=OLD_PUBLISHED_SECRET, JWT_SECRET_KEY=OLD_PUBLISHED_SECRET,
                     ID_HASH_KEY="dev-id-hash-key-change-me", TOKEN_SIGNING_KEYS=tokens.generate_signing_key())
    with pytest.raises(RuntimeError) as error:
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=DATABASE_URL, **published)
    assert "SECRET_KEY" in str(error.value) and "ID_HASH_KEY" in str(error.value)
    explicit = {"SECRET_KEY": os.urandom(24).hex(), "JWT_SECRET_KEY": None, "ID_HASH_KEY": os.urandom(24).hex(),
                "TOKEN_SIGNING_KEYS": tokens.generate_signing_key()}
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=DATABASE_URL, **explicit)
    _APPS.append(app)
    assert app.config["JWT_SECRET_KEY"] == explicit["SECRET_KEY"]
