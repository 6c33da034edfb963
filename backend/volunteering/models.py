"""Volunteer service (志愿服务): activities, sign-ups and attendance, certificates.

Hours become credit only through the credit domain: settling an activity
creates one pending credit record per participant (``credit_record_id``),
which then goes through review and public notice like any other record.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Integer, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db
from ..residents.models import Resident

ACTIVITY_STATUSES = ("draft", "open", "running", "closed", "settled", "cancelled")
PARTICIPATION_STATUSES = ("confirmed", "waiting", "withdrawn")
PARTICIPATION_SOURCES = ("sign_up", "walk_in")
#: the type of ``credit_records.id`` (BIGINT on PostgreSQL)
BIGID = BigInteger().with_variant(Integer, "sqlite")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class VolunteerActivity(db.Model):
    """One volunteer activity: draft → open (sign-up) → running → closed → settled, or cancelled."""

    __tablename__ = "volunteer_activities"
    __table_args__ = (
        CheckConstraint(_in("status", ACTIVITY_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("points_per_hour > 0", name="points_per_hour_positive"),
        CheckConstraint("min_age IS NULL OR min_age BETWEEN 0 AND 120", name="min_age"),
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_reason"),
        Index("ix_volunteer_activities_district_starts", "district_id", "starts_at"),
        Index("ix_volunteer_activities_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    #: the catalogue item (category ``volunteering``) the resulting credit records use: the kind of service
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    title_zh: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: confirmed places; further sign-ups join the waiting list
    capacity: Mapped[int]
    points_per_hour: Mapped[int]
    min_age: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: the worker who created it; the resulting credit records are logged in the settler's name
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    settled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    communities: Mapped[list["VolunteerActivityCommunity"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", lazy="selectin",
        order_by="VolunteerActivityCommunity.community_id",
    )

    @property
    def community_ids(self):
        return [link.community_id for link in self.communities]

    @property
    def length_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class VolunteerActivityCommunity(db.Model):
    """The communities whose residents may take part (one activity may serve several)."""

    __tablename__ = "volunteer_activity_communities"
    __table_args__ = (UniqueConstraint("activity_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)

    activity: Mapped[VolunteerActivity] = relationship(back_populates="communities")


class VolunteerParticipation(db.Model):
    """A resident's place in one activity: sign-up or walk-in, attendance, rating and credit."""

    __tablename__ = "volunteer_participations"
    __table_args__ = (
        UniqueConstraint("activity_id", "resident_id"),
        CheckConstraint(_in("status", PARTICIPATION_STATUSES), name="status"),
        CheckConstraint(_in("source", PARTICIPATION_SOURCES), name="source"),
        CheckConstraint("checked_out_at IS NULL OR checked_in_at IS NOT NULL", name="out_needs_in"),
        CheckConstraint("checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"),
        CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'", name="attendee_confirmed"),
        CheckConstraint("quality_percent IS NULL OR quality_percent BETWEEN 1 AND 500", name="quality_percent"),
        CheckConstraint("credited_minutes IS NULL OR credited_minutes >= 0", name="credited_minutes"),
        CheckConstraint("points IS NULL OR points >= 0", name="points"),
        Index("ix_volunteer_participations_activity_status", "activity_id", "status", "signed_up_at"),
        Index("ix_volunteer_participations_resident_in", "resident_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    status: Mapped[str] = mapped_column(String(10))
    #: ``sign_up`` by the resident, ``walk_in`` added by the organiser on site
    source: Mapped[str] = mapped_column(String(10), default="sign_up")
    #: the waiting list is ordered by this; re-signing up after withdrawing goes to the back
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when a waiting sign-up got a place because someone withdrew
    promoted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_out_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the check-out was never scanned: closed at the activity's end time by the system
    checkout_forgotten: Mapped[bool] = mapped_column(default=False)
    #: the organiser corrected a time (with a reason, in the audit log)
    time_corrected: Mapped[bool] = mapped_column(default=False)
    #: quality factor × 100 (80, 100, 120 …) from the organiser's rating; NULL = not rated yet
    quality_percent: Mapped[int | None]
    #: attended minutes after rounding and capping, fixed at settlement
    credited_minutes: Mapped[int | None]
    points: Mapped[int | None]
    credit_record_id: Mapped[int | None] = mapped_column(BIGID, ForeignKey("credit_records.id"))
    settled_at: Mapped[datetime | None]

    activity: Mapped[VolunteerActivity] = relationship(lazy="joined")
    resident: Mapped[Resident] = relationship(lazy="joined")


class VolunteerCertificate(db.Model):
    """志愿服务证明: a snapshot of a resident's settled hours, verifiable by its QR code."""

    __tablename__ = "volunteer_certificates"
    __table_args__ = (
        CheckConstraint("total_minutes >= 0", name="total_minutes"),
        CheckConstraint("year IS NULL OR year BETWEEN 2000 AND 2999", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    #: printed on the certificate, e.g. ``VS2024-000017``
    number: Mapped[str] = mapped_column(String(20), unique=True)
    #: the calendar year covered; NULL = every year
    year: Mapped[int | None]
    total_minutes: Mapped[int]
    #: [{item_id, title_zh, title_en, year, minutes, activities}] at the time of issue
    breakdown: Mapped[list] = mapped_column(JSON)
    #: random; part of the signed verification token, so ids alone cannot be forged into URLs
    nonce: Mapped[str] = mapped_column(String(16))
    #: ``staff:3`` or ``resident:12``
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
