"""Durations and clock times at the YAML boundary (sim.units)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.units import (
    MAX_DAYS,
    format_clock,
    format_duration,
    human_duration,
    parse_clock,
    parse_duration,
)

MAX_MIN = MAX_DAYS * 1440  # the longest duration accepted, in minutes

# --------------------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45min", 45.0),
        ("2h", 120.0),
        ("1h30min", 90.0),
        ("3d", 4320.0),
        ("30s", 0.5),
        ("1.5h", 90.0),
        ("90sec", 1.5),
        ("1w", 10080.0),
        ("1d2h3min", 1440.0 + 120.0 + 3.0),
        ("  2H  ", 120.0),  # surrounding space and upper case
        ("1 h 30 min", 90.0),
        ("1e3min", 1000.0),
        ("0", 0.0),
        ("0min", 0.0),
        (0, 0.0),
        (0.0, 0.0),
    ],
)
def test_parse_duration_valid(text, minutes):
    got = parse_duration(text)
    assert isinstance(got, float)
    assert got == minutes


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("45", "units"),  # unit-less non-zero is ambiguous
        ("abc", "units"),
        ("-5min", "negative"),  # negative durations are not durations
        ("", "units"),
        ("5 parsecs", "units"),
        ("1h-30min", "units"),
        ("min", "units"),
        ("1..5h", "units"),
        ("inf min", "units"),
        (True, "units"),  # a bool is an int in Python; it must not count as 1 or 0
        (False, "units"),
        (None, "units"),
        (45, "bare number"),
        (1.5, "bare number"),
        (-5, "negative"),
        (float("nan"), "bare number"),
        ("1e400min", "finite"),
        ([1], "units"),
    ],
)
def test_parse_duration_invalid_raises_helpful_value_error(bad, hint):
    with pytest.raises(ValueError) as info:
        parse_duration(bad)
    msg = str(info.value)
    # The message names what was expected and echoes what was given.
    assert hint in msg
    assert repr(bad) in msg


def test_parse_duration_error_suggests_examples():
    with pytest.raises(ValueError, match=r"'45min'.*'2h'"):
        parse_duration("45")


# --------------------------------------------------------------------------- format_duration


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.0, "0min"),
        (45.0, "45min"),
        (90.0, "90min"),
        (120.0, "2h"),
        (60.0, "1h"),
        (1440.0, "1d"),
        (2880.0, "2d"),
        (1500.0, "25h"),
        (0.5, "0.5min"),
        (1441.5, "1441.5min"),
    ],
)
def test_format_duration_examples(minutes, text):
    assert format_duration(minutes) == text


@pytest.mark.parametrize("bad", [-1.0, -1e-9, math.inf, math.nan])
def test_format_duration_rejects_negative_and_non_finite(bad):
    with pytest.raises(ValueError):
        format_duration(bad)


@settings(database=None, max_examples=500, deadline=None)
@given(st.floats(min_value=0.0, max_value=MAX_MIN, allow_nan=False, allow_infinity=False))
def test_round_trip_any_float(x):
    assert parse_duration(format_duration(x)) == x


@settings(database=None, max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_MIN), st.sampled_from([1, 2, 3, 4, 7, 10, 60]))
def test_round_trip_fractional_minutes(k, denom):
    # Fractions of a minute such as 1/3 min or 2.5 min, which need the repr path.
    x = k / denom
    assert parse_duration(format_duration(x)) == x


@settings(database=None, max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_DAYS))
def test_round_trip_whole_hours_and_days_use_big_units(k):
    assert format_duration(k * 1440.0) == (f"{k}d" if k else "0min")
    assert parse_duration(format_duration(k * 60.0)) == k * 60.0


def test_round_trip_tiny_and_huge_values():
    for x in (5e-324, 1e-7, 1 / 3, 0.1 + 0.2, MAX_MIN - 1 / 3, MAX_MIN):
        assert parse_duration(format_duration(x)) == x


@pytest.mark.parametrize("text", ["3651d", "1e300min", "522w", "87601h"])
def test_durations_longer_than_ten_years_are_refused(text):
    with pytest.raises(ValueError, match="longer than 3650 days; expected a duration of at most"):
        parse_duration(text)


# --------------------------------------------------------------------------- human_duration


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.0, "0 min"),
        (45.2, "45 min"),
        (119.0, "119 min"),
        (120.0, "2.0 h"),
        (200.0, "3.3 h"),
        (3 * 1440 - 1, "72.0 h"),
        (3 * 1440, "3.0 d"),
        (5000.0, "3.5 d"),
        (math.nan, "-"),
    ],
)
def test_human_duration(minutes, text):
    assert human_duration(minutes) == text


# --------------------------------------------------------------------------- clock


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("00:00", 0.0),
        ("07:30", 450.0),
        ("7:30", 450.0),
        ("23:59", 1439.0),
        ("24:00", 1440.0),
        (" 12:05 ", 725.0),
    ],
)
def test_parse_clock_valid(text, minutes):
    assert parse_clock(text) == minutes


@pytest.mark.parametrize(
    "bad", ["24:01", "25:00", "07:60", "7:5", "0730", "07:30:00", "", "ab:cd", 730, None, 7.5]
)
def test_parse_clock_invalid(bad):
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(bad)


@pytest.mark.parametrize("m", [0, 1, 59, 60, 450, 725, 1439])
def test_clock_round_trip(m):
    assert parse_clock(format_clock(m)) == m
