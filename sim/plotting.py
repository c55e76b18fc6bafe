"""Figures from saved results: delay distributions, breakdowns, timelines, comparisons, the map.

Plotting reads result directories (or the same plain data built in memory
right after a run, :func:`run_data`) and never runs the model. Every
``plot_*`` function takes plain data (dicts of lists and numpy arrays) and
returns a :class:`matplotlib.figure.Figure`; :func:`save` writes it so that
the same data always give the same bytes. Figures are built with
matplotlib's object-oriented API on the Agg canvas: importing this module
does not touch pyplot or the global backend.

Colours: configurations get :data:`PALETTE` colours by their order, so the
reference (the first configuration of a comparison, or the scenario of a
run) is always the same blue. Times are shown in minutes when short and in
hours otherwise; simulated time on timelines in days.
"""

from __future__ import annotations

import csv
import functools
import io as _io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import matplotlib
import numpy as np
import yaml
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .network import EARTH_RADIUS_KM
from .scenario import Scenario
from .units import parse_duration

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)
DESK_COLOURS = {"RU": "#AA3377", "UA": "#228833", "US": "#4477AA"}
PARTIES = ("RU", "UA", "US")
FORMATS = ("png", "svg", "pdf")
DPI = 150
MAX_MAP_ASPECT = 2.5  # widest map panel (width / height)

STYLE = {
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
    "figure.titlesize": 12.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "cfsim",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}

DELAY_KEYS = ("reporting_delay", "acknowledge", "response", "finding")
DELAY_LABELS = {
    "reporting_delay": "Reporting delay",
    "acknowledge": "Time to acknowledge",
    "response": "Response time",
    "finding": "Time to finding",
}
DELAY_SPANS = {
    "reporting_delay": "violation to report",
    "acknowledge": "report arrival to triage start",
    "response": "first report to team on site",
    "finding": "first report to joint finding",
}
# Whose share an ECDF counts (the population, entities where the event never
# happened included, as in the summary's "within target" shares).
DELAY_UNITS = {
    "reporting_delay": "true reports",
    "acknowledge": "reports",
    "response": "incidents that asked for a team",
    "finding": "incidents",
}

# Key metrics: (key, label, kind); kind "time" in minutes, "share" a fraction.
METRICS = (
    ("response_mean", "Response time, mean", "time"),
    ("response_p90", "Response time, p90", "time"),
    ("finding_mean", "Time to finding, mean", "time"),
    ("finding_p90", "Time to finding, p90", "time"),
    ("acknowledge_mean", "Time to acknowledge, mean", "time"),
    ("violation_to_finding_mean", "Violation to finding, mean", "time"),
    ("verification_rate", "Verification rate", "share"),
    ("attribution_accuracy", "Attribution accuracy", "share"),
    ("within_acknowledge", "Within acknowledge target", "share"),
    ("within_response", "Within response target", "share"),
    ("within_finding", "Within finding target", "share"),
    ("utilisation_RU", "Utilisation RU desk", "share"),
    ("utilisation_UA", "Utilisation UA desk", "share"),
    ("utilisation_US", "Utilisation US desk", "share"),
    ("utilisation_teams", "Utilisation teams", "share"),
)
METRIC_LABEL = {k: label for k, label, _ in METRICS}
METRIC_KIND = {k: kind for k, _, kind in METRICS}
SWEEP_METRICS = (
    "acknowledge_mean",
    "response_p90",
    "violation_to_finding_mean",
    "verification_rate",
    "within_response",
    "utilisation_teams",
)

RUN_KINDS = ("distributions", "ecdf", "violins", "breakdown", "timeline", "week", "map")
KINDS: dict[str, str] = {
    "distributions": "Histograms of reporting delay, time to acknowledge, response time and "
    "time to finding",
    "ecdf": "Cumulative share within each delay, with the service targets marked",
    "violins": "Violin and box plots of each delay, per replication (run) or configuration",
    "breakdown": "Response time by violation type, by severity and for the slowest sectors",
    "timeline": "Daily means over the whole run: reports waiting per desk, teams busy, "
    "incidents open; warm-up shaded",
    "week": "One week hour by hour: reports waiting, officers on duty, teams busy, incidents "
    "open; reduced-staffing hours shaded",
    "map": "The line-of-contact graph: sectors coloured by violations per day and median "
    "response time, bases and rear targets marked",
    "metrics": "Every key metric per configuration with its 95% confidence interval",
    "differences": "Paired difference of every key metric against the reference, with 95% CI",
    "sweep": "Key metrics against the swept parameter(s), with 95% confidence bands",
    "heatmap": "Key metrics over a two-parameter grid",
    "frontier": "The staffing search: each constraint metric against cost, feasible points "
    "and the best achievable at each cost",
}

RUN_FILES = (
    "summary.json",
    "scenario.yaml",
    "network.json",
    "violations.csv",
    "reports.csv",
    "incidents.csv",
    "timeseries.csv",
)
# Columns that hold names; every other column is numeric (empty cell = NaN).
_TEXT_COLUMNS = {
    "node",
    "base",
    "type",
    "outcome",
    "reason",
    "channel",
    "sender",
    "desk",
    "state",
    "perpetrator",
    "affected",
    "attributed_to",
    "attribution",
}


class ResultsError(ValueError):
    """A directory that holds no results this module can plot, or a figure it cannot make."""


# --------------------------------------------------------------------------- reading results


@dataclass
class RunData:
    """What the figures need from one run, as plain data.

    Attributes
    ----------
    name : str
        Configuration name (the scenario name, or the name in a comparison).
    scenario : Scenario
        The resolved scenario as run.
    network : dict
        Node-link data of the network (as in ``network.json``).
    summary : dict
        As in ``summary.json`` (NaN written as None).
    tables : dict
        ``violations``, ``reports``, ``incidents``, ``timeseries``: each a dict
        of column name to numpy array (float, NaN for an empty cell; str for
        name columns), exactly as the CSV files hold them.
    """

    name: str
    scenario: Scenario
    network: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]]

    @property
    def replications(self) -> int:
        return int(self.summary["replications"])


def _column(name: str, cells: list[str]) -> np.ndarray:
    if name in _TEXT_COLUMNS:
        return np.array(cells, dtype=str) if cells else np.array([], dtype=str)
    return np.array([float(c) if c != "" else math.nan for c in cells], dtype=float)


def _columns(header: list[str], rows: list[list[str]]) -> dict[str, np.ndarray]:
    cols = list(zip(*rows)) if rows else [[] for _ in header]
    return {h: _column(h, list(c)) for h, c in zip(header, cols)}


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """Read a result CSV into columns (numbers as float arrays, NaN for empty cells).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("replication,node,ack\\n0,Toretsk,1.500\\n1,Lyman,\\n")
    >>> t = read_table(p)
    >>> t["node"].tolist(), t["ack"].tolist()[0]
    (['Toretsk', 'Lyman'], 1.5)
    """
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = list(reader)
    return _columns(header, rows)


def load_run(directory: str | Path, name: str | None = None) -> RunData:
    """Read a run directory written by ``cfsim run`` (see ``docs/outputs.md``)."""
    d = Path(directory)
    missing = [f for f in RUN_FILES if not (d / f).exists()]
    if missing:
        raise ResultsError(
            f"{d} is not a complete run directory: {', '.join(missing)} missing "
            "(a run writes summary.json, scenario.yaml, network.json and four CSV tables)"
        )
    scen = Scenario.model_validate(yaml.safe_load((d / "scenario.yaml").read_text("utf-8")))
    tables = {t: read_table(d / f"{t}.csv") for t in ("violations", "reports", "incidents")}
    tables["timeseries"] = read_table(d / "timeseries.csv")
    return RunData(
        name=name or scen.name,
        scenario=scen,
        network=json.loads((d / "network.json").read_text("utf-8")),
        summary=json.loads((d / "summary.json").read_text("utf-8")),
        tables=tables,
    )


def run_data(result, name: str | None = None) -> RunData:
    """The plain data of an in-memory run result, identical to :func:`load_run` of
    the directory ``write_run`` makes of it (cells go through the same text format)."""
    import networkx as nx

    from .io import _clean, _fmt, _json_default, decoded

    tables = {}
    for t, src in (
        ("violations", "violations"),
        ("reports", "reports"),
        ("incidents", "incidents"),
        ("timeseries", "series"),
    ):
        cols = decoded(result, src)
        tables[t] = {k: _column(k, [_fmt(v) for v in vals]) for k, vals in cols.items()}
    scen = result.scenario.model_copy(
        update={"seed": result.seed, "replications": len(result.replications)}
    )

    def roundtrip(data: Any) -> Any:
        return json.loads(json.dumps(_clean(data), default=_json_default))

    return RunData(
        name=name or scen.name,
        scenario=scen,
        network=roundtrip(nx.node_link_data(result.loaded.graph, edges="edges")),
        summary=roundtrip(result.summary),
        tables=tables,
    )


def detect(directory: str | Path) -> str:
    """The kind of a results directory: ``run``, ``comparison``, ``sweep`` or ``optimize``.

    Raises
    ------
    ResultsError
        For a missing directory or one that holds none of these.
    """
    d = Path(directory)
    if not d.exists():
        raise ResultsError(f"{d} does not exist")
    if not d.is_dir():
        raise ResultsError(f"{d} is a file; give the directory a run, compare or sweep wrote")
    if (d / "comparison.json").exists():
        return "comparison"
    if (d / "frontier.json").exists():
        return "optimize"
    if (d / "sweep.json").exists():
        return "sweep"
    if (d / "summary.json").exists():
        load_check = [f for f in RUN_FILES if not (d / f).exists()]
        if load_check:
            raise ResultsError(
                f"{d} has a summary.json but not {', '.join(load_check)}: the tables of this "
                "run were not kept, so it cannot be plotted; run the scenario again"
            )
        return "run"
    raise ResultsError(
        f"{d} is not a results directory: expected the files of a run (summary.json and "
        "its CSV tables), a comparison (comparison.json), a sweep (sweep.json) or a "
        "staffing search (frontier.json)"
    )


def comparison_runs(directory: str | Path) -> list[RunData] | None:
    """Each configuration's run under ``<comparison>/runs/<name>/`` (written by
    ``cfsim compare --tables`` or ``--plots``), in configuration order; None when
    any is missing."""
    d = Path(directory)
    meta = json.loads((d / "comparison.json").read_text("utf-8"))
    names = [c["name"] for c in meta["configurations"]]
    dirs = [d / "runs" / n for n in names]
    if not all(all((p / f).exists() for f in RUN_FILES) for p in dirs):
        return None
    return [load_run(p, name=n) for p, n in zip(dirs, names)]


# --------------------------------------------------------------------------- derived data


def _measured(table: dict[str, np.ndarray]) -> np.ndarray:
    return table["measured"] == 1


def delay_samples(run: RunData) -> dict[str, dict[str, np.ndarray]]:
    """Each delay's samples (minutes) over its population, NaN where the event never
    happened, with the replication of each sample.

    Populations (entities that start after the warm-up): reporting delay over
    true reports; time to acknowledge over every report; response time over
    incidents that asked for a team (not below ``min_severity``, teams on);
    time to finding over every incident.

    Returns
    -------
    dict
        ``{delay: {"values": array, "replication": array}}``.
    """
    r, i = run.tables["reports"], run.tables["incidents"]
    mr, mi = _measured(r), _measured(i)
    true = mr & (r["false"] == 0)
    asked = mi & ~np.isin(i["reason"], ["teams_off", "below_min_severity"])
    out = {
        "reporting_delay": ((r["arrival"] - r["event_time"]), true, r),
        "acknowledge": ((r["ack"] - r["arrival"]), mr, r),
        "response": ((i["on_site"] - i["first_report"]), asked, i),
        "finding": ((i["finding"] - i["first_report"]), mi, i),
    }
    return {
        k: {"values": v[m], "replication": t["replication"][m].astype(int)}
        for k, (v, m, t) in out.items()
    }


def response_breakdown(run: RunData) -> dict[str, dict[str, np.ndarray]]:
    """Response times (minutes, finite) of measured incidents by claimed type (of the
    report that opened the incident), by severity and by sector."""
    r, i = run.tables["reports"], run.tables["incidents"]
    key = r["replication"].astype(np.int64) * 10_000_000 + r["report"].astype(np.int64)
    order = np.argsort(key, kind="stable")
    lead = i["replication"].astype(np.int64) * 10_000_000 + i["lead_report"].astype(np.int64)
    types = np.full(lead.size, "unknown", dtype=object)
    if len(order):
        pos = np.clip(np.searchsorted(key[order], lead), 0, len(order) - 1)
        found = key[order][pos] == lead
        types[found] = r["type"][order][pos][found]
    types = types.astype(str)
    resp = i["on_site"] - i["first_report"]
    ok = _measured(i) & np.isfinite(resp)
    sectors = {n["id"] for n in run.network["nodes"] if n.get("kind") == "sector"}
    out: dict[str, dict[str, np.ndarray]] = {"type": {}, "severity": {}, "sector": {}}
    for t in sorted(set(types[ok].tolist())):
        out["type"][t] = resp[ok & (types == t)]
    for s in sorted(set(i["severity"][ok].astype(int).tolist())):
        out["severity"][str(s)] = resp[ok & (i["severity"] == s)]
    for n in sorted(set(i["node"][ok].tolist()) & sectors):
        out["sector"][n] = resp[ok & (i["node"] == n)]
    return out


def daily_means(
    series: dict[str, np.ndarray], column: str | tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Per simulated day: the mean over replications of each replication's daily mean
    of ``column`` (or of the sum of several columns), with the lowest and highest
    replication.

    Examples
    --------
    >>> s = {"replication": np.array([0, 0, 1, 1.]), "time": np.array([0, 1440, 0, 1440.]),
    ...      "q": np.array([1, 3, 3, 5.])}
    >>> daily_means(s, "q")["mean"].tolist()
    [2.0, 4.0]
    """
    cols = (column,) if isinstance(column, str) else column
    y = sum(series[c] for c in cols)
    day = np.floor(series["time"] / 1440.0).astype(int)
    reps = sorted(set(series["replication"].astype(int).tolist()))
    ndays = int(day.max()) + 1 if day.size else 0
    per = np.full((len(reps), ndays), np.nan)
    for k, rep in enumerate(reps):
        m = series["replication"] == rep
        sums = np.bincount(day[m], weights=y[m], minlength=ndays)
        counts = np.bincount(day[m], minlength=ndays)
        with np.errstate(invalid="ignore", divide="ignore"):
            per[k] = sums / counts
    return {
        "day": np.arange(ndays) + 0.5,
        "mean": np.nanmean(per, axis=0) if reps else per[0:0],
        "low": np.nanmin(per, axis=0) if reps else per[0:0],
        "high": np.nanmax(per, axis=0) if reps else per[0:0],
    }


def staffing_levels(scenario: Scenario) -> dict[str, np.ndarray]:
    """Officers on duty per desk in each minute of the day (1440 values each)."""
    return {p: np.array(getattr(scenario.center.desks, p).staffing()) for p in PARTIES}


def reduced_staffing(scenario: Scenario, start: float, end: float) -> list[tuple[float, float]]:
    """Intervals (minutes) in ``[start, end)`` when fewer officers are on duty in all
    than at the best-staffed time of day (e.g. the night shift).

    Examples
    --------
    >>> from sim.scenario import Scenario
    >>> s = Scenario.model_validate({"name": "x", "horizon": "2d", "center": {"desks": {
    ...     "RU": {"shifts": [{"start": "06:00", "end": "22:00", "officers": 2},
    ...                       {"start": "22:00", "end": "06:00", "officers": 1}]}}}})
    >>> reduced_staffing(s, 0, 1440)
    [(0.0, 360.0), (1320.0, 1440.0)]
    """
    total = sum(staffing_levels(scenario).values())
    low = total < total.max()
    out: list[tuple[float, float]] = []
    t = math.floor(start)
    while t < end:
        if low[int(t) % 1440]:
            a = t
            while t < end and low[int(t) % 1440]:
                t += 1
            out.append((float(max(a, start)), float(min(t, end))))
        else:
            t += 1
    return out


def _teams(scenario: Scenario) -> dict[str, int]:
    if not scenario.teams.enabled:
        return {}
    out: dict[str, int] = {}
    for b in scenario.teams.bases:
        out[b.node] = out.get(b.node, 0) + b.count
    return {k: v for k, v in out.items() if v > 0}


# --------------------------------------------------------------------------- helpers


def _styled(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return fn(*args, **kwargs)

    return wrapper


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def colour(k: int) -> str:
    """The colour of the ``k``-th configuration (0 is the reference)."""
    return PALETTE[k % len(PALETTE)]


def time_unit(max_minutes: float) -> tuple[float, str]:
    """(divisor, unit) to show durations up to ``max_minutes``: minutes up to 3 h.

    Examples
    --------
    >>> time_unit(90)
    (1.0, 'min')
    >>> time_unit(600)
    (60.0, 'h')
    """
    if not max_minutes == max_minutes or max_minutes <= 180:
        return 1.0, "min"
    return 60.0, "h"


def _fmt_time(minutes: float) -> str:
    if minutes != minutes:
        return "-"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 3 * 1440:
        return f"{minutes / 60:.1f} h".replace(".0 h", " h")
    return f"{minutes / 1440:.1f} d".replace(".0 d", " d")


def _nice_step(span: float, bins: int = 40) -> float:
    raw = span / bins
    for s in (0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440):
        if s >= raw:
            return float(s)
    return float(math.ceil(raw / 1440) * 1440)


def _finite(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v[np.isfinite(v)]


def _p(v: np.ndarray, q: float) -> float:
    v = _finite(v)
    return float(np.percentile(v, q)) if v.size else math.nan


def _subtitle(fig: Figure, title: str, note: str = "") -> None:
    fig.suptitle(title + (f"\n{note}" if note else ""), fontsize=12)


def _legend_below(fig: Figure, handles: list, ncol: int | None = None) -> None:
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=ncol or min(len(handles), 4),
        frameon=False,
    )


# --------------------------------------------------------------------------- distributions


@_styled
def plot_distributions(
    samples: dict[str, dict[str, np.ndarray]], note: str = "", title: str | None = None
) -> Figure:
    """Histograms (share of samples per bin) of the four delays, one panel each,
    configurations overlaid as step outlines.

    Parameters
    ----------
    samples : dict
        ``{configuration: {delay: values}}``, values in minutes (NaN ignored);
        delays from :data:`DELAY_KEYS`.
    note : str
        Second title line (what was run).
    """
    names = list(samples)
    fig = _figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    for ax, key in zip(axes, DELAY_KEYS):
        vals = {n: _finite(samples[n][key]) for n in names}
        top = max((_p(v, 99) for v in vals.values() if v.size), default=math.nan)
        top = top if top == top and top > 0 else 1.0
        div, unit = time_unit(top)
        step = _nice_step(top / div)
        edges = np.arange(0.0, top / div + step, step)
        for k, n in enumerate(names):
            v = vals[n] / div
            if v.size == 0:
                continue
            counts, _ = np.histogram(v, bins=edges)
            share = 100.0 * counts / v.size
            c = colour(k)
            if len(names) == 1:
                ax.stairs(share, edges, fill=True, color=c, alpha=0.25)
            # earlier configurations drawn wider, so identical curves (shared random
            # numbers) remain visible underneath later ones
            lw = 1.3 + 1.1 * (len(names) - 1 - k)
            ax.stairs(share, edges, color=c, linewidth=lw, label=f"{n} (n={v.size:,})")
            med = float(np.median(v))
            ax.axvline(med, color=c, linestyle="--", linewidth=1.0)
        ax.set_xlim(0, edges[-1])
        ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
        ax.set_xlabel(f"{DELAY_LABELS[key]} ({unit})")
        step_txt = _fmt_time(step * div).replace(" ", "-")
        ax.set_ylabel(f"% of {DELAY_UNITS[key].split(' that')[0]} per {step_txt} bin")
        most = max((v.max() for v in vals.values() if v.size), default=math.nan)
        meds = [
            f"median {n + ': ' if len(names) > 1 else ''}{_fmt_time(float(np.median(v)))}"
            for n, v in vals.items()
            if v.size
        ][:4]
        ax.text(
            0.98,
            0.97,
            "\n".join(meds) + f"\nlongest {_fmt_time(most)} (axis cut at the 99th percentile)",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7.5,
            color="#555555",
        )
    handles = [Patch(facecolor=colour(k), alpha=0.6, label=n) for k, n in enumerate(names)]
    handles.append(Line2D([], [], color="#444444", linestyle="--", label="median"))
    _legend_below(fig, handles, ncol=len(handles))
    _subtitle(fig, title or "Delay distributions", note)
    return fig


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted finite values and the share (0-1) of *all* values (NaN included, as
    "never") at or below each.

    Examples
    --------
    >>> x, y = ecdf(np.array([3.0, 1.0, np.nan, 2.0]))
    >>> x.tolist(), y.tolist()
    ([1.0, 2.0, 3.0], [0.25, 0.5, 0.75])
    """
    v = np.asarray(values, dtype=float)
    x = np.sort(v[np.isfinite(v)])
    return x, np.arange(1, x.size + 1) / max(v.size, 1)


@_styled
def plot_ecdf(
    samples: dict[str, dict[str, np.ndarray]],
    targets: dict[str, float | None] | None = None,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Empirical cumulative distributions of the four delays with the service
    targets marked; the share within the target is in the legend.

    Parameters
    ----------
    samples : dict
        ``{configuration: {delay: values}}`` in minutes, NaN where the event never
        happened (such entities count in the denominator: a curve that levels off
        below 100% shows the share that never got there).
    targets : dict, optional
        ``{delay: limit in minutes}`` (``acknowledge``, ``response``, ``finding``).
    """
    targets = targets or {}
    names = list(samples)
    fig = _figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    for ax, key in zip(axes, DELAY_KEYS):
        target = targets.get(key)
        top = max((_p(samples[n][key], 99) for n in names), default=math.nan)
        top = top if top == top and top > 0 else 1.0
        if target:
            top = max(top, 1.25 * target)
        div, unit = time_unit(top)
        for k, n in enumerate(names):
            v = np.asarray(samples[n][key], dtype=float)
            x, y = ecdf(v)
            if v.size == 0:
                continue
            xs = np.concatenate([[0.0], x / div, [top / div]])
            ys = 100 * np.concatenate([[0.0], y, [y[-1] if y.size else 0.0]])
            label = n
            if target:
                within = 100.0 * float(np.sum(v <= target)) / v.size
                label = f"{n}: {within:.0f}% within target"
            lw = 1.4 + 1.1 * (len(names) - 1 - k)
            ax.step(xs, ys, where="post", color=colour(k), linewidth=lw, label=label)
        if target:
            ax.axvline(
                target / div,
                color="#C0392B",
                linestyle=":",
                linewidth=1.5,
                label=f"target {_fmt_time(target)}",
            )
        ax.set_xlim(0, top / div)
        ax.set_ylim(0, 101)
        ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
        ax.set_xlabel(f"{DELAY_LABELS[key]} ({unit})")
        ax.set_ylabel(f"Cumulative % of {DELAY_UNITS[key]}")
        ax.legend(loc="lower right")
    _subtitle(fig, title or "Share within each delay (cumulative)", note)
    return fig


@_styled
def plot_violins(
    samples: dict[str, dict[str, np.ndarray]],
    colours: list[str] | None = None,
    group_title: str = "Configuration",
    legend: dict[str, str] | None = None,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Violin (density up to the 99th percentile) and box (quartiles, whiskers at the
    5th and 95th percentiles, white dot at the mean) of each delay, per group.

    Parameters
    ----------
    samples : dict
        ``{group: {delay: values}}`` in minutes; NaN ignored.
    colours : list of str, optional
        One colour per group (default: the configuration palette).
    legend : dict, optional
        ``{label: colour}`` for the legend (default: one entry per group).
    """
    groups = list(samples)
    colours = colours or [colour(k) for k in range(len(groups))]
    fig = _figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    pos = np.arange(1, len(groups) + 1)
    for ax, key in zip(axes, DELAY_KEYS):
        vals = [_finite(samples[g][key]) for g in groups]
        top = max((_p(v, 99) for v in vals if v.size), default=math.nan)
        top = top if top == top and top > 0 else 1.0
        div, unit = time_unit(top)
        for j, v in enumerate(vals):
            v = v / div
            cut = v[v <= top / div]
            if cut.size >= 2 and np.ptp(cut) > 0:
                parts = ax.violinplot(
                    [cut], positions=[pos[j]], widths=0.8, showextrema=False, points=120
                )
                for body in parts["bodies"]:
                    body.set_facecolor(colours[j])
                    body.set_edgecolor(colours[j])
                    body.set_alpha(0.35)
            if v.size:
                ax.boxplot(
                    [v],
                    positions=[pos[j]],
                    widths=0.22,
                    whis=(5, 95),
                    showfliers=False,
                    showmeans=True,
                    patch_artist=True,
                    boxprops={"facecolor": colours[j], "edgecolor": "#222222", "alpha": 0.9},
                    medianprops={"color": "white", "linewidth": 1.6},
                    whiskerprops={"color": "#222222"},
                    capprops={"color": "#222222"},
                    meanprops={
                        "marker": "o",
                        "markerfacecolor": "white",
                        "markeredgecolor": "#222222",
                        "markersize": 4,
                    },
                )
        ax.set_xticks(pos, groups, rotation=30 if len(groups) > 6 else 0)
        ax.set_ylim(0, top / div * 1.02)
        ax.set_xlim(0.4, len(groups) + 0.6)
        ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
        ax.set_ylabel(f"{DELAY_LABELS[key]} ({unit})")
        ax.set_xlabel(group_title)
    legend = legend or {g: c for g, c in zip(groups, colours)}
    handles = [Patch(facecolor=c, alpha=0.6, label=n) for n, c in legend.items()]
    handles.append(
        Patch(facecolor="#888888", edgecolor="#222222", label="box: quartiles, median (line)")
    )
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            markerfacecolor="white",
            markeredgecolor="#222222",
            linestyle="-",
            color="#222222",
            label="mean; whiskers 5th-95th percentile",
        )
    )
    _legend_below(fig, handles, ncol=min(len(handles), 4))
    _subtitle(fig, title or "Delay distributions per group", note)
    return fig


# --------------------------------------------------------------------------- breakdowns


def _bar_rows(
    ax: Any,
    cats: list[str],
    data: dict[str, dict[str, np.ndarray]],
    div: float,
    show_n: bool,
) -> None:
    names = list(data)
    h = 0.8 / max(len(names), 1)
    y = np.arange(len(cats))
    for k, n in enumerate(names):
        off = (k - (len(names) - 1) / 2) * h
        for j, c in enumerate(cats):
            v = _finite(data[n].get(c, np.array([])))
            if v.size == 0:
                continue
            med, p90 = float(np.median(v)) / div, float(np.percentile(v, 90)) / div
            yy = y[j] + off
            ax.barh(yy, med, height=h * 0.9, color=colour(k), alpha=0.85)
            ax.plot([med, p90], [yy, yy], color="#333333", linewidth=0.9)
            ax.plot([p90], [yy], marker="|", color="#333333", markersize=7)
            if show_n:
                ax.annotate(
                    f"n={v.size:,}",
                    (p90, yy),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    color="#555555",
                )
    ax.set_yticks(y, cats)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)


@_styled
def plot_breakdown(
    data: dict[str, dict[str, dict[str, np.ndarray]]],
    top: int = 15,
    min_n: int = 5,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Median response time (bar) and 90th percentile (tick) by violation type, by
    severity, and for the slowest sectors (ranked by the reference's median).

    Parameters
    ----------
    data : dict
        ``{configuration: {"type"|"severity"|"sector": {category: values}}}``,
        response times in minutes (from :func:`response_breakdown`).
    top : int
        Sectors shown.
    min_n : int
        Sectors with fewer incidents in the reference are not ranked.
    """
    names = list(data)
    ref = data[names[0]]
    types = sorted({t for d in data.values() for t in d["type"]})
    sevs = sorted({s for d in data.values() for s in d["severity"]}, key=int)
    ranked = sorted(
        (s for s, v in ref["sector"].items() if _finite(v).size >= min_n),
        key=lambda s: (-float(np.median(_finite(ref["sector"][s]))), s),
    )[:top]
    shown = [("type", types), ("severity", sevs), ("sector", ranked)]
    allv = [_finite(d[part].get(c, [])) for d in data.values() for part, cs in shown for c in cs]
    top_val = max((_p(v, 90) for v in allv if v.size), default=1.0)
    top_val = top_val if top_val == top_val and top_val > 0 else 1.0
    div, unit = time_unit(top_val)
    fig = _figure(11, 7.5)
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 1.15])
    ax_t, ax_s, ax_c = (
        fig.add_subplot(gs[0, 0]),
        fig.add_subplot(gs[1, 0]),
        fig.add_subplot(gs[:, 1]),
    )
    single = len(names) == 1
    _bar_rows(ax_t, types, {n: data[n]["type"] for n in names}, div, single)
    _bar_rows(ax_s, sevs, {n: data[n]["severity"] for n in names}, div, single)
    _bar_rows(ax_c, ranked, {n: data[n]["sector"] for n in names}, div, single)
    ax_t.set_title("By violation type (claimed in the first report)")
    ax_t.set_ylabel("Violation type")
    ax_s.set_title("By severity (highest reported)")
    ax_s.set_ylabel("Severity (1 = minor, 5 = most severe)")
    ax_c.set_title(f"The {len(ranked)} slowest sectors (by median; at least {min_n} incidents)")
    ax_c.set_ylabel("Sector")
    xmax = top_val / div * (1.18 if single else 1.05)
    for ax in (ax_t, ax_s, ax_c):
        ax.set_xlabel(f"Response time ({unit})")
        ax.set_xlim(0, xmax)
    handles = [Patch(facecolor=colour(k), label=f"{n}: median") for k, n in enumerate(names)]
    handles.append(
        Line2D([], [], color="#333333", marker="|", markersize=7, label="90th percentile")
    )
    _legend_below(fig, handles, ncol=len(handles))
    _subtitle(fig, title or "Response time (first report to team on site) by category", note)
    return fig


# --------------------------------------------------------------------------- timelines


@_styled
def plot_timeline(
    panels: list[dict[str, Any]],
    warmup_days: float | None = None,
    shade: list[tuple[float, float]] | tuple = (),
    shade_label: str = "reduced staffing",
    day_ticks: bool = False,
    xlim: tuple[float, float] | None = None,
    note: str = "",
    title: str = "Timeline",
) -> Figure:
    """Stacked panels over simulated time (days), sharing the time axis.

    Parameters
    ----------
    panels : list of dict
        Each ``{"title", "ylabel", "lines": [{"label", "colour", "x", "y", "low"?,
        "high"?, "step"?, "style"?}]}``; x in days. ``low``/``high`` draw a band.
    warmup_days : float, optional
        Shades the warm-up (not measured) when it lies within the axis.
    shade : list of (start, end)
        Intervals in days to shade (e.g. hours of reduced staffing).
    day_ticks : bool
        Label every day at midnight, with minor ticks every 6 hours.
    xlim : (float, float), optional
        Time axis limits in days (default: the data's).
    """
    fig = _figure(10, 2.1 * len(panels) + 1.4)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    xs = [np.asarray(ln["x"], float) for p in panels for ln in p["lines"] if len(ln["x"])]
    xmin, xmax = xlim or (
        min((x.min() for x in xs), default=0),
        max((x.max() for x in xs), default=1),
    )
    for ax, p in zip(axes, panels):
        for a, b in shade:
            ax.axvspan(a, b, color="#9fb3c8", alpha=0.25, linewidth=0)
        if warmup_days and warmup_days > xmin:
            ax.axvspan(
                xmin,
                min(warmup_days, xmax),
                color="#bbbbbb",
                alpha=0.35,
                hatch="//",
                linewidth=0,
                fill=False,
            )
            ax.axvline(warmup_days, color="#555555", linestyle="--", linewidth=1)
        for ln in p["lines"]:
            x, y = np.asarray(ln["x"], float), np.asarray(ln["y"], float)
            if ln.get("low") is not None:
                ax.fill_between(
                    x,
                    ln["low"],
                    ln["high"],
                    color=ln["colour"],
                    alpha=0.18,
                    linewidth=0,
                    step="post" if ln.get("step") else None,
                )
            if ln.get("step"):
                ax.step(
                    x,
                    y,
                    where="post",
                    color=ln["colour"],
                    label=ln["label"],
                    linewidth=1.3,
                    linestyle=ln.get("style", "-"),
                )
            else:
                ax.plot(
                    x,
                    y,
                    color=ln["colour"],
                    label=ln["label"],
                    linewidth=1.3,
                    linestyle=ln.get("style", "-"),
                )
        ax.set_title(p["title"], loc="left")
        ax.set_ylabel(p["ylabel"])
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    axes[-1].set_xlim(xmin, xmax)
    axes[-1].set_xlabel("Simulated time (days since the start)")
    if day_ticks:
        ticks = np.arange(math.ceil(xmin), math.floor(xmax) + 1)
        axes[-1].set_xticks(ticks, [f"day {int(t)}" for t in ticks])
        minor = np.arange(math.ceil(xmin * 4), math.floor(xmax * 4) + 1) / 4.0
        axes[-1].set_xticks(minor, minor=True)
        axes[-1].set_xlim(xmin, xmax)
    extra = []
    if shade:
        extra.append(Patch(facecolor="#9fb3c8", alpha=0.5, label=shade_label))
    if warmup_days and warmup_days > xmin:
        extra.append(
            Patch(
                facecolor="white", edgecolor="#999999", hatch="//", label="warm-up (not measured)"
            )
        )
    if extra:
        _legend_below(fig, extra, ncol=len(extra))
    _subtitle(fig, title, note)
    return fig


def timeline_panels(runs: list[RunData]) -> list[dict[str, Any]]:
    """Panels of daily means for :func:`plot_timeline`: per desk for one run,
    per configuration (desks added up) for several. A band spans the lowest to
    the highest replication where a panel has one line per configuration."""
    several = len(runs) > 1
    panels = [
        {
            "title": "Reports waiting for triage" + (", all desks" if several else ""),
            "ylabel": "Reports",
            "lines": [],
        },
        {"title": "Teams busy", "ylabel": "Teams", "lines": []},
        {"title": "Incidents open", "ylabel": "Incidents", "lines": []},
    ]
    for k, run in enumerate(runs):
        s = run.tables["timeseries"]
        band = run.replications > 1 and not several

        def line(col, label, col_colour, with_band=band, s=s):
            d = daily_means(s, col)
            return {
                "label": label,
                "colour": col_colour,
                "x": d["day"],
                "y": d["mean"],
                "low": d["low"] if with_band else None,
                "high": d["high"] if with_band else None,
            }

        if several:
            panels[0]["lines"].append(
                line(tuple(f"queue_{p}" for p in PARTIES), run.name, colour(k))
            )
        else:
            for p in PARTIES:
                panels[0]["lines"].append(line(f"queue_{p}", f"{p} desk", DESK_COLOURS[p], False))
        panels[1]["lines"].append(
            line("teams_busy", run.name if several else "teams busy", colour(k))
        )
        panels[2]["lines"].append(
            line("incidents_open", run.name if several else "open", colour(k))
        )
    total = sum(_teams(runs[0].scenario).values())
    if total and not several:
        x = panels[1]["lines"][0]["x"]
        panels[1]["lines"].append(
            {
                "label": f"all teams ({total})",
                "colour": "#555555",
                "x": x,
                "y": np.full(len(x), float(total)),
                "style": ":",
            }
        )
    if band and runs[0].replications > 1:
        for p in panels[1:]:
            p["title"] += f" (band: lowest to highest of {runs[0].replications} replications)"
    return panels


def week_window(scenario: Scenario) -> tuple[float, float]:
    """The week shown hour by hour (minutes): from the end of the warm-up, or the
    last seven days when the run is shorter."""
    start = scenario.warmup
    end = min(start + 7 * 1440, scenario.horizon)
    if end - start < 7 * 1440:
        start = max(0.0, scenario.horizon - 7 * 1440)
        end = scenario.horizon
    return start, end


def week_panels(runs: list[RunData]) -> list[dict[str, Any]]:
    """Hour-by-hour panels of the first replication within :func:`week_window`."""
    start, end = week_window(runs[0].scenario)
    several = len(runs) > 1
    panels = [
        {
            "title": "Reports waiting for triage" + (", all desks" if several else ""),
            "ylabel": "Reports",
            "lines": [],
        },
        {
            "title": "Officers on duty, all desks"
            + ("" if several else " (and how many are busy)"),
            "ylabel": "Officers",
            "lines": [],
        },
        {"title": "Teams busy", "ylabel": "Teams", "lines": []},
        {"title": "Incidents open", "ylabel": "Incidents", "lines": []},
    ]
    for k, run in enumerate(runs):
        s = run.tables["timeseries"]
        first = s["replication"] == (s["replication"].min() if s["replication"].size else 0)
        m = first & (s["time"] >= start) & (s["time"] <= end)
        x = s["time"][m] / 1440.0
        c = colour(k)

        def ln(y, label, col, step=False, style="-", x=x):
            return {"label": label, "colour": col, "x": x, "y": y, "step": step, "style": style}

        if several:
            panels[0]["lines"].append(ln(sum(s[f"queue_{p}"][m] for p in PARTIES), run.name, c))
            panels[1]["lines"].append(
                ln(sum(s[f"on_duty_{p}"][m] for p in PARTIES), run.name, c, step=True)
            )
        else:
            for p in PARTIES:
                panels[0]["lines"].append(ln(s[f"queue_{p}"][m], f"{p} desk", DESK_COLOURS[p]))
            busy = sum(s[f"busy_{p}"][m] for p in PARTIES)
            panels[1]["lines"].append(
                {**ln(busy, "busy", c), "low": np.zeros(busy.size), "high": busy}
            )
            panels[1]["lines"].append(
                ln(sum(s[f"on_duty_{p}"][m] for p in PARTIES), "on duty", "#333333", True)
            )
        panels[2]["lines"].append(ln(s["teams_busy"][m], run.name if several else "teams busy", c))
        panels[3]["lines"].append(ln(s["incidents_open"][m], run.name if several else "open", c))
    total = sum(_teams(runs[0].scenario).values())
    if total and not several:
        x = panels[2]["lines"][0]["x"]
        panels[2]["lines"].append(
            {
                "label": f"all teams ({total})",
                "colour": "#555555",
                "x": x,
                "y": np.full(len(x), float(total)),
                "style": ":",
            }
        )
    return panels


# --------------------------------------------------------------------------- the map


def _positions(network: dict[str, Any]) -> tuple[dict[str, tuple[float, float]], bool]:
    nodes = network["nodes"]
    if nodes and all("lat" in n and "lon" in n for n in nodes):
        return {n["id"]: (float(n["lon"]), float(n["lat"])) for n in nodes}, True
    if nodes and all("x_km" in n and "y_km" in n for n in nodes):
        return {n["id"]: (float(n["x_km"]), float(n["y_km"])) for n in nodes}, False
    raise ResultsError("the network has no coordinates (lat/lon or x_km/y_km) to draw a map")


def km_per_degree_lon(lat: float) -> float:
    """Kilometres per degree of longitude at latitude ``lat`` (degrees).

    Examples
    --------
    >>> round(km_per_degree_lon(0.0), 1), round(km_per_degree_lon(48.5), 1)
    (111.2, 73.7)
    """
    return math.pi / 180.0 * EARTH_RADIUS_KM * math.cos(math.radians(lat))


def _scale_bar(ax: Any, geo: bool, pos: dict[str, tuple[float, float]]) -> None:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    lat0 = (min(ys) + max(ys)) / 2
    per_unit = km_per_degree_lon(lat0) if geo else 1.0
    width_km = ((max(xs) - min(xs)) or 1.0) * per_unit
    length = next((k for k in (500, 200, 100, 50, 20, 10, 5, 2, 1) if k <= width_km / 4), 1)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xa, ya = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    dx = length / per_unit
    ax.plot([xa, xa + dx], [ya, ya], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(
        xa + dx / 2, ya + 0.015 * (y1 - y0), f"{length:g} km", ha="center", va="bottom", fontsize=8
    )


def _truncated(name: str, low: float = 0.12, high: float = 0.95) -> mcolors.Colormap:
    """A colormap without its palest end, so that low values stand out from white."""
    base = matplotlib.colormaps[name]
    return mcolors.ListedColormap(base(np.linspace(low, high, 256)), name=f"{name}_cut")


def _label_side(node: str, pos: dict[str, tuple[float, float]], sectors: list[str]) -> int:
    """+1 to label a node on its right, -1 on its left: away from the nearest sector."""
    if not sectors:
        return 1
    x, y = pos[node]
    near = min(sectors, key=lambda n: (pos[n][0] - x) ** 2 + (pos[n][1] - y) ** 2)
    return 1 if x >= pos[near][0] else -1


def _draw_network(
    ax: Any,
    network: dict[str, Any],
    values: dict[str, float],
    cmap: Any,
    norm: Any,
    bases: dict[str, int],
    label_top: int,
    fmt: Callable,
) -> Any:
    pos, geo = _positions(network)
    kinds = {n["id"]: n.get("kind", "sector") for n in network["nodes"]}
    targets = sorted(
        n["id"]
        for n in network["nodes"]
        if float(n.get("strike_weight", 0) or 0) > 0 and n.get("kind") != "sector"
    )
    for e in network.get("edges", network.get("links", [])):
        a, b = str(e["source"]), str(e["target"])
        line = kinds.get(a) == "sector" and kinds.get(b) == "sector"
        ax.plot(
            [pos[a][0], pos[b][0]],
            [pos[a][1], pos[b][1]],
            color="#444444" if line else "#c8c8c8",
            linewidth=2.2 if line else 0.7,
            zorder=1,
        )
    sectors = [n for n, k in kinds.items() if k == "sector"]
    have = [n for n in sectors if n in values and values[n] == values[n]]
    none = [n for n in sectors if n not in have]
    if none:
        ax.scatter(
            [pos[n][0] for n in none],
            [pos[n][1] for n in none],
            s=55,
            facecolor="white",
            edgecolor="#888888",
            zorder=3,
        )
    sc = ax.scatter(
        [pos[n][0] for n in have],
        [pos[n][1] for n in have],
        c=[values[n] for n in have],
        cmap=cmap,
        norm=norm,
        s=75,
        edgecolor="#222222",
        linewidth=0.6,
        zorder=4,
    )
    if targets:
        ax.scatter(
            [pos[n][0] for n in targets],
            [pos[n][1] for n in targets],
            marker="D",
            s=60,
            facecolor="none",
            edgecolor="#8B1A1A",
            linewidth=1.0,
            zorder=3,
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    squeeze = math.cos(math.radians((min(ys) + max(ys)) / 2)) if geo else 1.0
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    # a long thin network (a straight line) gets room above and below for its labels
    extra = max(0.0, span_x * squeeze / MAX_MAP_ASPECT - span_y) / 2
    padx, pady = 0.05 * span_x, 0.06 * span_y + extra
    ax.set_xlim(min(xs) - padx, max(xs) + padx)
    ax.set_ylim(min(ys) - pady - 0.07 * span_y - extra * 0.2, max(ys) + pady)
    # about how far a 10-character label reaches, in data units, on a ~5 inch wide panel
    reach = (max(xs) - min(xs) + 2 * padx) / 5.0 * 0.6
    bl = [b for b in sorted(bases) if b in pos]
    if bl:
        ax.scatter(
            [pos[b][0] for b in bl],
            [pos[b][1] for b in bl],
            marker="^",
            s=50,
            color="black",
            zorder=5,
        )
    top_nodes = sorted(have, key=lambda n: (-values[n], n))[:label_top]
    for b in bl:
        if b in top_nodes:
            continue  # labelled with its value below
        side = _label_side(b, pos, sectors)
        x = pos[b][0] + side * reach
        if x > max(xs) + padx or x < min(xs) - padx:  # no room beside it: write it below
            offset, ha = (0, -11), "center"
        else:
            offset, ha = (6 * side, -2), "left" if side > 0 else "right"
        ax.annotate(
            f"{b} ({bases[b]})",
            pos[b],
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=7,
            zorder=6,
            color="#111111",
        )
    placed: list[tuple[float, float, int]] = []
    for n in top_nodes:
        name = f"{n} ({bases[n]})" if n in bases else n
        text = f"{name}: {fmt(values[n])}"
        side = _label_side(n, pos, bl) if bl else 1
        end = pos[n][0] + side * reach * len(text) / 9
        if not min(xs) - 2 * padx < end < max(xs) + 2 * padx:
            side = 0  # no room on its side: centre it above the node
        # stack labels of neighbouring nodes instead of writing one over the other
        rise = 5
        for x0, y0, r in placed:
            if abs(pos[n][0] - x0) < 1.5 * reach and abs(pos[n][1] - y0) < 0.08 * (
                max(ys) - min(ys) or 1
            ):
                rise = max(rise, r + 13)
        placed.append((pos[n][0], pos[n][1], rise))
        ax.annotate(
            text,
            pos[n],
            xytext=(8 * side, rise + (11 if side == 0 else 0)),
            textcoords="offset points",
            ha={1: "left", -1: "right", 0: "center"}[side],
            fontsize=7.5,
            fontweight="bold",
            color="#222222",
            zorder=7,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6}
            if rise > 5 or side == 0
            else None,
        )
    if geo:
        ax.set_aspect(1.0 / math.cos(math.radians((min(ys) + max(ys)) / 2)))
        ax.set_xlabel("Longitude (° E)")
        ax.set_ylabel("Latitude (° N)")
    else:
        ax.set_aspect("equal")
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")
    _scale_bar(ax, geo, pos)
    return sc


@_styled
def plot_map(
    network: dict[str, Any],
    panels: list[dict[str, Any]],
    ncols: int | None = None,
    note: str = "",
    title: str = "Where violations happen and how fast teams get there",
) -> Figure:
    """The network drawn from node coordinates, sectors coloured by a value.

    Parameters
    ----------
    network : dict
        Node-link data (``network.json``): nodes with ``id``, ``kind`` and
        ``lat``/``lon`` or ``x_km``/``y_km``; ``strike_weight`` > 0 marks rear targets.
    panels : list of dict
        Each ``{"title", "values": {sector: value}, "label": colour-bar label,
        "cmap": colormap name, "bases": {node: teams}, "format": callable,
        "scale": key}``; panels with the same ``scale`` share one colour scale.
        The three highest values are labelled.
    """
    ncols = min(ncols or (2 if len(panels) == 4 else 3), len(panels))
    nrows = math.ceil(len(panels) / ncols)
    pos, geo = _positions(network)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    aspect = ((max(xs) - min(xs)) or 1) / ((max(ys) - min(ys)) or 1)
    if geo:
        aspect *= math.cos(math.radians((min(ys) + max(ys)) / 2))
    aspect = min(aspect, MAX_MAP_ASPECT)
    panel_w = 5.6
    fig = _figure(panel_w * ncols + 0.4, min(nrows * (panel_w * 0.82 / aspect + 0.8) + 1.5, 16))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    scales: dict[str, list[float]] = {}
    for p in panels:
        vals = [v for v in p["values"].values() if v == v]
        scales.setdefault(p.get("scale", p["label"]), []).extend(vals)
    for ax, p in zip(axes, panels):
        vals = scales[p.get("scale", p["label"])]
        lo, hi = min(vals, default=0.0), max(vals, default=1.0)
        norm = mcolors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
        fmt = p.get("format", lambda v: f"{v:.1f}")
        net = p.get("network", network)
        sc = _draw_network(
            ax, net, p["values"], _truncated(p["cmap"]), norm, p.get("bases", {}), 3, fmt
        )
        ax.set_title(p["title"])
        cb = fig.colorbar(sc, ax=ax, shrink=0.85, pad=0.01, aspect=30)
        cb.set_label(p["label"])
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], color="#444444", linewidth=2.2, label="line of contact (sectors)"),
        Line2D([], [], color="#c8c8c8", linewidth=0.8, label="roads"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="#f5a55a",
            markeredgecolor="#222222",
            markersize=8,
            label="sector (colour: value)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="#888888",
            markersize=8,
            label="sector without data",
        ),
        Line2D(
            [],
            [],
            marker="^",
            linestyle="",
            color="black",
            markersize=7,
            label="team base (number of teams)",
        ),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            markerfacecolor="none",
            markeredgecolor="#8B1A1A",
            markersize=7,
            label="rear target (long-range strikes)",
        ),
    ]
    _legend_below(fig, handles, ncol=3)
    _subtitle(fig, title, note)
    return fig


def map_values(run: RunData) -> dict[str, dict[str, float]]:
    """Per sector: violations per day (measured, mean over replications) and the median
    response time in hours."""
    v, i = run.tables["violations"], run.tables["incidents"]
    sectors = {n["id"] for n in run.network["nodes"] if n.get("kind") == "sector"}
    days = run.summary["measured_days_per_replication"] * max(run.replications, 1)
    mv = _measured(v)
    per_day: dict[str, float] = {}
    for n in sorted(set(v["node"][mv].tolist()) & sectors):
        per_day[n] = float(np.sum(mv & (v["node"] == n))) / days
    resp = i["on_site"] - i["first_report"]
    ok = _measured(i) & np.isfinite(resp)
    med: dict[str, float] = {}
    for n in sorted(set(i["node"][ok].tolist()) & sectors):
        med[n] = float(np.median(resp[ok & (i["node"] == n)])) / 60.0
    return {"per_day": per_day, "median_response_h": med}


# --------------------------------------------------------------------------- comparisons


def _ci_rows(rows: list[dict[str, Any]], names: list[str], keys: list[str], diff: bool):
    by = {(r["metric"], r["configuration"]): r for r in rows}
    out = []
    for key in keys:
        for k, n in enumerate(names):
            r = by.get((key, n))
            if r is None or (diff and k == 0):
                continue
            m, lo, hi = (
                (r["diff_mean"], r["diff_low"], r["diff_high"])
                if diff
                else (r["mean"], r["low"], r["high"])
            )
            out.append((key, k, n, _num(m), _num(lo), _num(hi), bool(r.get("significant"))))
    return out


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


@_styled
def plot_metrics(
    rows: list[dict[str, Any]],
    names: list[str],
    diff: bool = False,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Every key metric per configuration with its 95% CI (or, with ``diff``, the
    paired difference against the first configuration).

    Parameters
    ----------
    rows : list of dict
        Tidy rows as in ``comparison.json``: ``metric``, ``configuration``, ``mean``,
        ``low``, ``high`` (minutes or fractions), ``diff_mean``, ``diff_low``,
        ``diff_high``, ``significant``.
    names : list of str
        Configurations in order (the first is the reference).
    """
    fig = _figure(11, 6.8)
    ax_t, ax_s = fig.subplots(1, 2)
    shown = [n for n in names[1:]] if diff else names
    h = 0.7 / max(len(shown), 1)
    for ax, kind in ((ax_t, "time"), (ax_s, "share")):
        keys = [k for k, _, kd in METRICS if kd == kind]
        data = _ci_rows(rows, names, keys, diff)
        scale = 1 / 60.0 if kind == "time" else 100.0
        for key, k, n, m, lo, hi, sig in data:
            y = keys.index(key) + (shown.index(n) - (len(shown) - 1) / 2) * h
            filled = sig or not diff
            ax.errorbar(
                m * scale,
                y,
                xerr=[[max(m - lo, 0) * scale], [max(hi - m, 0) * scale]] if lo == lo else None,
                fmt="o",
                color=colour(k),
                markerfacecolor=colour(k) if filled else "white",
                markersize=5,
                capsize=2.5,
                linewidth=1.2,
            )
        ax.set_yticks(range(len(keys)), [METRIC_LABEL[k] for k in keys])
        ax.set_ylabel("Metric")
        ax.set_ylim(len(keys) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        if diff:
            ax.axvline(0, color="#333333", linewidth=1)
        if kind == "time":
            ax.set_xlabel(f"Difference vs {names[0]} (h)" if diff else "Time (h)")
            ax.set_title("Times")
        else:
            ax.set_xlabel(f"Difference vs {names[0]} (percentage points)" if diff else "Share (%)")
            ax.set_title("Shares")
    handles = [
        Line2D([], [], marker="o", color=colour(names.index(n)), label=n, markersize=6)
        for n in shown
    ]
    if diff:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#333333",
                label="not significant at 5%",
            )
        )
    handles.append(Line2D([], [], color="#333333", marker="|", label="95% confidence interval"))
    _legend_below(fig, handles, ncol=min(len(handles), 5))
    default = f"Paired differences against {names[0]}" if diff else "Key metrics per configuration"
    _subtitle(fig, title or default, note)
    return fig


# --------------------------------------------------------------------------- sweeps


def _param_axis(values: list[Any]) -> tuple[list[float] | None, str]:
    """Numbers for an axis from parameter values (durations in hours or minutes),
    or None for a categorical axis.

    Examples
    --------
    >>> _param_axis([1, 2, 4])
    ([1.0, 2.0, 4.0], '')
    >>> _param_axis(["15min", "8h"])
    ([0.25, 8.0], ' (h)')
    >>> _param_axis(["thin", "fat"])
    (None, '')
    """
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return [float(v) for v in values], ""
    try:
        mins = [parse_duration(v) for v in values]
    except (ValueError, TypeError):
        return None, ""
    div, unit = time_unit(max(mins))
    return [m / div for m in mins], f" ({unit})"


def _sweep_table(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    points: dict[int, dict[str, Any]] = {}
    for r in rows:
        p = points.setdefault(int(r["point"]), {"label": r["label"], "row": r, "m": {}})
        p["m"][r["metric"]] = (_num(r["mean"]), _num(r["low"]), _num(r["high"]))
    return points


def _metric_scale(key: str, values: list[float]) -> tuple[float, str]:
    if METRIC_KIND.get(key) == "share":
        return 100.0, "%"
    div, unit = time_unit(max((v for v in values if v == v), default=0))
    return 1.0 / div, unit


def _metric_axis(ax: Any, key: str, unit: str) -> None:
    label = METRIC_LABEL.get(key, key)
    ax.set_title(label)
    ax.set_ylabel(f"{label.split(',')[0]} ({unit})")
    if METRIC_KIND.get(key) == "share":
        ax.set_ylim(0, 100)  # a share's interval can reach past 100%: it is cut at the axis
    else:
        ax.set_ylim(bottom=0)


@_styled
def plot_sweep(
    rows: list[dict[str, Any]],
    parameters: list[str],
    metrics: tuple[str, ...] = SWEEP_METRICS,
    note: str = "",
    title: str = "Sweep",
) -> Figure:
    """Key metrics against the first swept parameter with 95% confidence intervals:
    a band for a one-parameter grid; one line per value of the other parameters
    (error bars, slightly dodged) for larger grids; one point per variant for a
    variant sweep.

    Parameters
    ----------
    rows : list of dict
        As in ``sweep.json``: ``point``, ``label``, a column per parameter,
        ``metric``, ``mean``, ``low``, ``high``.
    parameters : list of str
        Parameter names (``["variant", ...]`` for a variant sweep).
    """
    points = _sweep_table(rows)
    order = sorted(points)
    variants = not parameters or parameters[0] == "variant"
    if variants:
        xname, unit = "Variant", ""
        cats = [points[p]["label"] for p in order]
        xpos = {p: float(i) for i, p in enumerate(order)}
        groups = {"": order}
    else:
        xname = parameters[0]
        raw = [points[p]["row"][xname] for p in order]
        distinct = list(dict.fromkeys(raw))
        nums, unit = _param_axis(distinct)
        cats = None if nums is not None else [str(v) for v in distinct]
        where = dict(zip(map(str, distinct), nums or range(len(distinct))))
        xpos = {p: float(where[str(points[p]["row"][xname])]) for p in order}
        groups = {}
        for p in order:
            rest = ", ".join(f"{q}={points[p]['row'][q]}" for q in parameters[1:])
            groups.setdefault(rest, []).append(p)
    several = len(groups) > 1
    cmap = matplotlib.colormaps["viridis"]

    def gcolour(g: int) -> Any:
        return cmap(0.1 + 0.75 * g / max(len(groups) - 1, 1)) if several else colour(0)

    xs_all = sorted(set(xpos.values()))
    span = (xs_all[-1] - xs_all[0]) if len(xs_all) > 1 else 1.0
    fig = _figure(11, 6.6)
    axes = fig.subplots(2, 3).ravel()
    for ax, key in zip(axes, metrics):
        scale, munit = _metric_scale(key, [points[p]["m"].get(key, (0, 0, 0))[2] for p in order])
        for g, pts in enumerate(groups.values()):
            dodge = (g - (len(groups) - 1) / 2) * 0.012 * span if several else 0.0
            x = np.array([xpos[p] for p in pts]) + dodge
            m = np.array([points[p]["m"].get(key, (math.nan,) * 3) for p in pts]) * scale
            c = gcolour(g)
            if variants or several:
                ax.errorbar(
                    x,
                    m[:, 0],
                    yerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]],
                    fmt="o",
                    color=c,
                    capsize=3,
                    markersize=4.5,
                    linestyle="none" if variants else "-",
                    linewidth=1.2,
                )
            else:
                ax.fill_between(x, m[:, 1], m[:, 2], color=c, alpha=0.2, linewidth=0)
                ax.plot(x, m[:, 0], marker="o", color=c, markersize=4.5)
        if cats is not None:
            ax.set_xticks(range(len(cats)), cats, rotation=30 if len(cats) > 4 else 0)
        elif len(xs_all) <= 12:
            ax.set_xticks(xs_all, [f"{v:g}" for v in xs_all])
        ax.set_xlabel(f"{xname}{unit}")
        _metric_axis(ax, key, munit)
    if several:
        handles = [
            Line2D([], [], marker="o", color=gcolour(g), label=name)
            for g, name in enumerate(groups)
        ]
        handles.append(Line2D([], [], color="#333333", marker="|", label="95% confidence interval"))
    elif variants:
        handles = [
            Line2D([], [], marker="o", color=colour(0), label="mean"),
            Line2D([], [], color="#333333", marker="|", label="95% confidence interval"),
        ]
    else:
        handles = [
            Line2D([], [], marker="o", color=colour(0), label="mean"),
            Patch(facecolor=colour(0), alpha=0.3, label="95% confidence interval"),
        ]
    _legend_below(fig, handles, ncol=min(len(handles), 5))
    _subtitle(fig, title, note)
    return fig


@_styled
def plot_heatmap(
    rows: list[dict[str, Any]],
    parameters: list[str],
    metrics: tuple[str, ...] = SWEEP_METRICS,
    note: str = "",
    title: str = "Sweep",
) -> Figure:
    """Key metrics over a two-parameter grid: each cell shows the mean and, below it,
    the 95% CI half-width. Colour scales start at zero (shares run to 100%), so a
    difference looks as large as it is."""
    if len(parameters) != 2 or parameters[0] == "variant":
        raise ResultsError("a heatmap needs a sweep over a grid of exactly two parameters")
    points = _sweep_table(rows)
    a, b = parameters
    av = list(dict.fromkeys(points[p]["row"][a] for p in sorted(points)))
    bv = list(dict.fromkeys(points[p]["row"][b] for p in sorted(points)))
    fig = _figure(12, 7.4)
    axes = fig.subplots(2, 3).ravel()
    small = len(av) * len(bv) <= 36
    for ax, key in zip(axes, metrics):
        grid = np.full((len(av), len(bv)), np.nan)
        half = np.full((len(av), len(bv)), np.nan)
        for p in points.values():
            m, lo, hi = p["m"].get(key, (math.nan,) * 3)
            i, j = av.index(p["row"][a]), bv.index(p["row"][b])
            grid[i, j], half[i, j] = m, (hi - lo) / 2
        scale, unit = _metric_scale(key, grid.ravel().tolist())
        grid, half = grid * scale, half * scale
        share = METRIC_KIND.get(key) == "share"
        top = 100.0 if share else float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        im = ax.imshow(grid, cmap="cividis", aspect="auto", origin="lower", vmin=0, vmax=top or 1.0)
        for i in range(len(av)):
            for j in range(len(bv)):
                v = grid[i, j]
                if v != v:
                    continue
                text = f"{v:.1f}" if v < 100 else f"{v:.0f}"
                if small and half[i, j] == half[i, j]:
                    text += f"\n±{half[i, j]:.1f}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if v > 0.6 * (top or 1) else "white",
                )
        ax.set_xticks(range(len(bv)), [str(v) for v in bv])
        ax.set_yticks(range(len(av)), [str(v) for v in av])
        ax.set_xlabel(b)
        ax.set_ylabel(a)
        ax.grid(False)
        ax.set_title(METRIC_LABEL.get(key, key))
        cb = fig.colorbar(im, ax=ax, shrink=0.9)
        cb.set_label(f"{METRIC_LABEL.get(key, key).split(',')[0]} ({unit})")
    _subtitle(fig, title, note + "; cells: mean and ± 95% CI half-width")
    return fig


@_styled
def plot_frontier(
    rows: list[dict[str, Any]],
    constraints: dict[str, dict[str, float]],
    best: dict[str, Any] | None = None,
    note: str = "",
    title: str = "Staffing search",
) -> Figure:
    """Each constraint metric (with 95% CI) against cost for every point explored;
    feasible points filled, the limit dashed, the best reachable value at or below
    each cost as a step line, the cheapest feasible point starred.

    Parameters
    ----------
    rows : list of dict
        As in ``frontier.json``: ``point``, ``cost``, ``feasible``,
        ``<metric>_mean``, ``<metric>_low``, ``<metric>_high``.
    constraints : dict
        ``{metric: {"max" | "min": limit}}`` in minutes or fractions.
    """
    ms = list(constraints)
    fig = _figure(5.2 * len(ms) + 0.6, 5.2)
    axes = fig.subplots(1, len(ms), squeeze=False)[0]
    costs = sorted({float(r["cost"]) for r in rows})
    spread = (costs[-1] - costs[0]) if len(costs) > 1 else 1.0
    same: dict[float, list[int]] = {}
    for r in sorted(rows, key=lambda r: (float(r["cost"]), int(r["point"]))):
        same.setdefault(float(r["cost"]), []).append(int(r["point"]))
    for ax, m in zip(axes, ms):
        side, limit = next(iter(constraints[m].items()))
        vals = [_num(r[f"{m}_high"]) for r in rows] + [limit]
        scale, unit = _metric_scale(m, vals)
        for r in rows:
            c = float(r["cost"])
            group = same[c]
            x = c + (group.index(int(r["point"])) - (len(group) - 1) / 2) * 0.012 * spread
            y, lo, hi = (_num(r[f"{m}_{s}"]) * scale for s in ("mean", "low", "high"))
            ok = bool(r["feasible"]) and r["feasible"] not in ("0", 0)
            col = colour(2) if ok else "#777777"
            ax.errorbar(
                x,
                y,
                yerr=[[max(y - lo, 0)], [max(hi - y, 0)]] if lo == lo else None,
                fmt="o",
                color=col,
                markerfacecolor=col if ok else "white",
                markersize=5,
                capsize=2,
                linewidth=0.9,
                alpha=0.9,
            )
        best_at = []
        run = math.inf if side == "max" else -math.inf
        for c in costs:
            for r in rows:
                if float(r["cost"]) == c:
                    v = _num(r[f"{m}_mean"])
                    if v == v:
                        run = min(run, v) if side == "max" else max(run, v)
            best_at.append(run * scale)
        ax.step(costs, best_at, where="post", color=colour(0), linewidth=1.4)
        ax.axhline(limit * scale, color="#C0392B", linestyle="--", linewidth=1.2)
        if best is not None:
            ax.plot(
                float(best["cost"]),
                _num(best[f"{m}_mean"]) * scale,
                marker="*",
                markersize=16,
                color=colour(1),
                markeredgecolor="black",
                zorder=5,
            )
        word = "at most" if side == "max" else "at least"
        ax.set_title(
            f"{METRIC_LABEL.get(m, m)}: target {word} "
            f"{_fmt_time(limit) if METRIC_KIND.get(m) == 'time' else f'{limit:.0%}'}"
        )
        ax.set_xlabel("Cost (weighted officer positions + team members)")
        ax.set_ylabel(f"{METRIC_LABEL.get(m, m)} ({unit})")
        if METRIC_KIND.get(m) == "share":
            ax.set_ylim(0, 100)
        else:
            ax.set_ylim(bottom=0)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour(2), label="meets every target (95%)"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="#777777",
            label="misses a target",
        ),
        Line2D([], [], color=colour(0), label="best mean at or below this cost"),
        Line2D([], [], color="#C0392B", linestyle="--", label="target"),
    ]
    if best is not None:
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                linestyle="",
                markersize=12,
                color=colour(1),
                markeredgecolor="black",
                label="cheapest meeting every target",
            )
        )
    _legend_below(fig, handles, ncol=3)
    _subtitle(fig, title, note)
    return fig


# --------------------------------------------------------------------------- from directories


def _run_note(runs: list[RunData]) -> str:
    r = runs[0]
    days = r.summary["measured_days_per_replication"]
    who = r.name if len(runs) == 1 else f"{len(runs)} configurations"
    reps = f"{r.replications} replication" + ("s" if r.replications != 1 else "")
    return (
        f"{who}: {reps} of {days:g} days measured after a "
        f"{r.scenario.warmup / 1440:g}-day warm-up, seed {r.scenario.seed}"
    )


def run_figures(runs: list[RunData]) -> dict[str, Callable[[], Figure]]:
    """Figure makers for one run, or for several configurations overlaid."""
    note = _run_note(runs)
    several = len(runs) > 1
    samples = {r.name: delay_samples(r) for r in runs}
    plain = {n: {k: v["values"] for k, v in s.items()} for n, s in samples.items()}
    targets = {
        k: getattr(runs[0].scenario.targets, k) for k in ("acknowledge", "response", "finding")
    }
    if several:
        groups, cols, legend = plain, None, None
        gtitle = "Configuration"
    else:
        s = samples[runs[0].name]
        reps = sorted(
            set(s["response"]["replication"].tolist())
            | set(s["acknowledge"]["replication"].tolist())
        )[:12]
        groups = {
            f"rep {k + 1}": {d: s[d]["values"][s[d]["replication"] == k] for d in s} for k in reps
        }
        cols = [colour(0)] * len(groups)
        legend = {runs[0].name: colour(0)}
        gtitle = "Replication"
    week_start, week_end = week_window(runs[0].scenario)

    def timeline() -> Figure:
        return plot_timeline(
            timeline_panels(runs),
            warmup_days=runs[0].scenario.warmup / 1440.0,
            note=note,
            xlim=(0.0, runs[0].scenario.horizon / 1440.0),
            title="The whole run, daily means",
        )

    def week() -> Figure:
        shade = [
            (a / 1440, b / 1440)
            for a, b in reduced_staffing(runs[0].scenario, week_start, week_end)
        ]
        label = "fewer officers on duty than at peak" + (f" ({runs[0].name})" if several else "")
        every = runs[0].scenario.output.sample_interval
        return plot_timeline(
            week_panels(runs),
            warmup_days=runs[0].scenario.warmup / 1440.0,
            shade=shade,
            shade_label=label,
            day_ticks=True,
            xlim=(week_start / 1440, week_end / 1440),
            note=note,
            title=f"One week of replication 1, sampled every {_fmt_time(every)} "
            f"(days {week_start / 1440:g} to {week_end / 1440:g})",
        )

    def map_() -> Figure:
        vals = [map_values(r) for r in runs]
        if several:
            panels = [
                {
                    "title": f"{r.name}: median response time",
                    "values": v["median_response_h"],
                    "label": "Median response time (h)",
                    "cmap": "magma_r",
                    "bases": _teams(r.scenario),
                    "network": r.network,
                    "scale": "resp",
                    "format": lambda x: f"{x:.1f} h",
                }
                for r, v in zip(runs, vals)
            ]
        else:
            panels = [
                {
                    "title": "Violations per day by sector",
                    "values": vals[0]["per_day"],
                    "label": "Violations per day (after warm-up)",
                    "cmap": "YlOrRd",
                    "bases": _teams(runs[0].scenario),
                    "format": lambda x: f"{x:.1f}/day",
                },
                {
                    "title": "Median response time by sector",
                    "values": vals[0]["median_response_h"],
                    "label": "Median response time (h)",
                    "cmap": "magma_r",
                    "bases": _teams(runs[0].scenario),
                    "format": lambda x: f"{x:.1f} h",
                },
            ]
        return plot_map(runs[0].network, panels, note=note)

    makers = {
        "distributions": lambda: plot_distributions(plain, note=note),
        "ecdf": lambda: plot_ecdf(plain, targets, note=note),
        "violins": lambda: plot_violins(
            groups,
            colours=cols,
            group_title=gtitle,
            legend=legend,
            note=note,
            title="Delay distributions per " + gtitle.lower(),
        ),
        "breakdown": lambda: plot_breakdown(
            {r.name: response_breakdown(r) for r in runs}, note=note
        ),
        "timeline": timeline,
        "week": week,
        "map": map_,
    }
    try:
        _positions(runs[0].network)
    except ResultsError:
        del makers["map"]  # a network without coordinates cannot be drawn as a map
    return makers


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
        runs = comparison_runs(d)
        if runs is not None:
            makers.update(run_figures(runs))
        return kind, makers
    if kind == "sweep":
        meta = json.loads((d / "sweep.json").read_text("utf-8"))
        params = meta.get("parameters", [])
        note = (
            f"{meta['points']} points × {meta['replications']} replications, "
            f"seed {meta['seed']}, common random numbers"
        )
        title = f"Sweep {meta.get('sweep', '')}"
        makers = {"sweep": lambda: plot_sweep(meta["rows"], params, note=note, title=title)}
        if len(params) == 2 and params[0] != "variant":
            makers["heatmap"] = lambda: plot_heatmap(meta["rows"], params, note=note, title=title)
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
        )
    }


def save(fig: Figure, path: str | Path, fmt: str | None = None, dpi: int = DPI) -> Path:
    """Write ``fig`` as PNG, SVG or PDF; the same figure always gives the same bytes
    (no timestamps or software versions in the file)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".") or "png"
    if fmt not in FORMATS:
        raise ResultsError(f"unknown figure format {fmt!r}; choose one of {', '.join(FORMATS)}")
    meta = {
        "png": {"Software": None},
        "svg": {"Creator": None, "Date": None, "Format": None, "Type": None},
        "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    }[fmt]
    with matplotlib.rc_context(STYLE):
        fig.savefig(path, format=fmt, dpi=dpi, metadata=meta)
    return path


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (as :func:`save` writes them)."""
    buf = _io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


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
        if kind == "comparison" and any(k in RUN_KINDS for k in unknown):
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
