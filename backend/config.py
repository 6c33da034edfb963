"""Configuration from the environment, with safe development defaults.

Every variable is listed in README.md. No secret is a constant of this
repository: outside production a missing secret is generated once per
instance and kept in ``instance/secrets.json`` (see ``instance_secrets``);
``ProductionConfig.check`` refuses to start without explicit secrets.
"""
import json
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: secrets this repository once printed as development defaults: never accepted in production
PUBLISHED_SECRETS = frozenset({"dev-secret-change-me-not-for-production-use", "dev-id-hash-key-change-me"})
#: the settings ``instance_secrets`` generates when the environment does not give them
SECRET_SETTINGS = ("SECRET_KEY", "JWT_SECRET_KEY", "ID_HASH_KEY", "TOKEN_SIGNING_KEYS")
SECRETS_FILE = "secrets.json"


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _int(name, default):
    return int(_env(name, default))


def _default_db_url(instance_path):
    return f"sqlite:///{Path(instance_path) / 'chengxin.db'}"


class Config:
    ENV_NAME = "development"
    TESTING = False
    INSTANCE_PATH = _env("CHENGXIN_INSTANCE_PATH", str(ROOT / "instance"))
    #: unset outside production: generated per instance (``instance_secrets``)
    SECRET_KEY = _env("SECRET_KEY")
    #: keyed hash (HMAC-SHA256) for national ID numbers; never store them in clear
    ID_HASH_KEY = _env("ID_HASH_KEY")
    #: base64 Ed25519 private key(s) for card tokens: "kid:base64,kid2:base64"; first signs
    TOKEN_SIGNING_KEYS = _env("TOKEN_SIGNING_KEYS")
    #: public keys ("kid:base64,…") of retired signing keys: old cards still verify
    TOKEN_RETIRED_PUBLIC_KEYS = _env("TOKEN_RETIRED_PUBLIC_KEYS", "")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL") or None  # filled in by create_app
    #: no ping on every checkout (a round trip per request): a pooled connection idle this long is pinged
    #: before use, and a request whose connection turns out dead runs again on a new one
    SQLALCHEMY_ENGINE_OPTIONS = {}
    DB_PING_IDLE_SECONDS = _int("DB_PING_IDLE_SECONDS", 10)
    #: a district report's answer is kept this long per process (reports/cache.py); 0 = always computed afresh
    REPORT_CACHE_SECONDS = _int("REPORT_CACHE_SECONDS", 20)
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("JWT_REFRESH_DAYS", 14))
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "detail"
    #: start of every QR code URL; by default the development server's own address, so it follows ``PORT``
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", f"http://127.0.0.1:{_env('PORT', '5000')}").rstrip("/")
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    #: where evidence files and other uploads are kept
    UPLOAD_FOLDER = _env("UPLOAD_FOLDER") or None
    #: how many reverse proxies (nginx …) stand in front: their X-Forwarded-For is trusted
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") not in ("0", "false", "False")
    RATELIMIT_HEADERS_ENABLED = True
    #: per client address, against floods; guessing is stopped per account (LOGIN_MAX_FAILURES), so this
    #: is high enough for a village signing up from one committee's Wi-Fi. A one-minute window keeps
    #: the Retry-After that Flask-Limiter adds to every answer of these routes within a minute.
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "300 per minute")
    #: wrong passwords in a row before an account (staff, merchant or resident) is locked
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    #: the first lock; each further wrong password doubles it, up to LOGIN_LOCK_MAX_MINUTES
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 1)
    LOGIN_LOCK_MAX_MINUTES = _int("LOGIN_LOCK_MAX_MINUTES", 60)
    KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 60)
    #: seconds of warning before an idle kiosk signs out (default: a quarter of the idle time, 2–15 s)
    KIOSK_IDLE_WARNING_SECONDS = _int("KIOSK_IDLE_WARNING_SECONDS", 0) or None
    KIOSK_SESSION_MINUTES = _int("KIOSK_SESSION_MINUTES", 5)
    #: the district's local calendar (caps, effective dates, "today"): China is UTC+8
    CREDIT_UTC_OFFSET_HOURS = _int("CREDIT_UTC_OFFSET_HOURS", 8)
    #: largest evidence file (image or PDF) a worker may upload
    CREDIT_EVIDENCE_MAX_BYTES = _int("CREDIT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
    #: largest photo of a supermarket item (JPEG, PNG or WebP) a worker may upload
    SUPERMARKET_PHOTO_MAX_BYTES = _int("SUPERMARKET_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    DYNAMIC_CODE_SECONDS = _int("DYNAMIC_CODE_SECONDS", 75)
    PIN_MAX_TRIES = 5
    PIN_LOCK_MINUTES = 15
    #: how long a resident's app activation code stays valid
    ACTIVATION_CODE_DAYS = _int("ACTIVATION_CODE_DAYS", 14)
    ACTIVATION_MAX_TRIES = 5
    ACTIVATION_LOCK_MINUTES = 15
    API_TITLE = "Chengxin 诚信 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    #: /api/docs is Swagger UI vendored under apidocs/ (backend/system/routes.py), never a CDN
    JSON_SORT_KEYS = False

    @classmethod
    def check(cls, config):
        """Development configs start with anything."""


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # fixed so tests are repeatable; nothing outside the test suite runs with them
    SECRET_KEY = "test-secret-key-only-for-the-test-suite"
    JWT_SECRET_KEY = "test-jwt-secret-key-only-for-the-test-suite"
    ID_HASH_KEY = "test-id-hash-key-only-for-the-test-suite"
    TOKEN_SIGNING_KEYS = ""  # derived from SECRET_KEY
    RATELIMIT_ENABLED = True
    REPORT_CACHE_SECONDS = 0  # a test reads the report right after writing what it counts
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL") or _env("DATABASE_URL") or None


class ProductionConfig(Config):
    ENV_NAME = "production"

    @classmethod
    def check(cls, config):
        """Refuse to start without explicit secrets, or with secrets printed in this repository."""
        problems = [name for name in ("SECRET_KEY", "ID_HASH_KEY", "TOKEN_SIGNING_KEYS")
                    if not config.get(name) or config[name] in PUBLISHED_SECRETS]
        if config.get("JWT_SECRET_KEY") in PUBLISHED_SECRETS:
            problems.append("JWT_SECRET_KEY")
        if problems:
            raise RuntimeError(
                "Refusing to start in production with development secrets; set "
                + ", ".join(problems)
                + " (see README.md, Configuration)"
            )


def _generate_secrets():
    # late: the key's format belongs to the card tokens, which read this configuration
    from .cards.tokens import generate_signing_key

    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "ID_HASH_KEY": secrets.token_urlsafe(48),
        "TOKEN_SIGNING_KEYS": generate_signing_key(),
    }


def instance_secrets(instance_path):
    """This instance's own secrets: read from ``secrets.json``, or generated on first start.

    The file is created with mode 600 and published atomically (written aside,
    then hard-linked into place), so several worker processes starting at once
    all end up with the same secrets.
    """
    path = Path(instance_path) / SECRETS_FILE
    if not path.exists():
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRETS_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(_generate_secrets(), out, indent=1)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(draft, path)
                logging.getLogger(__name__).warning("generated this instance's secrets in %s", path)
            except FileExistsError:
                pass  # another process was first: use its secrets
        finally:
            os.unlink(draft)
    try:
        with open(path) as stored:
            values = json.load(stored)
    except ValueError:
        raise RuntimeError(f"{path} is not valid JSON; restore it from a backup") from None
    missing = [name for name in SECRET_SETTINGS if not values.get(name)]
    if missing:
        raise RuntimeError(f"{path} lacks {', '.join(missing)}; restore it from a backup")
    return values


def fill_secrets(config, instance_path):
    """Outside production, give every secret the environment left unset a per-instance value."""
    if config.get("ENV_NAME") == "production":
        return
    if all(config.get(name) is not None for name in SECRET_SETTINGS):
        return
    stored = instance_secrets(instance_path)
    for name in SECRET_SETTINGS:
        if config.get(name) is None:
            config[name] = stored[name]


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}


def config_from_env():
    return CONFIGS.get(_env("CHENGXIN_ENV", "development"), Config)
