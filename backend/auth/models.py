"""Accounts that sign in with a password (staff and merchant staff), roles and sessions."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class User(db.Model):
    """A staff member (worker, reviewer, district admin) or a merchant's staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    #: set for merchant staff; they have no community roles
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    #: the resident this staff member also is, for conflict-of-interest checks
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "community_id"),
        CheckConstraint("role IN ('worker', 'reviewer', 'district_admin')", name="role"),
        CheckConstraint("role = 'district_admin' OR community_id IS NOT NULL", name="scoped"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    #: NULL only for district admins, who act on every community of their district
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")


class AuthSession(db.Model):
    """One sign-in; its access and refresh tokens carry its id, so logout revokes both."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(db.Model):
    """Wrong passwords in a row for one sign-in name; in the database, so every API process counts them.

    Keyed by the name tried (``user:<username>``, ``resident:<phone>``), not by
    an account: a name that belongs to nobody is counted and locked the same
    way, so a lock tells nothing about who exists. A successful sign-in
    deletes the row.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failed_count >= 0", name="failed_count"),)

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failed_count: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None]
    #: no sign-in with this name, right password or not, before this time
    locked_until: Mapped[datetime | None]
