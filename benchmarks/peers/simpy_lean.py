"""The peer benchmark's M/M/c queue in SimPy at its leanest: the floor of the event loop.

No process per customer and no ``simpy.Resource``: each arrival and each end
of service is one timeout whose callback does the queueing by hand (a deque
of waiting customers and a count of free servers), and the only record kept
is each customer's wait. This is how fast SimPy's event loop can run the
queue at all, with no model around it; ``benchmarks/bench_peers.py`` runs it
beside ``cfsim run`` and the idiomatic peer to show how much of the
idiomatic time any SimPy model has left for everything else.

It draws the same arrivals and service times as ``simpy_mmc.py`` (same seed,
same order), so it serves the same customers and prints the same mean wait.

Usage::

    python benchmarks/peers/simpy_lean.py [--servers 5] [--rho 0.9] [--service 20]
                                          [--days 618] [--seed 1]
"""

from __future__ import annotations

import math
import sys
from collections import deque
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simpy_mmc import erlang_c_wait, queue_arguments, queue_draws  # noqa: E402


def simulate(arrivals: list[float], services: list[float], servers: int, horizon: float):
    """Waits in queue of customers arriving at ``arrivals`` (sorted) served FIFO by
    ``servers`` servers (NaN for a customer not served by ``horizon``)."""
    env = simpy.Environment()
    waiting: deque[int] = deque()
    waits = [math.nan] * len(arrivals)
    free = servers
    nxt = 0

    def start(i: int) -> None:
        nonlocal free
        free -= 1
        waits[i] = env.now - arrivals[i]
        env.timeout(services[i]).callbacks.append(finish)

    def finish(_event) -> None:
        nonlocal free
        free += 1
        if waiting:
            start(waiting.popleft())

    def arrive(_event) -> None:
        nonlocal nxt
        i = nxt
        nxt += 1
        if free > 0:
            start(i)
        else:
            waiting.append(i)
        if nxt < len(arrivals):
            env.timeout(arrivals[nxt] - env.now).callbacks.append(arrive)

    if arrivals:
        env.timeout(arrivals[0]).callbacks.append(arrive)
    env.run(until=horizon)
    return waits


def main() -> None:
    a, lam, mu = queue_arguments()
    gaps, services, horizon = queue_draws(a, lam)
    waits = simulate(np.cumsum(gaps).tolist(), services.tolist(), a.servers, horizon)
    served = [w for w in waits if w == w]
    print(
        f"customers {len(served)}  mean wait {np.mean(served):.3f} min  "
        f"(Erlang C {erlang_c_wait(a.servers, lam, mu):.3f})"
    )


if __name__ == "__main__":
    main()
