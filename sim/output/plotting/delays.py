"""Delay figures: histograms, cumulative distributions (ECDF), violin and box
plots of the four delays, and response time broken down by category."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import (
    new_figure,
    finite,
    fmt_time,
    legend_below,
    nice_step,
    no_data,
    pct,
    shorten,
    styled,
    subtitle,
    wrap,
    colour,
    time_unit,
)

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
# What an empty panel says (e.g. response times with teams switched off).
NO_DATA = {
    "reporting_delay": "No reporting delays: no true report after the warm-up",
    "acknowledge": "No times to acknowledge: no report after the warm-up",
    "response": "No response times: no incident asked for a team\n"
    "(teams disabled or none in range)",
    "finding": "No times to finding: no incident after the warm-up",
}
# ... and what a configuration without data in a panel says in its legend or note
NONE = {k: "no data" for k in NO_DATA} | {"response": "no incident asked for a team"}
MAX_NOTED = 5  # configurations whose median a distribution panel writes out
LINE_PT = 10.0  # a line of 7.5 pt notes, in points
LINE_FRACTION = 0.058  # the same as a fraction of a distribution panel's height
MAX_N_LABELLED = 3  # breakdowns write n= beside the bars of up to this many configurations


# --------------------------------------------------------------------------- distributions


@styled
def plot_distributions(
    samples: dict[str, dict[str, np.ndarray]], note: str = "", title: str | None = None
) -> Figure:
    """Histograms (share of the finite samples per bin) of the four delays, one panel
    each, configurations overlaid as step outlines. A panel without data says so.

    Parameters
    ----------
    samples : dict
        ``{configuration: {delay: values}}``, values in minutes (NaN ignored);
        delays from :data:`DELAY_KEYS`.
    note : str
        Second title line (what was run).
    """
    names = list(samples)
    several = len(names) > 1
    fig = new_figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    for ax, key in zip(axes, DELAY_KEYS):
        vals = {n: finite(samples[n][key]) for n in names}
        ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
        who = DELAY_UNITS[key].split(" that")[0]
        if not any(v.size for v in vals.values()):
            ax.set_xlabel(DELAY_LABELS[key])
            ax.set_ylabel(f"% of {who} per bin")
            no_data(ax, NO_DATA[key])
            continue
        top = max((pct(v, 99) for v in vals.values() if v.size), default=math.nan)
        top = top if top == top and top > 0 else 1.0
        div, unit = time_unit(top)
        step = nice_step(top / div)
        edges = np.arange(0.0, top / div + step, step)
        peak = 0.0
        for k, n in enumerate(names):
            v = vals[n] / div
            if v.size == 0:
                continue
            counts, _ = np.histogram(v, bins=edges)
            share = 100.0 * counts / v.size
            peak = max(peak, float(share.max()))
            c = colour(k)
            if not several:
                ax.stairs(share, edges, fill=True, color=c, alpha=0.25)
            # earlier configurations drawn wider, so identical curves (shared random
            # numbers) remain visible underneath later ones
            lw = 1.3 + 1.1 * (len(names) - 1 - k)
            ax.stairs(share, edges, color=c, linewidth=lw, label=f"{n} (n={v.size:,})")
            med = float(np.median(v))
            ax.axvline(med, color=c, linestyle="--", linewidth=1.0)
        ax.set_xlim(0, edges[-1])
        ax.set_xlabel(f"{DELAY_LABELS[key]} ({unit})")
        step_txt = fmt_time(step * div).replace(" ", "-")
        ax.set_ylabel(f"% of {who} per {step_txt} bin")
        # the medians (one line per configuration, in its colour) and the longest case,
        # written top right above the curves: the axis gets headroom for them
        lines = []
        for k, n in enumerate(names[:MAX_NOTED]):
            v = vals[n]
            who_ = f"{shorten(n, 22)}: " if several else ""
            text = f"median {fmt_time(float(np.median(v)))}" if v.size else NONE[key]
            lines.append((who_ + text, colour(k) if several else "#555555"))
        if len(names) > MAX_NOTED:
            lines.append((f"(+{len(names) - MAX_NOTED} more)", "#555555"))
        most = max((v.max() for v in vals.values() if v.size), default=math.nan)
        lines.append((f"longest {fmt_time(most)} (axis cut at the 99th percentile)", "#555555"))
        for j, (text, c) in enumerate(lines):
            ax.annotate(
                text,
                (0.98, 0.97),
                xycoords="axes fraction",
                xytext=(0, -LINE_PT * j),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=7.5,
                color=c,
            )
        room = 0.93 - LINE_FRACTION * len(lines)
        ax.set_ylim(0, max(peak, 1e-9) / room)
    handles = [
        Patch(facecolor=colour(k), alpha=0.6, label=shorten(n, 45)) for k, n in enumerate(names)
    ]
    handles.append(Line2D([], [], color="#444444", linestyle="--", label="median"))
    legend_below(fig, handles, ncol=len(handles))
    subtitle(fig, title or "Delay distributions", note)
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


def _per_configuration(
    targets: dict[str, Any] | None, names: list[str]
) -> dict[str, dict[str, float | None]]:
    """Targets per configuration from ``{delay: limit}`` (the same for every
    configuration) or ``{configuration: {delay: limit}}``."""
    targets = targets or {}
    if any(isinstance(v, dict) for v in targets.values()):
        return {n: dict(targets.get(n) or {}) for n in names}
    return {n: dict(targets) for n in names}


@styled
def plot_ecdf(
    samples: dict[str, dict[str, np.ndarray]],
    targets: dict[str, Any] | None = None,
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
        ``{delay: limit in minutes}`` (``acknowledge``, ``response``, ``finding``),
        the same for every configuration, or ``{configuration: {delay: limit}}``.
        Each configuration's share is counted against its own target; when the
        targets differ, each configuration's target is drawn in its colour.
    """
    names = list(samples)
    per = _per_configuration(targets, names)
    fig = new_figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    for ax, key in zip(axes, DELAY_KEYS):
        ts = {n: per[n].get(key) or None for n in names}
        same = len(set(ts.values())) == 1
        ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
        ax.set_ylabel(f"Cumulative % of {DELAY_UNITS[key]}")
        if not any(np.asarray(samples[n][key]).size for n in names):
            ax.set_xlabel(DELAY_LABELS[key])
            no_data(ax, NO_DATA[key])
            continue
        tops = [pct(samples[n][key], 99) for n in names]
        top = max((t for t in tops if t == t), default=math.nan)
        top = top if top == top and top > 0 else 1.0
        limits = [t for t in ts.values() if t]
        if limits:
            top = max(top, 1.25 * max(limits))
        div, unit = time_unit(top)
        for k, n in enumerate(names):
            v = np.asarray(samples[n][key], dtype=float)
            lw = 1.4 + 1.1 * (len(names) - 1 - k)
            label = shorten(n)
            if v.size == 0:
                ax.plot([], [], color=colour(k), linewidth=lw, label=f"{label}: {NONE[key]}")
                continue
            x, y = ecdf(v)
            xs = np.concatenate([[0.0], x / div, [top / div]])
            ys = 100 * np.concatenate([[0.0], y, [y[-1] if y.size else 0.0]])
            t = ts[n]
            if t:
                within = 100.0 * float(np.sum(v <= t)) / v.size
                label += f": {within:.0f}% within " + ("target" if same else fmt_time(t))
            ax.step(xs, ys, where="post", color=colour(k), linewidth=lw, label=label)
        if same and ts[names[0]]:
            t = ts[names[0]]
            ax.axvline(
                t / div,
                color="#C0392B",
                linestyle=":",
                linewidth=1.5,
                label=f"target {fmt_time(t)}",
            )
        elif not same:
            for k, n in enumerate(names):
                if ts[n]:
                    ax.axvline(
                        ts[n] / div,
                        color=colour(k),
                        linestyle=":",
                        linewidth=1.8,
                        label=f"target of {shorten(n, 22)}: {fmt_time(ts[n])}",
                    )
        ax.set_xlim(0, top / div)
        ax.set_ylim(0, 101)
        ax.set_xlabel(f"{DELAY_LABELS[key]} ({unit})")
        ax.legend(loc="lower right")
    subtitle(fig, title or "Share within each delay (cumulative)", note)
    return fig


@styled
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
    fig = new_figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    rotate = len(groups) > 6
    # names wrapped to the room under each violin (about 60 characters per panel)
    ticks = [wrap(g, 18 if rotate else max(8, 56 // len(groups)), 3) for g in groups]
    for ax, key in zip(axes, DELAY_KEYS):
        vals = [finite(samples[g][key]) for g in groups]
        _violin_panel(ax, key, vals, colours, ticks, rotate, group_title)
    handles = _violin_handles(legend or {g: c for g, c in zip(groups, colours)})
    legend_below(fig, handles, ncol=min(len(handles), 4))
    subtitle(fig, title or "Delay distributions per group", note)
    return fig


def _violin_panel(
    ax: Any,
    key: str,
    vals: list[np.ndarray],
    colours: list[str],
    ticks: list[str],
    rotate: bool,
    group_title: str,
) -> None:
    """One delay's panel: a violin and a box per group (finite values in minutes),
    on an axis in minutes or hours that stops at the 99th percentile."""
    ax.set_title(f"{DELAY_LABELS[key]} ({DELAY_SPANS[key]})")
    ax.set_xlabel(group_title)
    if not any(v.size for v in vals):
        ax.set_ylabel(DELAY_LABELS[key])
        no_data(ax, NO_DATA[key])
        return
    top = max((pct(v, 99) for v in vals if v.size), default=math.nan)
    top = top if top == top and top > 0 else 1.0
    div, unit = time_unit(top)
    pos = np.arange(1, len(vals) + 1)
    for j, v in enumerate(vals):
        _violin_and_box(ax, v, pos[j], colours[j], top, div)
    ax.set_xticks(pos, ticks, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    ax.set_ylim(0, top / div * 1.02)
    ax.set_xlim(0.4, len(vals) + 0.6)
    ax.set_ylabel(f"{DELAY_LABELS[key]} ({unit})")


def _violin_and_box(ax: Any, v: np.ndarray, x: float, col: str, top: float, div: float) -> None:
    """One group at ``x``: the violin of the values up to ``top`` (when they spread),
    the box over all of them, or "no data"; ``v`` and ``top`` in minutes, drawn in
    minutes / ``div``."""
    v = v / div
    cut = v[v <= top / div]
    if cut.size >= 2 and np.ptp(cut) > 0:
        parts = ax.violinplot([cut], positions=[x], widths=0.8, showextrema=False, points=120)
        for body in parts["bodies"]:
            body.set_facecolor(col)
            body.set_edgecolor(col)
            body.set_alpha(0.35)
    if not v.size:
        ax.text(
            x, 0.04 * top / div, "no data", ha="center", va="bottom", fontsize=7.5, color="#555555"
        )
        return
    ax.boxplot(
        [v],
        positions=[x],
        widths=0.22,
        whis=(5, 95),
        showfliers=False,
        showmeans=True,
        patch_artist=True,
        boxprops={"facecolor": col, "edgecolor": "#222222", "alpha": 0.9},
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


def _violin_handles(legend: dict[str, str]) -> list[Any]:
    """Legend entries: one patch per ``{label: colour}``, then how to read a box."""
    handles: list[Any] = [
        Patch(facecolor=c, alpha=0.6, label=shorten(n, 45)) for n, c in legend.items()
    ]
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
    return handles


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
            v = finite(data[n].get(c, np.array([])))
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


def has_response_times(breakdown: dict[str, dict[str, np.ndarray]]) -> bool:
    """Whether a :func:`~sim.results.response_breakdown` holds any response time."""
    return any(finite(v).size for part in breakdown.values() for v in part.values())


@styled
def plot_breakdown(
    data: dict[str, dict[str, dict[str, np.ndarray]]],
    top: int = 15,
    min_n: int = 5,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Median response time (bar) and 90th percentile (tick) by violation type, by
    severity, and for the slowest sectors (ranked by the median of the first
    configuration that has response times: the reference unless it has none).
    ``n=`` beside each bar gives the incidents behind it (for up to
    :data:`MAX_N_LABELLED` configurations; more would crowd the rows).

    Parameters
    ----------
    data : dict
        ``{configuration: {"type"|"severity"|"sector": {category: values}}}``,
        response times in minutes (from :func:`response_breakdown`).
    top : int
        Sectors shown.
    min_n : int
        Sectors with fewer incidents in the ranking configuration are not ranked.
    """
    names = list(data)
    have = {n: has_response_times(data[n]) for n in names}
    rank_by = next((n for n in names if have[n]), names[0])
    ref = data[rank_by]
    types = sorted({t for d in data.values() for t in d["type"]})
    sevs = sorted({s for d in data.values() for s in d["severity"]}, key=int)
    ranked = sorted(
        (s for s, v in ref["sector"].items() if finite(v).size >= min_n),
        key=lambda s: (-float(np.median(finite(ref["sector"][s]))), s),
    )[:top]
    shown = [("type", types), ("severity", sevs), ("sector", ranked)]
    allv = [finite(d[part].get(c, [])) for d in data.values() for part, cs in shown for c in cs]
    top_val = max((pct(v, 90) for v in allv if v.size), default=1.0)
    top_val = top_val if top_val == top_val and top_val > 0 else 1.0
    div, unit = time_unit(top_val)
    fig = new_figure(11, 7.5)
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 1.15])
    ax_t, ax_s, ax_c = (
        fig.add_subplot(gs[0, 0]),
        fig.add_subplot(gs[1, 0]),
        fig.add_subplot(gs[:, 1]),
    )
    show_n = len(names) <= MAX_N_LABELLED
    _bar_rows(ax_t, types, {n: data[n]["type"] for n in names}, div, show_n)
    _bar_rows(ax_s, sevs, {n: data[n]["severity"] for n in names}, div, show_n)
    _bar_rows(ax_c, ranked, {n: data[n]["sector"] for n in names}, div, show_n)
    ax_t.set_title("By violation type (claimed in the first report)")
    ax_t.set_ylabel("Violation type")
    ax_s.set_title("By severity (highest reported)")
    ax_s.set_ylabel("Severity (1 = minor, 5 = most severe)")
    by = "" if rank_by == names[0] else f" of {shorten(rank_by, 24)}"
    ax_c.set_title(
        f"The {len(ranked)} slowest sectors{chr(10) if by else ' '}"
        f"(by median{by}; at least {min_n} incidents)"
        if ranked
        else f"Slowest sectors (none with at least {min_n} incidents)"
    )
    ax_c.set_ylabel("Sector")
    xmax = top_val / div * (1.2 if show_n else 1.05)
    for ax, cats in ((ax_t, types), (ax_s, sevs), (ax_c, ranked)):
        ax.set_xlabel(f"Response time ({unit})")
        ax.set_xlim(0, xmax)
        if not cats:
            no_data(ax, NO_DATA["response"] if not any(have.values()) else "No sector qualifies")
    handles = [
        Patch(
            facecolor=colour(k),
            label=f"{shorten(n, 40)}: " + ("median" if have[n] else "no response times"),
        )
        for k, n in enumerate(names)
    ]
    handles.append(
        Line2D([], [], color="#333333", marker="|", markersize=7, label="90th percentile")
    )
    legend_below(fig, handles, ncol=len(handles))
    subtitle(fig, title or "Response time (first report to team on site) by category", note)
    return fig
