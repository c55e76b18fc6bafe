"""Benchmark: speed-up of replications on local worker processes and on Dask.

Runs the same replications (compact summaries, as compare and sweep do) with
1 worker, with N workers, and on a Dask LocalCluster of N workers, checks the
results are identical, and prints wall times and speed-ups. Target: two
workers at least 1.85 times as fast as one on 8 replications.

Usage::

    python benchmarks/bench_parallel.py [--replications 8] [--days 365] [--workers 2]
"""

from __future__ import annotations

import argparse
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
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args(argv)

    from sim.analysis.experiment import make_jobs, run_job
    from sim.analysis.parallel import map_ordered
    from sim.records.storage import same_data
    from sim.world import load_scenario

    loaded = load_scenario(args.scenario, overrides={"horizon": f"{args.days}d"})
    jobs = make_jobs(loaded, 1, range(args.replications))
    print(f"{args.replications} replications of {args.days:g} days of {loaded.scenario.name}")
    t = time.perf_counter()
    serial = map_ordered(run_job, jobs, workers=1)
    t1 = time.perf_counter() - t
    print(f"1 worker            {t1:6.2f} s")
    t = time.perf_counter()
    pool = map_ordered(run_job, jobs, workers=args.workers)
    tn = time.perf_counter() - t
    same = "identical" if same_data(pool, serial) else "DIFFERENT"
    print(f"{args.workers} processes         {tn:6.2f} s   speed-up {t1 / tn:.2f}x  ({same})")
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
