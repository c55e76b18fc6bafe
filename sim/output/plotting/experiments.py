"""Figures of experiments: key metrics and paired differences of a comparison,
metrics against swept parameters and two-parameter heatmaps, and the metric scales
and axes they share with the staffing-search frontier (:mod:`.frontier`). Metric
names and kinds come from :data:`sim.metrics.KEY_METRICS`."""

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
            m, lo, hi = clip_interval(
                METRIC_KIND.get(key), as_float(m), as_float(lo), as_float(hi), diff
            )
            out.append((key, k, n, m, lo, hi, bool(r.get("significant"))))
    return out


def as_float(v: Any) -> float:
    """A value read from a results file as a float, None (no data) as NaN.

    Examples
    --------
    >>> as_float(None), as_float(3)
    (nan, 3.0)
    """
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
    # a metric no configuration has a value of (e.g. disputes where nobody dissents) is
    # left out rather than drawn as a row of "no data"
    have = {r["metric"] for r in rows if _known(r.get("diff_mean" if diff else "mean"))}
    time_keys = [k for k, _, kd in KEY_METRICS if kd == "time" and k in have]
    share_keys = [k for k, _, kd in KEY_METRICS if kd == "share" and k in have]
    hours, minutes = _time_groups(rows, names, time_keys, diff)
    left = [(keys, u) for keys, u in ((hours, "h"), (minutes, "min")) if keys]
    gs = fig.add_gridspec(len(left), 2, height_ratios=[len(k) + 0.8 for k, _ in left])
    panels = [(fig.add_subplot(gs[i, 0]), keys, "time", u) for i, (keys, u) in enumerate(left)]
    panels.append((fig.add_subplot(gs[:, 1]), share_keys, "share", "%"))
    ref = shorten(names[0], 28)
    for ax, keys, kind, unit in panels:
        data = _ci_rows(rows, names, keys, diff)
        _draw_intervals(ax, data, keys, shown, unit, diff)
        _mark_no_data(ax, data, keys, names, shown)
        _metric_rows_axis(ax, keys, kind, unit, diff, ref, split=len(left) > 1)
    handles = _metrics_handles(names, shown, diff)
    legend_below(fig, handles, ncol=min(len(handles), 5))
    default = f"Paired differences against {names[0]}" if diff else "Key metrics per configuration"
    subtitle(fig, title or default, note)
    return fig


def _known(x: Any) -> bool:
    return x is not None and x == x


def _slot(i: int, j: int, n: int) -> float:
    """The y of the ``j``-th of ``n`` configurations in the row of the ``i``-th metric."""
    h = 0.7 / max(n, 1)
    return i + (j - (n - 1) / 2) * h


def _draw_intervals(
    ax: Any, data: list[tuple], keys: list[str], shown: list[str], unit: str, diff: bool
) -> None:
    """A dot and its interval for each row of :func:`_ci_rows`, in ``unit`` (h, min
    or %); differences not significant at 5% hollow."""
    scale = {"h": 1 / 60.0, "min": 1.0, "%": 100.0}[unit]
    for key, k, n, m, lo, hi, sig in data:
        y = _slot(keys.index(key), shown.index(n), len(shown))
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


def _mark_no_data(
    ax: Any, data: list[tuple], keys: list[str], names: list[str], shown: list[str]
) -> None:
    """Write "no data" where a configuration has no value of a metric."""
    have = {(key, n) for key, _, n, m, _, _, _ in data if m == m}
    for key in keys:
        for j, n in enumerate(shown):
            if (key, n) not in have:
                ax.annotate(
                    "no data",
                    (0.01, _slot(keys.index(key), j, len(shown))),
                    xycoords=("axes fraction", "data"),
                    ha="left",
                    va="center",
                    fontsize=7,
                    color=colour(names.index(n)),
                )


def _metric_rows_axis(
    ax: Any, keys: list[str], kind: str, unit: str, diff: bool, ref: str, split: bool
) -> None:
    """Metric names down the side, the value axis, limits and the panel's title;
    ``split`` when times are in two panels (hours and minutes)."""
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
        what = {"h": "Longer times", "min": "Shorter times"}[unit] if split else "Times"
        ax.set_title(f"{what} (in {'hours' if unit == 'h' else 'minutes'})")
        ax.set_xlabel(f"Difference vs {ref} ({unit})" if diff else f"Time ({unit})")
    else:
        ax.set_xlabel(f"Difference vs {ref} (percentage points)" if diff else "Share (%)")
        ax.set_title("Shares")
        if not diff:
            ax.set_xlim(-2, 102)


def _metrics_handles(names: list[str], shown: list[str], diff: bool) -> list[Line2D]:
    """Legend entries: the configurations shown, hollow dots (differences), the interval."""
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
    return handles


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
        p["m"][r["metric"]] = (as_float(r["mean"]), as_float(r["low"]), as_float(r["high"]))
    return points


def metric_scale(key: str, values: list[float]) -> tuple[float, str]:
    """The factor from a metric's values (minutes or fractions) to its axis, and the
    axis unit: percent for shares, minutes or hours (by the largest of ``values``)
    for times.

    Examples
    --------
    >>> metric_scale("verification_rate", [0.2, 0.5])
    (100.0, '%')
    >>> scale, unit = metric_scale("response_p90", [90.0, 600.0])
    >>> 600.0 * scale, unit
    (10.0, 'h')
    """
    if METRIC_KIND.get(key) == "share":
        return 100.0, "%"
    div, unit = time_unit(max((v for v in values if v == v), default=0))
    return 1.0 / div, unit


def metric_axis(ax: Any, key: str, unit: str, labels: bool = True) -> None:
    """The value axis of a metric's panel: title and label (with ``labels``) and
    limits from zero (shares to 100%), with a little room beyond them."""
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
    xlabel, cats, xpos, groups = _sweep_axis(points, parameters)
    colours = _line_colours(len(groups))
    xs_all = sorted(set(xpos.values()))
    span = (xs_all[-1] - xs_all[0]) if len(xs_all) > 1 else 1.0
    # error bars where a band cannot be drawn or would join unrelated categories
    bars = len(groups) > 1 or cats is not None or len(xs_all) == 1
    fig, axes = metric_panels(len(metrics), 11, 3.3)
    for ax, key in zip(axes, metrics):
        missing, munit = _sweep_lines(ax, key, points, groups, xpos, colours, span, bars, cats)
        _sweep_x_axis(ax, cats, xs_all, span)
        ax.set_xlabel(xlabel)
        metric_axis(ax, key, munit)
        _mark_missing(ax, missing, len(points))
    handles = _sweep_handles(list(groups), colours, bars)
    legend_below(fig, handles, ncol=min(len(handles), 5))
    subtitle(fig, title, note)
    return fig


def metric_panels(n: int, width: float, row_height: float) -> tuple[Figure, list[Any]]:
    """A figure with one panel per metric, three to a row (fewer for fewer metrics);
    the rows it takes, and no empty panel."""
    ncols = min(3, max(n, 1))
    nrows = max(1, math.ceil(n / ncols))
    fig = new_figure(width, row_height * nrows + 0.4 * (nrows < 2))
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _sweep_axis(
    points: dict[int, dict[str, Any]], parameters: list[str]
) -> tuple[str, list[str] | None, dict[int, float], dict[str, list[int]]]:
    """The x axis of a sweep figure: its label (with the unit), the category labels
    (None on a numeric axis), the x of each point, and the points of each line, by
    the values of the other parameters (one unnamed line for a one-parameter grid or
    a variant sweep)."""
    order = sorted(points)
    if not parameters or parameters[0] == "variant":
        cats = [points[p]["label"] for p in order]
        return "Variant", cats, {p: float(i) for i, p in enumerate(order)}, {"": order}
    xname = parameters[0]
    raw = [points[p]["row"][xname] for p in order]
    distinct = list(dict.fromkeys(raw))
    nums, unit = _param_axis(distinct)
    cats = None if nums is not None else [str(v) for v in distinct]
    where = dict(zip(map(str, distinct), nums or range(len(distinct))))
    xpos = {p: float(where[str(points[p]["row"][xname])]) for p in order}
    groups: dict[str, list[int]] = {}
    for p in order:
        rest = ", ".join(f"{q}={points[p]['row'][q]}" for q in parameters[1:])
        groups.setdefault(rest, []).append(p)
    return f"{xname}{unit}", cats, xpos, groups


def _line_colours(n: int) -> list[Any]:
    """Colours of ``n`` lines of a sweep: the reference blue for one, else viridis."""
    if n == 1:
        return [colour(0)]
    cmap = matplotlib.colormaps["viridis"]
    return [cmap(0.1 + 0.75 * g / max(n - 1, 1)) for g in range(n)]


def _sweep_lines(
    ax: Any,
    key: str,
    points: dict[int, dict[str, Any]],
    groups: dict[str, list[int]],
    xpos: dict[int, float],
    colours: list[Any],
    span: float,
    bars: bool,
    cats: list[str] | None,
) -> tuple[list[float], str]:
    """Draw one metric of each line (error bars, or a band and a line); return the x
    of the points without a value and the metric's unit."""
    order = sorted(points)
    scale, munit = metric_scale(key, [points[p]["m"].get(key, (0, 0, 0))[2] for p in order])
    several = len(groups) > 1
    missing = []
    for g, pts in enumerate(groups.values()):
        dodge = (g - (len(groups) - 1) / 2) * 0.012 * span if several else 0.0
        x = np.array([xpos[p] for p in pts]) + dodge
        m = (
            np.array(
                [
                    clip_interval(METRIC_KIND.get(key), *points[p]["m"].get(key, (math.nan,) * 3))
                    for p in pts
                ]
            ).reshape(-1, 3)
            * scale
        )
        missing += [xpos[p] for p, v in zip(pts, m[:, 0]) if v != v]
        c = colours[g]
        if bars:
            ax.errorbar(
                x,
                m[:, 0],
                yerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]],
                fmt="o",
                color=c,
                capsize=3,
                markersize=4.5,
                linestyle="none" if cats is not None else "-",
                linewidth=1.2,
            )
        else:
            ax.fill_between(x, m[:, 1], m[:, 2], color=c, alpha=0.2, linewidth=0)
            ax.plot(x, m[:, 0], marker="o", color=c, markersize=4.5)
    return missing, munit


def _sweep_x_axis(ax: Any, cats: list[str] | None, xs_all: list[float], span: float) -> None:
    """Ticks and limits of the swept parameter: categories, or numbers with room
    beside the end points."""
    if cats is not None:
        ticks = [wrap(c, max(8, 60 // len(cats)), 2) for c in cats]
        ax.set_xticks(
            range(len(cats)),
            ticks,
            rotation=30 if len(cats) > 4 else 0,
            ha="right" if len(cats) > 4 else "center",
        )
        ax.set_xlim(-0.5, len(cats) - 0.5)  # room beside the end points
        return
    if len(xs_all) <= 12:
        ax.set_xticks(xs_all, [f"{v:g}" for v in xs_all])
    pad = 0.08 * span if len(xs_all) > 1 else max(abs(xs_all[0]) * 0.25, 1.0)
    ax.set_xlim(xs_all[0] - pad, xs_all[-1] + pad)


def _mark_missing(ax: Any, missing: list[float], npoints: int) -> None:
    """Write "no data" at each x without a value (once across the panel when no
    point has one)."""
    if missing and len(set(missing)) == npoints:
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
        return
    where = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
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


def _sweep_handles(names: list[str], colours: list[Any], bars: bool) -> list[Any]:
    """Legend entries: one per line (when there are several), the mean and the interval."""
    ci = "95% confidence interval"
    if len(names) > 1:
        handles: list[Any] = [
            Line2D([], [], marker="o", color=c, label=name) for name, c in zip(names, colours)
        ]
        return handles + [Line2D([], [], color="#333333", marker="|", label=ci)]
    mean = Line2D([], [], marker="o", color=colour(0), label="mean")
    if bars:
        return [mean, Line2D([], [], color="#333333", marker="|", label=ci)]
    return [mean, Patch(facecolor=colour(0), alpha=0.3, label=ci)]


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
    fig, axes = metric_panels(len(metrics), 12, 3.7)
    small = len(av) * len(bv) <= 36
    for ax, key in zip(axes, metrics):
        grid = np.full((len(av), len(bv)), np.nan)
        half = np.full((len(av), len(bv)), np.nan)
        for p in points.values():
            m, lo, hi = p["m"].get(key, (math.nan,) * 3)
            i, j = av.index(p["row"][a]), bv.index(p["row"][b])
            grid[i, j], half[i, j] = m, (hi - lo) / 2
        scale, unit = metric_scale(key, grid.ravel().tolist())
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
