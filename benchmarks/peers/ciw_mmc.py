"""The peer benchmark's M/M/c queue in Ciw (one node, exponential arrivals and service).

Run by ``benchmarks/bench_peers.py`` as a separate process when Ciw is
installed (``pip install ciw``). Prints the number of customers served, the
mean wait in queue and the Erlang C value.

Usage::

    python benchmarks/peers/ciw_mmc.py [--servers 5] [--rho 0.9] [--service 20]
                                       [--days 618] [--seed 1]
"""

from __future__ import annotations

import sys
from pathlib import Path

import ciw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simpy_mmc import erlang_c_wait, queue_arguments  # noqa: E402


def main() -> None:
    a, lam, mu = queue_arguments()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[a.servers],
    )
    ciw.seed(a.seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_time(a.days * 1440.0)
    waits = [r.waiting_time for r in q.get_all_records()]
    print(
        f"customers {len(waits)}  mean wait {sum(waits) / len(waits):.3f} min  "
        f"(Erlang C {erlang_c_wait(a.servers, lam, mu):.3f})"
    )


if __name__ == "__main__":
    main()
