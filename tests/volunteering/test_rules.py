"""The arithmetic of volunteer service (rules.py): no database and no application needed."""
from datetime import datetime, timedelta

import pytest

from backend.volunteering.rules import (
    VolunteerSettings, activity_time_errors, below_minimum_age, credited_minutes, hours, in_check_in_window,
    local_text, points_for, quality_percent, quality_text, volunteer_settings,
)

T0 = datetime(2024, 5, 1, 1, 0)
QUARTER = VolunteerSettings()


@pytest.mark.parametrize("attended, expected", [
    (timedelta(minutes=0), 0),
    (timedelta(minutes=7, seconds=29), 0),
    (timedelta(minutes=7, seconds=30), 15),  # half a step rounds up
    (timedelta(minutes=52), 45),
    (timedelta(minutes=53), 60),
    (timedelta(hours=1, minutes=37), 90),
    (timedelta(hours=1, minutes=38), 105),
    (timedelta(hours=2, minutes=59), 180),
    (timedelta(hours=4), 180),  # capped at the activity's three hours
])
def test_attended_time_is_rounded_to_the_quarter_hour_and_capped(attended, expected):
    assert credited_minutes(T0, T0 + attended, 180, QUARTER) == expected


def test_rounding_down_policy_counts_only_whole_steps():
    down = VolunteerSettings(rounding_minutes=30, rounding_mode="down")
    assert credited_minutes(T0, T0 + timedelta(minutes=59), 180, down) == 30
    assert credited_minutes(T0, T0 + timedelta(minutes=60), 180, down) == 60


@pytest.mark.parametrize("minutes, rate, quality, expected", [
    (120, 10, 100, 20),
    (120, 10, 80, 16),
    (120, 10, 120, 24),
    (45, 10, 100, 8),    # 7.5 rounds half up
    (45, 10, 80, 6),     # 6.0
    (15, 3, 120, 1),     # 0.9
    (15, 1, 80, 0),      # 0.2: nothing to credit
    (105, 12, 120, 25),  # 1.75 h × 12 × 1.2 = 25.2
])
def test_points_are_hours_times_rate_times_quality(minutes, rate, quality, expected):
    assert points_for(minutes, rate, quality) == expected


def test_districts_use_the_default_policy_until_credit_keeps_volunteering_settings():
    settings = volunteer_settings(1)
    assert settings == QUARTER
    assert (settings.quality_percents, settings.default_quality_percent) == ((80, 100, 120), 100)
    assert (settings.rounding_minutes, settings.rounding_mode) == (15, "nearest")


@pytest.mark.parametrize("value, expected", [
    ("0.8", 80), (0.8, 80), ("1.0", 100), (1, 100), ("1", 100), ("1.2", 120), (1.2, 120),
])
def test_quality_factors_of_the_policy_are_accepted(value, expected):
    assert quality_percent(QUARTER, value) == expected


@pytest.mark.parametrize("value", ["0.9", 1.1, "1.25", "0.805", 0, "2", -1])
def test_quality_factors_outside_the_policy_are_refused(value):
    assert quality_percent(QUARTER, value) is None


def test_quality_factors_follow_the_policy_not_a_fixed_list():
    generous = VolunteerSettings(quality_percents=(100, 150))
    assert quality_percent(generous, "1.5") == 150 and quality_percent(generous, "0.8") is None


def test_quality_is_written_with_one_decimal():
    assert [quality_text(p) for p in (80, 100, 120)] == ["0.8", "1.0", "1.2"]


@pytest.mark.parametrize("minutes, text", [(0, "0"), (60, "1"), (150, "2.5"), (135, "2.25"), (315, "5.25"),
                                           (10, "0.17")])
def test_minutes_are_shown_as_hours_without_trailing_zeros(minutes, text):
    assert hours(minutes) == text


def test_an_activity_ends_after_it_starts_within_a_day_and_in_the_future():
    now = T0
    start = T0 + timedelta(days=1)
    assert activity_time_errors(start, start + timedelta(hours=3), now) is None
    assert activity_time_errors(start, start + timedelta(hours=24), now) is None
    assert activity_time_errors(start, start, now) == {"ends_at": ["Must be after the start."]}
    assert activity_time_errors(start, start - timedelta(minutes=1), now) == {"ends_at": ["Must be after the start."]}
    assert activity_time_errors(start, start + timedelta(hours=24, minutes=1), now) == \
        {"ends_at": ["An activity lasts at most 24 hours; plan shifts."]}
    assert activity_time_errors(now - timedelta(hours=2), now, now) == {"ends_at": ["Must be in the future."]}


def test_check_in_opens_an_hour_before_the_start_and_closes_at_the_end():
    start, end = T0, T0 + timedelta(hours=2)
    assert not in_check_in_window(start, end, start - timedelta(minutes=60, seconds=1))
    assert in_check_in_window(start, end, start - timedelta(minutes=60))
    assert in_check_in_window(start, end, start + timedelta(hours=1))
    assert in_check_in_window(start, end, end)
    assert not in_check_in_window(start, end, end + timedelta(seconds=1))


def test_minimum_age_counts_in_the_activity_s_year():
    assert below_minimum_age(18, 2007, 2024)
    assert not below_minimum_age(18, 2006, 2024)
    assert not below_minimum_age(None, 2020, 2024) and not below_minimum_age(0, 2020, 2024)


def test_local_text_shifts_utc_to_the_district_s_wall_clock():
    assert local_text(datetime(2024, 12, 31, 17, 5), timedelta(hours=8)) == "2025-01-01 01:05"
    assert local_text(datetime(2024, 12, 31, 17, 5), timedelta(0)) == "2024-12-31 17:05"
    assert local_text(None, timedelta(hours=8)) == ""


def test_rules_import_nothing_but_the_standard_library():
    """The arithmetic stays testable without a database or an application."""
    import ast
    import inspect
    import sys

    from backend.volunteering import rules

    tree = ast.parse(inspect.getsource(rules))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] if node.level == 0 else "." for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported and imported <= set(sys.stdlib_module_names), imported
