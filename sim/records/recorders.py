"""Recorders: where a replication's finished rows go, batch by batch.

The engine hands every finished block of violations, reports and incidents
(and of time-series samples) to a recorder. :class:`MemoryRecorder` keeps
them and joins them into tables at the end; :class:`ParquetRecorder` writes
them to one Parquet file per table as they come (memory stays flat whatever
the horizon) and gives back tables that read their columns from those files
on demand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .tables import StoredTable, Table


class MemoryRecorder:
    """Keeps every batch in memory; :meth:`tables` joins them."""

    def __init__(self) -> None:
        self.parts: dict[str, list[Table]] = {}

    def write(self, table: str, columns: Table) -> None:
        self.parts.setdefault(table, []).append(columns)

    def tables(self, schemas: dict[str, dict[str, Any]]) -> dict[str, Table]:
        """Each table's batches joined (an empty table with the schema's columns if none)."""
        out = {}
        for name, schema in schemas.items():
            parts = self.parts.get(name, [])
            if parts:
                out[name] = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
            else:
                out[name] = {c: np.zeros(0, dtype=d) for c, d in schema.items()}
        return out


class ParquetRecorder:
    """Writes each table to ``<directory>/<table>.parquet`` as batches come.

    Batches are gathered into row groups of about ``rows`` rows; columns keep
    their codes and full float precision. :meth:`tables` closes the files and
    returns :class:`~sim.records.tables.StoredTable` objects that read them.
    """

    def __init__(self, directory: str | Path, rows: int = 16384):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rows = rows
        self.pending: dict[str, list[Table]] = {}
        self.count: dict[str, int] = {}
        self.writers: dict[str, Any] = {}

    def write(self, table: str, columns: Table) -> None:
        self.pending.setdefault(table, []).append(columns)
        self.count[table] = self.count.get(table, 0) + len(next(iter(columns.values())))
        if self.count[table] >= self.rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        from .storage import arrow_table, parquet_writer

        parts = self.pending.pop(table, [])
        self.count[table] = 0
        if not parts:
            return
        cols = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
        data = arrow_table(cols)
        if table not in self.writers:
            self.writers[table] = parquet_writer(self.dir / f"{table}.parquet", data.schema)
        self.writers[table].write_table(data)

    def tables(self, schemas: dict[str, dict[str, Any]]) -> dict[str, StoredTable]:
        """Close every file (writing empty tables where no row came) and open them for reading."""
        from .storage import arrow_table, parquet_writer

        for name in list(self.pending):
            self._flush(name)
        out = {}
        for name, schema in schemas.items():
            if name not in self.writers:
                empty = {c: np.zeros(0, dtype=d) for c, d in schema.items()}
                data = arrow_table(empty)
                self.writers[name] = parquet_writer(self.dir / f"{name}.parquet", data.schema)
                self.writers[name].write_table(data)
            self.writers[name].close()
            out[name] = StoredTable(self.dir / f"{name}.parquet")
        self.writers = {}
        return out
