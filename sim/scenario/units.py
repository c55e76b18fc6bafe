"""Durations and clock times at the YAML boundary.

Inside the simulator every time is a float number of **minutes**. Units
appear only where a human writes or reads a scenario: ``"45min"``, ``"2h"``,
``"1h30min"``, ``"3d"``, and clock times of day such as ``"07:30"``.
"""

from __future__ import annotations

import datetime
import math
import re

MINUTES_PER = {
    "s": 1.0 / 60.0,
    "sec": 1.0 / 60.0,
    "min": 1.0,
    "h": 60.0,
    "d": 1440.0,
    "w": 10080.0,
}

MAX_DAYS = 3650
"""The longest duration accepted, in days (ten years): no time in the model is longer."""

_PART = re.compile(r"\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(sec|min|s|h|d|w)\s*")


def parse_duration(text: str | int | float) -> float:
    """Parse a duration with units into minutes.

    Parameters
    ----------
    text : str or number
        ``"45min"``, ``"2h"``, ``"1.5d"``, ``"1h30min"``, ``"30s"``. A bare
        number is accepted only when it is zero, because a unit-less
        non-zero duration is ambiguous.

    Returns
    -------
    float
        The duration in minutes.

    Raises
    ------
    ValueError
        If the text is not a non-negative duration with units, or is longer
        than :data:`MAX_DAYS` days.

    Examples
    --------
    >>> parse_duration("1h30min")
    90.0
    >>> parse_duration("2d")
    2880.0
    >>> parse_duration("-5d")
    Traceback (most recent call last):
    ...
    ValueError: a duration cannot be negative; got '-5d' (write e.g. '5d')
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a duration with units such as '45min', got {text!r}")
    if isinstance(text, (datetime.date, datetime.time)):
        raise ValueError(
            f"expected a duration with units such as '45min', got the date or time {text} "
            "(YAML reads it as one; quote it or write units)"
        )
    if isinstance(text, (int, float)):
        if text == 0:
            return 0.0
        if text < 0:
            raise ValueError(f"a duration cannot be negative; got {text!r}")
        raise ValueError(
            f"expected a duration with units such as '45min' or '2h', got the bare number {text!r}"
        )
    if not isinstance(text, str):
        raise ValueError(f"expected a duration with units such as '45min', got {text!r}")
    s = text.strip().lower()
    if s in ("0", "0.0"):
        return 0.0
    if s.startswith("-"):
        raise ValueError(f"a duration cannot be negative; got {text!r} (write e.g. '5d')")
    pos = 0
    total = 0.0
    seen = False
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None or m.end() == pos:
            raise ValueError(
                f"expected a duration with units such as '45min', '2h', '1h30min' or '3d', "
                f"got {text!r}"
            )
        total += float(m.group(1)) * MINUTES_PER[m.group(2)]
        pos = m.end()
        seen = True
    if not seen or not math.isfinite(total):
        raise ValueError(f"expected a finite duration with units, got {text!r}")
    if total > MAX_DAYS * 1440.0:
        raise ValueError(
            f"is longer than {MAX_DAYS} days; expected a duration of at most {MAX_DAYS}d (no "
            f"time in the model is longer), got {text!r}"
        )
    return total


def format_duration(minutes: float) -> str:
    """Format minutes as the shortest exact duration string.

    ``parse_duration(format_duration(x)) == x`` for every finite ``x >= 0``.

    Examples
    --------
    >>> format_duration(90.0)
    '90min'
    >>> format_duration(2880.0)
    '2d'
    >>> format_duration(120.0)
    '2h'
    """
    if minutes < 0 or not math.isfinite(minutes):
        raise ValueError(f"cannot format {minutes!r} as a duration")
    if minutes == 0:
        return "0min"
    for unit, size in (("d", 1440.0), ("h", 60.0)):
        q = minutes / size
        if q == int(q) and int(q) * size == minutes:
            return f"{int(q)}{unit}"
    if minutes == int(minutes):
        return f"{int(minutes)}min"
    return f"{minutes!r}min"


def human_duration(minutes: float) -> str:
    """Round a duration for display: minutes below 2 h, hours below 3 d, days above.

    Examples
    --------
    >>> human_duration(45.2)
    '45 min'
    >>> human_duration(200)
    '3.3 h'
    """
    if minutes != minutes:  # NaN
        return "-"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 3 * 1440:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock(text: str) -> float:
    """Parse a clock time ``"HH:MM"`` into minutes after midnight (0 to 1440).

    ``"24:00"`` is accepted as the end of the day.

    Examples
    --------
    >>> parse_clock("07:30")
    450.0
    """
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text <= 1440:
        raise ValueError(
            f"expected a clock time 'HH:MM' in quotes, e.g. \"{text // 60:02d}:{text % 60:02d}\" "
            f"(YAML reads an unquoted {text // 60}:{text % 60:02d} as the number {text})"
        )
    if not isinstance(text, str):
        raise ValueError(f"expected a clock time 'HH:MM', got {text!r}")
    m = _CLOCK.match(text)
    if m is None:
        raise ValueError(f"expected a clock time 'HH:MM', got {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi >= 60 or h > 24 or (h == 24 and mi != 0):
        raise ValueError(f"expected a clock time between 00:00 and 24:00, got {text!r}")
    return float(h * 60 + mi)


def format_clock(minutes: float) -> str:
    """Format minutes after midnight as ``"HH:MM"``."""
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"
