"""Result tables as plain data: what a replication produced, which rows count, names for codes.

A *table* is a ``dict`` of equally long numpy arrays (columns). Code columns
hold small integers in memory and names on disk; :func:`decode` is the one
place that turns one into the other, and :func:`measured` is the one
definition of which rows the statistics count (those that start after the
warm-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from . import codes as C

Table = dict[str, np.ndarray]


class StoredTable(Mapping):
    """A table in a Parquet file whose columns are read when first asked for.

    It behaves like a table (a mapping of column name to numpy array) but
    keeps only the last few columns read in memory, so statistics over a long
    replication do not hold the whole table.

    Parameters
    ----------
    path : str or Path
        The Parquet file (written by :class:`~sim.records.recorders.ParquetRecorder`).
    keep : int
        Columns kept in memory at a time.
    """

    def __init__(self, path: str | Path, keep: int = 8):
        self.path = Path(path)
        self.keep = keep
        self._names: tuple[str, ...] | None = None
        self._rows: int | None = None
        self._cache: dict[str, np.ndarray] = {}

    def _meta(self) -> None:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(self.path).metadata
        self._names = tuple(meta.schema.names)
        self._rows = int(meta.num_rows)

    @property
    def names(self) -> tuple[str, ...]:
        if self._names is None:
            self._meta()
        return self._names  # type: ignore[return-value]

    @property
    def num_rows(self) -> int:
        if self._rows is None:
            self._meta()
        return self._rows  # type: ignore[return-value]

    def __getitem__(self, column: str) -> np.ndarray:
        if column in self._cache:
            return self._cache[column]
        if column not in self.names:
            raise KeyError(column)
        from .storage import read_columns

        values = read_columns(self.path, [column])[column]
        if len(self._cache) >= self.keep:
            self._cache.pop(next(iter(self._cache)))
        self._cache[column] = values
        return values

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "keep": self.keep}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], state["keep"])


# The column that says when an entity starts: it counts when that is at or
# after the end of the warm-up.
START_COLUMN = {
    "violations": "time",
    "reports": "arrival",
    "incidents": "first_report",
    "claims": "batch",
}
# The column whose calendar date-time a table gets (``datetime``) when the run has a calendar.
DATED_COLUMN = {**START_COLUMN, "series": "time"}


@dataclass(frozen=True)
class ReplicationResult:
    """Everything one replication produced, as plain data.

    Attributes
    ----------
    replication : int
    seed : int
        Root seed of the scenario.
    violations, reports, incidents : dict of numpy arrays
        Tables (see ``docs/outputs.md`` for every column).
    series : dict of numpy arrays
        Time series sampled every ``output.sample_interval``.
    totals : dict
        Time integrals for exact time averages after the warm-up: busy
        officer-minutes, on-duty officer-minutes and queue-length integral
        per desk; busy team-minutes; the measured period length.
    types : tuple of str
        Violation type names; a type code indexes this.
    nodes : tuple of str
        Node ids; a node code indexes this.
    claims : dict of numpy arrays
        The parties' claims of moratorium violations (empty without a moratorium).
    """

    replication: int
    seed: int
    violations: Table
    reports: Table
    incidents: Table
    series: Table
    totals: dict[str, Any]
    types: tuple[str, ...]
    nodes: tuple[str, ...]
    claims: Table = field(default_factory=dict)


def concat(tables: list[Table]) -> Table:
    """Concatenate tables with the same columns.

    Examples
    --------
    >>> concat([{"a": np.array([1])}, {"a": np.array([2, 3])}])["a"].tolist()
    [1, 2, 3]
    """
    if not tables:
        return {}
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def rows(table: Table) -> int:
    """Number of rows of a table (0 for a table without columns)."""
    if isinstance(table, StoredTable):
        return table.num_rows
    return next(iter(table.values())).size if table else 0


def measured(name: str, table: Table, warmup: float) -> np.ndarray:
    """Boolean mask of the rows of table ``name`` that the statistics count.

    An entity counts when it starts at or after the end of the warm-up:
    violations by their time, reports by their arrival, incidents by their
    first report.

    Examples
    --------
    >>> measured("reports", {"arrival": np.array([10.0, 60.0])}, 60.0).tolist()
    [False, True]
    """
    return table[START_COLUMN[name]] >= warmup


# Columns holding codes, and the names they stand for ("nodes" and "types"
# are the replication's own lists).
CODED: dict[str, dict[str, tuple[str, ...] | str]] = {
    "violations": {
        "outcome": C.VIOLATION_OUTCOMES,
        "reason": C.UNVERIFIED_REASONS,
        "perpetrator": C.SIDES,
        "affected": C.SIDES,
        "attributed_to": C.SIDES,
        "node": "nodes",
        "type": "types",
    },
    "reports": {
        "channel": C.CHANNELS,
        "sender": C.SENDERS,
        "desk": C.PARTIES,
        "state": C.REPORT_STATES,
        "node": "nodes",
        "type": "types",
    },
    "incidents": {
        "outcome": C.INCIDENT_OUTCOMES,
        "reason": C.INCIDENT_REASONS,
        "base": "nodes",
        "attribution": C.SIDES,
        "attribution_correct": ("0", "1"),
        "node": "nodes",
        "grade": C.FINDING_GRADES,
        "final_grade": C.FINDING_GRADES,
        "direction": C.SIDES,
    },
    "series": {},
    "claims": {
        "claimant": C.SIDES,
        "accused": C.SIDES,
        "kind": C.CLAIM_KINDS,
        "node": "nodes",
        "site_class": C.SITE_CLASSES,
    },
}


def decode(
    name: str,
    table: Table,
    *,
    nodes: tuple[str, ...] | list[str],
    types: tuple[str, ...] | list[str],
    warmup: float | None = None,
    dates: Callable[[np.ndarray], list[str]] | None = None,
) -> dict[str, list[Any]]:
    """A table with names instead of codes, as lists (what the files hold).

    Codes of -1 (nothing, e.g. no attribution) become empty strings; NaN
    times stay NaN. With ``warmup`` a ``measured`` column (1 for the rows the
    statistics count, see :func:`measured`) is added to entity tables. With
    ``dates`` (minutes to ISO date-times, e.g. a scenario calendar's ``iso``) a
    ``datetime`` column follows the column of :data:`DATED_COLUMN`.

    Examples
    --------
    >>> t = {"arrival": np.array([5.0]), "desk": np.array([2]), "node": np.array([0]),
    ...      "type": np.array([-1])}
    >>> decode("reports", t, nodes=["S0"], types=["drone"], warmup=0.0)
    {'arrival': [5.0], 'desk': ['US'], 'node': ['S0'], 'type': [''], 'measured': [True]}
    """
    table = dict(table)
    if warmup is not None and name in START_COLUMN and START_COLUMN[name] in table:
        table["measured"] = measured(name, table, warmup)
    lookups = {"nodes": list(nodes), "types": list(types)}
    out: dict[str, list[Any]] = {}
    for col, values in table.items():
        names = CODED[name].get(col)
        if names is None:
            out[col] = values.tolist()
        else:
            names = lookups[names] if isinstance(names, str) else names
            out[col] = [names[v] if v >= 0 else "" for v in values.tolist()]
        if dates is not None and col == DATED_COLUMN.get(name):
            out["datetime"] = dates(values)
    return out
