"""Benchmark: speed-up of replications on local worker processes and on Dask.

Runs the same replications (compact summaries, as compare and sweep do) with
1 worker and with N workers, alternated ``--rounds`` times, then once on a
Dask LocalCluster of N workers; checks the results are identical, and prints
wall times and the speed-up of the medians. Target: two
workers at least 1.85 times as fast as one on 8 replications.

Usage::

    python benchmarks/bench_parallel.py [--replications 8] [--days 365] [--workers 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEEDUP = 1.85


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="alternations of 1 and N workers")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args(argv)

    from sim.analysis.experiment import make_jobs, run_job
    from sim.analysis.parallel import map_ordered
    from sim.records.storage import same_data
    from sim.world import load_scenario

    loaded = load_scenario(args.scenario, overrides={"horizon": f"{args.days}d"})
    jobs = make_jobs(loaded, 1, range(args.replications))
    print(f"{args.replications} replications of {args.days:g} days of {loaded.scenario.name}")
    ones, pools, same = [], [], True
    for r in range(args.rounds):  # alternated, so that the machine's load falls on both
        t = time.perf_counter()
        serial = map_ordered(run_job, jobs, workers=1)
        ones.append(time.perf_counter() - t)
        t = time.perf_counter()
        pool = map_ordered(run_job, jobs, workers=args.workers)
        pools.append(time.perf_counter() - t)
        same = same and same_data(pool, serial)
        print(
            f"round {r + 1}: 1 worker {ones[-1]:6.2f} s, {args.workers} processes "
            f"{pools[-1]:6.2f} s, speed-up {ones[-1] / pools[-1]:.2f}x"
        )
    t1, tn = statistics.median(ones), statistics.median(pools)
    print(f"1 worker            {t1:6.2f} s  (median of {args.rounds})")
    print(
        f"{args.workers} processes         {tn:6.2f} s   speed-up {t1 / tn:.2f}x of the medians "
        f"(rounds {min(o / p for o, p in zip(ones, pools)):.2f}-"
        f"{max(o / p for o, p in zip(ones, pools)):.2f}x; "
        f"{'identical' if same else 'DIFFERENT'} results)"
    )
    if args.workers == 2:
        met = "met" if t1 / tn >= TARGET_SPEEDUP else "not met"
        print(f"  target: 2 workers >= {TARGET_SPEEDUP}x one worker: {met}")
    if not args.no_dask:
        t = time.perf_counter()
        dask = map_ordered(run_job, jobs, workers=args.workers, dask="local")
        td = time.perf_counter() - t
        same = "identical" if same_data(dask, serial) else "DIFFERENT"
        print(
            f"Dask local x{args.workers}       {td:6.2f} s   speed-up {t1 / td:.2f}x  ({same}; "
            "includes starting the cluster)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
