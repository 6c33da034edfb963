"""Credit business cards (诚信名片) and the single use of dynamic codes."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db


class Card(db.Model):
    """A printed resident card or a merchant's door card. Reissuing makes a new row."""

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint("kind IN ('resident', 'merchant')", name="kind"),
        CheckConstraint("status IN ('active', 'revoked')", name="status"),
        Index("ix_cards_subject", "kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: resident id or merchant id, by ``kind``
    subject_id: Mapped[int]
    #: printed on the card and typed when a scanner fails, e.g. ``R0000123-2``
    number: Mapped[str] = mapped_column(String(20), unique=True)
    #: random per card; part of the signed token
    nonce: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="active")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class DynamicCodeUse(db.Model):
    """A phone code is spent by inserting its nonce: the unique key makes it single use
    across every API process."""

    __tablename__ = "dynamic_code_uses"
    __table_args__ = (UniqueConstraint("resident_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    nonce: Mapped[str] = mapped_column(String(16))
    #: ``discount``, ``redemption``, ``kiosk_login``, ``checkin`` …
    purpose: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
