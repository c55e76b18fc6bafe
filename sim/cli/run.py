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
    check_workers,
    command_line,
    error,
    warn,
    write_figures,
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
    add_execution(p)
    add_max_memory(p)


def run_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the scenario, write its results, print the summary; 2 on bad input.

    The scenario is checked as ``cfsim validate`` checks it, with the memory the
    run needs, before anything runs.
    """
    from ..analysis.experiment import run
    from ..analysis.preflight import plan_scenario
    from ..output.console import Progress, format_summary
    from ..output.rundir import default_run_dir, write_run
    from ..records.storage import check_out_dir

    if args.replications is not None and args.replications < 1:
        return error("--replications must be at least 1")
    if args.seed is not None and args.seed < 0:
        return error("--seed must be >= 0")
    if not check_workers(args):
        return 2
    if args.out:
        check_out_dir(Path(args.out))  # before simulating, not after
    plan = plan_scenario(
        args.scenario,
        replications=args.replications,
        workers=1 if args.dask else args.workers,
        max_memory=args.max_memory,
    )
    warn(plan.warnings)
    loaded = plan.loaded
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
    write_run(result, out, command=command_line(argv))
    if not args.quiet:
        print(format_summary(result.summary, result.metadata))
        print(f"\nResults written to {out}/ ({result.metadata['wall_seconds']:.1f} s)")
    if args.plots:
        from ..output.plotting import run_figures
        from ..output.results import run_data

        # From the data in memory, exactly as `cfsim plot` reads them back from disk.
        return write_figures(args, out, lambda: run_figures([run_data(result)]))
    return 0
