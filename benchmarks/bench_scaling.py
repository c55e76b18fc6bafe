"""Benchmark: how the cost of a replication grows with horizon, violation rate, staff
and network size.

Each panel varies one thing of ``scenarios/baseline.yaml`` and measures the
wall time (best of ``--repeat``) of preparing the scenario (distances on the
network) and of simulating one replication, in this process:

- horizon: 30 to 365 days;
- violation rate: 0.5 to 4 times the baseline's (91 days);
- staff: every shift's officers times 1 to 4 (91 days);
- network size: a synthetic line of contact of 60 to 5,000 nodes with the
  baseline's rates and 17 teams (30 days).

Writes the numbers as JSON and the figure shown in docs/performance.md.

Usage::

    python benchmarks/bench_scaling.py [--repeat 3] [--out docs/performance_scaling.png]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def timed(data: dict, repeat: int = 1) -> dict[str, float]:
    """Best of ``repeat`` wall times to prepare and to simulate one replication."""
    from sim.engine import Prepared, run_replication
    from sim.world import scenario_from_dict

    loaded = scenario_from_dict(data, ROOT / "scenarios")
    t_prep = t_sim = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        prep = Prepared(loaded)
        t_prep = min(t_prep, time.perf_counter() - t)
        t = time.perf_counter()
        rep = run_replication(prep, 0)
        t_sim = min(t_sim, time.perf_counter() - t)
    return {"prepare": t_prep, "simulate": t_sim, "reports": int(rep.reports["arrival"].size)}


def base(days: float) -> dict:
    from sim.world import load_scenario

    data = load_scenario(BASELINE).scenario.resolved()
    data.update(horizon=f"{days:g}d", warmup="1d", replications=1)
    return data


def staffed(data: dict, factor: int) -> dict:
    data = copy.deepcopy(data)
    for desk in data["center"]["desks"].values():
        for shift in desk["shifts"]:
            shift["officers"] *= factor
    return data


def on_synthetic(data: dict, nodes: int) -> dict:
    """The scenario on a synthetic line of about ``nodes`` nodes, teams at its bases."""
    data = copy.deepcopy(data)
    sectors = max(4, nodes // 3)
    data["network"] = {"synthetic": {"sectors": sectors, "depth": 2, "spacing_km": 5.0}}
    bases = [f"B{i}" for i in range(0, sectors, 4)]
    step = max(1, len(bases) // 10)
    chosen = bases[::step][:10]
    counts = [2, 3, 1, 3, 2, 1, 1, 2, 1, 1][: len(chosen)]
    data["teams"]["bases"] = [{"node": b, "count": c} for b, c in zip(chosen, counts)]
    data["violations"]["scripted"] = []
    for channel in data["reporting"]["channels"].values():
        if isinstance(channel, dict) and channel.get("coverage"):
            channel["coverage"] = {}  # named sectors of the built-in network
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "performance_scaling.png"))
    ap.add_argument("--repeat", type=int, default=3, help="best of this many (default 3)")
    args = ap.parse_args(argv)
    k = args.repeat

    timed(base(30))  # once untimed: first-use costs (imports, caches) are not scaling
    panels: dict[str, list[tuple[float, dict]]] = {
        "horizon (days)": [(d, timed(base(d), k)) for d in (30, 91, 182, 365)],
        "violation rate (x baseline)": [],
        "staff (x baseline)": [(f, timed(staffed(base(91), f), k)) for f in (1, 2, 4)],
        "network nodes": [],
    }
    for f in (0.5, 1, 2, 4):
        data = base(91)
        data["violations"]["rate_per_day"] *= f
        panels["violation rate (x baseline)"].append((f, timed(data, k)))
    for n in (60, 500, 2000, 5000):
        panels["network nodes"].append((n, timed(on_synthetic(base(30), n), k)))
    for name, rows in panels.items():
        print(name)
        for x, r in rows:
            print(
                f"  {x:>8g}: prepare {r['prepare']:6.2f} s  simulate {r['simulate']:6.2f} s  "
                f"({r['reports']} reports)"
            )
    Path(args.out).with_suffix(".json").write_text(
        json.dumps({k: [[x, r] for x, r in v] for k, v in panels.items()}, indent=1) + "\n"
    )
    plot(panels, Path(args.out))
    print(f"figure: {args.out}")
    return 0


def plot(panels, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(13, 3.4), constrained_layout=True)
    for ax, (name, rows) in zip(axes, panels.items()):
        xs = [x for x, _ in rows]
        ax.plot(xs, [r["simulate"] for _, r in rows], "o-", label="simulate")
        ax.plot(xs, [r["prepare"] for _, r in rows], "s--", label="prepare")
        ax.set_xlabel(name)
        ax.set_ylabel("seconds (one replication)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left")
    fig.suptitle("Cost of one replication of the baseline (wall time, one core)")
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
