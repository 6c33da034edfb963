"""Kiosk devices (自助终端): registered by an admin, paired once, then a device token."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db


class KioskDevice(db.Model):
    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: the credit supermarket this kiosk serves; it can act for no other
    supermarket_id: Mapped[int | None] = mapped_column(ForeignKey("supermarkets.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: sha256 of the one-time pairing code; cleared once paired
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None]
    paired_at: Mapped[datetime | None]
    #: the auth session of the device token; revoked when the device is disabled or re-paired
    session_id: Mapped[str | None] = mapped_column(String(32))
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
