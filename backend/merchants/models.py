"""Merchants of the credit alliance (信用商家联盟)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db

MERCHANT_STATUSES = ("pending", "approved", "suspended", "expelled")


class Merchant(db.Model):
    __tablename__ = "merchants"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'suspended', 'expelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    #: 理发 / 洗浴 / 水暖 / 洗车 / 餐饮 …, as a stable code (``barber``, ``bathhouse`` …)
    category: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200))
    licence_no: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
