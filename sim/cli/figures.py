"""``cfsim plot`` and ``cfsim report``: figures and a web page from saved results.

Neither runs the model; both read a result directory written by run, compare,
sweep or optimize.
"""

from __future__ import annotations

import argparse

from .common import add_quiet, error

RESULTS_HELP = "a result directory written by run, compare, sweep or optimize"


def plot_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help=RESULTS_HELP)
    p.add_argument(
        "--kind",
        "-k",
        action="append",
        metavar="KIND",
        help="figure to make, e.g. ecdf or map (repeat, or separate with commas; default: "
        "every figure the directory supports; docs/plots.md lists them)",
    )
    p.add_argument(
        "--format",
        "-f",
        choices=("png", "svg", "pdf"),
        default="png",
        help="file format of the figures (default png)",
    )
    p.add_argument("--out", help="where to write the figures (default: RESULTS/figures)")
    add_quiet(p, "do not list the figures written")


def plot_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Write the figures asked for and list them; 2 on an unknown kind or unreadable results."""
    from ..output.plotting import KINDS, make_figures
    from ..output.results import ResultsError

    kinds = [k.strip() for arg in args.kind or [] for k in arg.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        return error(f"unknown figure kind {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    try:
        files = make_figures(args.results, kinds or None, args.format, args.out)
    except ResultsError as exc:
        if args.debug:
            raise
        return error(exc)
    if not args.quiet:
        for f in files:
            print(f)
    return 0


def report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help=RESULTS_HELP)
    p.add_argument("--out", help="the HTML file to write (default: RESULTS/report.html)")
    add_quiet(p, "do not say where the report was written")


def report_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Write report.html; 2 if the results cannot be read."""
    from ..output.report import write_report
    from ..output.results import ResultsError

    try:
        path = write_report(args.results, args.out)
    except ResultsError as exc:
        if args.debug:
            raise
        return error(exc)
    if not args.quiet:
        print(f"Report written to {path} (open it in any browser)")
    return 0
