"""``cfsim sweep`` and ``cfsim optimize``: the points of a sweep or optimize file,
stored point by point so that an interrupted run resumes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import (
    add_execution,
    add_max_memory,
    add_plots,
    add_quiet,
    add_results_root,
    add_table_format,
    check_workers,
    command_line,
    error,
    warn,
    write_figures,
)


def _file_arguments(p: argparse.ArgumentParser, name: str, root: str) -> None:
    """What sweep and optimize share; ``root`` is the folder under the results root."""
    p.add_argument("file", help=f"{name} YAML file")
    p.add_argument(
        "--out",
        help=f"result directory (default: results/{root}/<name>); "
        "re-running into the same directory resumes",
    )
    p.add_argument("--seed", type=int, help="root seed (default: the file's, else the base's)")
    p.add_argument(
        "--replications",
        "-n",
        type=int,
        help="replications per point, at least 2 (default: the file's)",
    )
    p.add_argument(
        "--metric",
        action="append",
        metavar="NAME",
        help="a metric to show in the table, figures and report (repeat for more; default: "
        "the file's metrics list, else those the swept keys affect; the CSV has them all)",
    )
    add_results_root(p)
    add_quiet(p, "print no table or progress")


def sweep_arguments(p: argparse.ArgumentParser) -> None:
    _file_arguments(p, "sweep", "sweeps")
    p.add_argument(
        "--tables",
        action="store_true",
        help="also write every replication's tables under <out>/tables/ (written by the workers)",
    )
    add_table_format(p, "the tables --tables writes")
    add_plots(p)
    add_execution(p)
    add_max_memory(p)


def optimize_arguments(p: argparse.ArgumentParser) -> None:
    _file_arguments(p, "optimize", "optimize")
    add_plots(p)
    add_execution(p)
    add_max_memory(p)


def sweep_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run a sweep file and print one row per point; 2 on bad input, 130 if interrupted."""
    return _run_file(args, argv, optimize=False)


def optimize_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run an optimize file and print the frontier; 1 if no point meets every target."""
    return _run_file(args, argv, optimize=True)


def _run_file(args: argparse.Namespace, argv: list[str] | None, optimize: bool) -> int:
    from ..analysis.optimize import run_optimize
    from ..analysis.preflight import plan_sweep
    from ..analysis.sweep import check_claim, run_sweep
    from ..output.console import Counter

    if not check_workers(args):
        return 2
    kind = "optimize" if optimize else "sweep"
    plan = plan_sweep(
        args.file,
        kind,
        workers=1 if args.dask else args.workers,
        max_memory=args.max_memory,
        tables=bool(getattr(args, "tables", False)),
    )
    warn(plan.warnings)
    spec, path = with_options(plan.spec, args), plan.path
    if spec is None:
        return 2
    root = "optimize" if optimize else "sweeps"
    out = Path(args.out) if args.out else Path(args.results_root) / root / spec.name
    check_claim(out, kind, spec.name, "--out" if args.out else "--results-root")
    counter = None if args.quiet else Counter("replications")
    options = dict(
        workers=args.workers,
        dask=args.dask,
        progress=counter,
        command=command_line(argv),
        points=plan.points,
    )
    try:
        if optimize:
            meta = run_optimize(spec, path, out, **options)
        else:
            meta = run_sweep(
                spec, path, out, tables=args.format if args.tables else None, **options
            )
    except KeyboardInterrupt:
        points = out / "points"
        stored = len(list(points.glob("*.json"))) if points.exists() else 0
        print(
            f"\ninterrupted: {stored} completed point(s) are stored in {out}/points; run the "
            "same command again to resume",
            file=sys.stderr,
        )
        return 130
    if counter is not None:
        counter.finish()
    if not args.quiet:
        _print_optimize(spec, meta, out) if optimize else _print_sweep(spec, meta, out)
    # an optimize run in which no point meets every target fails (1), quiet or not
    code = 1 if optimize and meta["best"] is None else 0
    figures = write_figures(args, out) if args.plots else 0
    return code or figures


def with_options(spec, args: argparse.Namespace):
    """The spec with ``--seed``, ``-n`` and ``--metric`` applied (None, after saying
    why, if one is out of range)."""
    from ..analysis.sweepmetrics import check_metrics

    update: dict = {}
    if args.seed is not None:
        if args.seed < 0:
            error("--seed must be >= 0")
            return None
        update["seed"] = args.seed
    if args.replications is not None:
        if args.replications < 2:
            error("--replications must be at least 2 (intervals need two replications)")
            return None
        update["replications"] = args.replications
    if args.metric:
        check_metrics(args.metric, "--metric")
        update["metrics"] = list(args.metric)
    return spec.model_copy(update=update)


def _format_metric(metric: str, value: float | None) -> str:
    """A metric's value for people: a duration, or a percentage for a rate; ``-`` if none."""
    from ..analysis.metrics import KEY_METRICS
    from ..scenario.units import human_duration

    if value is None or value != value:  # missing, or NaN
        return "-"
    kinds = {key: kind for key, _, kind in KEY_METRICS}
    return human_duration(value) if kinds.get(metric) == "time" else f"{100 * value:.1f}%"


def _print_sweep(spec, meta: dict, out: Path) -> int:
    """One row per point with the means of the sweep's metrics; returns 0."""
    print(
        f"Sweep {spec.name}: {meta['points']} points x {spec.replications} replications "
        f"(seed {meta['seed']}; {meta['points_reused']} point(s) reused from an earlier "
        "run)"
    )
    shown = meta["metrics"]
    widths = [max(10, len(m) + 2) for m in shown]
    print(f"{'point':<6}{'parameters':<40}" + "".join(f"{m:>{w}}" for m, w in zip(shown, widths)))
    by = {(r["point"], r["metric"]): r for r in meta["rows"]}
    for k in range(meta["points"]):
        label = by[(k, shown[0])]["label"]
        cells = [_format_metric(m, by[(k, m)]["mean"]) for m in shown]
        print(f"{k:<6}{label[:39]:<40}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths)))
    for w in meta.get("warnings", []):
        print(f"  ! {w}")
    print(f"\nTable (one row per point and metric, with 95% CI): {out}/sweep.csv")
    return 0


def _target_text(metric: str, target: dict) -> str:
    """``response_p90 ≤ 2 h`` from ``{"max": 120}``."""
    side, limit = next(iter(target.items()))
    return f"{metric} {'≤' if side == 'max' else '≥'} {_format_metric(metric, limit)}"


def _constraint_values(spec, row: dict) -> str:
    """Each constraint's mean and one-sided bound in a frontier row."""
    return "; ".join(
        f"{m} {_format_metric(m, row[m + '_mean'])} (bound {_format_metric(m, row[m + '_bound'])})"
        for m in spec.constraints
    )


def _print_optimize(spec, meta: dict, out: Path) -> int:
    """The targets, every point evaluated and the cheapest that meets them all;
    returns 1 if none does, else 0."""
    targets = meta["constraints"]
    print(
        f"Optimize {spec.name}: evaluated {meta['evaluated']} of {meta['grid_points']} "
        f"grid points, cheapest first ({spec.replications} replications each)"
    )
    print(
        "Targets, all to be met with 95% confidence (one-sided bounds, Bonferroni: each at "
        f"{100 * (1 - meta['alpha_per_constraint']):.1f}%): "
        + "; ".join(_target_text(m, targets[m]) for m in targets)
    )
    for row in meta["frontier"]:
        missed = [m for m in targets if not row[f"{m}_ok"]]
        mark = "meets targets" if row["feasible"] else "misses " + ", ".join(missed)
        cons = _constraint_values(spec, row)
        extra = "; ".join(
            f"{m} {_format_metric(m, row.get(m + '_mean'))}"
            for m in meta.get("metrics", [])
            if m not in targets
        )
        print(
            f"  cost {row['cost']:>7.1f}  {row['label']:<70}  {mark:<38} | {cons}"
            + (f" | {extra}" if extra else "")
        )
    best = meta["best"]
    if best is None and meta.get("not_confirmed"):
        print(
            "\nNo point met every target on fresh replications: the points that passed the "
            "search did not pass again (below); try more replications."
        )
    elif best is None:
        never = [m for m in targets if not any(r[f"{m}_ok"] for r in meta["frontier"])]
        print(
            "\nNo point met every target with 95% confidence."
            + (
                f" No point met: {', '.join(_target_text(m, targets[m]) for m in never)}."
                if never
                else " Each target was met by some point, but never all at once."
            )
        )
    for w in meta.get("warnings", []):
        print(f"  ! {w}")
    for row in meta.get("not_confirmed", []):
        print(
            f"  point {row['point']} ({row['label']}) met the targets in the search but not on "
            f"{spec.replications} fresh replications; not recommended"
        )
    if best is not None:
        conf = best["confirmation"]
        again = _constraint_values(spec, conf)
        print(
            f"\nLeast-cost configuration meeting every target: point {best['point']} "
            f"({best['label']}), cost {best['cost']:.1f} = {best['officers']} officer "
            f"positions + {best['team_members']} team members; confirmed on "
            f"{spec.replications} fresh replications: {again}"
        )
    for note in meta.get("unconstrained", []):
        print(f"Note: {note}.")
    print(f"Frontier explored: {out}/frontier.csv")
    return 1 if best is None else 0
