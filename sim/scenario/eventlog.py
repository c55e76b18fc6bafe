"""Event logs as scenario keys: which columns of a CSV file mean what, and how to replay it.

An event log is a CSV table of real or hypothetical events: UCDP GED
(``format: ucdp``), ACLED (``format: acled``) or a minimal table with the
columns ``time, lat, lon, type, perpetrator`` (``format: minimal``; ``size``
is read too when present). ``columns`` renames any of them. Reading,
checking and mapping each event to the nearest node is
:mod:`sim.world.eventlog`; ``cfsim fit`` reads logs the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Side, Strict
from .calendar import LocalDateTime

EventFormat = Literal["ucdp", "acled", "minimal"]
COLUMN_KEYS = (
    "time",
    "lat",
    "lon",
    "type",
    "perpetrator",
    "size",
    "place_precision",
    "time_precision",
)
REQUIRED_COLUMNS = ("time", "lat", "lon")


# Per format: the column of each quantity (None: the format has none), and defaults.
PRESETS: dict[str, dict[str, object]] = {
    "ucdp": {
        "columns": {
            "time": "date_start",
            "lat": "latitude",
            "lon": "longitude",
            "place_precision": "where_prec",
            "time_precision": "date_prec",
        },
        # where_prec 1 exact, 2 within 25 km, 3 district; 4 is an oblast's centroid
        "max_place_precision": 3,
        # date_prec 1: the exact day
        "max_time_precision": 1,
        "encoding": "cp1252",
        "dates_only": True,
    },
    "acled": {
        "columns": {
            "time": "event_date",
            "lat": "latitude",
            "lon": "longitude",
            "type": "sub_event_type",
            "perpetrator": "actor1",
            "place_precision": "geo_precision",
            "time_precision": "time_precision",
        },
        "max_place_precision": 2,
        "max_time_precision": 1,
        "encoding": "utf-8",
        "dates_only": True,
    },
    "minimal": {
        "columns": {
            "time": "time",
            "lat": "lat",
            "lon": "lon",
            "type": "type",
            "perpetrator": "perpetrator",
            "size": "size",
        },
        "max_place_precision": None,
        "max_time_precision": None,
        "encoding": "utf-8",
        "dates_only": False,
    },
}


class EventColumns(Strict):
    """Column names of the log, where they differ from its ``format``; ``""`` means the
    log has no such column."""

    time: str | None = None
    """Date or date-time of the event (ISO, or month/day/year as UCDP writes it)."""
    lat: str | None = None
    """Latitude, degrees north."""
    lon: str | None = None
    """Longitude, degrees east."""
    type: str | None = None
    """Kind of event; mapped to a violation type by ``type_map`` (none: drawn from the
    type shares)."""
    perpetrator: str | None = None
    """Who fired: RU or UA, or a value mapped by ``perpetrator_map`` (none: drawn)."""
    size: str | None = None
    """Shots or explosions counted in the event (none: drawn per type)."""
    place_precision: str | None = None
    """Precision code of the place (larger is coarser); see ``max_place_precision``."""
    time_precision: str | None = None
    """Precision code of the date (larger is coarser); see ``max_time_precision``."""


class EventLogSpec(Strict):
    """A CSV log of events, each placed at the nearest node within a distance."""

    file: str
    """Path of the CSV file, relative to the scenario file."""
    format: EventFormat = "minimal"
    """Column layout: ``ucdp`` (UCDP GED), ``acled`` or ``minimal`` (``time, lat, lon,
    type, perpetrator`` and optionally ``size``)."""
    columns: EventColumns = EventColumns()
    """Column names that differ from the format's."""
    encoding: str | None = None
    """Text encoding of the file (default: the format's; UCDP files are cp1252)."""
    window_start: LocalDateTime | None = None
    """Events before this date are left out."""
    window_end: LocalDateTime | None = None
    """Events on or after this date are left out."""
    max_distance_km: float = Field(20.0, gt=0.0)
    """Events farther than this from every eligible node are left out (outside the area)."""
    max_place_precision: int | None = None
    """Events whose place precision code is larger (coarser) are left out (default: the
    format's: UCDP 3, ACLED 2; minimal logs have no precision column)."""
    max_time_precision: int | None = None
    """Events whose date precision code is larger (coarser) are left out (default: UCDP 1,
    ACLED 1)."""
    dates_only: bool | None = None
    """The log gives dates, not times: each event's time of day is drawn from the
    violations' hourly profile (default: true for UCDP and ACLED)."""
    type_map: dict[str, str | None] = {}
    """Violation type of each value of the type column (null: leave such events out)."""
    perpetrator_map: dict[str, Side | None] = {}
    """Side of each value of the perpetrator column (null: drawn from the shares)."""

    def column(self, key: str) -> str | None:
        """The file's column for quantity ``key`` (None when the log has none)."""
        given = getattr(self.columns, key)
        if given is not None:
            return given or None
        return PRESETS[self.format]["columns"].get(key)  # type: ignore[union-attr]

    def setting(self, key: str):
        """``encoding``, ``max_place_precision``, ``max_time_precision`` or ``dates_only``:
        the value given, else the format's default."""
        value = getattr(self, key)
        return PRESETS[self.format][key] if value is None else value

    @model_validator(mode="after")
    def _window(self) -> "EventLogSpec":
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self


class ReplaySpec(EventLogSpec):
    """Violations replayed from an event log, alone (``rate_per_day: 0``) or on top of the
    generated ones.

    Each event becomes ``scale`` violations on average at its node: below 1 the log
    is thinned (each event kept with chance ``scale``), above 1 each event gives
    ``floor(scale)`` violations and one more with chance ``scale - floor(scale)``.
    Replayed violations have draws of their own (keyed by the event's row), so they
    never change any other violation.
    """

    scale: float = Field(1.0, ge=0.0, le=1000.0)
    """Violations per event on average (thinning below 1, scaling above)."""
    align: Literal["calendar", "start"] = "calendar"
    """``calendar``: events happen at their own dates (the scenario needs a ``start``);
    ``start``: the window's start (or the first event's day) is moved to the start of
    the run."""
    escalate: bool = False
    """Replayed violations trigger escalation like generated ones (off by default: a real
    log already holds the responses)."""
