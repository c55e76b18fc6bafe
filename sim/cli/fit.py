"""``cfsim fit``: estimate the violation process from an event log and check the fit."""

from __future__ import annotations

import argparse
import hashlib
import shlex
from pathlib import Path

from .common import error


def fit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", help="event log (CSV): UCDP GED, ACLED or time,lat,lon,type,...")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--network", help="the network events are placed on: a built-in name or a file"
    )
    where.add_argument("--scenario", help="take the network of this scenario")
    where.add_argument(
        "--check",
        metavar="SCENARIO",
        help="do not fit: compare the log with this scenario's violations, simulated over "
        "the log's days and thinned to its size (e.g. an out-of-sample check)",
    )
    p.add_argument(
        "--format", choices=("ucdp", "acled", "minimal"), default="minimal", help="column layout"
    )
    p.add_argument(
        "--log-spec",
        help="YAML file with more event-log keys (columns, type_map, precision limits; "
        "see violations.replay in docs/scenarios.md)",
    )
    p.add_argument("--from", dest="start", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", help="day after the window (YYYY-MM-DD)")
    p.add_argument(
        "--max-km", type=float, default=20.0, help="events farther from every sector are left out"
    )
    p.add_argument("--regimes", type=int, help="number of regimes (default: chosen by BIC)")
    p.add_argument("--most-regimes", type=int, default=3, help="largest number BIC chooses from")
    p.add_argument(
        "--rate-per-day",
        type=float,
        help="background rate written to the fragment (default: the data's own)",
    )
    p.add_argument(
        "--simulations", type=int, default=200, help="simulated logs for the goodness of fit"
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated logs")
    p.add_argument("--out", required=True, help="directory to write (must not exist yet)")


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _header(args, argv, series, table, net_name: str) -> list[str]:
    """Provenance lines: the command (the log and the output by name, no machine paths),
    the log's hash, the window, the network and what was kept."""
    import sys

    from ..records.version import __version__

    events = Path(args.events)
    names = {args.events: events.name, args.out: Path(args.out).name}
    shown = [names.get(a, a) for a in (argv or sys.argv[1:])]
    return [
        f"Written by cfsim fit (ceasefire-sim {__version__}):",
        "  cfsim " + " ".join(shlex.quote(a) for a in shown),
        f"Event log: {events.name} (sha256 {_file_hash(events)}), format {args.format}.",
        f"Window: {series.start:%Y-%m-%d}, {series.days} days; {net_name}; "
        f"events within {args.max_km:g} km of a sector.",
        f"Rows: {table.summary()}; {int(series.counts.sum())} events in the window, "
        f"{series.counts.mean():.4g} per day.",
    ]


def _check(args, argv, loaded, series, table, net_name: str) -> int:
    """``--check``: the log against a scenario, written as a goodness-of-fit page."""
    from ..analysis.fitting import check_scenario
    from ..output.fitpage import write_check

    chk = check_scenario(
        loaded.scenario.violations, loaded.graph, series, args.simulations, args.seed
    )
    header = _header(args, argv, series, table, net_name) + [
        f"Compared with the violations of {Path(args.check).name}, simulated over the same "
        f"days and thinned to the log's size (each kept with chance {chk['thinning']:.4g}).",
    ]
    out = write_check(args.out, series, chk, header)
    worst = min((r["p"] for r in chk["rows"].values() if r["p"] == r["p"]), default=float("nan"))
    print(f"{table.summary()}; {series.days} days, {int(series.counts.sum())} events.")
    print(f"Smallest goodness-of-fit p-value over the statistics: {worst:.3f}.")
    print(f"Written to {out}/ (goodness_of_fit.md, check.json, figures/).")
    return 0


def fit_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Read the log, fit, simulate, write the fragment, estimates and page; 2 on bad input."""
    import datetime as dt

    import yaml
    from pydantic import ValidationError

    from ..analysis.fitting import event_series, fit_log, fragment, goodness_of_fit
    from ..output.fitpage import write_fit
    from ..records.storage import check_out_dir
    from ..scenario.calendar import parse_datetime
    from ..scenario.eventlog import EventLogSpec
    from ..world import load_scenario
    from ..world.eventlog import EventLogError, read_events
    from ..world.network import NetworkError, builtin, load_graph

    events = Path(args.events)
    if not events.exists():
        return error(f"event log {events} does not exist")
    if args.simulations < 20:
        return error("--simulations must be at least 20 for the goodness of fit to mean anything")
    check_out_dir(Path(args.out))
    try:
        if args.scenario or args.check:
            ld = load_scenario(args.scenario or args.check)
            graph, net_name = ld.graph, f"the network of {Path(args.scenario or args.check).name}"
        elif Path(args.network).suffix:
            graph, net_name = load_graph(args.network), Path(args.network).name
        else:
            graph, net_name = builtin(args.network), f"builtin {args.network}"
        extra = yaml.safe_load(Path(args.log_spec).read_text("utf-8")) if args.log_spec else {}
        spec = EventLogSpec.model_validate(
            {
                **(extra or {}),
                "file": str(events),
                "format": args.format,
                "max_distance_km": args.max_km,
                **({"window_start": args.start} if args.start else {}),
                **({"window_end": args.end} if args.end else {}),
            }
        )
        nodes = list(graph.nodes)
        table = read_events(spec, events, graph, nodes)
    except (EventLogError, NetworkError, ValueError, ValidationError, OSError) as exc:
        return error(exc)
    if len(table) == 0:
        return error(f"no event of {events.name} is left to fit: {table.summary()}")
    first = table.when.min().astype("datetime64[D]").astype(dt.datetime)
    last = table.when.max().astype("datetime64[D]").astype(dt.datetime)
    start = parse_datetime(args.start) if args.start else dt.datetime.combine(first, dt.time())
    end = (
        parse_datetime(args.end)
        if args.end
        else dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1)
    )
    series = event_series(table, graph, nodes, start, end)
    if args.check:
        return _check(args, argv, ld, series, table, net_name)
    fit = fit_log(series, graph, regimes=args.regimes, most=args.most_regimes)
    gof = goodness_of_fit(fit, graph, replications=args.simulations, seed=args.seed)
    frag = fragment(fit, args.rate_per_day)

    header = _header(args, argv, series, table, net_name) + [
        f"Regimes: {fit.regimes.k} ("
        + ("given" if args.regimes else f"BIC among 1 to {args.most_regimes}")
        + f"); rate_per_day {frag['rate_per_day']:g}"
        + (" (set by --rate-per-day)" if args.rate_per_day else " (the data's own)")
        + ".",
        "Estimates with intervals and the goodness of fit: goodness_of_fit.md beside this file.",
    ]
    out = write_fit(args.out, fit, gof, frag, header)
    print(f"{table.summary()}; {series.days} days, {int(series.counts.sum())} events.")
    print(f"Regimes: {fit.regimes.k}; escalation identified: {fit.escalation['identified']}.")
    worst = min(
        (r for r in gof["rows"].values() if r["p"] == r["p"]), key=lambda r: r["p"], default=None
    )
    if worst is not None:
        print(f"Smallest goodness-of-fit p-value over the statistics: {worst['p']:.3f}.")
    print(f"Written to {out}/ (fit.yaml, fit.json, goodness_of_fit.md, figures/).")
    return 0
