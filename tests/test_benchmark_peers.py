"""The peer queues of ``benchmarks/bench_peers.py`` are the same queue.

The benchmark compares cfsim with the idiomatic SimPy queue and with the
leanest SimPy queue (callbacks, no processes); a ratio means something only if
all serve the same customers in the same way. These tests run the two SimPy
peers on the same small draws and compare every wait, and check the lean one
against a wait computed by hand.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import simpy

PEERS = Path(__file__).resolve().parent.parent / "benchmarks" / "peers"


def _load(name: str):
    sys.path.insert(0, str(PEERS))
    try:
        spec = importlib.util.spec_from_file_location(name, PEERS / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(PEERS))


def _idiomatic_waits(arrivals, services, servers, horizon):
    mmc = _load("simpy_mmc")
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=servers)
    waits: list[float] = []
    gaps = np.diff(np.concatenate([[0.0], arrivals])).tolist()
    env.process(mmc.source(env, server, gaps, services, waits))
    env.run(until=horizon)
    return waits


def test_lean_and_idiomatic_simpy_give_every_customer_the_same_wait():
    lean = _load("simpy_lean")
    rng = np.random.default_rng(7)
    arrivals = np.cumsum(rng.exponential(1 / 0.22, 3000))  # utilisation 0.88 on 5 servers
    services = rng.exponential(20.0, arrivals.size).tolist()
    horizon = float(arrivals[-1]) + 1.0
    a = lean.simulate(arrivals.tolist(), services, 5, horizon)
    b = _idiomatic_waits(arrivals, services, 5, horizon)
    started = [w for w in a if not math.isnan(w)]
    assert len(started) == len(b) > 2900  # FIFO: both list waits in arrival order
    assert started == b
    assert sum(w > 0 for w in b) > 1000  # a real queue, not an idle one


def test_lean_simpy_waits_by_hand():
    lean = _load("simpy_lean")
    # two servers; the third customer waits for the first to finish at 10,
    # the fourth for the second to finish at 11
    waits = lean.simulate([0.0, 1.0, 2.0, 3.0], [10.0, 10.0, 5.0, 1.0], 2, 100.0)
    assert waits == [0.0, 0.0, 8.0, 8.0]
    # not yet served at the horizon: NaN
    assert math.isnan(lean.simulate([0.0, 1.0], [10.0, 1.0], 1, 5.0)[1])
