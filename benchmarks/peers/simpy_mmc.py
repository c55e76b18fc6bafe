"""The peer benchmark's M/M/c queue written in idiomatic SimPy.

A source process starts one process per customer; each customer requests one
of ``c`` servers (``simpy.Resource``), waits, is served for an exponential
time and leaves, as the SimPy documentation's examples do. It prints the
number of customers, the mean wait in queue and the Erlang C value. Run by
``benchmarks/bench_peers.py`` as a separate process, like ``cfsim run``.

Usage::

    python benchmarks/peers/simpy_mmc.py [--servers 5] [--rho 0.9] [--service 20]
                                         [--days 618] [--seed 1]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import simpy


def customer(env: simpy.Environment, server: simpy.Resource, service: float, waits: list):
    arrived = env.now
    with server.request() as req:
        yield req
        waits.append(env.now - arrived)
        yield env.timeout(service)


def source(env, server, gaps, services, waits):
    for gap, service in zip(gaps, services):
        yield env.timeout(gap)
        env.process(customer(env, server, service, waits))


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    a = lam / mu
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c * c / (c - a)
    return last / (total + last) / (c * mu - lam)


def queue_arguments() -> tuple[argparse.Namespace, float, float]:
    """The queue both peers take from the command line: the parsed arguments, the
    arrival rate and the service rate (per minute)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=5)
    ap.add_argument("--rho", type=float, default=0.9)
    ap.add_argument("--service", type=float, default=20.0, help="mean service time, minutes")
    ap.add_argument("--days", type=float, default=618.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    mu = 1.0 / a.service
    return a, a.rho * a.servers * mu, mu


def queue_draws(a: argparse.Namespace, lam: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Interarrival gaps and service times of the customers arriving before the
    horizon (the same for every SimPy peer: same seed, same order), and the horizon."""
    horizon = a.days * 1440.0
    rng = np.random.default_rng(a.seed)
    n = int(lam * horizon * 1.05 + 10 * math.sqrt(lam * horizon))
    gaps = rng.exponential(1.0 / lam, n)
    gaps = gaps[np.cumsum(gaps) < horizon]
    return gaps, rng.exponential(a.service, gaps.size), horizon


def main() -> None:
    a, lam, mu = queue_arguments()
    gaps, services, horizon = queue_draws(a, lam)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=a.servers)
    waits: list[float] = []
    env.process(source(env, server, gaps.tolist(), services.tolist(), waits))
    env.run(until=horizon)
    print(
        f"customers {len(waits)}  mean wait {np.mean(waits):.3f} min  "
        f"(Erlang C {erlang_c_wait(a.servers, lam, mu):.3f})"
    )


if __name__ == "__main__":
    main()
