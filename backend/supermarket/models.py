"""Credit supermarkets (信用超市 / 爱心超市): items, stock movements, redemption orders.

Stock on hand lives on the item row like a balance on a ledger account: only
``service.move_stock`` changes it, with a guarded UPDATE in the same
transaction as the movement row that explains it, and a CHECK keeps it from
ever going below zero.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db

CATEGORIES = ("grain_oil", "food", "daily", "cleaning", "textiles", "stationery", "other")
LIMIT_PERIODS = ("day", "week", "month", "quarter", "year")
DONOR_KINDS = ("government", "school", "company", "individual")
MOVEMENT_KINDS = ("intake", "adjustment", "redemption", "cancellation")
ORDER_STATUSES = ("placed", "collected", "cancelled")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Supermarket(db.Model):
    __tablename__ = "supermarkets"
    __table_args__ = (UniqueConstraint("district_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    #: where the shop stands; its workers run it
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    served: Mapped[list["SupermarketCommunity"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SupermarketCommunity.community_id"
    )

    @property
    def served_community_ids(self):
        return [row.community_id for row in self.served]


class SupermarketCommunity(db.Model):
    """A community whose residents may redeem here (a town may run one shop for several)."""

    __tablename__ = "supermarket_communities"
    __table_args__ = (UniqueConstraint("supermarket_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supermarket_id: Mapped[int] = mapped_column(ForeignKey("supermarkets.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)


class SupermarketItem(db.Model):
    __tablename__ = "supermarket_items"
    __table_args__ = (
        UniqueConstraint("supermarket_id", "name_zh"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint("price_points > 0", name="price_positive"),
        #: the last line of defence: stock on hand is never negative
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        CheckConstraint("low_stock_at >= 0", name="low_stock_at_non_negative"),
        CheckConstraint(
            "(limit_quantity IS NULL AND limit_period IS NULL) OR "
            f"(limit_quantity > 0 AND {_in('limit_period', LIMIT_PERIODS)})",
            name="limit",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    supermarket_id: Mapped[int] = mapped_column(ForeignKey("supermarkets.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    #: a path under the site (``/kiosk/img/rice.svg``) or an https URL
    photo: Mapped[str | None] = mapped_column(String(300))
    price_points: Mapped[int]
    #: stock on hand; only the stock-movement service writes it (guarded UPDATE)
    stock: Mapped[int] = mapped_column(default=0)
    #: at or below this the item shows on the low-stock list
    low_stock_at: Mapped[int] = mapped_column(default=5)
    #: at most this many per resident per ``limit_period`` (e.g. 2 bags of rice a month)
    limit_quantity: Mapped[int | None]
    limit_period: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockMovement(db.Model):
    """One change of an item's stock; never edited. Stock on hand is their running sum."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(_in("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint("quantity <> 0", name="quantity_non_zero"),
        CheckConstraint("stock_after >= 0", name="stock_after_non_negative"),
        CheckConstraint(
            "kind <> 'intake' OR (quantity > 0 AND donor_name IS NOT NULL AND "
            f"{_in('donor_kind', DONOR_KINDS)})",
            name="intake_has_donor",
        ),
        CheckConstraint("kind <> 'adjustment' OR reason IS NOT NULL", name="adjustment_has_reason"),
        CheckConstraint("kind <> 'redemption' OR (quantity < 0 AND order_line_id IS NOT NULL)", name="redemption"),
        CheckConstraint("kind <> 'cancellation' OR (quantity > 0 AND order_line_id IS NOT NULL)",
                        name="cancellation"),
        #: an order line takes its stock once and gives it back at most once
        UniqueConstraint("order_line_id", "kind"),
        Index("ix_stock_movements_item_id", "item_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    supermarket_id: Mapped[int] = mapped_column(ForeignKey("supermarkets.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supermarket_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: signed: + into the shop, − out of it
    quantity: Mapped[int]
    #: stock on hand right after this movement
    stock_after: Mapped[int]
    donor_name: Mapped[str | None] = mapped_column(String(100))
    #: town government, school, company or private donor
    donor_kind: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(500))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("supermarket_order_lines.id"))
    #: ``staff:12``, ``kiosk_resident:7`` …
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupermarketOrder(db.Model):
    """A redemption: points and stock are taken together; the goods are handed over on a
    scan of the pickup code, or the order is cancelled and both come back."""

    __tablename__ = "supermarket_orders"
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status"),
        CheckConstraint("total_points > 0", name="total_positive"),
        CheckConstraint("status <> 'collected' OR collected_at IS NOT NULL", name="collected_at"),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_at"),
        #: the same confirmation, retried, never makes a second order
        UniqueConstraint("resident_id", "idempotency_key"),
        Index("ix_supermarket_orders_resident_created", "resident_id", "created_at"),
        Index("ix_supermarket_orders_supermarket_status", "supermarket_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    supermarket_id: Mapped[int] = mapped_column(ForeignKey("supermarkets.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: the kiosk it was placed at, if any
    device_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_devices.id"))
    #: printed on the receipt, e.g. ``20240501-7KQ3M9XD``
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True)
    #: what the worker scans at handover (QR on the receipt)
    pickup_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="placed")
    total_points: Mapped[int]
    #: the ledger transfer that paid for it (``order:<id>:pay``)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    collected_at: Mapped[datetime | None]
    collected_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    lines: Mapped[list["SupermarketOrderLine"]] = relationship(
        back_populates="order", lazy="selectin", order_by="SupermarketOrderLine.id"
    )


class SupermarketOrderLine(db.Model):
    __tablename__ = "supermarket_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_points > 0", name="unit_points_positive"),
        CheckConstraint("line_points = quantity * unit_points", name="line_points"),
        Index("ix_supermarket_order_lines_item_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("supermarket_orders.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("supermarket_items.id"))
    quantity: Mapped[int]
    #: the price when redeemed; a later price change does not touch old orders
    unit_points: Mapped[int]
    line_points: Mapped[int]

    order: Mapped[SupermarketOrder] = relationship(back_populates="lines")
    item: Mapped[SupermarketItem] = relationship(lazy="joined")
