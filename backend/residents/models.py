"""Residents (居民), the log of staff look-ups of their archive (查询登记) and app activation codes."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.orm.base import NO_VALUE, NEVER_SET

from ..common.time import utcnow
from ..extensions import db
from ..org.models import Community, Household


class Resident(db.Model):
    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("district_id", "id_hash"),
        UniqueConstraint("district_id", "phone"),
        CheckConstraint("gender IN ('female', 'male')", name="gender"),
        CheckConstraint("status IN ('active', 'moved_out', 'deceased')", name="status"),
        CheckConstraint("pin_failed_count >= 0", name="pin_failed_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(6))
    birth_year: Mapped[int]
    phone: Mapped[str | None] = mapped_column(String(20))
    #: HMAC-SHA256 of the national ID number under ID_HASH_KEY: look-up without storing it
    id_hash: Mapped[str | None] = mapped_column(String(64))
    #: last 4 characters of the ID number, for display only
    id_last4: Mapped[str | None] = mapped_column(String(4))
    #: for the mobile app; residents without a phone have none
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: 6-digit kiosk PIN (argon2), set or reset by a worker
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failed_count: Mapped[int] = mapped_column(default=0)
    pin_locked_until: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(lazy="joined")
    household: Mapped[Household | None] = relationship()


class ResidentChange(db.Model):
    """A saved resident's village, household or status changed: the history reports need, append-only.

    Reports count a resident in the village they live in now (points carry their history along) and
    keep per-resident summaries; this log tells them whose summary is out of date. Written by the ORM
    whenever one of those attributes changes on a saved resident (an edit, a roster re-import), so no path
    can forget it. ``from_community_id`` = ``to_community_id`` unless the village changed."""

    __tablename__ = "resident_changes"
    __table_args__ = (Index("ix_resident_changes_district_id", "district_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    #: the resident's village before and after the change
    from_community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    to_community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    #: ``community``, ``household`` or ``status``
    what: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


def _note_change(what):
    def note(resident, value, oldvalue, _initiator):
        if oldvalue in (NO_VALUE, NEVER_SET) or value == oldvalue or resident.id is None:
            return
        session = object_session(resident)
        if session is None:
            return
        before = oldvalue if what == "community" else resident.community_id
        after = value if what == "community" else resident.community_id
        session.add(ResidentChange(district_id=resident.district_id, resident_id=resident.id,
                                   from_community_id=before, to_community_id=after, what=what))
    return note


for _what, _attribute in (("community", Resident.community_id), ("household", Resident.household_id),
                          ("status", Resident.status)):
    event.listen(_attribute, "set", _note_change(_what), active_history=True)


class ResidentLookup(db.Model):
    """查询登记: every time staff open a resident's archive; residents can see who looked."""

    __tablename__ = "resident_lookups"
    __table_args__ = (Index("ix_resident_lookups_resident_created", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: ``staff:12`` or ``merchant:3``
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    #: what was opened: ``profile``, ``records``, ``ledger`` …
    what: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivationCode(db.Model):
    """A one-time code a worker hands a resident so they can set their own app password.

    Only a hash is kept: the code is shown once, when issued. Issuing a new one
    retires the older ones, so "forgot password" is "ask the worker for a new code".
    """

    __tablename__ = "activation_codes"
    __table_args__ = (
        Index("ix_activation_codes_resident_id", "resident_id", "id"),
        CheckConstraint("failed_count >= 0", name="failed_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: argon2 of the 8-digit code
    code_hash: Mapped[str] = mapped_column(String(200))
    #: ``staff:12``: who handed it over
    issued_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: wrong tries since the last lockout (a wrong code or wrong ID digits)
    failed_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    #: set when a newer code replaced this one before it was used
    retired_at: Mapped[datetime | None]
