"""Entities in flight, in fixed-size blocks, written out as soon as a block is finished.

A replication holds its reports and violations in blocks of :data:`BLOCK`
consecutive entities, each column a Python list (fast to read and write one
value at a time in the engine). When every entity of a block has reached
its final state, and every block before it has been written, the block goes
to the recorder as numpy columns and is dropped: memory holds a few blocks,
whatever the horizon, and the tables come out in id order.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

import numpy as np

BLOCK_BITS = 11
BLOCK = 1 << BLOCK_BITS  # entities per block
MASK = BLOCK - 1


class Recorder(Protocol):
    """Where finished rows go (see :mod:`sim.records.recorders`)."""

    def write(self, table: str, columns: dict[str, np.ndarray]) -> None:
        """Append rows (equally long numpy columns) to ``table``."""


def block_class(name: str, columns: tuple[str, ...]) -> type:
    """A class with one list attribute per column (slots: fast attribute access)."""
    return type(name, (), {"__slots__": ("start", "n", "left", *columns)})


class Blocks:
    """The entities of one table (reports or violations) in flight.

    Parameters
    ----------
    table : str
        Table name for the recorder.
    schema : dict
        Column name to numpy dtype, in output order.
    recorder : Recorder
    extra : tuple of str
        Columns the engine keeps per entity but does not write (e.g. draws).
    """

    def __init__(
        self, table: str, schema: dict[str, Any], recorder: Recorder, extra: tuple[str, ...] = ()
    ):
        self.table = table
        self.schema = schema
        self.columns = tuple(schema) + tuple(extra)
        self.cls = block_class(f"{table.title()}Block", self.columns)
        self.recorder = recorder
        self.blocks: list[Any] = []  # index -> block, None once written
        self.size = 0  # entities appended so far
        self.written = 0  # blocks written so far
        self.closed = False  # no more entities will come

    def _new_block(self) -> Any:
        b = self.cls()
        b.start = len(self.blocks) * BLOCK
        b.n = 0
        b.left = 0
        for c in self.columns:
            setattr(b, c, [])
        self.blocks.append(b)
        return b

    def append(self, cols: dict[str, np.ndarray | list], pending: np.ndarray | None = None) -> None:
        """Append entities; ``pending`` (bool per entity) marks those not final yet
        (default: all)."""
        n = len(next(iter(cols.values())))
        lists = {c: (v.tolist() if isinstance(v, np.ndarray) else list(v)) for c, v in cols.items()}
        left = [True] * n if pending is None else pending.tolist()
        pos = 0
        while pos < n:
            last = self.blocks[-1] if self.blocks else None
            # a written block (None) was full: the next entity starts a new one
            b = last if last is not None and last.n < BLOCK else self._new_block()
            take = min(BLOCK - b.n, n - pos)
            for c in self.columns:
                getattr(b, c).extend(lists[c][pos : pos + take])
            b.left += sum(left[pos : pos + take])
            b.n += take
            pos += take
        self.size += n
        self.write_ready()

    def final(self, i: int) -> None:
        """Entity ``i`` reached its final state."""
        b = self.blocks[i >> BLOCK_BITS]
        b.left -= 1
        if b.left == 0 and b.n == BLOCK:
            self.write_ready()

    def write_ready(self) -> None:
        """Write every finished block that has no unwritten block before it."""
        blocks = self.blocks
        while self.written < len(blocks):
            b = blocks[self.written]
            if b.left or (b.n < BLOCK and not self.closed):
                return
            self._write(b)
            blocks[self.written] = None
            self.written += 1

    def close(self, finish: Callable[[Any], None]) -> None:
        """No more entities: ``finish(block)`` sets the final state of every entity of a
        block still open (at the horizon), then every block is written."""
        self.closed = True
        for b in self.blocks[self.written :]:
            if b is not None and b.left:
                finish(b)
                b.left = 0
        self.write_ready()

    def _write(self, b: Any) -> None:
        cols = {c: np.array(getattr(b, c), dtype=dtype) for c, dtype in self.schema.items()}
        self.recorder.write(self.table, cols)
