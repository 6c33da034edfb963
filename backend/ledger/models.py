"""Points accounts and their immutable transfers (the only place balances live)."""
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db

ACCOUNT_KINDS = ("resident", "community_fund", "supermarket", "merchant", "expiry", "district_fund")


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("kind", "owner_id"),
        CheckConstraint(
            "kind IN ('resident', 'community_fund', 'supermarket', 'merchant', 'expiry', 'district_fund')",
            name="kind",
        ),
        #: the database itself refuses a resident balance below zero
        CheckConstraint("allow_negative OR balance >= 0", name="balance_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: id of the resident, community, supermarket, merchant or district it belongs to
    owner_id: Mapped[int]
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    #: funds that issue points may go negative; residents and shops never
    allow_negative: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Transfer(db.Model):
    """One movement of points from one account to another; never edited, never deleted.

    A correction is a new transfer in the other direction whose ``reverses_id``
    points at the original.
    """

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="distinct_accounts"),
        Index("ix_transfers_from_created", "from_account_id", "id"),
        Index("ix_transfers_to_created", "to_account_id", "id"),
        Index("ix_transfers_ref", "ref_type", "ref_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    #: ``credit_award``, ``redemption``, ``expiry``, ``reversal`` …
    kind: Mapped[str] = mapped_column(String(30))
    #: what caused it, e.g. ``credit_record`` / ``42``
    ref_type: Mapped[str | None] = mapped_column(String(30))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    #: derived from the cause (``record:42:award``): the same cause never moves points twice
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), unique=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    memo: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
