"""Figures of experiments: key metrics and paired differences of a comparison,
metrics against swept parameters, two-parameter heatmaps and the staffing-search
frontier. Metric names and kinds come from :data:`sim.metrics.KEY_METRICS`."""

from __future__ import annotations

import math
from typing import Any

import matplotlib
import matplotlib.transforms
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...analysis.metrics import KEY_METRICS
from ..results import ResultsError
from ...scenario.units import parse_duration
from .style import (
    new_figure,
    fmt_time,
    legend_below,
    shorten,
    styled,
    wrap,
    subtitle,
    colour,
    time_unit,
)

METRIC_LABEL = {k: label for k, label, _ in KEY_METRICS}
METRIC_KIND = {k: kind for k, _, kind in KEY_METRICS}
BEST_FILL = "#FBE3B3"  # the pale fill of the ring round the best point of a frontier
SWEEP_METRICS = (
    "acknowledge_mean",
    "response_p90",
    "violation_to_finding_mean",
    "verification_rate",
    "within_response",
    "utilisation_teams",
)


# --------------------------------------------------------------------------- comparisons


def clip_interval(
    kind: str | None, mean: float, low: float, high: float, diff: bool = False
) -> tuple[float, float, float]:
    """An interval as displayed: cut to the possible range (shares 0-1, times at
    least 0; differences of shares -1 to 1). The files keep the raw t-interval,
    which can reach past these limits with few replications.

    Examples
    --------
    >>> clip_interval("share", 0.617, 0.224, 1.01)
    (0.617, 0.224, 1.0)
    >>> clip_interval("time", 1400.0, -2838.0, 5610.0)
    (1400.0, 0.0, 5610.0)
    >>> clip_interval("time", -60.0, -200.0, 80.0, diff=True)
    (-60.0, -200.0, 80.0)
    """
    if kind == "share":
        lo_lim, hi_lim = (-1.0, 1.0) if diff else (0.0, 1.0)
    elif not diff:
        lo_lim, hi_lim = 0.0, math.inf
    else:
        return mean, low, high

    def cut(v: float) -> float:
        return v if v != v else min(max(v, lo_lim), hi_lim)

    return mean, cut(low), cut(high)


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
            m, lo, hi = clip_interval(METRIC_KIND.get(key), _num(m), _num(lo), _num(hi), diff)
            out.append((key, k, n, m, lo, hi, bool(r.get("significant"))))
    return out


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _time_groups(
    rows: list[dict[str, Any]], names: list[str], keys: list[str], diff: bool
) -> tuple[list[str], list[str]]:
    """Time metrics shown in hours and those shown in minutes (every shown value
    under two hours), so that short times do not sit on the zero line."""
    hours, minutes = [], []
    data = _ci_rows(rows, names, keys, diff)
    for key in keys:
        big = [abs(m) for k_, _, _, m, _, _, _ in data if k_ == key and m == m]
        (minutes if big and max(big) < 120 else hours).append(key)
    return hours, minutes


@styled
def plot_metrics(
    rows: list[dict[str, Any]],
    names: list[str],
    diff: bool = False,
    note: str = "",
    title: str | None = None,
) -> Figure:
    """Every key metric per configuration with its 95% CI (or, with ``diff``, the
    paired difference against the first configuration). Times of two hours and
    more are in an hours panel, shorter ones in a minutes panel; intervals are cut
    to the possible range (:func:`clip_interval`).

    Parameters
    ----------
    rows : list of dict
        Tidy rows as in ``comparison.json``: ``metric``, ``configuration``, ``mean``,
        ``low``, ``high`` (minutes or fractions), ``diff_mean``, ``diff_low``,
        ``diff_high``, ``significant``.
    names : list of str
        Configurations in order (the first is the reference).
    """
    fig = new_figure(11, 6.8)
    shown = [n for n in names[1:]] if diff else names
    h = 0.7 / max(len(shown), 1)
    time_keys = [k for k, _, kd in KEY_METRICS if kd == "time"]
    share_keys = [k for k, _, kd in KEY_METRICS if kd == "share"]
    hours, minutes = _time_groups(rows, names, time_keys, diff)
    left = [(keys, u) for keys, u in ((hours, "h"), (minutes, "min")) if keys]
    gs = fig.add_gridspec(len(left), 2, height_ratios=[len(k) + 0.8 for k, _ in left])
    panels = [(fig.add_subplot(gs[i, 0]), keys, "time", u) for i, (keys, u) in enumerate(left)]
    panels.append((fig.add_subplot(gs[:, 1]), share_keys, "share", "%"))
    ref = shorten(names[0], 28)
    for ax, keys, kind, unit in panels:
        data = _ci_rows(rows, names, keys, diff)
        scale = {"h": 1 / 60.0, "min": 1.0, "%": 100.0}[unit]
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
        have = {(key, n) for key, _, n, m, _, _, _ in data if m == m}
        for key in keys:
            for j, n in enumerate(shown):
                if (key, n) not in have:
                    ax.annotate(
                        "no data",
                        (0.01, keys.index(key) + (j - (len(shown) - 1) / 2) * h),
                        xycoords=("axes fraction", "data"),
                        ha="left",
                        va="center",
                        fontsize=7,
                        color=colour(names.index(n)),
                    )
        ax.set_yticks(range(len(keys)), [METRIC_LABEL[k] for k in keys])
        ax.set_ylabel("Metric")
        ax.set_ylim(len(keys) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        if diff:
            ax.axvline(0, color="#333333", linewidth=1)
        elif kind == "time":
            right = ax.get_xlim()[1]
            ax.set_xlim(-0.02 * right, right)  # a dot at zero stays off the spine
        if kind == "time":
            what = (
                "Times" if len(left) == 1 else {"h": "Longer times", "min": "Shorter times"}[unit]
            )
            ax.set_title(f"{what} (in {'hours' if unit == 'h' else 'minutes'})")
            ax.set_xlabel(f"Difference vs {ref} ({unit})" if diff else f"Time ({unit})")
        else:
            ax.set_xlabel(f"Difference vs {ref} (percentage points)" if diff else "Share (%)")
            ax.set_title("Shares")
            if not diff:
                ax.set_xlim(-2, 102)
    handles = [
        Line2D([], [], marker="o", color=colour(names.index(n)), label=shorten(n, 40), markersize=6)
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
    ci = "95% confidence interval" + ("" if diff else " (cut at the possible range)")
    handles.append(Line2D([], [], color="#333333", marker="|", label=ci))
    legend_below(fig, handles, ncol=min(len(handles), 5))
    default = f"Paired differences against {names[0]}" if diff else "Key metrics per configuration"
    subtitle(fig, title or default, note)
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


def sweep_table(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
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


def _metric_axis(ax: Any, key: str, unit: str, labels: bool = True) -> None:
    label = METRIC_LABEL.get(key, key)
    if labels:
        ax.set_title(label)
        ax.set_ylabel(f"{label.split(',')[0]} ({unit})")
    # intervals are cut at the possible range; a little room beyond it keeps points
    # at 0 (or 100%) off the spines
    if METRIC_KIND.get(key) == "share":
        ax.set_ylim(-2, 102)
    else:
        top = ax.get_ylim()[1]
        ax.set_ylim(-0.02 * top, top)


@styled
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
    points = sweep_table(rows)
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
    # error bars where a band cannot be drawn or would join unrelated categories
    bars = variants or several or cats is not None or len(xs_all) == 1
    fig = new_figure(11, 6.6)
    axes = fig.subplots(2, 3).ravel()
    for ax, key in zip(axes, metrics):
        scale, munit = _metric_scale(key, [points[p]["m"].get(key, (0, 0, 0))[2] for p in order])
        missing = []
        for g, pts in enumerate(groups.values()):
            dodge = (g - (len(groups) - 1) / 2) * 0.012 * span if several else 0.0
            x = np.array([xpos[p] for p in pts]) + dodge
            m = (
                np.array(
                    [
                        clip_interval(
                            METRIC_KIND.get(key), *points[p]["m"].get(key, (math.nan,) * 3)
                        )
                        for p in pts
                    ]
                ).reshape(-1, 3)
                * scale
            )
            missing += [xpos[p] for p, v in zip(pts, m[:, 0]) if v != v]
            c = gcolour(g)
            if bars:
                ax.errorbar(
                    x,
                    m[:, 0],
                    yerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]],
                    fmt="o",
                    color=c,
                    capsize=3,
                    markersize=4.5,
                    linestyle="none" if (variants or cats is not None) else "-",
                    linewidth=1.2,
                )
            else:
                ax.fill_between(x, m[:, 1], m[:, 2], color=c, alpha=0.2, linewidth=0)
                ax.plot(x, m[:, 0], marker="o", color=c, markersize=4.5)
        if cats is not None:
            ticks = [wrap(c, max(8, 60 // len(cats)), 2) for c in cats]
            ax.set_xticks(
                range(len(cats)),
                ticks,
                rotation=30 if len(cats) > 4 else 0,
                ha="right" if len(cats) > 4 else "center",
            )
            ax.set_xlim(-0.5, len(cats) - 0.5)  # room beside the end points
        else:
            if len(xs_all) <= 12:
                ax.set_xticks(xs_all, [f"{v:g}" for v in xs_all])
            pad = 0.08 * span if len(xs_all) > 1 else max(abs(xs_all[0]) * 0.25, 1.0)
            ax.set_xlim(xs_all[0] - pad, xs_all[-1] + pad)
        ax.set_xlabel(f"{xname}{unit}")
        _metric_axis(ax, key, munit)
        where = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
        if missing and len(set(missing)) == len(order):
            ax.text(
                0.5,
                0.5,
                "no data at any point",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8.5,
                color="#555555",
            )
        else:
            for x0 in sorted(set(missing)):
                ax.text(
                    x0,
                    0.04,
                    "no data",
                    transform=where,
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    color="#555555",
                )
    if several:
        handles = [
            Line2D([], [], marker="o", color=gcolour(g), label=name)
            for g, name in enumerate(groups)
        ]
        handles.append(Line2D([], [], color="#333333", marker="|", label="95% confidence interval"))
    elif bars:
        handles = [
            Line2D([], [], marker="o", color=colour(0), label="mean"),
            Line2D([], [], color="#333333", marker="|", label="95% confidence interval"),
        ]
    else:
        handles = [
            Line2D([], [], marker="o", color=colour(0), label="mean"),
            Patch(facecolor=colour(0), alpha=0.3, label="95% confidence interval"),
        ]
    legend_below(fig, handles, ncol=min(len(handles), 5))
    subtitle(fig, title, note)
    return fig


@styled
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
    points = sweep_table(rows)
    a, b = parameters
    av = list(dict.fromkeys(points[p]["row"][a] for p in sorted(points)))
    bv = list(dict.fromkeys(points[p]["row"][b] for p in sorted(points)))
    fig = new_figure(12, 7.4)
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
    subtitle(fig, title, note + "; cells: mean and ± 95% CI half-width")
    return fig


@styled
def plot_frontier(
    rows: list[dict[str, Any]],
    constraints: dict[str, dict[str, float]],
    best: dict[str, Any] | None = None,
    note: str = "",
    title: str = "Staffing search",
) -> Figure:
    """Each constraint metric (with 95% CI) against cost for every point explored;
    feasible points filled, the limit dashed, the best reachable value at or below
    each cost as a step line, the cheapest feasible point ringed (the ring behind the
    point, so the point and its interval stay visible). Intervals are cut to the
    possible range (:func:`clip_interval`).

    Parameters
    ----------
    rows : list of dict
        As in ``frontier.json``: ``point``, ``cost``, ``feasible``,
        ``<metric>_mean``, ``<metric>_low``, ``<metric>_high``.
    constraints : dict
        ``{metric: {"max" | "min": limit}}`` in minutes or fractions.
    """
    ms = list(constraints)
    fig = new_figure(5.2 * len(ms) + 0.6, 5.2)
    axes = fig.subplots(1, len(ms), squeeze=False)[0]
    costs = sorted({float(r["cost"]) for r in rows})
    spread = (costs[-1] - costs[0]) if len(costs) > 1 else 1.0
    same: dict[float, list[int]] = {}
    for r in sorted(rows, key=lambda r: (float(r["cost"]), int(r["point"]))):
        same.setdefault(float(r["cost"]), []).append(int(r["point"]))

    def dodged(r: dict[str, Any]) -> float:
        c = float(r["cost"])
        group = same[c]
        return c + (group.index(int(r["point"])) - (len(group) - 1) / 2) * 0.012 * spread

    def feasible(r: dict[str, Any]) -> bool:
        return bool(r["feasible"]) and r["feasible"] not in ("0", 0)

    best_row, best_x = None, math.nan
    if best is not None:
        found = next((r for r in rows if int(r["point"]) == int(best.get("point", -1))), None)
        best_row = found or best
        best_x = dodged(found) if found else float(best["cost"])
    for ax, m in zip(axes, ms):
        side, limit = next(iter(constraints[m].items()))
        vals = [_num(r[f"{m}_high"]) for r in rows] + [limit]
        scale, unit = _metric_scale(m, vals)
        if best_row is not None:
            # a ring behind the point: the point and its interval stay visible
            ax.plot(
                best_x,
                _num(best_row[f"{m}_mean"]) * scale,
                marker="o",
                markersize=17,
                markerfacecolor=BEST_FILL,
                markeredgecolor=colour(1),
                markeredgewidth=2.2,
                linestyle="",
                zorder=1.5,
            )
        for r in rows:
            x = dodged(r)
            y, lo, hi = (
                v * scale
                for v in clip_interval(
                    METRIC_KIND.get(m), *(_num(r[f"{m}_{s}"]) for s in ("mean", "low", "high"))
                )
            )
            ok = feasible(r)
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
                zorder=3,
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
        word = "at most" if side == "max" else "at least"
        ax.set_title(
            f"{METRIC_LABEL.get(m, m)}: target {word} "
            f"{fmt_time(limit) if METRIC_KIND.get(m) == 'time' else f'{limit:.0%}'}"
        )
        ax.set_xlabel("Cost (weighted officer positions + team members)")
        ax.set_ylabel(f"{METRIC_LABEL.get(m, m)} ({unit})")
        ax.margins(x=0.06)
        _metric_axis(ax, m, unit, labels=False)
    # only what the figure shows
    handles = []
    if any(feasible(r) for r in rows):
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", color=colour(2), label="meets every target (95%)"
            )
        )
    if not all(feasible(r) for r in rows):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#777777",
                label="misses a target",
            )
        )
    handles += [
        Line2D([], [], color=colour(0), label="best mean at or below this cost"),
        Line2D([], [], color="#C0392B", linestyle="--", label="target"),
    ]
    if best is not None:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=12,
                markerfacecolor=BEST_FILL,
                markeredgecolor=colour(1),
                markeredgewidth=2.0,
                label="cheapest meeting every target (ringed)",
            )
        )
    legend_below(fig, handles, ncol=3)
    subtitle(fig, title, note)
    return fig
