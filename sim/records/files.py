"""Result tables as files: Parquet (default) or CSV, written in batches, read back exactly.

A run's tables (``violations``, ``reports``, ``incidents``, ``timeseries``)
hold every replication's rows with a ``replication`` column first, names
instead of codes (Parquet stores them as dictionary columns), a
``measured`` column (1 for the rows the statistics count) and empty cells
(nulls) where an event never happened. Floats are written with full
precision in both formats, so a table loads back to the same numbers.
Writing goes batch by batch (:data:`BATCH` rows), so a long run is written
without holding its tables in memory.

Loading a table in a notebook takes one line::

    pandas.read_parquet("results/baseline/<run-id>/incidents.parquet")
    polars.read_parquet("results/baseline/<run-id>/incidents.parquet")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from .tables import CODED, DATED_COLUMN, START_COLUMN, StoredTable, Table

FORMATS = ("parquet", "csv")
# file stem -> the replication table it holds
TABLE_FILES = {
    "violations": "violations",
    "reports": "reports",
    "incidents": "incidents",
    "timeseries": "series",
    "claims": "claims",
}
BATCH = 16384  # rows converted and written at a time
BOOLEAN = {"false", "strike", "access_denied"}  # written as 0/1


def table_path(directory: str | Path, stem: str) -> Path | None:
    """The file of table ``stem`` in a run directory, whichever format (None if none)."""
    for fmt in FORMATS:
        p = Path(directory) / f"{stem}.{fmt}"
        if p.exists():
            return p
    return None


def _batches(source: Table | StoredTable) -> Iterator[Any]:
    """A table's rows as pyarrow tables of at most :data:`BATCH` rows (a stored table
    is read row group by row group, so it never sits in memory whole)."""
    import pyarrow as pa

    if isinstance(source, StoredTable):
        import pyarrow.parquet as pq

        f = pq.ParquetFile(source.path)
        if f.metadata.num_rows == 0:  # no batches to iterate: the empty table, with its columns
            yield f.read()
            return
        for batch in f.iter_batches(batch_size=BATCH):
            yield pa.Table.from_batches([batch])
        return
    n = len(next(iter(source.values()))) if source else 0
    for lo in range(0, max(n, 1), BATCH):
        yield pa.table({k: np.asarray(v[lo : lo + BATCH]) for k, v in source.items()})


def arrow_batch(
    name: str,
    cols: Any,
    *,
    replication: int,
    nodes: tuple[str, ...] | list[str],
    types: tuple[str, ...] | list[str],
    warmup: float,
    dates: Callable[[np.ndarray], list[str]] | None = None,
):
    """One batch of table ``name`` as it is written: replication column first, codes
    as names (dictionary columns), 0/1 for booleans, nulls for NaN, a ``measured``
    column for entity tables; with ``dates`` (minutes to ISO date-times: a scenario
    calendar's ``iso``) a ``datetime`` column after the table's time column
    (:data:`~sim.records.tables.DATED_COLUMN`). ``cols`` is a pyarrow table or a dict
    of numpy columns."""
    import pyarrow as pa

    # numpy does the conversions (pyarrow.compute would cost a tenth of a second to import)
    if isinstance(cols, dict):
        arrays = {k: np.asarray(v) for k, v in cols.items()}
    else:
        arrays = {k: cols.column(k).to_numpy() for k in cols.column_names}
    n = len(next(iter(arrays.values()))) if arrays else 0
    out = {"replication": pa.array(np.full(n, replication, dtype=np.int64))}
    lookups = {"nodes": list(nodes), "types": list(types)}
    for col, values in arrays.items():
        names = CODED.get(name, {}).get(col)
        if names is not None:
            vocab = lookups[names] if isinstance(names, str) else list(names)
            codes = values.astype(np.int32)
            out[col] = pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=_nulls(codes < 0)), pa.array(vocab, type=pa.string())
            )
        elif col in BOOLEAN or values.dtype == np.bool_:
            out[col] = pa.array(values.astype(np.uint8))
        elif values.dtype.kind == "f":
            out[col] = pa.array(values, mask=_nulls(np.isnan(values)))
        else:
            out[col] = pa.array(values)
        if dates is not None and col == DATED_COLUMN.get(name):
            out["datetime"] = pa.array([d or None for d in dates(values)], type=pa.string())
    start = START_COLUMN.get(name)
    if start is not None and start in arrays:
        first = arrays[start]
        out["measured"] = pa.array((first >= warmup).astype(np.uint8), mask=_nulls(first != first))
    return pa.table(out)


def _nulls(mask: np.ndarray) -> np.ndarray | None:
    """A null mask for pyarrow, or None when nothing is null."""
    return mask if mask.any() else None


class TableWriter:
    """Writes one table file batch by batch (Parquet or CSV)."""

    def __init__(self, path: str | Path, fmt: str):
        if fmt not in FORMATS:
            raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self.path = Path(path)
        self.fmt = fmt
        self.writer: Any = None

    def write(self, table) -> None:
        if self.writer is None:
            if self.fmt == "parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                # dictionary pages only for the name columns: trying them on every
                # float column costs more than compressing
                names = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
                self.writer = pq.ParquetWriter(
                    self.path, table.schema, compression="zstd", use_dictionary=names
                )
            else:
                import pyarrow.csv as pcsv

                self.writer = pcsv.CSVWriter(self.path, table.schema)
        if self.fmt == "parquet":
            if not table.schema.equals(self.writer.schema):  # (cast imports pyarrow.compute)
                table = table.cast(self.writer.schema)
            self.writer.write_table(table)
        else:
            self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def write_table(
    path: str | Path,
    fmt: str,
    name: str,
    replications: list[tuple[int, Table | StoredTable]],
    *,
    nodes,
    types,
    warmup: float,
    dates: Callable[[np.ndarray], list[str]] | None = None,
) -> None:
    """Write table ``name`` of every replication (``(number, table)`` pairs) to one file."""
    writer = TableWriter(path, fmt)
    try:
        for number, source in replications:
            for cols in _batches(source):
                writer.write(
                    arrow_batch(
                        name,
                        cols,
                        replication=number,
                        nodes=nodes,
                        types=types,
                        warmup=warmup,
                        dates=dates,
                    )
                )
    finally:
        writer.close()


def write_tables(
    directory: Path,
    replications: list,
    warmup: float,
    table_format: str,
    dates: Callable[[np.ndarray], list[str]] | None = None,
) -> None:
    """The tables of these replications as ``<stem>.<format>`` files in ``directory``;
    ``dates``: see :func:`arrow_batch`."""
    first = replications[0] if replications else None
    for stem, name in TABLE_FILES.items():
        write_table(
            Path(directory) / f"{stem}.{table_format}",
            table_format,
            name,
            [(rep.replication, getattr(rep, name)) for rep in replications],
            nodes=first.nodes if first else (),
            types=first.types if first else (),
            warmup=warmup,
            dates=dates,
        )


_TEXT = {c for cols in CODED.values() for c in cols} | {"datetime"}
KEYS = {"key"}  # 64-bit entity keys: kept as integers (a float cannot hold them)


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """Read a result table (Parquet or CSV) into columns (see :func:`columns_of`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("replication,node,ack\\n0,Toretsk,1.5\\n1,Lyman,\\n")
    >>> t = read_table(p)
    >>> t["node"].tolist(), t["ack"].tolist()[0]
    (['Toretsk', 'Lyman'], 1.5)
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        data = pq.ParquetFile(path).read()  # no dataset built for one file
    else:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        with open(path, "rb") as fh:
            head = fh.readline().decode("utf-8").strip().split(",")
        text = {c.strip('"'): pa.string() for c in head if c.strip('"') in _TEXT}
        text.update({c.strip('"'): pa.uint64() for c in head if c.strip('"') in KEYS})
        data = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types=text))
    return columns_of(data)


def columns_of(data) -> dict[str, np.ndarray]:
    """A written table (pyarrow Table) as numpy columns: names as str arrays (empty
    string for none), entity keys as uint64 arrays, everything else as float arrays
    (NaN for none)."""
    import pyarrow as pa

    out = {}
    for name in data.column_names:
        col = data.column(name)
        if name in KEYS:
            out[name] = col.cast(pa.uint64()).to_numpy(zero_copy_only=False)
        elif name in _TEXT or pa.types.is_dictionary(col.type) or pa.types.is_string(col.type):
            values = col.cast(pa.string()).fill_null("").to_numpy(zero_copy_only=False)
            out[name] = values.astype(str)
        else:
            out[name] = col.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
    return out


def table_columns(
    name: str,
    replications: list[tuple[int, Table | StoredTable]],
    *,
    nodes,
    types,
    warmup: float,
) -> dict[str, np.ndarray]:
    """Table ``name`` of every replication exactly as :func:`read_table` gives it back
    from the written file, without writing it."""
    import pyarrow as pa

    parts = [
        arrow_batch(name, cols, replication=number, nodes=nodes, types=types, warmup=warmup)
        for number, source in replications
        for cols in _batches(source)
    ]
    if not parts:
        return {}
    return columns_of(pa.concat_tables(parts, promote_options="permissive"))
