"""Entities in flight are written block by block, in id order, exactly once."""

from __future__ import annotations

import numpy as np

from sim.engine.blocks import BLOCK, Blocks


class _Tape:
    def __init__(self):
        self.batches: list[np.ndarray] = []

    def write(self, table, columns):
        self.batches.append(columns["id"])


def test_appending_after_a_full_block_was_written_starts_a_new_block():
    # a full block whose entities are all final is written at once (and dropped);
    # the next append must open a new block, not look into the dropped one
    tape = _Tape()
    b = Blocks("reports", {"id": np.int64}, tape)
    b.append({"id": np.arange(BLOCK)}, pending=np.zeros(BLOCK, dtype=bool))
    assert [len(x) for x in tape.batches] == [BLOCK]
    b.append({"id": np.arange(BLOCK, BLOCK + 3)})
    b.final(BLOCK + 1)
    b.close(lambda blk: None)
    assert np.concatenate(tape.batches).tolist() == list(range(BLOCK + 3))
    assert [len(x) for x in tape.batches] == [BLOCK, 3]


def test_a_block_waits_for_its_last_entity_and_for_the_blocks_before_it():
    tape = _Tape()
    b = Blocks("reports", {"id": np.int64}, tape)
    b.append({"id": np.arange(2 * BLOCK)})
    for i in range(BLOCK, 2 * BLOCK):
        b.final(i)
    assert tape.batches == []  # the second block is final, the first is not
    for i in range(BLOCK - 1):
        b.final(i)
    assert tape.batches == []
    b.final(BLOCK - 1)
    assert [x[0] for x in tape.batches] == [0, BLOCK]
