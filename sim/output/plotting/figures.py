"""Which figures a results directory supports, and writing them: the figure
kinds, a maker for each figure of a run (or of several configurations
overlaid), a comparison, a sweep or a staffing search, and :func:`make_figures`.
How to read each kind is :data:`sim.output.plotting.captions.READING`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
from matplotlib.figure import Figure

from ..results import (
    ResultsError,
    RunData,
    team_counts,
    comparison_outcomes,
    comparison_runs,
    delay_samples,
    detect,
    load_run,
    map_values,
    reduced_staffing,
    response_breakdown,
    sweep_outcomes,
    week_window,
)
from .delays import (
    NO_DATA,
    has_response_times,
    plot_breakdown,
    plot_distributions,
    plot_ecdf,
    plot_violins,
)
from .experiments import SWEEP_METRICS, plot_heatmap, plot_metrics, plot_sweep
from .frontier import plot_frontier
from .maps import node_positions, plot_map
from .outcomes import plot_outcomes, plot_sweep_outcomes
from .style import FORMATS, fmt_time, shorten, colour, save
from .staffing import hourly_loads, hourly_title, plot_hourly
from .timelines import plot_timeline, timeline_panels, violation_panels, week_panels

NO_RESPONSE = NO_DATA["response"]
NO_BREAKDOWN = "no incident asked for a team (teams disabled or none in range)"
MAX_VIOLINS = 12  # replications shown as violins
RESPONSE_LABEL = "Median response time (h)\ncolours: fastest to slowest sector"
RUN_KINDS = (
    "distributions",
    "ecdf",
    "violins",
    "breakdown",
    "timeline",
    "violations",
    "week",
    "hourly",
    "map",
)
KINDS: dict[str, str] = {
    "distributions": "Histograms of reporting delay, time to acknowledge, response time and "
    "time to finding",
    "ecdf": "Cumulative share within each delay, with the service targets marked",
    "violins": "Violin and box plots of each delay, per replication (run) or configuration",
    "breakdown": "Response time by violation type, by severity and for the slowest sectors",
    "timeline": "Daily means over the whole run: reports waiting per desk, teams busy, "
    "incidents open; warm-up shaded",
    "violations": "Line violations per day over the whole run (the regimes, scheduled "
    "changes and bursts of the scenario show here), and shots and explosions per day when "
    "violations have sizes",
    "week": "Up to a week after the warm-up at the sampling interval (the title gives both): "
    "reports waiting, officers on duty, teams busy, incidents open; reduced-staffing hours "
    "shaded",
    "hourly": "Desk load by hour of the day: officers busy (mean over measured days and "
    "replications) with the officers on duty per the shift plan drawn over them, and reports "
    "waiting, per desk",
    "map": "The line-of-contact graph: sectors coloured by violations per day and median "
    "response time (for a comparison: median response time per configuration), bases and "
    "rear targets marked",
    "metrics": "Every key metric per configuration with its 95% confidence interval",
    "differences": "Paired difference of every key metric against the reference, with 95% CI",
    "outcomes": "What became of the incidents: the share of each outcome per configuration "
    "(or sweep point), with the paired difference against the reference and its 95% CI",
    "sweep": "Key metrics against the swept parameter(s), with 95% confidence intervals "
    "(bands, or error bars for single points and categories)",
    "heatmap": "Key metrics over a two-parameter grid",
    "frontier": "The staffing search: each constraint metric against cost, feasible points "
    "and the best achievable at each cost",
}


def _run_note(runs: list[RunData]) -> str:
    r = runs[0]
    days = r.summary["measured_days_per_replication"]
    who = shorten(r.name, 40) if len(runs) == 1 else f"{len(runs)} configurations"
    reps = f"{r.replications} replication" + ("s" if r.replications != 1 else "")
    return (
        f"{who}: {reps} of {days:g} days measured after a "
        f"{r.scenario.warmup / 1440:g}-day warm-up, seed {r.scenario.seed}"
    )


def run_figures(runs: list[RunData]) -> dict[str, Callable[[], Figure]]:
    """Figure makers for one run, or for several configurations overlaid."""
    note = _run_note(runs)
    samples = {r.name: delay_samples(r) for r in runs}
    plain = {n: {k: v["values"] for k, v in s.items()} for n, s in samples.items()}
    # each configuration's own service targets: shares are counted against them
    targets = {
        r.name: {k: getattr(r.scenario.targets, k) for k in ("acknowledge", "response", "finding")}
        for r in runs
    }
    violins = _violin_groups(runs, samples, plain)
    breakdowns = {r.name: response_breakdown(r) for r in runs}
    makers = {
        "distributions": lambda: plot_distributions(plain, note=note),
        "ecdf": lambda: plot_ecdf(plain, targets, note=note),
        "violins": lambda: plot_violins(**violins, note=note),
        "breakdown": lambda: plot_breakdown(breakdowns, note=note),
        "timeline": lambda: _timeline_figure(runs, note),
        "violations": lambda: _violations_figure(runs, note),
        "week": lambda: _week_figure(runs, note),
        "hourly": lambda: plot_hourly(
            hourly_loads(runs),
            note=note,
            title=hourly_title(runs[0].scenario.output.sample_interval),
        ),
        "map": lambda: _map_figure(runs, note),
    }
    if not any(has_response_times(b) for b in breakdowns.values()):
        # no incident ever had a team (teams off, or no base in range): nothing to break down
        del makers["breakdown"]
    try:
        node_positions(runs[0].network)
    except ResultsError:
        del makers["map"]  # a network without coordinates cannot be drawn as a map
    return makers


def _violin_groups(
    runs: list[RunData],
    samples: dict[str, dict[str, dict[str, np.ndarray]]],
    plain: dict[str, dict[str, np.ndarray]],
) -> dict[str, Any]:
    """The groups of the violin figure, as keyword arguments of :func:`plot_violins`:
    the configurations, or the first :data:`MAX_VIOLINS` replications of one run."""
    if len(runs) > 1:
        return {
            "samples": plain,
            "colours": None,
            "group_title": "Configuration",
            "legend": None,
            "title": "Delay distributions per configuration",
        }
    s = samples[runs[0].name]
    every = sorted(
        set(s["response"]["replication"].tolist()) | set(s["acknowledge"]["replication"].tolist())
    )
    reps = every[:MAX_VIOLINS]
    groups = {
        f"rep {k + 1}": {d: s[d]["values"][s[d]["replication"] == k] for d in s} for k in reps
    }
    return {
        "samples": groups,
        "colours": [colour(0)] * len(groups),
        "group_title": "Replication",
        "legend": {runs[0].name: colour(0)},
        "title": "Delay distributions per replication"
        + (
            f" (the first {len(reps)} of {len(every)} replications)"
            if len(every) > len(reps)
            else ""
        ),
    }


def _start(runs: list[RunData]):
    """The calendar start shared by the runs (None without one or when they differ)."""
    starts = {r.scenario.start for r in runs}
    return starts.pop() if len(starts) == 1 else None


def _timeline_figure(runs: list[RunData], note: str) -> Figure:
    """Daily means over the whole run."""
    return plot_timeline(
        timeline_panels(runs),
        warmup_days=runs[0].scenario.warmup / 1440.0,
        note=note,
        xlim=(0.0, runs[0].scenario.horizon / 1440.0),
        title="The whole run, daily means",
        start=_start(runs),
    )


def _violations_figure(runs: list[RunData], note: str) -> Figure:
    """Line violations per day over the whole run."""
    return plot_timeline(
        violation_panels(runs),
        warmup_days=runs[0].scenario.warmup / 1440.0,
        note=note,
        xlim=(0.0, runs[0].scenario.horizon / 1440.0),
        title="Violations per day",
        start=_start(runs),
    )


def _week_figure(runs: list[RunData], note: str) -> Figure:
    """Up to a week of the first replication at the sampling interval, the hours of
    reduced staffing shaded."""
    scen = runs[0].scenario
    week_start, week_end = week_window(scen)
    shade = [(a / 1440, b / 1440) for a, b in reduced_staffing(scen, week_start, week_end)]
    label = "fewer officers on duty than at peak" + (
        f" ({shorten(runs[0].name)})" if len(runs) > 1 else ""
    )
    return plot_timeline(
        week_panels(runs),
        warmup_days=scen.warmup / 1440.0,
        shade=shade,
        shade_label=label,
        day_ticks=True,
        xlim=(week_start / 1440, week_end / 1440),
        note=note,
        title=_week_title(scen, week_start, week_end),
        start=_start(runs),
    )


def _week_title(scen: Any, start: float, end: float) -> str:
    """How long the week figure spans, where it lies in the run (times in minutes)
    and the sampling interval."""
    days = round((end - start) / 1440, 1)
    span = f"{days:g} day{'' if days == 1 else 's'}" if days >= 1 else fmt_time(end - start)
    if start == scen.warmup:
        where = "just after the warm-up"
    elif start <= 0 and end >= scen.horizon:
        where = "the whole run"
    else:
        where = "the end of the run"
    return (
        f"{span} of replication 1, {where} (days {start / 1440:g} to "
        f"{end / 1440:g}), sampled every {fmt_time(scen.output.sample_interval)}"
    )


def _map_figure(runs: list[RunData], note: str) -> Figure:
    """The map: violations per day and median response time by sector for one run,
    median response time per configuration for several."""
    vals = [map_values(r) for r in runs]
    if len(runs) == 1:
        return plot_map(runs[0].network, _run_map_panels(runs[0], vals[0]), note=note)
    return plot_map(
        runs[0].network,
        [_response_map_panel(r, v) for r, v in zip(runs, vals)],
        note=note,
        title="How fast teams get there: median response time per configuration",
    )


def _response_map_panel(run: RunData, values: dict[str, Any]) -> dict[str, Any]:
    """One configuration's panel of a comparison's map, on the common response scale."""
    return {
        "title": f"{shorten(run.name, 44)}:\nmedian response time by sector",
        "values": values["median_response_h"],
        "label": RESPONSE_LABEL,
        "cmap": "magma_r",
        "bases": team_counts(run.scenario),
        "network": run.network,
        "scale": "resp",
        "format": lambda x: f"{x:.1f} h",
        "empty": NO_RESPONSE,
    }


def _run_map_panels(run: RunData, values: dict[str, Any]) -> list[dict[str, Any]]:
    """A run's map panels: violations per day and median response time by sector."""
    return [
        {
            "title": "Violations per day by sector",
            "values": values["per_day"],
            "label": "Violations per day (after warm-up)",
            "cmap": "YlOrRd",
            "bases": team_counts(run.scenario),
            "format": lambda x: f"{x:.1f}/day",
            "from_zero": True,
            "empty": "No violations after the warm-up",
        },
        {
            "title": "Median response time by sector",
            "values": values["median_response_h"],
            "label": RESPONSE_LABEL,
            "cmap": "magma_r",
            "bases": team_counts(run.scenario),
            "format": lambda x: f"{x:.1f} h",
            "empty": NO_RESPONSE,
        },
    ]


def figure_makers(directory: str | Path) -> tuple[str, dict[str, Callable[[], Figure]]]:
    """The kind of ``directory`` and a maker (no arguments, returns a Figure) for each
    figure it supports, in display order."""
    d = Path(directory)
    kind = detect(d)
    if kind == "run":
        return kind, run_figures([load_run(d)])
    if kind == "comparison":
        meta = json.loads((d / "comparison.json").read_text("utf-8"))
        names = [c["name"] for c in meta["configurations"]]
        note = (
            f"{len(names)} configurations, {meta['replications']} replications each, "
            f"seed {meta['seed']}, common random numbers"
        )
        makers: dict[str, Callable[[], Figure]] = {
            "metrics": lambda: plot_metrics(meta["rows"], names, note=note),
            "differences": lambda: plot_metrics(meta["rows"], names, diff=True, note=note),
        }
        outcomes = comparison_outcomes(meta)
        if outcomes is not None:
            makers["outcomes"] = lambda: plot_outcomes(outcomes, note=note)
        runs = comparison_runs(d)
        if runs is not None:
            makers.update(run_figures(runs))
        return kind, makers
    if kind == "sweep":
        meta = json.loads((d / "sweep.json").read_text("utf-8"))
        params = meta.get("parameters", [])
        npts, nreps = int(meta["points"]), int(meta["replications"])
        note = (
            f"{npts} point{'' if npts == 1 else 's'} × "
            f"{nreps} replication{'' if nreps == 1 else 's'}, "
            f"seed {meta['seed']}, common random numbers"
        )
        title = f"Sweep {meta.get('sweep', '')}"
        shown = tuple(meta.get("metrics") or SWEEP_METRICS)
        makers = {"sweep": lambda: plot_sweep(meta["rows"], params, shown, note=note, title=title)}
        if len(params) == 2 and params[0] != "variant":
            makers["heatmap"] = lambda: plot_heatmap(
                meta["rows"], params, shown, note=note, title=title
            )
        mix = sweep_outcomes(meta)
        if mix is not None:
            what = "Variant" if params[:1] == ["variant"] else "Point"
            makers["outcomes"] = lambda: plot_sweep_outcomes(mix, note, title, what)
        return kind, makers
    meta = json.loads((d / "frontier.json").read_text("utf-8"))
    note = (
        f"{meta['evaluated']} of {meta['grid_points']} grid points evaluated, "
        f"{meta['replications']} replications each, seed {meta['seed']}"
    )
    return kind, {
        "frontier": lambda: plot_frontier(
            meta["rows"],
            meta["constraints"],
            meta.get("best"),
            note=note,
            title=f"Staffing search {meta['optimize']}",
            not_confirmed=meta.get("not_confirmed"),
        )
    }


def make_figures(
    directory: str | Path,
    kinds: list[str] | None = None,
    fmt: str = "png",
    out_dir: str | Path | None = None,
    makers: dict[str, Callable[[], Figure]] | None = None,
) -> list[Path]:
    """Write figures of a results directory to ``out_dir`` (default
    ``<directory>/figures``) as ``<kind>.<fmt>``; return the files written.

    Parameters
    ----------
    kinds : list of str, optional
        Figure kinds (default: every kind the directory supports).
    makers : dict, optional
        Figure makers to use instead of reading ``directory`` (e.g. from
        :func:`run_figures` of data already in memory).
    """
    if fmt not in FORMATS:
        raise ResultsError(f"unknown figure format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if makers is None:
        kind, makers = figure_makers(directory)
    else:
        kind = "results"
    chosen = list(makers) if not kinds else list(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in makers]
    if unknown:
        why = ""
        if kind == "sweep" and "heatmap" in unknown:
            why = " (a heatmap needs a grid of exactly two parameters)"
        if "breakdown" in unknown and "distributions" in makers:
            why = f" (no breakdown: {NO_BREAKDOWN})"
        elif kind == "comparison" and any(k in RUN_KINDS for k in unknown):
            why = (
                " (distribution, timeline and map figures of a comparison need each "
                "configuration's tables: run cfsim compare with --tables or --plots)"
            )
        raise ResultsError(
            f"{', '.join(unknown)}: not a figure of this {kind} directory; choose from "
            f"{', '.join(makers)}{why}"
        )
    out = Path(out_dir) if out_dir is not None else Path(directory) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for k in chosen:
        fig = makers[k]()
        written.append(save(fig, out / f"{k}.{fmt}", fmt))
    return written
