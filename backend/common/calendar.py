"""The district's local calendar, one for the whole app: credit caps, effective dates, supermarket
limits, merchant sums, volunteering days and receipt numbers all count the same days.

Times are stored as naive UTC, but "three times a month" and "effective from
1 July" mean the district's local calendar (China Standard Time, UTC+8, unless
``CREDIT_UTC_OFFSET_HOURS`` says otherwise).
"""
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context

DEFAULT_OFFSET_HOURS = 8


def offset():
    if not has_app_context():
        return timedelta(hours=DEFAULT_OFFSET_HOURS)
    hours = current_app.config.get("CREDIT_UTC_OFFSET_HOURS", DEFAULT_OFFSET_HOURS)
    return timedelta(hours=hours)


def local_date(moment: datetime) -> date:
    """The local calendar day of a naive UTC time."""
    return (moment + offset()).date()


def local_midnight_utc(day: date) -> datetime:
    """The naive UTC time at which local ``day`` starts."""
    return datetime(day.year, day.month, day.day) - offset()


def period_bounds(period: str, moment: datetime) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC of the local ``period`` (day … year) that contains ``moment``."""
    day = local_date(moment)
    if period == "day":
        start, end = day, day + timedelta(days=1)
    elif period == "week":  # ISO weeks start on Monday
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    elif period == "month":
        start = day.replace(day=1)
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    elif period == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
        end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    elif period == "year":
        start, end = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        raise ValueError(f"unknown period {period!r}")
    return local_midnight_utc(start), local_midnight_utc(end)


PERIOD_LABELS = {
    "day": ("每天", "a day"),
    "week": ("每周", "a week"),
    "month": ("每月", "a month"),
    "quarter": ("每季度", "a quarter"),
    "year": ("每年", "a year"),
}
