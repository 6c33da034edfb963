"""The app factory: a short list of register_* steps."""
import os
from pathlib import Path

from flask import Flask, redirect

from . import error_docs, errors
from . import models  # noqa: F401 — every table is known before migrate/create_all
from .announcements import routes as announcements_routes
from .audit import routes as audit_routes
from .auth import routes as auth_routes
from .auth.service import session_is_revoked
from .cards import routes as cards_routes
from .cli import register as register_commands
from .common.inputs import register_input_guards
from .common.security import register_security_headers
from .common.tx import configure_sqlite, ping_idle_connections, wrap_views
from .config import ROOT, config_from_env, fill_secrets
from .console import routes as console_routes
from .credit import routes as credit_routes
from .devices import routes as devices_routes
from .extensions import api, db, jwt, limiter, migrate

# every domain's error catalogue (codes with their zh/en texts), imported explicitly like the blueprints
from .announcements import errors as _announcements_errors  # noqa: F401
from .audit import errors as _audit_errors  # noqa: F401
from .auth import errors as _auth_errors  # noqa: F401
from .cards import errors as _cards_errors  # noqa: F401
from .credit import errors as _credit_errors  # noqa: F401
from .devices import errors as _devices_errors  # noqa: F401
from .kiosk import errors as _kiosk_errors  # noqa: F401
from .ledger import errors as _ledger_errors  # noqa: F401
from .merchants import errors as _merchants_errors  # noqa: F401
from .org import errors as _org_errors  # noqa: F401
from .reports import errors as _reports_errors  # noqa: F401
from .residents import errors as _residents_errors  # noqa: F401
from .supermarket import errors as _supermarket_errors  # noqa: F401
from .volunteering import errors as _volunteering_errors  # noqa: F401
from .kiosk import routes as kiosk_routes
from .ledger import routes as ledger_routes
from .merchants import routes as merchants_routes
from .mobile import routes as mobile_routes
from .org import routes as org_routes
from .reports import activity_routes as reports_activity_routes
from .reports import routes as reports_routes
from .residents import routes as residents_routes
from .supermarket import routes as supermarket_routes
from .system import routes as system_routes
from .volunteering import routes as volunteering_routes

#: every blueprint, in the order of the API docs; API blueprints go through flask-smorest, pages through Flask
BLUEPRINTS = [
    system_routes.bp, system_routes.public_bp, org_routes.bp, auth_routes.bp, residents_routes.bp, audit_routes.bp, devices_routes.bp,
    ledger_routes.bp, credit_routes.bp, cards_routes.bp, cards_routes.public_bp, merchants_routes.bp,
    volunteering_routes.bp, volunteering_routes.public_bp, supermarket_routes.bp, kiosk_routes.bp,
    kiosk_routes.public_bp, reports_routes.bp, reports_activity_routes.bp, reports_routes.archive_bp, reports_routes.public_bp,
    announcements_routes.bp, mobile_routes.public_bp, console_routes.public_bp,
]


def create_app(config=None, **overrides):
    app = Flask(__name__, instance_path=os.environ.get("CHENGXIN_INSTANCE_PATH", str(ROOT / "instance")))
    config = config or config_from_env()
    app.config.from_object(config)
    app.config.update(overrides)
    fill_secrets(app.config, app.instance_path)
    config.check(app.config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # client addresses (audit log, rate limits) come from the proxy's header
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_database(app)
    register_extensions(app)
    register_input_guards(app)
    register_security_headers(app)
    register_blueprints(app)
    errors.register_error_handlers(app)
    register_jwt_callbacks(app)
    register_cli(app)
    wrap_views(app)
    return app


def register_database(app):
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'chengxin.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # no JIT: it compiles a report's statement for seconds (its live part past a watermark is estimated
        # from a generic plan, millions of rows) and then runs it in milliseconds; our queries are short
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"options": "-c jit=off", **(options.get("connect_args") or {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("JWT_SECRET_KEY"):
        app.config["JWT_SECRET_KEY"] = app.config["SECRET_KEY"]


def register_extensions(app):
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            ping_idle_connections(db.engine, app.config["DB_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs={
        "info": {"description": "Chengxin 诚信: credit records, points, cards, merchants and kiosks."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    error_docs.install(api, app)


def register_blueprints(app):
    for bp in BLUEPRINTS:
        if hasattr(bp, "_docs"):
            api.register_blueprint(bp)
        else:
            app.register_blueprint(bp)

    @app.get("/")
    def index():
        return redirect("/kiosk/")


def register_jwt_callbacks(app):
    def reply(status, code, detail):
        return errors.problem(status, code, "Authentication failed" if status == 401 else "Not allowed", detail)

    jwt.token_in_blocklist_loader(lambda _header, payload: session_is_revoked(payload))
    jwt.unauthorized_loader(lambda reason: reply(401, "token_missing", "A bearer token is required."))
    jwt.invalid_token_loader(lambda reason: reply(401, "token_invalid", "The token is malformed or forged."))
    jwt.expired_token_loader(lambda _h, _p: reply(401, "token_expired", "The token has expired; sign in again."))
    jwt.revoked_token_loader(lambda _h, _p: reply(401, "token_revoked", "This session has been signed out."))
    jwt.needs_fresh_token_loader(lambda _h, _p: reply(401, "token_not_fresh", "Sign in again."))
    jwt.user_lookup_error_loader(lambda _h, _p: reply(401, "token_invalid", "Unknown account."))


def register_cli(app):
    register_commands(app)
