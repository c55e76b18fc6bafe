"""The calendar of a scenario: a start date-time in a time zone, and instants given as dates.

Inside the simulator time is minutes since the start of a replication. A
scenario may fix that start on the calendar (``start: 2016-01-01``,
``timezone: Europe/Kyiv``); every *instant* of the scenario (the horizon, the
warm-up, scripted violations, scheduled changes) may then be written either
as a duration since the start (``91d``) or as a date or date-time
(``2016-04-01``, ``2016-04-01T06:30``), which :func:`parse_instant` turns into
minutes.

Model days are 24 hours long and clock times (shift plans, patrol hours,
hourly profiles) are read on the clock of the start: local time at the UTC
offset the zone has at the start. Daylight-saving changes are not followed
inside a run (a summer hour is then one hour off the wall clock); output
timestamps carry that fixed offset, so they always name the right instant.
That is why a start must be at local midnight: minute 0 is 00:00 on the
model's clock.

While a :class:`~sim.scenario.schema.Scenario` is validated its calendar is
available to the fields inside it (:func:`calendar_context`), so that a
nested ``time: 2016-03-01`` can be turned into minutes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import BeforeValidator, PlainSerializer

from .units import format_duration, parse_duration

DEFAULT_TIMEZONE = "UTC"
_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$")


def parse_datetime(value: Any) -> dt.datetime:
    """A date or date-time as a naive :class:`datetime.datetime` (wall-clock time).

    Accepts ISO text (``2016-01-01``, ``2016-01-01T06:30``, ``2016-01-01 06:30:00``)
    and the date and date-time objects YAML makes of unquoted dates. A value
    with a UTC offset is refused: times are local to the scenario's zone.

    Examples
    --------
    >>> parse_datetime("2016-02-29T06:30")
    datetime.datetime(2016, 2, 29, 6, 30)
    >>> parse_datetime(dt.date(2020, 1, 1))
    datetime.datetime(2020, 1, 1, 0, 0)
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(
                f"expected a local date-time without a UTC offset, got {value.isoformat()}; "
                "times are local to the scenario's timezone"
            )
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a real date: {value!r} ({exc})") from None
    raise ValueError(
        f"expected a date such as 2016-01-01 or a date-time such as 2016-01-01T06:30, got {value!r}"
    )


def format_datetime(value: dt.datetime) -> str:
    """``YYYY-MM-DD`` at midnight, else ``YYYY-MM-DDTHH:MM`` (seconds when not zero).

    Examples
    --------
    >>> format_datetime(dt.datetime(2016, 1, 1)), format_datetime(dt.datetime(2016, 1, 1, 6, 5))
    ('2016-01-01', '2016-01-01T06:05')
    """
    if value.time() == dt.time(0, 0):
        return value.strftime("%Y-%m-%d")
    if value.second or value.microsecond:
        return value.isoformat()
    return value.strftime("%Y-%m-%dT%H:%M")


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Europe/Kyiv``, ``UTC``), else a ValueError."""
    if not isinstance(name, str):
        raise ValueError(f"expected a time zone name such as Europe/Kyiv or UTC, got {name!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; expected an IANA name such as Europe/Kyiv, "
            "Europe/Moscow or UTC"
        ) from None
    return name


@dataclass(frozen=True)
class Calendar:
    """Minutes since the start and calendar date-times, one to one.

    Parameters
    ----------
    start : datetime.datetime
        Naive local date-time of minute 0 (local midnight).
    timezone : str
        IANA zone name; its UTC offset at ``start`` is the model's clock.

    Examples
    --------
    >>> c = Calendar(dt.datetime(2016, 1, 1), "Europe/Kyiv")
    >>> c.offset_text, c.minutes(dt.datetime(2016, 1, 2, 6))
    ('+02:00', 1800.0)
    >>> c.iso(np.array([1800.0]))
    ['2016-01-02T06:00:00+02:00']
    """

    start: dt.datetime
    timezone: str = DEFAULT_TIMEZONE

    @property
    def offset(self) -> dt.timedelta:
        """The UTC offset of the zone at the start (the model's clock)."""
        return self.start.replace(tzinfo=ZoneInfo(self.timezone)).utcoffset() or dt.timedelta(0)

    @property
    def offset_text(self) -> str:
        """The offset as ``+HH:MM``."""
        minutes = int(self.offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    @property
    def tzinfo(self) -> dt.timezone:
        return dt.timezone(self.offset)

    def minutes(self, when: dt.datetime) -> float:
        """Minutes from the start to the local date-time ``when`` (on the model's clock)."""
        return (when - self.start).total_seconds() / 60.0

    def datetime(self, minutes: float) -> dt.datetime:
        """The aware date-time (fixed offset) ``minutes`` after the start."""
        return (self.start + dt.timedelta(minutes=float(minutes))).replace(tzinfo=self.tzinfo)

    def weekday(self, minutes: np.ndarray) -> np.ndarray:
        """Day of the week (Monday 0 ... Sunday 6) of each time in minutes."""
        day = np.floor(np.asarray(minutes, dtype=float) / 1440.0).astype(np.int64)
        return (day + self.start.weekday()) % 7

    def iso(self, minutes: np.ndarray) -> list[str]:
        """ISO 8601 local times with the UTC offset, to the second; '' for NaN."""
        m = np.asarray(minutes, dtype=float)
        ok = np.isfinite(m)
        base = np.datetime64(self.start, "s")
        stamps = base + np.round(np.where(ok, m, 0.0) * 60.0).astype("timedelta64[s]")
        text = np.datetime_as_string(stamps, unit="s")
        suffix = self.offset_text
        return [f"{t}{suffix}" if good else "" for t, good in zip(text.tolist(), ok.tolist())]

    def describe(self) -> dict[str, str]:
        """The calendar as plain data (for metadata and summaries)."""
        return {
            "start": self.datetime(0.0).isoformat(),
            "timezone": self.timezone,
            "utc_offset": self.offset_text,
        }


def make_calendar(start: Any, timezone: Any = None) -> Calendar:
    """A :class:`Calendar` from raw scenario values (the ``start`` must be at midnight)."""
    when = parse_datetime(start)
    if when.time() != dt.time(0, 0):
        raise ValueError(
            f"the start must be at midnight (00:00) local time, got {format_datetime(when)}: "
            "shift plans, patrol hours and hourly profiles count the day from the start; "
            "to begin later in the day, start at midnight and set a warm-up"
        )
    return Calendar(when, check_timezone(timezone or DEFAULT_TIMEZONE))


# --------------------------------------------------------------------------- instants

_ACTIVE: ContextVar[Calendar | None] = ContextVar("scenario_calendar", default=None)


@contextlib.contextmanager
def calendar_context(calendar: Calendar | None) -> Iterator[None]:
    """Make ``calendar`` the one that :func:`parse_instant` uses while validating."""
    token = _ACTIVE.set(calendar)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active_calendar() -> Calendar | None:
    """The calendar of the scenario being validated (None outside validation or
    without a start)."""
    return _ACTIVE.get()


def parse_instant(value: Any) -> float:
    """An instant of the run in minutes since its start: a duration (``91d``) or,
    when the scenario has a ``start``, a date or date-time (``2016-04-01``).

    Examples
    --------
    >>> parse_instant("2d")
    2880.0
    >>> with calendar_context(Calendar(dt.datetime(2016, 1, 1))):
    ...     parse_instant("2016-01-03T12:00")
    3600.0
    """
    looks_like_date = isinstance(value, (dt.date, dt.datetime)) or (
        isinstance(value, str) and bool(_DATE.match(value))
    )
    if not looks_like_date:
        return parse_duration(value)
    cal = active_calendar()
    if cal is None:
        raise ValueError(
            f"{value!s} is a date, but the scenario has no start; set start (e.g. start: "
            "2016-01-01) or give the time as a duration since the start, e.g. 30d"
        )
    minutes = cal.minutes(parse_datetime(value))
    if minutes < 0:
        raise ValueError(
            f"{value!s} is before the start of the run ({format_datetime(cal.start)}); "
            "expected a date on or after the start"
        )
    return minutes


Instant = Annotated[
    float, BeforeValidator(parse_instant), PlainSerializer(format_duration, when_used="json")
]
"""A point in the run: a duration since the start or (with a ``start``) a date; minutes."""

LocalDateTime = Annotated[
    dt.datetime,
    BeforeValidator(parse_datetime),
    PlainSerializer(format_datetime, when_used="json"),
]
"""A calendar date or date-time, local to the scenario's zone."""
