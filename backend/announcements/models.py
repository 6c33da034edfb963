from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db

SCOPES = ("community", "district")


class Announcement(db.Model):
    """A notice (公告) to the residents of one community or of the whole district.

    It shows from ``publish_at`` until ``expire_at`` (or for good) unless withdrawn; it is never
    deleted, so what residents were shown can always be told afterwards.
    """

    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint("scope IN ('community', 'district')", name="scope"),
        # a community notice names its community; a district-wide one names none
        CheckConstraint("(scope = 'community' AND community_id IS NOT NULL) OR (scope = 'district' AND community_id IS NULL)",
                        name="scope_community"),
        CheckConstraint("expire_at IS NULL OR expire_at > publish_at", name="expires_after_publish"),
        Index("ix_announcements_district_publish", "district_id", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    scope: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    #: English is optional: readers without it get the Chinese
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    publish_at: Mapped[datetime] = mapped_column()
    #: None: shown until withdrawn
    expire_at: Mapped[datetime | None] = mapped_column()
    #: pinned notices come first on every screen
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
