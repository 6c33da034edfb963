"""Baseline endpoints: only the minimal database work of each measured path, no framework extras.

No auth, no marshmallow, no idempotency table, no commit wrapper: a plain
Flask view around SQLAlchemy Core on the same engine and pool. Each measured
path's requests per second are reported as a ratio to its baseline.
"""
import uuid

from flask import Blueprint, jsonify
from sqlalchemy import text

from backend.extensions import db

bp = Blueprint("bench_baseline", __name__, url_prefix="/bench/baseline")

READ = text("SELECT id, community_id, name FROM residents WHERE id = :id")
DEBIT = text("UPDATE accounts SET balance = balance - 1 WHERE id = :id AND balance >= 1")
CREDIT = text("UPDATE accounts SET balance = balance + 1 WHERE id = :id")
INSERT = text(
    "INSERT INTO transfers (district_id, from_account_id, to_account_id, amount, kind, idempotency_key, created_at)"
    " VALUES (:district, :src, :dst, 1, 'bench', :key, CURRENT_TIMESTAMP)"
)


@bp.get("/read/<int:resident_id>")
def read(resident_id):
    """One indexed read."""
    with db.engine.connect() as conn:
        row = conn.execute(READ, {"id": resident_id}).first()
    return jsonify(id=row.id, community_id=row.community_id, name=row.name)


@bp.post("/write/<int:src>/<int:dst>/<int:district>")
def write(src, dst, district):
    """One guarded balance update plus one insert, in one transaction."""
    with db.engine.begin() as conn:
        if conn.execute(DEBIT, {"id": src}).rowcount != 1:
            return jsonify(error="insufficient"), 409
        conn.execute(CREDIT, {"id": dst})
        conn.execute(INSERT, {"district": district, "src": src, "dst": dst, "key": uuid.uuid4().hex})
    return jsonify(ok=True), 201
