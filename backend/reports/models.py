"""What the reports package keeps: the credit reports (信用报告) it issued, as issued."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
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
