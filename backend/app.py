"""The app factory: a short list of register_* steps."""
import importlib
import os
from pathlib import Path

from flask import Flask, redirect

from . import errors
from .common.tx import configure_sqlite, wrap_views
from .config import ROOT, config_from_env
from .extensions import api, db, jwt, limiter, migrate

#: one package per domain; each has ``routes.bp`` (those not built yet are skipped)
DOMAINS = [
    "system", "org", "auth", "residents", "audit", "devices", "ledger", "credit", "cards", "merchants",
    "volunteering", "supermarket", "kiosk", "reports", "console",
]


def create_app(config=None, **overrides):
    app = Flask(__name__, instance_path=os.environ.get("CHENGXIN_INSTANCE_PATH", str(ROOT / "instance")))
    config = config or config_from_env()
    app.config.from_object(config)
    app.config.update(overrides)
    config.check(app.config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # client addresses (audit log, rate limits) come from the proxy's header
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_database(app)
    register_extensions(app)
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
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("JWT_SECRET_KEY"):
        app.config["JWT_SECRET_KEY"] = app.config["SECRET_KEY"]


def register_extensions(app):
    import backend.models  # noqa: F401 — every table is known before migrate/create_all

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs={
        "info": {"description": "Chengxin 诚信: credit records, points, cards, merchants and kiosks."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})


def register_blueprints(app):
    for name in DOMAINS:
        try:
            module = importlib.import_module(f"backend.{name}.routes")
        except ModuleNotFoundError as error:
            if error.name != f"backend.{name}.routes":
                raise
            continue
        for bp_name in ("bp", "public_bp"):
            bp = getattr(module, bp_name, None)
            if bp is None:
                continue
            if hasattr(bp, "_docs"):
                api.register_blueprint(bp)
            else:
                app.register_blueprint(bp)

    @app.get("/")
    def index():
        return redirect("/kiosk/")


def register_jwt_callbacks(app):
    from .auth.service import session_is_revoked

    def reply(status, code, detail):
        return errors.problem(status, code, "Authentication failed" if status == 401 else "Not allowed", detail)

    jwt.token_in_blocklist_loader(lambda _header, payload: session_is_revoked(payload.get("sid")))
    jwt.unauthorized_loader(lambda reason: reply(401, "token_missing", "A bearer token is required."))
    jwt.invalid_token_loader(lambda reason: reply(401, "token_invalid", "The token is malformed or forged."))
    jwt.expired_token_loader(lambda _h, _p: reply(401, "token_expired", "The token has expired; sign in again."))
    jwt.revoked_token_loader(lambda _h, _p: reply(401, "token_revoked", "This session has been signed out."))
    jwt.needs_fresh_token_loader(lambda _h, _p: reply(401, "token_not_fresh", "Sign in again."))
    jwt.user_lookup_error_loader(lambda _h, _p: reply(401, "token_invalid", "Unknown account."))


def register_cli(app):
    from .cli import register

    register(app)
