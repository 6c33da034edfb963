"""The organisation tree: district → town/street → community/village, and households."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Town(db.Model):
    __tablename__ = "towns"
    __table_args__ = (
        UniqueConstraint("district_id", "code"),
        CheckConstraint("kind IN ('town', 'street')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: 镇 (town) or 街道 (street)
    kind: Mapped[str] = mapped_column(String(10), default="town")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    district: Mapped[District] = relationship()


class Community(db.Model):
    __tablename__ = "communities"
    __table_args__ = (
        UniqueConstraint("district_id", "code"),
        CheckConstraint("kind IN ('village', 'community')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: 村 (village) or 社区 (urban community)
    kind: Mapped[str] = mapped_column(String(10), default="village")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    town: Mapped[Town] = relationship()


class Household(db.Model):
    """信用户: a family registered together; red-list and conflict-of-interest rules use it."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("community_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: 户号, unique within the community
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
