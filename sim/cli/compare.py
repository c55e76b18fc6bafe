"""``cfsim compare``: configurations over the same replications, with paired CIs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import (
    FigureWriter,
    add_execution,
    add_max_memory,
    add_plots,
    add_quiet,
    add_results_root,
    add_table_format,
    check_workers,
    command_line,
    error,
    table_parts,
    warn,
)


def compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "scenarios", nargs="+", help="two or more scenario files; the first is the reference"
    )
    p.add_argument(
        "--replications",
        "-n",
        type=int,
        default=10,
        help="replications per configuration (default 10; the first batch with --precision)",
    )
    p.add_argument("--seed", type=int, help="root seed shared by all (default: the first's)")
    p.add_argument(
        "--precision",
        type=float,
        help="run as many replications as Stein's two-stage rule needs for the 95%% CI of "
        "every paired difference of --metric to be within this fraction of the reference's "
        "mean (e.g. 0.05); --replications is the first stage",
    )
    p.add_argument(
        "--metric", default="response_mean", help="metric for --precision (default response_mean)"
    )
    p.add_argument(
        "--max-replications", type=int, default=200, help="cap for --precision (default 200)"
    )
    p.add_argument("--out", help="result directory (default: results/compare/<run-id>)")
    add_results_root(p)
    add_quiet(p)
    p.add_argument(
        "--tables",
        action="store_true",
        help="also write each configuration's full run (tables, summary) under "
        "<out>/runs/<name>/, by running its replications once more with the same seed "
        "(identical results); needed for distribution, timeline and map figures",
    )
    add_plots(p, " (implies --tables)")
    add_table_format(p, "the tables --tables writes")
    add_execution(p)
    add_max_memory(p)


def compare_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Compare the scenarios, write the comparison, print it; 2 on bad input.

    Everything is checked before anything runs; the comparison, each
    configuration's run (``--tables``) and the figures (``--plots``) appear
    together when complete, so an interrupted comparison leaves nothing.
    """
    from ..analysis.compare import check_comparable, compare, format_comparison, unique_names
    from ..analysis.preflight import plan_scenario
    from ..output.console import Counter
    from ..output.rundir import claimed_run_dir, write_comparison

    if not check_workers(args):
        return 2
    refusal = _refusal(args)
    if refusal:
        return error(refusal)
    tables = args.tables or args.plots
    plans = [
        plan_scenario(
            f,
            replications=args.max_replications if args.precision else args.replications,
            workers=1 if args.dask else args.workers,
            max_memory=args.max_memory,
            streamed=not args.dask,
            tables=tables,
        )
        for f in args.scenarios
    ]
    for plan in plans:
        warn(plan.warnings)
    loadeds = [plan.loaded for plan in plans]
    check_comparable(loadeds)
    seeds = {ld.scenario.seed for ld in loadeds}
    if args.seed is None and len(seeds) > 1 and not args.quiet:
        print(
            f"note: the scenarios name different seeds ({', '.join(map(str, sorted(seeds)))}); "
            f"all run under {loadeds[0].scenario.seed}, the first one's, so they share "
            "their random numbers",
            file=sys.stderr,
        )
    seed = loadeds[0].scenario.seed if args.seed is None else args.seed
    name = "-vs-".join(unique_names(loadeds))[:80]
    out_arg = Path(args.out) if args.out else None
    figures = None
    with claimed_run_dir(out_arg, Path(args.results_root) / "compare", name, seed) as out:
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
        figures = FigureWriter(args, out) if args.plots else None

        def extra(folder: Path) -> None:
            _write_runs(args, argv, comp, loadeds, folder)
            if figures is not None:
                figures(folder)

        write_comparison(comp, loadeds, out, command_line(argv), extra if tables else None)
        if not args.out:
            from ..output.latest import mark_latest

            mark_latest(out)
    if not args.quiet:
        print(format_comparison(comp))
        if args.precision is not None:
            _print_precision(args, comp)
        print(f"\nResults written to {out}/")
        if tables:
            print(f"Each configuration's run, with its tables, written to {out / 'runs'}/")
    return figures.report() if figures is not None else 0


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the options cannot be run, or None."""
    from ..analysis.metrics import METRIC_KEYS

    if len(args.scenarios) < 2:
        return (
            "compare needs two or more scenario files (the first is the reference); "
            "for one scenario use cfsim run"
        )
    if args.replications < 2:
        return "--replications must be at least 2 to give confidence intervals"
    if args.precision is not None and args.max_replications < args.replications:
        return (
            f"--max-replications ({args.max_replications}) is below --replications "
            f"({args.replications})"
        )
    if args.metric not in METRIC_KEYS:
        return f"--metric must be one of {', '.join(METRIC_KEYS)}"
    if args.precision is not None and not 0 < args.precision < 1:
        return "--precision is a fraction between 0 and 1, e.g. 0.05"
    return None


def _print_precision(args: argparse.Namespace, comp) -> None:
    """How many replications ``--precision`` asked for, and whether they ran."""
    target = comp.metadata["precision_target"]
    widest = max(
        (comp.difference_interval(c, args.metric)["half_width"] for c in range(1, len(comp.names))),
        default=float("nan"),
    )
    if comp.metadata["precision_reached"]:
        print(
            f"\nprecision reached: {comp.replications} replications (Stein's rule on the first "
            f"{args.replications}) give every paired difference of {args.metric} a 95% CI "
            f"half-width of at most {widest:.3g} (target {target:.3g})"
        )
    else:
        print(
            f"\nnote: the precision {args.precision} on {args.metric} needs more than "
            f"{args.max_replications} replications; the widest 95% CI half-width of a paired "
            f"difference is {widest:.3g} (target {target:.3g})"
        )


def _write_runs(args: argparse.Namespace, argv: list[str] | None, comp, loadeds, out: Path) -> None:
    """Each configuration's full run under ``out/runs/<name>/`` (``out`` being the
    comparison's folder as it is written): the same replications under the same seed
    as the comparison, hence the same numbers, with every table."""
    from ..analysis.experiment import run
    from ..output.console import Progress
    from ..output.rundir import write_run

    for k, (name, ld) in enumerate(zip(comp.names, loadeds)):
        label = f"tables of {name} ({k + 1}/{len(loadeds)}): "
        progress = None if args.quiet else Progress(label=label)
        with table_parts(args, out / "runs" / name) as parts:
            result = run(
                ld,
                seed=comp.seed,
                replications=comp.replications,
                workers=args.workers,
                dask=args.dask,
                progress=progress,
                parts_dir=parts,
            )
            if progress is not None:
                progress.finish()
            write_run(
                result, out / "runs" / name, command=command_line(argv), table_format=args.format
            )
