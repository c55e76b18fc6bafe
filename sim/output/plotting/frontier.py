"""The staffing-search frontier: each constraint metric against cost for every
point an ``optimize`` run explored, the targets, the best value money can buy at
each cost and the cheapest point meeting every target."""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation

from .experiments import (
    METRIC_KIND,
    METRIC_LABEL,
    as_float,
    clip_interval,
    metric_axis,
    metric_scale,
)
from .labels import LEADER, repel
from .style import colour, fmt_time, legend_below, new_figure, shorten, styled, subtitle

BEST_FILL = "#FBE3B3"  # the pale fill of the ring round the best point of a frontier
FAILED = "#C0392B"
FAILED_LABEL = "met the targets, not on fresh replications"


@styled
def plot_frontier(
    rows: list[dict[str, Any]],
    constraints: dict[str, dict[str, float]],
    best: dict[str, Any] | None = None,
    note: str = "",
    title: str = "Staffing search",
    not_confirmed: list[dict[str, Any]] | None = None,
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
    not_confirmed : list of dict, optional
        Rows of points that met every target in the search but not on fresh
        replications: crossed out, as they are not recommended.
    """
    ms = list(constraints)
    fig = new_figure(5.2 * len(ms) + 0.6, 5.2)
    axes = fig.subplots(1, len(ms), squeeze=False)[0]
    xs = _dodged_costs(rows)
    best_row, best_x = None, math.nan
    if best is not None:
        found = next((r for r in rows if int(r["point"]) == int(best.get("point", -1))), None)
        best_row = found or best
        best_x = xs[int(found["point"])] if found else float(best["cost"])
    labels = []
    for ax, m in zip(axes, ms):
        side, limit = next(iter(constraints[m].items()))
        scale, unit = metric_scale(m, [as_float(r[f"{m}_high"]) for r in rows] + [limit])
        if best_row is not None:
            _best_ring(ax, best_x, as_float(best_row[f"{m}_mean"]) * scale)
        _frontier_points(ax, rows, m, scale, xs)
        _cross_out(ax, rows, not_confirmed or [], m, scale, xs)
        _best_at_cost(ax, rows, m, side, scale)
        _target_axis(ax, m, side, limit, scale, unit)
        labels.append(_point_labels(ax, rows, m, scale, xs, best_row))
    handles = _frontier_handles(rows, best is not None)
    if not_confirmed:
        handles.append(Line2D([], [], marker="x", linestyle="", color=FAILED, label=FAILED_LABEL))
    legend_below(fig, handles, ncol=3)
    subtitle(fig, title, note)
    for panel in labels:
        repel(fig, panel)
    return fig


# Above this many points, only those meeting every target are numbered.
LABEL_ALL = 30


def _point_labels(
    ax: Any,
    rows: list[dict[str, Any]],
    m: str,
    scale: float,
    xs: dict[int, float],
    best_row: dict[str, Any] | None,
) -> list[Annotation]:
    """Each point's number (as in frontier.csv and the report), and the cheapest
    feasible point's parameters; the best first, for :func:`repel`."""
    out = []
    if best_row is not None:
        k = int(best_row["point"])
        if k in xs:
            out.append(
                ax.annotate(
                    f"{k}: {shorten(str(best_row.get('label', '')), 44)}",
                    (xs[k], as_float(best_row[f"{m}_mean"]) * scale),
                    xytext=(10, 12),
                    textcoords="offset points",
                    fontsize=7,
                    fontweight="bold",
                    zorder=6,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85},
                    arrowprops=LEADER,
                )
            )
    shown = rows if len(rows) <= LABEL_ALL else [r for r in rows if _feasible(r)]
    for r in shown:
        k = int(r["point"])
        y = as_float(r[f"{m}_mean"]) * scale
        if (best_row is not None and k == int(best_row["point"])) or y != y:
            continue
        ann = ax.annotate(
            str(k),
            (xs[k], y),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=6.5,
            color="#333333",
            zorder=5,
            arrowprops=LEADER,
        )
        ann.arrow_patch.set_visible(False)  # shown if the number has to move away
        out.append(ann)
    return out


def _feasible(r: dict[str, Any]) -> bool:
    return bool(r["feasible"]) and r["feasible"] not in ("0", 0)


def _dodged_costs(rows: list[dict[str, Any]]) -> dict[int, float]:
    """The x of each point (by number): its cost, points of equal cost spread a little
    apart in the order of their numbers."""
    costs = sorted({float(r["cost"]) for r in rows})
    spread = (costs[-1] - costs[0]) if len(costs) > 1 else 1.0
    same: dict[float, list[int]] = {}
    for r in sorted(rows, key=lambda r: (float(r["cost"]), int(r["point"]))):
        same.setdefault(float(r["cost"]), []).append(int(r["point"]))
    return {
        p: c + (group.index(p) - (len(group) - 1) / 2) * 0.012 * spread
        for c, group in same.items()
        for p in group
    }


def _best_ring(ax: Any, x: float, y: float) -> None:
    """A ring behind the cheapest feasible point: the point and its interval stay visible."""
    ax.plot(
        x,
        y,
        marker="o",
        markersize=17,
        markerfacecolor=BEST_FILL,
        markeredgecolor=colour(1),
        markeredgewidth=2.2,
        linestyle="",
        zorder=1.5,
    )


def _frontier_points(
    ax: Any, rows: list[dict[str, Any]], m: str, scale: float, xs: dict[int, float]
) -> None:
    """Every point's mean of metric ``m`` with its interval: filled if feasible."""
    for r in rows:
        y, lo, hi = (
            v * scale
            for v in clip_interval(
                METRIC_KIND.get(m), *(as_float(r[f"{m}_{s}"]) for s in ("mean", "low", "high"))
            )
        )
        ok = _feasible(r)
        col = colour(2) if ok else "#777777"
        ax.errorbar(
            xs[int(r["point"])],
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


def _cross_out(
    ax: Any,
    rows: list[dict[str, Any]],
    failed: list[dict[str, Any]],
    m: str,
    scale: float,
    xs: dict[int, float],
) -> None:
    """A cross over each point that failed its confirmation on fresh replications."""
    for f in failed:
        r = next((r for r in rows if int(r["point"]) == int(f["point"])), None)
        if r is not None:
            y = as_float(r[f"{m}_mean"]) * scale
            ax.plot(xs[int(r["point"])], y, marker="x", markersize=11, color=FAILED, zorder=4)


def _best_at_cost(ax: Any, rows: list[dict[str, Any]], m: str, side: str, scale: float) -> None:
    """The step line of the best mean of ``m`` (lowest for a "max" limit, highest for
    a "min" limit) among the points costing at most each cost."""
    costs = sorted({float(r["cost"]) for r in rows})
    best_at = []
    run = math.inf if side == "max" else -math.inf
    for c in costs:
        for r in rows:
            if float(r["cost"]) == c:
                v = as_float(r[f"{m}_mean"])
                if v == v:
                    run = min(run, v) if side == "max" else max(run, v)
        best_at.append(run * scale)
    ax.step(costs, best_at, where="post", color=colour(0), linewidth=1.4)


def _target_axis(ax: Any, m: str, side: str, limit: float, scale: float, unit: str) -> None:
    """The target as a dashed line, the panel's title, labels and limits."""
    ax.axhline(limit * scale, color="#C0392B", linestyle="--", linewidth=1.2)
    word = "at most" if side == "max" else "at least"
    ax.set_title(
        f"{METRIC_LABEL.get(m, m)}: target {word} "
        f"{fmt_time(limit) if METRIC_KIND.get(m) == 'time' else f'{limit:.0%}'}"
    )
    ax.set_xlabel("Cost (weighted officer positions + team members)")
    ax.set_ylabel(f"{METRIC_LABEL.get(m, m)} ({unit})")
    ax.margins(x=0.06)
    metric_axis(ax, m, unit, labels=False)


def _frontier_handles(rows: list[dict[str, Any]], ringed: bool) -> list[Line2D]:
    """Legend entries for only what the figure shows."""
    handles = []
    if any(_feasible(r) for r in rows):
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", color=colour(2), label="meets every target (95%)"
            )
        )
    if not all(_feasible(r) for r in rows):
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
    if ringed:
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
                label="cheapest meeting every target, confirmed (ringed)",
            )
        )
    return handles
