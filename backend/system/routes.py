from flask import Blueprint as FlaskBlueprint, send_from_directory
from marshmallow import Schema, fields
from sqlalchemy import text

from ..common.blueprint import Blueprint
from ..config import ROOT
from ..extensions import db

bp = Blueprint("system", __name__, url_prefix="/api/v1", description="Health")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()


@bp.route("/health", methods=["GET"])
@bp.doc(security=[])
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema)
def health():
    """Is the API up and its database reachable?"""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure means "not reachable"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": db.engine.dialect.name}


# --- interactive API docs: Swagger UI served from the app (vendored), never from a CDN -------

public_bp = FlaskBlueprint("apidocs", __name__)
DOCS_DIR = ROOT / "apidocs"


@public_bp.route("/api/docs")
@public_bp.route("/api/docs/")
def api_docs():
    return send_from_directory(DOCS_DIR, "index.html", max_age=0)


@public_bp.route("/api/docs/<path:filename>")
def api_docs_file(filename):
    return send_from_directory(DOCS_DIR, filename, max_age=3600)
