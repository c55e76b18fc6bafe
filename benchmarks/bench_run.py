"""Benchmark: one simulated year of the baseline, and memory against the horizon.

1. Simulation time of one replication of one year of ``scenarios/baseline.yaml``
   (in this process, best of ``--repeat``; start-up, summary and writing excluded),
   with reports and events per second. Target: at most 0.5 s.
2. Peak memory of the whole ``cfsim run`` process (tables written to Parquet as
   the run goes) for a horizon of one year and of ``--long`` years. Target: the
   long run at most 1.5 times the one-year run.

Usage::

    python benchmarks/bench_run.py [--repeat 3] [--long 10] [--scenario scenarios/baseline.yaml]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_peers import measure  # noqa: E402

TARGET_SECONDS = 0.5
TARGET_MEMORY_RATIO = 1.5


def simulation_time(scenario: str, repeat: int) -> tuple[float, float, int, int]:
    """Best wall time and best CPU time of one replication of one year, reports and
    violations made (CPU time is what a loaded machine distorts least)."""
    from sim.engine import Prepared, run_replication
    from sim.world import load_scenario

    loaded = load_scenario(scenario, overrides={"horizon": "365d", "replications": 1})
    prep = Prepared(loaded)
    best = best_cpu = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        rep = run_replication(prep, 0)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best, best_cpu, int(rep.reports["arrival"].size), int(rep.violations["time"].size)


def run_memory(scenario: str, years: float, tmp: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of ``cfsim run`` for ``years`` of the scenario."""
    spec = tmp / f"h{years:g}.yaml"
    spec.write_text(
        f"extends: {Path(scenario).resolve()}\nhorizon: {365 * years:g}d\nreplications: 1\n"
    )
    cfsim = Path(sys.executable).with_name("cfsim")
    wall, _, mb, _ = measure(
        [str(cfsim), "run", str(spec), "-q", "-j", "1", "--out", str(tmp / spec.stem)]
    )
    return wall, mb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--long", type=float, default=10.0, help="years of the long run (default 10)")
    args = ap.parse_args(argv)

    seconds, cpu, reports, violations = simulation_time(args.scenario, args.repeat)
    print(
        f"one simulated year of {Path(args.scenario).name}: {seconds:.2f} s of simulation "
        f"({cpu:.2f} s CPU)"
    )
    print(f"  {violations} violations, {reports} reports ({reports / seconds:,.0f} reports/s)")
    print(
        f"  target <= {TARGET_SECONDS} s: {'met' if seconds <= TARGET_SECONDS else 'not met'} "
        f"({seconds / TARGET_SECONDS:.1f}x the target)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        one = run_memory(args.scenario, 1, Path(tmp))
        long = run_memory(args.scenario, args.long, Path(tmp))
    ratio = long[1] / one[1]
    print(f"cfsim run, whole process: 1 year {one[0]:.1f} s, {one[1]:.0f} MB peak")
    print(f"                          {args.long:g} years {long[0]:.1f} s, {long[1]:.0f} MB peak")
    print(
        f"  memory {args.long:g} years / 1 year = {ratio:.2f} (target <= {TARGET_MEMORY_RATIO}: "
        f"{'met' if ratio <= TARGET_MEMORY_RATIO else 'not met'})"
    )
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
