"""A worker reissues a card on a phone with a poor signal: the retry must not make a third card that
cancels the one just handed over."""
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.cards.models import Card
from backend.extensions import db


def _cards_of(resident):
    return db.session.execute(
        select(Card.number, Card.status).where(Card.kind == "resident", Card.subject_id == resident.id).order_by(Card.id)
    ).all()


def test_a_retried_reissue_with_the_same_key_issues_one_new_card(client, holders):
    h = holders
    headers = {**h.worker_headers, "Idempotency-Key": "reissue-after-timeout"}
    body = {"resident_id": h.resident.id, "reason": "卡丢失"}
    first = client.post("/api/v1/cards", headers=headers, json=body)
    again = client.post("/api/v1/cards", headers=headers, json=body)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["number"] == first.get_json()["number"] and first.get_json()["number"].endswith("-2")
    db.session.expire_all()
    assert [status for _, status in _cards_of(h.resident)] == ["revoked", "active"]
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "card.reissue")) == 1


def test_a_new_key_is_a_new_reissue(client, holders):
    h = holders
    for key in ("first-visit", "second-visit"):
        response = client.post("/api/v1/cards", headers={**h.worker_headers, "Idempotency-Key": key},
                               json={"resident_id": h.resident.id, "reason": "卡损坏"})
        assert response.status_code == 201
    db.session.expire_all()
    assert [status for _, status in _cards_of(h.resident)] == ["revoked", "revoked", "active"]
