"""``cfsim run``: one scenario's replications, written to a result directory."""

from __future__ import annotations

import argparse
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
    FigureWriter,
    error,
    table_parts,
    warn,
)


def run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's seed)")
    p.add_argument(
        "--replications", "-n", type=int, help="number of replications (default: the scenario's)"
    )
    p.add_argument("--out", help="result directory (default: results/<scenario>/<run-id>)")
    add_results_root(p)
    add_quiet(p)
    add_plots(p)
    add_table_format(p)
    add_execution(p)
    add_max_memory(p)


def run_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the scenario, write its results, print the summary; 2 on bad input.

    Everything is checked before anything runs (the scenario as ``cfsim
    validate`` checks it, the memory it needs, the result folder); results and
    figures appear together, only when complete.
    """
    from ..analysis.experiment import run
    from ..analysis.preflight import plan_scenario
    from ..output.console import Progress, format_summary
    from ..output.rundir import claimed_run_dir, write_run

    if args.replications is not None and args.replications < 1:
        return error("--replications must be at least 1")
    if args.seed is not None and args.seed < 0:
        return error("--seed must be >= 0")
    if not check_workers(args):
        return 2
    plan = plan_scenario(
        args.scenario,
        replications=args.replications,
        workers=1 if args.dask else args.workers,
        max_memory=args.max_memory,
        streamed=not args.dask,
    )
    warn(plan.warnings)
    loaded = plan.loaded
    seed = loaded.scenario.seed if args.seed is None else args.seed
    out_arg = Path(args.out) if args.out else None
    with claimed_run_dir(out_arg, Path(args.results_root), loaded.scenario.name, seed) as out:
        progress = None if args.quiet else Progress()
        with table_parts(args, out) as parts:
            result = run(
                loaded,
                seed=seed,
                replications=args.replications,
                progress=progress,
                workers=args.workers,
                dask=args.dask,
                parts_dir=parts,
            )
            if progress is not None:
                progress.finish()
            # the figures are made from the tables just written, inside the folder
            # before it appears, exactly as `cfsim plot` reads them back later
            figures = FigureWriter(args, out) if args.plots else None
            write_run(
                result, out, command=command_line(argv), table_format=args.format, extra=figures
            )
    if not args.out:
        from ..output.latest import mark_latest

        mark_latest(out)
    if not args.quiet:
        print(format_summary(result.summary, result.metadata))
        print(f"\nResults written to {out}/ ({result.metadata['wall_seconds']:.1f} s)")
    return figures.report() if figures is not None else 0
