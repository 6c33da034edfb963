"""``Idempotency-Key`` for every POST that moves points or stock.

The key row is inserted first, in the request's own transaction: a
concurrent retry blocks on the unique index until the first request commits
and then replays its stored response; if the first request failed, its key
row vanished with its rollback and the retry runs afresh. A key reused with
a different body is a 409.
"""
import copy
import hashlib
from functools import wraps

from flask import current_app, request
from sqlalchemy import String, Integer, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from .auth import current_principal
from .time import utcnow

HEADER = "Idempotency-Key"


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who sent it (``kind:id``): keys are only unique per caller
    principal: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    #: sha256 of method, path and body: the same key with another body is refused
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(db.DateTime, default=utcnow, nullable=False)


def _fingerprint():
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.get_data() or b"")
    return digest.hexdigest()


def _replay(record, fingerprint):
    if record.fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
        )
    response = current_app.response_class(record.body, status=record.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Replay the first response for a repeated ``Idempotency-Key``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not (1 <= len(key) <= 128) or not key.isprintable():
            raise ValidationFailed(errors={HEADER: ["Must be 1 to 128 printable characters."]})
        principal = current_principal()
        who = principal.ref if principal else f"anon:{request.remote_addr}"
        fingerprint = _fingerprint()
        found = db.session.execute(
            select(IdempotencyRecord).where(IdempotencyRecord.principal == who, IdempotencyRecord.key == key)
        ).scalar_one_or_none()
        if found is not None:
            return _replay(found, fingerprint)
        record = IdempotencyRecord(principal=who, key=key, fingerprint=fingerprint)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            found = db.session.execute(
                select(IdempotencyRecord).where(IdempotencyRecord.principal == who, IdempotencyRecord.key == key)
            ).scalar_one()
            return _replay(found, fingerprint)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            record.status = response.status_code
            record.body = response.get_data(as_text=True)
        else:
            db.session.delete(record)
        db.session.flush()
        return response

    wrapper._apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
    wrapper._apidoc.setdefault("manual_doc", {}).setdefault("parameters", []).append(
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 128},
            "description": "Retrying with the same key returns the first result and moves nothing again.",
        }
    )
    return wrapper
