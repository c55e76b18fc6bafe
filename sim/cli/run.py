"""``cfsim run``: one scenario's replications, written to a result directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import (
    add_execution,
    add_plots,
    add_quiet,
    add_results_root,
    add_table_format,
    check_workers,
    command_line,
    error,
    table_parts,
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
    add_table_format(p)
    add_execution(p)


def run_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the scenario, write its results, print the summary; 2 on bad input."""
    from ..analysis.experiment import run
    from ..output.console import Progress, format_summary
    from ..output.rundir import default_run_dir, write_run
    from ..records.storage import check_out_dir
    from ..world import load_scenario

    if args.replications is not None and args.replications < 1:
        return error("--replications must be at least 1")
    if args.seed is not None and args.seed < 0:
        return error("--seed must be >= 0")
    if not check_workers(args):
        return 2
    if args.out:
        check_out_dir(Path(args.out))  # before simulating, not after
    loaded = load_scenario(args.scenario)
    seed = loaded.scenario.seed if args.seed is None else args.seed
    out = (
        Path(args.out)
        if args.out
        else default_run_dir(Path(args.results_root), loaded.scenario.name, seed)
    )
    progress = None if args.quiet else Progress()
    with table_parts(args, out.parent) as parts:
        try:
            result = run(
                loaded,
                seed=seed,
                replications=args.replications,
                progress=progress,
                workers=args.workers,
                dask=args.dask,
                parts_dir=parts,
            )
        except BaseException:
            _drop_empty(out)
            raise
        if progress is not None:
            progress.finish()
        write_run(result, out, command=command_line(argv), table_format=args.format)
    if not args.out:
        from ..output.latest import mark_latest

        mark_latest(out)
    if not args.quiet:
        print(format_summary(result.summary, result.metadata))
        print(f"\nResults written to {out}/ ({result.metadata['wall_seconds']:.1f} s)")
    return write_figures(args, out) if args.plots else 0


def _drop_empty(out: Path) -> None:
    """Remove the run directory reserved for a run that did not finish."""
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
