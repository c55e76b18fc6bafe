"""Benchmark: one simulated year of the baseline scenario, one replication.

Prints wall time (model run, and with writing the tables), reports and
events per second, and peak memory (resident set size of this process).
Targets on a 2-core machine: at most 10 s and 300 MB.

Usage::

    python benchmarks/bench_run.py [--scenario scenarios/baseline.yaml] [--days 365]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from sim.experiment import run
    from sim.io import write_run
    from sim.scenario import load_scenario

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    loaded = load_scenario(args.scenario, overrides={"horizon": f"{args.days}d", "replications": 1})
    t1 = time.perf_counter()
    result = run(loaded, seed=args.seed)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_run(result, Path(tmp) / "out")
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    meta = result.metadata
    sim_s = t2 - t1
    name = loaded.scenario.name
    print(f"scenario           {name} ({args.days:g} simulated days, seed {args.seed})")
    print(f"violations         {meta['violations_all']}")
    print(f"reports            {meta['reports_all']}")
    print(f"incidents          {result.replications[0].incidents['incident'].size}")
    print(f"load scenario      {t1 - t0:.2f} s")
    print(
        f"simulate+summarise {sim_s:.2f} s  ({meta['reports_all'] / sim_s:,.0f} reports/s, "
        f"{args.days / sim_s:,.0f} simulated days/s)"
    )
    print(f"write tables       {t3 - t2:.2f} s")
    print(f"total wall         {t3 - t0:.2f} s   (target <= 10 s)")
    print(f"peak RSS           {rss:.0f} MB    (target <= 300 MB; {rss0:.0f} MB before loading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
