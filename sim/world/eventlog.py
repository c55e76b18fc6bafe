"""Reading an event log (CSV) and placing each event at the nearest node.

:func:`read_events` reads a log described by an
:class:`~sim.scenario.eventlog.EventLogSpec`: it checks every row (a bad date,
coordinate, precision, type, side or size is an error that names the line of
the file), leaves out the rows outside the date window, too imprecise, of an
excluded type or farther than ``max_distance_km`` from every eligible node
(counted by reason), and maps each remaining event to its nearest node:
a sector, or for a long-range strike a node with ``strike_weight`` > 0.
Replay (:mod:`sim.world.violations`) and fitting (:mod:`sim.analysis.fitting`)
both read logs through it.
"""

from __future__ import annotations

import csv
import io
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np

from ..records import SIDES
from ..scenario.eventlog import REQUIRED_COLUMNS, EventLogSpec
from .network import EARTH_RADIUS_KM

MAX_ERRORS = 10  # bad rows listed in one message
STRIKE = "long_range_strike"
_US = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*$"
)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


class EventLogError(ValueError):
    """An event log that cannot be used; the message names the file and the lines."""


def parse_event_time(text: str, offset: dt.timedelta = dt.timedelta(0)) -> tuple[dt.datetime, bool]:
    """A log's date or date-time as a naive local date-time, and whether it held a time.

    Accepts ISO 8601 (``2019-09-04``, ``2019-09-04T14:30``, with or without a UTC
    offset: an offset is converted to local time at ``offset``), UCDP's
    month/day/year (``9/4/2019 12:00:00 AM``, ``09/04/2019 00:00``) and ACLED's
    ``04 September 2019``. A time of exactly midnight counts as no time (UCDP
    writes dates that way).

    Examples
    --------
    >>> parse_event_time("1/22/2014 12:00:00 AM")
    (datetime.datetime(2014, 1, 22, 0, 0), False)
    >>> parse_event_time("2019-09-04T13:00:00+03:00", dt.timedelta(hours=2))
    (datetime.datetime(2019, 9, 4, 12, 0), True)
    """
    s = text.strip()
    m = _US.match(s)
    if m:
        mo, d, y, hh, mi, ss, ampm = m.groups()
        h = int(hh or 0)
        if ampm:
            if not 1 <= h <= 12:
                raise ValueError(f"hour {h} with {ampm}")
            h = h % 12 + (12 if ampm.lower() == "pm" else 0)
        when = dt.datetime(int(y), int(mo), int(d), h, int(mi or 0), int(ss or 0))
    elif _ISO.match(s):
        when = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        if when.tzinfo is not None:
            when = (when - when.utcoffset() + offset).replace(tzinfo=None)
    else:
        when = dt.datetime.strptime(s, "%d %B %Y")
    return when, when.time() != dt.time(0, 0)


@dataclass
class EventTable:
    """The events of a log that fall in the window and the area, one row each.

    Attributes
    ----------
    line : numpy.ndarray
        Line of the file (the header is line 1).
    when : numpy.ndarray
        Local date-time (``datetime64[s]``); the day's midnight when ``timed`` is False.
    timed : numpy.ndarray
        Whether the log gave a time of day.
    node : numpy.ndarray
        Index of the nearest eligible node (in the node order given).
    km : numpy.ndarray
        Distance to it.
    type : numpy.ndarray
        Type code (index into the type names given), -1 when not given.
    perpetrator : numpy.ndarray
        Side code, -1 when not given.
    size : numpy.ndarray
        Size, 0 when not given.
    dropped : dict
        Rows left out, by reason: ``window``, ``precision``, ``type``, ``distance``.
    rows : int
        Data rows in the file.
    """

    line: np.ndarray
    when: np.ndarray
    timed: np.ndarray
    node: np.ndarray
    km: np.ndarray
    type: np.ndarray
    perpetrator: np.ndarray
    size: np.ndarray
    dropped: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    def __len__(self) -> int:
        return int(self.line.size)

    def summary(self) -> str:
        """One sentence: how many rows were kept and why the others were left out."""
        why = ", ".join(f"{v} {k}" for k, v in self.dropped.items() if v)
        return f"{len(self)} of {self.rows} rows kept" + (f" (left out: {why})" if why else "")


MAX_LOG_BYTES = 512 * 2**20
"""The largest event log read (bytes); UCDP's Ukraine file is 2.5 MB."""


def _open_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    from ..records.storage import InputFileError, read_input

    if not Path(path).exists():
        raise EventLogError(f"event log {path} does not exist")
    try:
        # a regular file of bounded size only: a directory or a named pipe is refused
        raw = read_input(path, MAX_LOG_BYTES, "an event log (CSV)")
        reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""))
        header = next(reader, None)
        rows = list(reader)
    except InputFileError as exc:
        raise EventLogError(f"event log {path}: the file {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise EventLogError(
            f"{path} is not readable as {encoding} ({exc.reason} at byte {exc.start}); set "
            "encoding (UCDP files are cp1252)"
        ) from None
    except (OSError, csv.Error) as exc:
        raise EventLogError(f"cannot read {path}: {exc}") from None
    if not header:
        raise EventLogError(f"{path} is empty; expected a header line of column names")
    return [h.strip() for h in header], rows


class _Reader:
    """Checks and converts the cells of one log, collecting errors by line."""

    def __init__(self, spec: EventLogSpec, header: list[str], path: Path, type_names, offset):
        self.spec = spec
        self.path = path
        self.offset = offset
        self.type_names = list(type_names)
        self.col: dict[str, int | None] = {}
        for key in ("time", "lat", "lon", "type", "perpetrator", "size"):
            self.col[key] = self._index(header, key)
        for key in ("place_precision", "time_precision"):
            self.col[key] = self._index(header, key)
        self.errors: list[str] = []

    def _index(self, header: list[str], key: str) -> int | None:
        name = self.spec.column(key)
        if name is None:
            return None
        if name in header:
            return header.index(name)
        given = getattr(self.spec.columns, key) is not None
        if key in REQUIRED_COLUMNS or given:
            raise EventLogError(
                f"{self.path}: no column {name!r} (the {key} of each event); the columns are "
                f"{', '.join(header[:20])}{' ...' if len(header) > 20 else ''}; set "
                f"columns.{key} to the right one"
            )
        return None  # an optional column of the format that this file leaves out

    def cell(self, row: list[str], key: str) -> str | None:
        i = self.col[key]
        if i is None:
            return None
        return row[i].strip() if i < len(row) else ""

    def bad(self, line: int, key: str, value: str | None, expected: str) -> None:
        self.errors.append(
            f"line {line}, column {self.spec.column(key)!r}: expected {expected}, got {value!r}"
        )

    def number(self, row, line, key, low, high) -> float | None:
        text = self.cell(row, key)
        try:
            x = float(text)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.bad(line, key, text, "a number")
            return None
        if not (math.isfinite(x) and low <= x <= high):
            self.bad(line, key, text, f"a number from {low:g} to {high:g}")
            return None
        return x

    def precision(self, row, line, key) -> int | None:
        text = self.cell(row, key)
        if text is None or text == "":
            return None
        try:
            return int(float(text))
        except ValueError:
            self.bad(line, key, text, "a whole number (precision code)")
            return None

    def time(self, row, line) -> tuple[dt.datetime, bool] | None:
        text = self.cell(row, "time") or ""
        try:
            return parse_event_time(text, self.offset)
        except ValueError:
            self.bad(line, "time", text, "a date such as 2019-09-04 or 9/4/2019")
            return None

    def kind(self, row, line) -> int | None:
        """Type code, -1 to draw, None to leave the event out (or on error)."""
        text = self.cell(row, "type")
        if not text:
            return -1
        tmap = self.spec.type_map
        if text in tmap:
            name = tmap[text]
            return None if name is None else self.type_names.index(name)
        if text in self.type_names:
            return self.type_names.index(text)
        if not self.type_names:
            return -1  # types are not needed (fitting)
        shown = ", ".join(self.type_names)
        self.bad(line, "type", text, f"a violation type ({shown}) or a value listed in type_map")
        return None

    def side(self, row, line) -> int | None:
        text = self.cell(row, "perpetrator")
        if not text:
            return -1
        pmap = self.spec.perpetrator_map
        if text in pmap:
            return -1 if pmap[text] is None else SIDES.index(pmap[text])
        if text in SIDES:
            return SIDES.index(text)
        self.bad(line, "perpetrator", text, "RU or UA, or a value listed in perpetrator_map")
        return None

    def size(self, row, line) -> int | None:
        text = self.cell(row, "size")
        if text is None or text == "":
            return 0
        try:
            n = float(text)
        except ValueError:
            n = float("nan")
        if not (n >= 1 and n == int(n)):
            self.bad(line, "size", text, "a whole number of at least 1")
            return None
        return int(n)


def _nearest(lat: np.ndarray, lon: np.ndarray, nlat: np.ndarray, nlon: np.ndarray):
    """Index of the nearest node and its great-circle distance (km), for each event."""
    if lat.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    p1, p2 = np.radians(lat)[:, None], np.radians(nlat)[None, :]
    dl = np.radians(nlon)[None, :] - np.radians(lon)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    j = np.argmin(d, axis=1)
    return j, d[np.arange(lat.size), j]


def read_events(
    spec: EventLogSpec,
    path: str | Path,
    graph: nx.Graph,
    nodes: list[str],
    type_names: list[str] | tuple[str, ...] = (),
    offset: dt.timedelta = dt.timedelta(0),
) -> EventTable:
    """Read, check and place the events of a log (see the module docstring).

    Parameters
    ----------
    spec : EventLogSpec
        The columns, filters and maps.
    path : str or Path
        The CSV file (``spec.file`` resolved by the caller).
    graph : networkx.Graph
        Normalised network with ``lat``/``lon`` on the nodes events may go to.
    nodes : list of str
        Node order; the ``node`` column indexes it.
    type_names : sequence of str
        Violation types (``long_range_strike`` last, if strikes may be replayed);
        empty when types do not matter.
    offset : datetime.timedelta
        UTC offset of local time, for logs that give times with an offset.

    Raises
    ------
    EventLogError
        For a missing file or column, or bad rows (listed with their lines).
    """
    path = Path(path)
    header, rows = _open_rows(path, spec.setting("encoding"))
    r = _Reader(spec, header, path, type_names, offset)
    limits = {
        "place_precision": spec.setting("max_place_precision"),
        "time_precision": spec.setting("max_time_precision"),
    }
    lo = spec.window_start
    hi = spec.window_end
    dropped = {"window": 0, "precision": 0, "type": 0, "distance": 0}
    keep: list[tuple] = []
    for k, row in enumerate(rows):
        line = k + 2
        if not any(c.strip() for c in row):
            continue
        got = r.time(row, line)
        if got is None:
            continue
        when, timed = got
        if (lo is not None and when < lo) or (hi is not None and when >= hi):
            dropped["window"] += 1
            continue
        kind = r.kind(row, line)
        if kind is None:  # an excluded type (type_map: null) or a bad one
            dropped["type"] += r.cell(row, "type") in spec.type_map
            continue
        lat = r.number(row, line, "lat", -90.0, 90.0)
        lon = r.number(row, line, "lon", -180.0, 180.0)
        precise = [r.precision(row, line, key) for key in limits]
        side, size = r.side(row, line), r.size(row, line)
        if lat is None or lon is None or side is None or size is None:
            continue
        if any(
            p is not None and lim is not None and p > lim
            for p, lim in zip(precise, limits.values())
        ):
            dropped["precision"] += 1
            continue
        keep.append(
            (line, when, timed and not spec.setting("dates_only"), lat, lon, kind, side, size)
        )
    if r.errors:
        more = len(r.errors) - MAX_ERRORS
        listed = "\n  ".join(r.errors[:MAX_ERRORS])
        tail = f"\n  ... and {more} more" if more > 0 else ""
        raise EventLogError(f"{path}: {len(r.errors)} bad row(s):\n  {listed}{tail}")
    return _place(keep, graph, nodes, type_names, spec.max_distance_km, dropped, len(rows))


def _place(keep, graph, nodes, type_names, max_km, dropped, n_rows) -> EventTable:
    """Map the kept events to their nearest eligible node; drop those too far away."""
    cols = list(zip(*keep)) if keep else [[] for _ in range(8)]
    line, when, timed, lat, lon, kind, side, size = (np.asarray(c) for c in cols)
    kind = kind.astype(np.int64)
    strike = STRIKE in type_names and kind.size > 0
    strike_code = list(type_names).index(STRIKE) if STRIKE in type_names else -2
    node = np.zeros(kind.size, dtype=np.int64)
    km = np.full(kind.size, np.inf)
    for want_strike in (False, True) if strike else (False,):
        eligible = [
            j
            for j, n in enumerate(nodes)
            if (
                graph.nodes[n].get("strike_weight", 0) > 0
                if want_strike
                else graph.nodes[n]["kind"] == "sector"
            )
        ]
        missing = [nodes[j] for j in eligible if "lat" not in graph.nodes[nodes[j]]]
        if missing:
            raise EventLogError(
                f"the network's nodes need lat/lon to place events; {', '.join(missing[:5])} "
                "have none"
            )
        mask = (kind == strike_code) if want_strike else (kind != strike_code)
        if not mask.any() or not eligible:
            continue
        nl = np.array([graph.nodes[nodes[j]]["lat"] for j in eligible])
        no = np.array([graph.nodes[nodes[j]]["lon"] for j in eligible])
        j, d = _nearest(lat[mask].astype(float), lon[mask].astype(float), nl, no)
        node[mask] = np.asarray(eligible)[j]
        km[mask] = d
    near = km <= max_km
    dropped["distance"] += int((~near).sum())
    stamps = np.array([np.datetime64(w, "s") for w in when], dtype="datetime64[s]")
    return EventTable(
        line=line[near].astype(np.int64),
        when=stamps[near],
        timed=timed[near].astype(bool),
        node=node[near],
        km=km[near],
        type=kind[near],
        perpetrator=side[near].astype(np.int64),
        size=size[near].astype(np.int64),
        dropped=dropped,
        rows=n_rows,
    )


def minutes_since(table: EventTable, anchor: dt.datetime | None) -> np.ndarray:
    """Each event's time (the start of its day when the log gives dates only) in minutes
    after ``anchor``; ``None``: after the midnight of the first event's day."""
    if len(table) == 0:
        return np.zeros(0)
    if anchor is None:
        start = table.when.min().astype("datetime64[D]").astype("datetime64[s]")
    else:
        start = np.datetime64(anchor, "s")
    return (table.when - start).astype("timedelta64[s]").astype(float) / 60.0
