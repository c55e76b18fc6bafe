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


class _Columns:
    """A recorder that keeps every written batch whole."""

    def __init__(self):
        self.batches: list[dict[str, np.ndarray]] = []

    def write(self, table, columns):
        self.batches.append(columns)


def test_entities_final_on_arrival_wait_until_their_block_is_full_or_closed():
    # violations nobody reported are final as they are appended; their block is
    # not full, so it waits for the next window's entities and is written once,
    # whole, when the replication closes (ids stay the row numbers)
    tape = _Tape()
    b = Blocks("violations", {"id": np.int64}, tape)
    b.append({"id": np.arange(3)}, pending=np.zeros(3, dtype=bool))
    assert tape.batches == []
    b.append({"id": np.arange(3, 5)})
    b.final(3)
    b.final(4)
    assert tape.batches == []
    b.close(lambda blk: None)
    assert [x.tolist() for x in tape.batches] == [[0, 1, 2, 3, 4]]


def test_columns_are_written_with_the_schemas_types_whatever_they_were_given_as():
    # keys are unsigned 64-bit hashes (above 2**63 half the time); plain lists
    # are accepted as well as arrays
    tape = _Columns()
    schema = {"key": np.uint64, "time": np.float64, "false": np.bool_}
    b = Blocks("reports", schema, tape)
    keys = [2**63 + 5, 7]
    b.append({"key": keys, "time": [1, 2], "false": [0, 1]}, pending=np.zeros(2, dtype=bool))
    b.close(lambda blk: None)
    (cols,) = tape.batches
    assert list(cols) == ["key", "time", "false"]
    assert [cols[c].dtype for c in cols] == [np.uint64, np.float64, np.bool_]
    assert cols["key"].tolist() == keys
    assert cols["time"].tolist() == [1.0, 2.0]
    assert cols["false"].tolist() == [False, True]
