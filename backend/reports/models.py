"""What the reports package keeps: the credit reports (信用报告) it issued, as issued."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..extensions import db


class CreditReport(db.Model):
    """信用报告: a resident's or a household's credit standing over a period, issued at the subject's
    request, numbered per district and verifiable by its QR code. The numbers are frozen in ``snapshot``:
    the paper and the verification page say what was true when it was issued."""

    __tablename__ = "credit_reports"
    __table_args__ = (
        #: numbers are counted per district; two districts may both have an ``XY2026-000001``
        UniqueConstraint("district_id", "number"),
        UniqueConstraint("district_id", "seq"),
        CheckConstraint("seq > 0", name="seq"),
        CheckConstraint(
            "(subject_type = 'resident' AND resident_id IS NOT NULL AND household_id IS NULL) OR "
            "(subject_type = 'household' AND household_id IS NOT NULL AND resident_id IS NULL)",
            name="one_subject"),
        CheckConstraint("period_from <= period_to", name="period"),
        Index("ix_credit_reports_resident", "resident_id"),
        Index("ix_credit_reports_household", "household_id"),
        Index("ix_credit_reports_district_community", "district_id", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    #: the district's running count of reports; the printed number is made from it
    seq: Mapped[int]
    #: printed on the report, e.g. ``XY2026-000123``
    number: Mapped[str] = mapped_column(String(20))
    subject_type: Mapped[str] = mapped_column(String(10))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    #: the subject's community when issued (decides which staff may see the report)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    #: first and last local calendar day covered
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    #: why the subject asked for it, e.g. "本人申请，用于贷款"
    purpose: Mapped[str] = mapped_column(String(200))
    #: who asked (the subject, or who came on their behalf)
    requested_by: Mapped[str] = mapped_column(String(100))
    #: random; part of the signed verification token, so ids alone cannot be forged into URLs
    nonce: Mapped[str] = mapped_column(String(16))
    #: ``staff:3`` or ``resident:12``
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the headline numbers as issued: name, score, stars, totals of the period, lists
    snapshot: Mapped[dict] = mapped_column(JSON)


class RollupState(db.Model):
    """How far the reports' monthly roll-ups got, per district (the watermark), and the lock row of the job.

    A report adds the roll-ups (everything up to these ids) to a live query over the rows after them, in
    one statement, so it is exact at any moment; the job only decides how much of that is pre-counted."""

    __tablename__ = "report_rollup_states"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    #: transfers with ``id`` up to here are in ``report_points_monthly``
    transfer_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: credit entries with ``id`` up to here are in ``report_records_monthly``
    entry_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: resident changes (village, household, status) up to here are reflected in the roll-ups and summaries
    change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: residents with ``id`` up to here have a row in ``report_resident_summaries``
    resident_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the local month of bit 0 of the summaries' ``months`` (as year × 12 + month − 1); null: no summaries
    months_base: Mapped[int | None]
    #: the base score and star thresholds ``report_village_scores`` was counted with (``100:60,90``)
    policy_key: Mapped[str | None] = mapped_column(String(200))
    #: the local calendar's UTC offset (minutes) the months were cut with; a change rebuilds everything
    offset_minutes: Mapped[int] = mapped_column(default=0)
    refreshed_at: Mapped[datetime | None]


class PointsRollup(db.Model):
    """Points into (``in``) and out of (``out``) residents' accounts by kind and local month, counted in the
    village each resident lived in when the roll-up was refreshed (later moves are corrected by the report)."""

    __tablename__ = "report_points_monthly"
    __table_args__ = (
        UniqueConstraint("district_id", "community_id", "month", "kind", "direction"),
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    #: local calendar month, ``YYYY-MM``
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)


class RecordsRollup(db.Model):
    """Residents' records that count as final (final or repaired) by village, local month of the deed and
    category: +1 for each ``final`` score entry, −1 for each ``void`` entry."""

    __tablename__ = "report_records_monthly"
    __table_args__ = (UniqueConstraint("district_id", "community_id", "month", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    month: Mapped[str] = mapped_column(String(7))
    category: Mapped[str] = mapped_column(String(30))
    good: Mapped[int] = mapped_column(BigInteger, default=0)
    bad: Mapped[int] = mapped_column(BigInteger, default=0)
    good_points: Mapped[int] = mapped_column(BigInteger, default=0)
    bad_points: Mapped[int] = mapped_column(BigInteger, default=0)


class ResidentSummary(db.Model):
    """What the villages and households reports need of one resident, as of the watermark: where they live,
    whether active, their score, and the local months in which they did a final good deed (participation).

    A resident with a score entry, a change or an id past the watermark is computed live by the report
    instead, so these rows never need to be newer than the watermark."""

    __tablename__ = "report_resident_summaries"
    __table_args__ = (
        # the job recomputes the aggregates of the villages and households its changed residents touch
        Index("ix_report_resident_summaries_community", "district_id", "community_id"),
        Index("ix_report_resident_summaries_household", "district_id", "household_id"),
    )

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    active: Mapped[bool]
    score_delta: Mapped[int] = mapped_column(BigInteger)
    #: bit i set: a final (or repaired) good record of a deed in local month ``months_base + i`` (i < 62)
    months: Mapped[int] = mapped_column(BigInteger)


class VillageScore(db.Model):
    """Active residents of a village per star level, with their score deltas' sum, as of the watermark: the
    villages report's stars, counts and averages read ~villages × star levels rows instead of one row per
    resident. Kept by the job from ``report_resident_summaries`` (the villages of the residents it
    re-summarises are recounted) under the star thresholds and base score it names in
    ``report_rollup_states.policy_key``; under another policy the report reads the summaries instead."""

    __tablename__ = "report_village_scores"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    stars: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    residents: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[int] = mapped_column(BigInteger)


class VillageParticipation(db.Model):
    """Active residents of a village per local month of their last final good deed (as year × 12 + month − 1,
    within the summaries' window), as of the watermark: those who took part in months ``a``..``b`` are those
    whose last good month lies in ``a``..``b``, provided nobody's lies after ``b`` (else the report reads the
    resident summaries)."""

    __tablename__ = "report_village_participation"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    last_month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    residents: Mapped[int] = mapped_column(BigInteger)


class HouseholdSummary(db.Model):
    """A household's active members as of the watermark: how many, their score deltas' sum and lowest
    (the households report ranks these, correcting the households of residents touched since)."""

    __tablename__ = "report_household_summaries"
    #: the ranking's order: the report reads the best households from here, down to its N-th
    __table_args__ = (Index("ix_report_household_summaries_average", "district_id", "average"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    members: Mapped[int]
    score_sum: Mapped[int] = mapped_column(BigInteger)
    lowest: Mapped[int] = mapped_column(BigInteger)
    #: ``score_sum / members`` (the members' average score less the base score), for the ranking's index
    average: Mapped[float] = mapped_column(Float)
