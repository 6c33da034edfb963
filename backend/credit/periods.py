"""Moved to ``backend.common.calendar`` (one local calendar for every domain); kept for old imports."""
from ..common.calendar import PERIOD_LABELS, local_date, local_midnight_utc, offset, period_bounds  # noqa: F401
