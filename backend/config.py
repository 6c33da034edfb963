"""Configuration from the environment, with safe development defaults.

Every variable is listed in README.md. ``ProductionConfig.check`` refuses to
start with a development secret so a district never runs with a key that is
printed in this repository.
"""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me-not-for-production-use"
DEV_ID_HASH_KEY = "dev-id-hash-key-change-me"
DEV_TOKEN_SIGNING_KEY = ""  # empty: a development key is derived from SECRET_KEY


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
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET)
    #: keyed hash (HMAC-SHA256) for national ID numbers; never store them in clear
    ID_HASH_KEY = _env("ID_HASH_KEY", DEV_ID_HASH_KEY)
    #: base64 Ed25519 private key(s) for card tokens: "kid:base64,kid2:base64"; first signs
    TOKEN_SIGNING_KEYS = _env("TOKEN_SIGNING_KEYS", DEV_TOKEN_SIGNING_KEY)
    #: public keys ("kid:base64,…") of retired signing keys: old cards still verify
    TOKEN_RETIRED_PUBLIC_KEYS = _env("TOKEN_RETIRED_PUBLIC_KEYS", "")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL") or None  # filled in by create_app
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY") or None  # falls back to SECRET_KEY
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("JWT_REFRESH_DAYS", 14))
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "detail"
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    #: where evidence files and other uploads are kept
    UPLOAD_FOLDER = _env("UPLOAD_FOLDER") or None
    #: how many reverse proxies (nginx …) stand in front: their X-Forwarded-For is trusted
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") not in ("0", "false", "False")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 60)
    #: seconds of warning before an idle kiosk signs out (default: a quarter of the idle time, 2–15 s)
    KIOSK_IDLE_WARNING_SECONDS = _int("KIOSK_IDLE_WARNING_SECONDS", 0) or None
    KIOSK_SESSION_MINUTES = _int("KIOSK_SESSION_MINUTES", 5)
    #: the district's local calendar (caps, effective dates, "today"): China is UTC+8
    CREDIT_UTC_OFFSET_HOURS = _int("CREDIT_UTC_OFFSET_HOURS", 8)
    #: largest evidence file (image or PDF) a worker may upload
    CREDIT_EVIDENCE_MAX_BYTES = _int("CREDIT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
    DYNAMIC_CODE_SECONDS = _int("DYNAMIC_CODE_SECONDS", 75)
    PIN_MAX_TRIES = 5
    PIN_LOCK_MINUTES = 15
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
    RATELIMIT_ENABLED = True
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL") or _env("DATABASE_URL") or None


class ProductionConfig(Config):
    ENV_NAME = "production"

    @classmethod
    def check(cls, config):
        """Refuse to start with secrets printed in this repository."""
        problems = []
        if config["SECRET_KEY"] == DEV_SECRET:
            problems.append("SECRET_KEY")
        if config.get("JWT_SECRET_KEY") == DEV_SECRET:
            problems.append("JWT_SECRET_KEY")
        if config["ID_HASH_KEY"] == DEV_ID_HASH_KEY:
            problems.append("ID_HASH_KEY")
        if not config["TOKEN_SIGNING_KEYS"]:
            problems.append("TOKEN_SIGNING_KEYS")
        if problems:
            raise RuntimeError(
                "Refusing to start in production with development secrets; set "
                + ", ".join(problems)
                + " (see README.md, Configuration)"
            )


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}


def config_from_env():
    return CONFIGS.get(_env("CHENGXIN_ENV", "development"), Config)
