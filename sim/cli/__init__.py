"""Command-line interface: ``cfsim run``, ``compare``, ``sweep``, ``optimize``,
``plot``, ``report``, ``validate``, ``check-model``.

The CLI is thin: it parses arguments, calls library functions and turns
known errors into messages a non-programmer can act on (exit 2 for bad
input). ``--debug`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..records.version import __version__
from ..analysis.compare import CompareError
from ..analysis.parallel import ExecutionError
from ..scenario import ScenarioError
from ..world import load_scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cfsim",
        description="Simulate a trilateral ceasefire-monitoring coordination center.",
    )
    p.add_argument("--version", action="version", version=f"cfsim {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("run", help="run a scenario file and write results")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's seed)")
    r.add_argument(
        "--replications", "-n", type=int, help="number of replications (default: the scenario's)"
    )
    r.add_argument("--out", help="result directory (default: results/<scenario>/<run-id>)")
    r.add_argument(
        "--results-root",
        default="results",
        help="where default result directories go (default: results)",
    )
    r.add_argument("--quiet", "-q", action="store_true", help="print no summary or progress")
    _plots_arg(r)

    _exec_args(r)

    c = sub.add_parser(
        "compare", help="compare configurations over the same replications (paired CIs)"
    )
    c.add_argument(
        "scenarios", nargs="+", help="two or more scenario files; the first is the reference"
    )
    c.add_argument(
        "--replications",
        "-n",
        type=int,
        default=10,
        help="replications per configuration (default 10; the first batch with --precision)",
    )
    c.add_argument("--seed", type=int, help="root seed shared by all (default: the first's)")
    c.add_argument(
        "--precision",
        type=float,
        help="add replications until the 95%% CI half-width of --metric is below "
        "this fraction of its mean (e.g. 0.05) for every configuration",
    )
    c.add_argument(
        "--metric", default="response_mean", help="metric for --precision (default response_mean)"
    )
    c.add_argument(
        "--max-replications", type=int, default=200, help="cap for --precision (default 200)"
    )
    c.add_argument("--out", help="result directory (default: results/compare/<run-id>)")
    c.add_argument("--results-root", default="results")
    c.add_argument("--quiet", "-q", action="store_true")
    c.add_argument(
        "--tables",
        action="store_true",
        help="also write each configuration's full run (tables, summary) under "
        "<out>/runs/<name>/, by running its replications once more with the same seed "
        "(identical results); needed for distribution, timeline and map figures",
    )
    _plots_arg(c, " (implies --tables)")
    _exec_args(c)

    for name, help_, root in (
        ("sweep", "run a sweep file: a grid of parameters or a list of variants", "sweeps"),
        (
            "optimize",
            "find the least staff that meets service targets (an optimize file)",
            "optimize",
        ),
    ):
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("file", help=f"{name} YAML file")
        sp.add_argument(
            "--out",
            help=f"result directory (default: results/{root}/<name>); "
            "re-running into the same directory resumes",
        )
        sp.add_argument("--results-root", default="results")
        sp.add_argument("--quiet", "-q", action="store_true")
        if name == "sweep":
            sp.add_argument(
                "--tables",
                action="store_true",
                help="also write every replication's tables (CSV) under "
                "<out>/tables/ (written by the workers)",
            )
        _plots_arg(sp)
        _exec_args(sp)

    m = sub.add_parser(
        "check-model",
        help="run the analytic validation checks and write the table (docs/validation.md)",
    )
    m.add_argument(
        "--out",
        default="docs/validation.md",
        help="markdown file to write (default docs/validation.md)",
    )
    m.add_argument("--workers", "-j", type=int, help="worker processes (default: all cores)")

    pl = sub.add_parser(
        "plot", help="make figures from saved results (a run, comparison, sweep or optimize)"
    )
    pl.add_argument("results", help="a result directory written by run, compare, sweep or optimize")
    pl.add_argument(
        "--kind",
        "-k",
        action="append",
        metavar="KIND",
        help="figure to make, e.g. ecdf or map (repeat, or separate with commas; default: "
        "every figure the directory supports; docs/plots.md lists them)",
    )
    pl.add_argument("--format", "-f", choices=("png", "svg", "pdf"), default="png")
    pl.add_argument("--out", help="where to write the figures (default: RESULTS/figures)")
    pl.add_argument("--quiet", "-q", action="store_true")

    rp = sub.add_parser(
        "report", help="write report.html: one self-contained page with summary and figures"
    )
    rp.add_argument("results", help="a result directory written by run, compare, sweep or optimize")
    rp.add_argument("--out", help="the HTML file to write (default: RESULTS/report.html)")
    rp.add_argument("--quiet", "-q", action="store_true")

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("files", nargs="+", help="scenario YAML files")
    return p


def _plots_arg(p: argparse.ArgumentParser, extra: str = "") -> None:
    p.add_argument(
        "--plots",
        action="store_true",
        help=f"also write every figure (PNG) under <out>/figures/{extra}; "
        "cfsim plot makes them later from the saved results",
    )


def _exec_args(p: argparse.ArgumentParser, default_workers: str = "all cores") -> None:
    p.add_argument(
        "--workers", "-j", type=int, help=f"worker processes (default: {default_workers})"
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on Dask: 'local' starts a LocalCluster, or a scheduler address "
        "such as tcp://scheduler:8786 (needs ceasefire-sim[dask])",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 ok, 2 bad input, 1 failure)."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "validate":
            return _validate(args)
        if args.command == "compare":
            return _compare(args, argv)
        if args.command in ("sweep", "optimize"):
            return _sweep(args, argv)
        if args.command == "check-model":
            return _check_model(args)
        if args.command == "plot":
            return _plot(args)
        if args.command == "report":
            return _report(args)
    except ScenarioError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileExistsError, PermissionError, ExecutionError, CompareError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was written", file=sys.stderr)
        return 130
    return 2


def _run(args, argv) -> int:
    from ..analysis.experiment import run
    from ..output.console import Progress, format_summary
    from ..output.rundir import default_run_dir, write_run
    from ..records.storage import check_out_dir

    if args.replications is not None and args.replications < 1:
        print("error: --replications must be at least 1", file=sys.stderr)
        return 2
    if args.seed is not None and args.seed < 0:
        print("error: --seed must be >= 0", file=sys.stderr)
        return 2
    if not _check_exec(args):
        return 2
    if args.out:
        check_out_dir(Path(args.out))
    loaded = load_scenario(args.scenario)
    progress = None if args.quiet else Progress()
    result = run(
        loaded,
        seed=args.seed,
        replications=args.replications,
        progress=progress,
        workers=args.workers,
        dask=args.dask,
    )
    if progress is not None:
        progress.finish()
    out = (
        Path(args.out)
        if args.out
        else default_run_dir(Path(args.results_root), loaded.scenario.name, result.seed)
    )
    write_run(result, out, command=_command(argv))
    if not args.quiet:
        print(format_summary(result.summary, result.metadata))
        print(f"\nResults written to {out}/ ({result.metadata['wall_seconds']:.1f} s)")
    if args.plots:
        from ..output.plotting import run_figures
        from ..output.results import run_data

        # From the data in memory, exactly as `cfsim plot` reads them back from disk.
        return _figures(args, out, lambda: run_figures([run_data(result)]))
    return 0


def _figures(args, out: Path, makers=None) -> int:
    """Every figure of the results in ``out`` (``--plots``); 2 if they cannot be made."""
    from ..output.plotting import make_figures
    from ..output.results import ResultsError

    try:
        files = make_figures(out, makers=makers() if makers else None)
    except ResultsError as exc:
        if args.debug:
            raise
        print(f"error: the results are saved, but not the figures: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        noun = "figure" if len(files) == 1 else "figures"
        print(f"{len(files)} {noun} written to {out / 'figures'}/; a report: cfsim report {out}")
    return 0


def _check_exec(args) -> bool:
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return False
    return True


def _command(argv) -> str:
    return "cfsim " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))


def _compare(args, argv) -> int:
    from ..analysis.compare import compare, format_comparison
    from ..analysis.metrics import METRIC_KEYS
    from ..output.console import Counter
    from ..output.rundir import default_run_dir, write_comparison
    from ..records.storage import check_out_dir

    if not _check_exec(args):
        return 2
    if len(args.scenarios) < 2:
        print(
            "error: compare needs two or more scenario files (the first is the reference); "
            "for one scenario use cfsim run",
            file=sys.stderr,
        )
        return 2
    if args.replications < 2:
        print(
            "error: --replications must be at least 2 to give confidence intervals", file=sys.stderr
        )
        return 2
    if args.precision is not None and args.max_replications < args.replications:
        print(
            f"error: --max-replications ({args.max_replications}) is below --replications "
            f"({args.replications})",
            file=sys.stderr,
        )
        return 2
    if args.metric not in METRIC_KEYS:
        print(f"error: --metric must be one of {', '.join(METRIC_KEYS)}", file=sys.stderr)
        return 2
    if args.precision is not None and not 0 < args.precision < 1:
        print("error: --precision is a fraction between 0 and 1, e.g. 0.05", file=sys.stderr)
        return 2
    if args.out:
        check_out_dir(Path(args.out))
    loadeds = [load_scenario(f) for f in args.scenarios]
    seeds = {ld.scenario.seed for ld in loadeds}
    if args.seed is None and len(seeds) > 1 and not args.quiet:
        print(
            f"note: the scenarios name different seeds ({', '.join(map(str, sorted(seeds)))}); "
            f"all run under {loadeds[0].scenario.seed}, the first one's, so they share "
            "their random numbers",
            file=sys.stderr,
        )
    counter = None if args.quiet else Counter("replications")
    comp = compare(
        loadeds,
        replications=args.replications,
        seed=args.seed,
        workers=args.workers,
        dask=args.dask,
        precision=args.precision,
        metric=args.metric,
        max_replications=args.max_replications,
        progress=counter,
    )
    if counter is not None:
        counter.finish()
    if args.out:
        out = Path(args.out)
    else:
        out = default_run_dir(
            Path(args.results_root) / "compare", "-vs-".join(comp.names)[:80], comp.seed
        )
    write_comparison(comp, loadeds, out, command=_command(argv))
    if not args.quiet:
        print(format_comparison(comp))
        if args.precision is not None:
            got = max(comp.relative_half_width(args.metric))
            if comp.metadata["precision_reached"]:
                print(
                    f"\nprecision reached: the 95% CI half-width of {args.metric} is within "
                    f"{100 * got:.1f}% of its mean after {comp.replications} replications"
                )
            else:
                print(
                    f"\nnote: the precision {args.precision} on {args.metric} was not reached "
                    f"within {args.max_replications} replications (the widest CI half-width "
                    f"is {100 * got:.1f}% of its mean)"
                )
        print(f"\nResults written to {out}/")
    if args.tables or args.plots:
        _compare_tables(args, argv, comp, loadeds, out)
    if args.plots:
        return _figures(args, out)
    return 0


def _compare_tables(args, argv, comp, loadeds, out: Path) -> None:
    """Each configuration's full run under ``out/runs/<name>/``: the same replications
    under the same seed as the comparison, hence the same numbers, with every table."""
    from ..analysis.experiment import run
    from ..output.console import Progress
    from ..output.rundir import write_run

    for name, ld in zip(comp.names, loadeds):
        progress = None if args.quiet else Progress()
        result = run(
            ld,
            seed=comp.seed,
            replications=comp.replications,
            workers=args.workers,
            dask=args.dask,
            progress=progress,
        )
        if progress is not None:
            progress.finish()
        write_run(result, out / "runs" / name, command=_command(argv))
    if not args.quiet:
        print(f"Each configuration's run, with its tables, written to {out / 'runs'}/")


def _sweep(args, argv) -> int:
    from ..analysis.metrics import KEY_METRICS
    from ..analysis.optimize import run_optimize
    from ..analysis.sweep import run_sweep
    from ..analysis.sweepfile import OptimizeSpec, SweepSpec, load_sweep
    from ..output.console import Counter
    from ..scenario.units import human_duration

    if not _check_exec(args):
        return 2
    kind = OptimizeSpec if args.command == "optimize" else SweepSpec
    spec, path = load_sweep(args.file, kind)
    root = "sweeps" if args.command == "sweep" else "optimize"
    out = Path(args.out) if args.out else Path(args.results_root) / root / spec.name
    if out.exists() and not out.is_dir():
        print(f"error: {out} exists and is a file; choose a directory for --out", file=sys.stderr)
        return 2
    counter = None if args.quiet else Counter("replications")
    try:
        if args.command == "sweep":
            meta = run_sweep(
                spec,
                path,
                out,
                workers=args.workers,
                dask=args.dask,
                progress=counter,
                command=_command(argv),
                tables=args.tables,
            )
        else:
            meta = run_optimize(
                spec,
                path,
                out,
                workers=args.workers,
                dask=args.dask,
                progress=counter,
                command=_command(argv),
            )
    except KeyboardInterrupt:
        stored = len(list((out / "points").glob("*.json"))) if (out / "points").exists() else 0
        print(
            f"\ninterrupted: {stored} completed point(s) are stored in {out}/points; run the "
            "same command again to resume",
            file=sys.stderr,
        )
        return 130
    if counter is not None:
        counter.finish()
    if args.quiet:
        return _figures(args, out) if args.plots else 0
    kinds = {k: kind_ for k, _, kind_ in KEY_METRICS}

    def show(metric: str, v: float) -> str:
        if v is None or v != v:
            return "-"
        return human_duration(v) if kinds.get(metric) == "time" else f"{100 * v:.1f}%"

    if args.command == "sweep":
        print(
            f"Sweep {spec.name}: {meta['points']} points x {spec.replications} replications "
            f"(seed {meta['seed']}; {meta['points_reused']} point(s) reused from an earlier "
            "run)"
        )
        shown = (
            "acknowledge_mean",
            "response_p90",
            "violation_to_finding_mean",
            "verification_rate",
        )
        heads = ("acknowledge", "response p90", "viol. to finding", "verified")
        print(f"{'point':<6}{'parameters':<48}" + "".join(f"{h:>18}" for h in heads))
        by = {(r["point"], r["metric"]): r for r in meta["rows"]}
        for k in range(meta["points"]):
            label = by[(k, shown[0])]["label"]
            cells = [show(m, by[(k, m)]["mean"]) for m in shown]
            print(f"{k:<6}{label[:47]:<48}" + "".join(f"{c:>18}" for c in cells))
        print(f"\nTable (one row per point and metric, with 95% CI): {out}/sweep.csv")
    else:
        targets = meta["constraints"]

        def target_text(m: str) -> str:
            side, lim = next(iter(targets[m].items()))
            return f"{m} {'≤' if side == 'max' else '≥'} {show(m, lim)}"

        print(
            f"Optimize {spec.name}: evaluated {meta['evaluated']} of {meta['grid_points']} "
            f"grid points, cheapest first ({spec.replications} replications each)"
        )
        print(
            "Targets, to be met with 95% confidence (the whole CI inside the limit): "
            + "; ".join(target_text(m) for m in targets)
        )
        for row in meta["frontier"]:
            missed = [m for m in targets if not row[f"{m}_ok"]]
            mark = "meets targets" if row["feasible"] else "misses " + ", ".join(missed)
            cons = "; ".join(
                f"{m} {show(m, row[m + '_mean'])} [{show(m, row[m + '_low'])}, "
                f"{show(m, row[m + '_high'])}]"
                for m in spec.constraints
            )
            print(f"  cost {row['cost']:>7.1f}  {row['label']:<70}  {mark:<38} | {cons}")
        best = meta["best"]
        if best is None:
            never = [m for m in targets if not any(r[f"{m}_ok"] for r in meta["frontier"])]
            print(
                "\nNo point met every target with 95% confidence."
                + (
                    f" No point met: {', '.join(target_text(m) for m in never)}."
                    if never
                    else " Each target was met by some point, but never all at once."
                )
            )
            print(f"Frontier explored: {out}/frontier.csv")
            _ = args.plots and _figures(args, out)
            return 1
        else:
            print(
                f"\nLeast-cost configuration meeting every target: point {best['point']} "
                f"({best['label']}), cost {best['cost']:.1f} = {best['officers']} officer "
                f"positions + {best['team_members']} team members"
            )
        print(f"Frontier explored: {out}/frontier.csv")
    return _figures(args, out) if args.plots else 0


def _plot(args) -> int:
    from ..output.plotting import KINDS, make_figures
    from ..output.results import ResultsError

    kinds = [k.strip() for arg in args.kind or [] for k in arg.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        print(
            f"error: unknown figure kind {', '.join(unknown)}; choose from {', '.join(KINDS)}",
            file=sys.stderr,
        )
        return 2
    try:
        files = make_figures(args.results, kinds or None, args.format, args.out)
    except ResultsError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for f in files:
            print(f)
    return 0


def _report(args) -> int:
    from ..output.report import write_report
    from ..output.results import ResultsError

    try:
        path = write_report(args.results, args.out)
    except ResultsError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"Report written to {path} (open it in any browser)")
    return 0


def _check_model(args) -> int:
    from ..analysis.validation import markdown, run_all

    if not _check_exec(args):
        return 2
    checks = run_all(
        workers=args.workers,
        progress=lambda name: print(f"running {name} checks ...", file=sys.stderr),
    )
    text = markdown(checks)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    width = max(len(c.case) for c in checks)
    for c in checks:
        cells = c.cells()
        print(f"{cells[0]:<{width}}  {cells[1]:>12}  {cells[2]:>12}  {cells[3]:>26}  {cells[4]}")
    failed = [c for c in checks if not c.passed]
    print(
        f"\n{len(checks) - len(failed)} of {len(checks)} checks pass; table written to {args.out}"
    )
    return 1 if failed else 0


def _validate(args) -> int:
    """Check scenario files, and sweep or optimize files (every point they make)."""
    import yaml

    from ..analysis.sweepfile import OptimizeSpec, SweepSpec, expand, load_sweep

    bad = 0
    for f in args.files:
        try:
            try:
                head = yaml.safe_load(Path(f).read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                head = None  # load_scenario reports it properly
            if isinstance(head, dict) and "base" in head:
                kind = OptimizeSpec if "constraints" in head else SweepSpec
                spec, path = load_sweep(f, kind)
                points = expand(spec, path)
                what = "optimize" if kind is OptimizeSpec else "sweep"
                print(f"ok: {f} ({what} {spec.name}: {len(points)} points, each a valid scenario)")
                continue
            loaded = load_scenario(f)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            bad += 1
            continue
        s = loaded.scenario
        print(
            f"ok: {f} ({s.name}: {loaded.graph.number_of_nodes()} nodes, "
            f"{s.teams.total} teams, horizon {s.horizon / 1440:g} d)"
        )
    return 2 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
