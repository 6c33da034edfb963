"""Merchants of the credit alliance (信用商家联盟): discounts per star, validated sales, ratings."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db

MERCHANT_STATUSES = ("pending", "approved", "suspended", "expelled")
#: stable category codes with their zh/en labels (理发/洗浴/水暖/洗车/餐饮 … from the seeds)
CATEGORIES = {
    "barber": ("理发", "Barber"),
    "bathhouse": ("洗浴", "Bathhouse"),
    "plumbing": ("水暖", "Plumbing & heating"),
    "car_wash": ("洗车", "Car wash"),
    "restaurant": ("餐饮", "Restaurant"),
    "grocery": ("超市便利", "Grocery"),
    "repair": ("维修", "Repairs"),
    "pharmacy": ("药店", "Pharmacy"),
    "other": ("其他", "Other"),
}


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
    #: why the district suspended or expelled the merchant (shown to the merchant, not the public)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MerchantDiscount(db.Model):
    """The discount one merchant gives residents of one star level (within the district's bounds)."""

    __tablename__ = "merchant_discounts"
    __table_args__ = (
        UniqueConstraint("merchant_id", "stars"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    stars: Mapped[int]
    #: whole percent off the bill, e.g. 10 for 10%
    percent: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Sale(db.Model):
    """A discount given against a resident's phone code. Amounts are integer fen (分)."""

    __tablename__ = "sales"
    __table_args__ = (
        #: a phone code pays for one sale at most (the code-use table enforces it too)
        UniqueConstraint("resident_id", "code_nonce"),
        CheckConstraint("bill_amount > 0", name="bill_positive"),
        CheckConstraint("discount_amount >= 0 AND discount_amount <= bill_amount", name="discount_range"),
        CheckConstraint("final_amount = bill_amount - discount_amount", name="final_amount"),
        CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount_percent"),
        CheckConstraint("status IN ('valid', 'voided')", name="status"),
        CheckConstraint("status = 'valid' OR voided_at IS NOT NULL", name="voided_at"),
        Index("ix_sales_merchant_created", "merchant_id", "created_at"),
        Index("ix_sales_resident_created", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: the merchant staff account that confirmed the sale
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: nonce of the phone code that was spent for this sale
    code_nonce: Mapped[str] = mapped_column(String(16))
    #: the resident's star level when the code was scanned
    stars: Mapped[int]
    discount_percent: Mapped[int]
    bill_amount: Mapped[int]
    discount_amount: Mapped[int]
    final_amount: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="valid")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    voided_at: Mapped[datetime | None]
    #: ``merchant:5`` or ``staff:2``
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(200))


class MerchantRating(db.Model):
    """A resident's rating of one real visit (one validated sale), with the merchant's one reply."""

    __tablename__ = "merchant_ratings"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint("hidden_at IS NULL OR hidden_reason IS NOT NULL", name="hidden_reason"),
        Index("ix_merchant_ratings_merchant_created", "merchant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    #: one rating per sale: the unique key is the "once" rule
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    stars: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str | None] = mapped_column(String(200))
    replied_at: Mapped[datetime | None]
    #: merchant staff account that replied, ``merchant:7``
    replied_by: Mapped[str | None] = mapped_column(String(64))
    #: set when staff hide abusive text; the stars still count, the text is no longer shown
    hidden_at: Mapped[datetime | None]
    hidden_by: Mapped[str | None] = mapped_column(String(64))
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
