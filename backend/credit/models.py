"""Credit: the rule catalogue, district policy, records, their score entries, objections and repairs.

Two numbers per subject are never confused: the *score* lives here (base from
the policy + the sum of ``CreditEntry`` deltas, kept on ``CreditSubject``),
the spendable *points* live only in the ledger.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db
from ..residents.models import Resident

#: ids of the tables that grow to tens of millions of rows
BIGID = BigInteger().with_variant(Integer, "sqlite")

SUBJECT_TYPES = ("resident", "merchant")
CAP_PERIODS = ("day", "week", "month", "quarter", "year")
SEVERITIES = ("minor", "serious")
RECORD_STATUSES = ("pending", "in_notice", "disputed", "final", "rejected", "voided", "repaired")
#: statuses that use up a cap (everything that was not turned down)
CAP_COUNTING = ("pending", "in_notice", "disputed", "final", "repaired")
ENTRY_KINDS = ("final", "void", "repair")

_ONE_SUBJECT = (
    "(subject_type = 'resident' AND resident_id IS NOT NULL AND merchant_id IS NULL) OR "
    "(subject_type = 'merchant' AND merchant_id IS NOT NULL AND resident_id IS NULL)"
)


class CreditPolicy(db.Model):
    """One version of a district's credit policy; a change is a new row, history is kept.

    The version in force at a moment is the newest with ``effective_from`` at or
    before it, so a past star level can always be explained.
    """

    __tablename__ = "credit_policies"
    __table_args__ = (
        UniqueConstraint("district_id", "version"),
        Index("ix_credit_policies_district_effective", "district_id", "effective_from"),
        CheckConstraint("base_score >= 0", name="base_score"),
        CheckConstraint("notice_days >= 0 AND objection_deadline_days >= 1 AND repair_wait_days >= 0", name="days"),
        CheckConstraint("repair_volunteer_hours >= 0", name="repair_hours"),
        CheckConstraint("points_life_days >= 1", name="points_life"),
        CheckConstraint("merchant_points_per_sale >= 1 AND merchant_daily_cap >= 0", name="merchant_settings"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    version: Mapped[int]
    effective_from: Mapped[datetime]
    #: every subject starts here; the score is this + the sum of its final deltas
    base_score: Mapped[int]
    #: minimum score for 1, 2, 3, 4 and 5 stars (strictly increasing); below the first: 0 stars
    star_thresholds: Mapped[list] = mapped_column(JSON)
    notice_days: Mapped[int]
    #: an open objection older than this shows as overdue to reviewers
    objection_deadline_days: Mapped[int]
    #: days after a minor negative record became final before its subject may ask for repair
    repair_wait_days: Mapped[int]
    #: volunteer hours a repair request must report since the record; 0 = none needed
    repair_volunteer_hours: Mapped[int]
    #: points older than this expire (first in, first out)
    points_life_days: Mapped[int]
    #: whether a final negative record also takes points (never below zero)
    negatives_take_points: Mapped[bool]
    #: merchant discount range per star level, stored as {"3": [5, 10], …}; see ``discount_bounds``
    discount_bounds_json: Mapped[dict] = mapped_column("discount_bounds", JSON)
    #: score a merchant needs for each level, e.g. {"A": 130, "B": 110, "C": 90, "D": 70}; below D is E
    merchant_level_thresholds: Mapped[dict] = mapped_column(JSON)
    #: score points a merchant earns per discounted sale (item ``merchant_discount_given``)
    merchant_points_per_sale: Mapped[int]
    #: at most this many discounted sales a day earn a merchant credit
    merchant_daily_cap: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def discount_bounds(self):
        """``{3: (5, 10), 4: (8, 15), 5: (15, 20)}``: min and max discount % by star level."""
        return {int(k): (int(v[0]), int(v[1])) for k, v in (self.discount_bounds_json or {}).items()}

    @discount_bounds.setter
    def discount_bounds(self, value):
        self.discount_bounds_json = {str(int(k)): [int(v[0]), int(v[1])] for k, v in (value or {}).items()}

    def discount_range(self, stars):
        """(min %, max %) a merchant may give at ``stars``, or None when that level gets no discount."""
        return self.discount_bounds.get(stars)


class CatalogueItem(db.Model):
    """A rule of the catalogue (村规民约 / 信用评价标准); its content lives in versions.

    A district defines items; a town or community may add its own or override a
    wider item by using the same ``code``.
    """

    __tablename__ = "catalogue_items"
    __table_args__ = (
        UniqueConstraint("district_id", "scope_key", "code"),
        CheckConstraint("scope IN ('district', 'town', 'community')", name="scope"),
        CheckConstraint(
            "(scope = 'district' AND town_id IS NULL AND community_id IS NULL) OR "
            "(scope = 'town' AND town_id IS NOT NULL AND community_id IS NULL) OR "
            "(scope = 'community' AND community_id IS NOT NULL AND town_id IS NULL)",
            name="scope_owner",
        ),
        CheckConstraint("subject_type IN ('resident', 'merchant')", name="subject_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    scope: Mapped[str] = mapped_column(String(10))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    #: ``d``, ``t:<town id>`` or ``c:<community id>``: a code is unique within one scope
    scope_key: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(10), default="resident")
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["CatalogueItemVersion"]] = relationship(
        back_populates="item", order_by="CatalogueItemVersion.version", lazy="selectin"
    )


class CatalogueItemVersion(db.Model):
    """What an item says from ``effective_from`` (a local date) on; never edited once written."""

    __tablename__ = "catalogue_item_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "version"),
        CheckConstraint("points <> 0", name="points_nonzero"),
        CheckConstraint(
            "(points > 0 AND severity IS NULL) OR (points < 0 AND severity IN ('minor', 'serious'))",
            name="severity",
        ),
        CheckConstraint(
            "(cap_count IS NULL AND cap_period IS NULL) OR "
            "(cap_count > 0 AND cap_period IN ('day', 'week', 'month', 'quarter', 'year'))",
            name="cap",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    version: Mapped[int]
    #: first local day this version applies to deeds
    effective_from: Mapped[date] = mapped_column(Date)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    #: signed: + for good conduct, − for bad; the score delta and the points of a record
    points: Mapped[int]
    #: points are computed per record (volunteering: hours × rate × quality), same sign as ``points``
    variable_points: Mapped[bool] = mapped_column(default=False)
    #: at most ``cap_count`` records per subject per ``cap_period`` (local calendar)
    cap_count: Mapped[int | None]
    cap_period: Mapped[str | None] = mapped_column(String(10))
    evidence_required: Mapped[bool] = mapped_column(default=False)
    #: negatives only: ``serious`` ones are never repairable and put a resident on the black list
    severity: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[CatalogueItem] = relationship(back_populates="versions")


class CreditSubject(db.Model):
    """The per-subject row the hot paths read: the score without scanning history."""

    __tablename__ = "credit_subjects"
    __table_args__ = (
        CheckConstraint("subject_type IN ('resident', 'merchant')", name="subject_type"),
        CheckConstraint(_ONE_SUBJECT, name="one_subject"),
        CheckConstraint("serious_count >= 0", name="serious_count"),
        Index("ix_credit_subjects_district_score", "district_id", "subject_type", "score_delta"),
        Index("ix_credit_subjects_district_serious", "district_id", "subject_type", "serious_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    subject_type: Mapped[str] = mapped_column(String(10))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), unique=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), unique=True)
    #: sum of this subject's ``CreditEntry`` deltas, updated in the same transaction as each entry
    score_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    #: final serious negative records not voided (serious ones cannot be repaired): > 0 = black list
    serious_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CreditRecord(db.Model):
    """One deed of a resident (or a merchant) under one catalogue item version.

    ``pending`` → ``in_notice`` (approved, 公示) → ``final``; or ``rejected``; an
    objection in notice makes it ``disputed`` until upheld (``voided``) or
    dismissed (``final``); a final minor negative may become ``repaired``.
    Nothing is deleted: what a final record did is undone by new entries.
    """

    __tablename__ = "credit_records"
    __table_args__ = (
        CheckConstraint("subject_type IN ('resident', 'merchant')", name="subject_type"),
        CheckConstraint(_ONE_SUBJECT, name="one_subject"),
        CheckConstraint(
            "status IN ('pending', 'in_notice', 'disputed', 'final', 'rejected', 'voided', 'repaired')",
            name="status",
        ),
        CheckConstraint("points <> 0", name="points_nonzero"),
        CheckConstraint("severity IS NULL OR severity IN ('minor', 'serious')", name="severity"),
        UniqueConstraint("source_ref"),
        #: a resident's newest records; a merchant's
        Index("ix_credit_records_resident_id", "resident_id", "id"),
        #: partial: 97 % of records are residents' (``merchant_id = :id`` implies it)
        Index("ix_credit_records_merchant_id", "merchant_id", "id",
              postgresql_where=text("merchant_id IS NOT NULL"), sqlite_where=text("merchant_id IS NOT NULL")),
        #: review queues and the notice board of a community; the backlog report counts from it alone
        #: (PostgreSQL: ``created_at`` carried in the index for the oldest pending record)
        Index("ix_credit_records_community_status", "community_id", "status", "id", postgresql_include=["created_at"]),
        #: records whose notice has ended (the job); partial, so the job's query names the status as a literal
        Index("ix_credit_records_in_notice_ends", "notice_ends_at",
              postgresql_where=text("status = 'in_notice'"), sqlite_where=text("status = 'in_notice'")),
        #: caps: one subject's records of one item in a period
        Index("ix_credit_records_cap", "subject_id", "item_id", "occurred_at"),
        #: reports: repaired records later voided leave no score entry of their own (nothing was left to undo),
        #: so the records roll-up finds them here; partial, a handful of rows
        Index("ix_credit_records_voided_repaired", "community_id",
              postgresql_where=text("status = 'voided' AND repaired_at IS NOT NULL"),
              sqlite_where=text("status = 'voided' AND repaired_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    subject_type: Mapped[str] = mapped_column(String(10))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"))
    #: the resident's community when logged (null for merchants outside one)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"))
    #: the item version in force on the day of the deed: later edits never change this record
    item_version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item_versions.id"))
    #: signed score delta (and points) of this record, copied from the version or computed
    points: Mapped[int]
    severity: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    occurred_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(500))
    #: the cause when another domain made it (``activity:12:resident:5``, ``sale:9``): idempotent
    source_ref: Mapped[str | None] = mapped_column(String(120))
    #: ``staff:12`` or ``system``
    logged_by: Mapped[str] = mapped_column(String(64))
    logged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))
    notice_ends_at: Mapped[datetime | None]
    finalised_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(500))
    repaired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[CatalogueItem] = relationship(lazy="joined", innerjoin=True)
    item_version: Mapped[CatalogueItemVersion] = relationship(lazy="joined", innerjoin=True)
    evidence: Mapped[list["Evidence"]] = relationship(lazy="selectin", order_by="Evidence.id")
    #: for names on the notice board and lists; load it with ``selectinload`` where shown
    resident: Mapped[Resident | None] = relationship(lazy="select")


class CreditEntry(db.Model):
    """An append-only change of a subject's score caused by a record (final, void, repair)."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('final', 'void', 'repair')", name="kind"),
        CheckConstraint("delta <> 0", name="delta_nonzero"),
        #: a record is finalised, voided and repaired at most once each
        UniqueConstraint("record_id", "kind"),
        Index("ix_credit_entries_subject_created", "subject_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"))
    record_id: Mapped[int] = mapped_column(BIGID, ForeignKey("credit_records.id"))
    kind: Mapped[str] = mapped_column(String(10))
    delta: Mapped[int]
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evidence(db.Model):
    """An image or PDF a worker uploads, then attaches to a record."""

    __tablename__ = "credit_evidence"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    record_id: Mapped[int | None] = mapped_column(BIGID, ForeignKey("credit_records.id"), index=True)
    uploaded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: relative to UPLOAD_FOLDER
    storage_path: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Objection(db.Model):
    """异议: a resident disputes a record in notice (anyone of the community) or a final one (its subject)."""

    __tablename__ = "credit_objections"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name="status"),
        Index("ix_credit_objections_community_status", "community_id", "status", "due_at"),
        Index("ix_credit_objections_objector", "objector_resident_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    record_id: Mapped[int] = mapped_column(BIGID, ForeignKey("credit_records.id"), index=True)
    objector_resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    reason: Mapped[str] = mapped_column(Text)
    #: raised against a final record (by its subject): upheld means reversing entries
    against_final: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: after this an open objection shows as overdue (policy ``objection_deadline_days``)
    due_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[CreditRecord] = relationship(lazy="joined")
    #: for the reviewer's queue, who objected (staff of the community know their residents by name)
    objector: Mapped[Resident] = relationship(lazy="select")


class RepairRequest(db.Model):
    """信用修复: the subject of a final minor negative record asks to have the deduction given back."""

    __tablename__ = "credit_repairs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("volunteer_hours >= 0", name="volunteer_hours"),
        Index("ix_credit_repairs_community_status", "community_id", "status", "id"),
        Index("ix_credit_repairs_resident", "resident_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    record_id: Mapped[int] = mapped_column(BIGID, ForeignKey("credit_records.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: the written commitment (信用修复承诺书)
    commitment: Mapped[str] = mapped_column(Text)
    #: volunteer hours the resident reports since the record (checked by the reviewer)
    volunteer_hours: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[CreditRecord] = relationship(lazy="joined")
    resident: Mapped[Resident] = relationship(lazy="select")


class CreditJobState(db.Model):
    """Where the periodic job got to, per district, so each run only looks at what is new."""

    __tablename__ = "credit_job_states"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    #: incoming transfers up to here have already been checked for expiry
    expiry_checked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
