from marshmallow import Schema, fields
from sqlalchemy import text

from ..common.blueprint import Blueprint
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
