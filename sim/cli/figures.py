"""``cfsim plot`` and ``cfsim report``: figures and a web page from saved results.

Neither runs the model; both read a result directory written by run, compare,
sweep or optimize.
"""

from __future__ import annotations

import argparse

from .common import add_quiet, error

RESULTS_HELP = (
    "a result directory written by run, compare, sweep or optimize, or a scenario's "
    "folder (results/<name>): its latest run"
)


def chosen_results(args: argparse.Namespace) -> str:
    """``args.results``, or the run a scenario's folder points at (said unless quiet)."""
    import sys

    from ..output.latest import newest_run

    run = newest_run(args.results)
    if run is None:
        return args.results
    if not args.quiet:
        print(f"{args.results} is a results folder; using its latest run, {run}", file=sys.stderr)
    return str(run)


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
        files = make_figures(chosen_results(args), kinds or None, args.format, args.out)
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
    from ..output.console import Counter
    from ..output.report import write_report
    from ..output.results import ResultsError

    counter = None if args.quiet else Counter("figures")
    try:
        path = write_report(chosen_results(args), args.out, progress=counter)
    except ResultsError as exc:
        if args.debug:
            raise
        return error(exc)
    if counter is not None:
        counter.finish()
    if not args.quiet:
        print(f"Report written to {path} (open it in any browser)")
    return 0


def daily_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="a run directory written by cfsim run")
    p.add_argument(
        "--day",
        "-d",
        type=int,
        help="the simulated day whose report to write (day 0 is the first; the period "
        "ends at output.daily_cutoff of that day; default: the last whole day)",
    )
    p.add_argument(
        "--date",
        help="the same as a calendar date, YYYY-MM-DD (runs of a scenario with a start)",
    )
    p.add_argument("--replication", "-r", type=int, default=0, help="which replication (default 0)")
    p.add_argument("--out", help="where to write the report (default: RESULTS/daily)")
    add_quiet(p, "do not print the report")


def daily_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Write one day's report (HTML and Markdown) and print the Markdown; 2 if the
    directory is not a run or the day is not in it."""
    from pathlib import Path

    from ..output.daily import daily_data, day_of_date, days_available, html_page, markdown
    from ..output.results import ResultsError, detect, load_run
    from ..records.storage import atomic_write

    try:
        kind = detect(args.results)
        if kind != "run":
            raise ResultsError(
                f"{args.results} holds a {kind}; the daily report needs a run directory "
                "(cfsim run; for a comparison, one of its runs/<name>/ written with --tables)"
            )
        run = load_run(args.results)
        days = days_available(run)
        day = args.day if args.day is not None else (days[-1] if days else 0)
        if args.date is not None:
            day = day_of_date(run, args.date)
        data = daily_data(run, day, args.replication)
    except ResultsError as exc:
        if args.debug:
            raise
        return error(exc)
    out = Path(args.out) if args.out else Path(args.results) / "daily"
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(data)
    atomic_write(out / f"day-{day:03d}.md", text)
    atomic_write(out / f"day-{day:03d}.html", html_page(data))
    if not args.quiet:
        print(text)
        print(f"Written to {out / f'day-{day:03d}.md'} and .html")
    return 0
