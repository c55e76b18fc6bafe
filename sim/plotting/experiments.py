"""Figures of experiments: key metrics and paired differences of a comparison,
metrics against swept parameters, two-parameter heatmaps and the staffing-search
frontier. Metric names and kinds come from :data:`sim.metrics.KEY_METRICS`."""

from __future__ import annotations

import math
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..metrics import KEY_METRICS
from ..results import ResultsError
from ..units import parse_duration
from .style import _figure, _fmt_time, _legend_below, _styled, _subtitle, colour, time_unit

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
        keys = [k for k, _, kd in KEY_METRICS if kd == kind]
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
