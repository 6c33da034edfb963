"""A resident's volunteer hours: what counts, the totals by kind and year, and
the minutes other domains ask for (credit repair compares them with a claim)."""
from sqlalchemy import func, or_, select

from ..credit import catalogue
from ..credit.models import CatalogueItem, CreditRecord
from ..extensions import db
from ..residents.service import get_resident_for_staff
from .access import READ_ROLES, WRITE_ROLES, local_year
from .models import VolunteerActivity, VolunteerParticipation

#: credit record states whose hours no longer count toward totals and certificates
UNCOUNTED_RECORDS = ("rejected", "voided")


def _counted_service(resident_id, *columns):
    """Settled service of a resident that counts.

    Hours whose credit record a reviewer rejected, or an upheld objection voided,
    do not count: the review found the service did not happen as recorded.
    """
    return (
        select(*columns)
        .select_from(VolunteerParticipation)
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerParticipation.activity_id)
        .outerjoin(CreditRecord, CreditRecord.id == VolunteerParticipation.credit_record_id)
        .where(VolunteerParticipation.resident_id == resident_id,
               VolunteerParticipation.settled_at.is_not(None),
               VolunteerParticipation.credited_minutes > 0,
               or_(CreditRecord.id.is_(None), CreditRecord.status.not_in(UNCOUNTED_RECORDS)))
    )


def volunteer_minutes_since(resident_id, since):
    """Settled volunteer minutes of activities that started at or after ``since`` (e.g. for credit repair)."""
    return db.session.execute(
        _counted_service(resident_id, func.coalesce(func.sum(VolunteerParticipation.credited_minutes), 0))
        .where(VolunteerActivity.starts_at >= since)
    ).scalar_one()


def volunteer_totals(resident_id, year=None):
    """Settled hours of one resident by kind (catalogue item) and local calendar year."""
    rows = db.session.execute(_counted_service(
        resident_id, VolunteerParticipation.credited_minutes, VolunteerActivity.starts_at, VolunteerActivity.item_id,
    )).all()
    by_kind, by_year, titles = {}, {}, {}
    for minutes, starts_at, item_id in rows:
        row_year = local_year(starts_at)
        if year is not None and row_year != year:
            continue
        if item_id not in titles:
            version = catalogue.latest_version(db.session.get(CatalogueItem, item_id))
            titles[item_id] = {"title_zh": version.title_zh, "title_en": version.title_en}
        kind = by_kind.setdefault((row_year, item_id), {"year": row_year, "item_id": item_id, **titles[item_id],
                                                        "minutes": 0, "activities": 0})
        kind["minutes"] += minutes
        kind["activities"] += 1
        by_year.setdefault(row_year, {"year": row_year, "minutes": 0, "activities": 0})
        by_year[row_year]["minutes"] += minutes
        by_year[row_year]["activities"] += 1
    kinds = sorted(by_kind.values(), key=lambda k: (-k["year"], -k["minutes"], k["item_id"]))
    years = sorted(by_year.values(), key=lambda y: -y["year"])
    return {
        "resident_id": resident_id,
        "year": year,
        "total_minutes": sum(y["minutes"] for y in years),
        "activities": sum(y["activities"] for y in years),
        "by_kind": kinds,
        "by_year": years,
    }


def resident_totals_for_staff(principal, resident_id, year=None):
    get_resident_for_staff(principal, resident_id, WRITE_ROLES + READ_ROLES, what="volunteer_hours")
    return volunteer_totals(resident_id, year)
