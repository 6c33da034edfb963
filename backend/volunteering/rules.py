"""The arithmetic of volunteer service: time windows, quarter-hour rounding, quality
factors and points. Pure functions of their arguments: no database, no Flask, no clock.

The services in this package ask these functions and turn a ``False`` or ``None``
into the error a user sees.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

#: check-in opens this long before the start, so people arriving early can be scanned
CHECK_IN_EARLY = timedelta(minutes=60)
#: a running activity is closed by the jobs this long after its end; late check-outs count until its end
CLOSE_GRACE = timedelta(minutes=60)
#: one activity is at most a day; longer service is several activities (shifts)
MAX_LENGTH = timedelta(hours=24)
#: where each action may happen
EDITABLE = ("draft", "open")
CANCELLABLE = ("draft", "open", "running")
ATTENDANCE = ("open", "running")
RATABLE = ("running", "closed")


@dataclass(frozen=True)
class VolunteerSettings:
    #: the quality factors an organiser may give, × 100 (0.8 / 1.0 / 1.2)
    quality_percents: tuple = (80, 100, 120)
    #: what an unrated attendee gets
    default_quality_percent: int = 100
    #: attended time is rounded to this many minutes (a quarter hour) …
    rounding_minutes: int = 15
    #: … to the nearest step (half up) or down to a whole step
    rounding_mode: str = "nearest"


def volunteer_settings(district_id):
    """The volunteering settings of a district.

    The credit policy of the district is asked first; the credit domain keeps
    no volunteering settings yet, so the defaults above apply.
    """
    return VolunteerSettings()


def activity_time_errors(starts_at, ends_at, now):
    """What is wrong with an activity's planned times (``None`` when nothing is)."""
    if ends_at <= starts_at:
        return {"ends_at": ["Must be after the start."]}
    if ends_at - starts_at > MAX_LENGTH:
        return {"ends_at": ["An activity lasts at most 24 hours; plan shifts."]}
    if ends_at <= now:
        return {"ends_at": ["Must be in the future."]}
    return None


def in_check_in_window(starts_at, ends_at, at):
    """Whether ``at`` lies from an hour before the start until the end (check-in, start, corrections)."""
    return starts_at - CHECK_IN_EARLY <= at <= ends_at


def below_minimum_age(min_age, birth_year, local_year):
    """Whether someone born in ``birth_year`` is too young in the activity's local ``local_year``."""
    return bool(min_age) and local_year - birth_year < min_age


def credited_minutes(checked_in_at, checked_out_at, length_minutes, settings):
    """Attended minutes, rounded by policy and capped at the activity's length."""
    seconds = Decimal(int((checked_out_at - checked_in_at).total_seconds()))
    steps = seconds / Decimal(60 * settings.rounding_minutes)
    mode = ROUND_FLOOR if settings.rounding_mode == "down" else ROUND_HALF_UP
    minutes = int(steps.quantize(Decimal(1), rounding=mode)) * settings.rounding_minutes
    return max(0, min(minutes, length_minutes))


def points_for(minutes, points_per_hour, quality_percent):
    """hours × points per hour × quality, rounded half up to whole points."""
    value = Decimal(minutes) * points_per_hour * quality_percent / Decimal(60 * 100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quality_text(percent):
    """A quality factor × 100 as people write it: 80 → "0.8", 120 → "1.2"."""
    return f"{Decimal(percent) / 100:.1f}"


def quality_percent(settings, value):
    """A rating such as ``"1.2"`` or ``0.8`` as a percent of the policy, or ``None`` if the policy has no such factor."""
    percent = int((Decimal(str(value)) * 100).to_integral_value())
    if Decimal(str(value)) * 100 != percent or percent not in settings.quality_percents:
        return None
    return percent


def hours(minutes):
    """Minutes as hours for people: 150 → "2.5", 135 → "2.25"."""
    text = f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def local_text(value, offset):
    """A naive UTC time as local wall-clock text (``offset`` from UTC) for sheets and certificates."""
    if value is None:
        return ""
    return (value + offset).strftime("%Y-%m-%d %H:%M")
