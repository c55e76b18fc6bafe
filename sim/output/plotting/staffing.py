"""Desk load by hour of the day with the staffing plan drawn over it: where a thin
shift (the night) meets the work that arrives in its hours."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..results import PARTIES, RunData, hourly_load
from .style import DESK_COLOURS, colour, fmt_time, legend_below, new_figure, shorten, styled
from .style import subtitle

HOURS = np.arange(25.0)  # bar edges: one bar per hour of the day
MINUTES = np.arange(1441.0) / 60.0  # edges of the per-minute staffing plan, in hours
PLAN_COLOUR = "#222222"


def hourly_loads(runs: list[RunData]) -> list[dict[str, Any]]:
    """The data of :func:`plot_hourly`: each configuration's name and
    :func:`sim.output.results.hourly_load`."""
    return [{"name": r.name, "desks": hourly_load(r)} for r in runs]


@styled
def plot_hourly(loads: list[dict[str, Any]], note: str = "", title: str | None = None) -> Figure:
    """Per desk: mean officers busy in each hour of the day with the officers on duty
    per the shift plan drawn over them (top), and the mean reports waiting for
    triage (bottom).

    Parameters
    ----------
    loads : list of dict
        One per configuration, the reference first: ``{"name", "desks": {desk:
        {"busy": 24 values, "queue": 24 values, "on_duty": 1440 values}}}``
        (officers and reports; ``on_duty`` per minute of the day).

    One configuration is drawn as bars in the desk's colour under a black step
    line; several as step lines in their colours (busy solid, on duty dashed).
    """
    fig = new_figure(12, 6.9)
    axes = fig.subplots(2, len(PARTIES), sharex=True, height_ratios=[3, 2])
    several = len(loads) > 1
    for j, p in enumerate(PARTIES):
        top, bottom = axes[0, j], axes[1, j]
        for k, load in enumerate(loads):
            d = load["desks"][p]
            if several:
                _config_steps(top, bottom, d, k, len(loads))
            else:
                _desk_bars(top, bottom, d, DESK_COLOURS[p])
        top.set_title(f"{p} desk: officers busy and on duty", loc="left")
        bottom.set_title(f"{p} desk: reports waiting for triage", loc="left")
        bottom.set_xlabel("Time of day (h)")
        top.set_ylabel("Officers")
        bottom.set_ylabel("Reports waiting")
    for row, room in zip(axes, (1.08, 1.0)):
        top = max(ax.get_ylim()[1] for ax in row)  # one scale across the desks
        for ax in row:
            ax.set_xlim(0, 24)
            ax.set_xticks(np.arange(0, 25, 3), [f"{h:d}" for h in range(0, 25, 3)])
            ax.set_xticks(HOURS, minor=True)
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.set_ylim(0, top * room)
    legend_below(fig, _hourly_handles(loads), ncol=4)
    subtitle(fig, title or "Desk load by hour of the day, with the shift plan", note)
    return fig


def _desk_bars(top: Any, bottom: Any, d: dict[str, np.ndarray], desk_colour: str) -> None:
    """One run's desk: bars of busy officers and reports waiting, the plan's step."""
    bar = {"width": 1.0, "align": "edge", "edgecolor": "white", "linewidth": 0.7}
    top.bar(HOURS[:-1], np.nan_to_num(d["busy"]), color=desk_colour, alpha=0.75, **bar)
    top.stairs(d["on_duty"], MINUTES, color=PLAN_COLOUR, linewidth=2.0, baseline=None)
    bottom.bar(HOURS[:-1], np.nan_to_num(d["queue"]), color=desk_colour, alpha=0.45, **bar)


def _config_steps(top: Any, bottom: Any, d: dict[str, np.ndarray], k: int, n: int) -> None:
    """Configuration ``k`` of ``n`` on a desk's panels: busy (solid) and on duty
    (dashed) officers, reports waiting; earlier configurations wider, so that equal
    curves leave the reference visible."""
    c, lw = colour(k), 1.2 + 1.0 * (n - 1 - k)
    top.stairs(np.nan_to_num(d["busy"]), HOURS, color=c, linewidth=lw, baseline=None)
    top.stairs(d["on_duty"], MINUTES, color=c, linewidth=lw, linestyle="--", baseline=None)
    bottom.stairs(np.nan_to_num(d["queue"]), HOURS, color=c, linewidth=lw, baseline=None)
    if k == 0:
        top.stairs(np.nan_to_num(d["busy"]), HOURS, color=c, alpha=0.15, fill=True)


def _hourly_handles(loads: list[dict[str, Any]]) -> list[Any]:
    """Legend entries: what the bars and the line are (one run), or the
    configurations and the two line styles (several)."""
    if len(loads) == 1:
        grey = "#8c8c8c"
        return [
            Patch(facecolor=grey, alpha=0.75, label="officers busy (mean of the hour's samples)"),
            Line2D([], [], color=PLAN_COLOUR, linewidth=2, label="officers on duty (shift plan)"),
            Patch(facecolor=grey, alpha=0.45, label="reports waiting (mean)"),
        ]
    handles: list[Any] = [
        Line2D([], [], color=colour(k), linewidth=2, label=shorten(ld["name"], 40))
        for k, ld in enumerate(loads)
    ]
    return handles + [
        Line2D([], [], color="#555555", label="officers busy (solid)"),
        Line2D([], [], color="#555555", linestyle="--", label="on duty per the plan (dashed)"),
    ]


def hourly_title(interval: float) -> str:
    """The title of the hourly figure, with the sampling interval (minutes)."""
    every = f"{interval / 60:g} h" if interval % 60 == 0 else fmt_time(interval)
    return (
        "Desk load by hour of the day, with the shift plan drawn over it "
        f"(time series sampled every {every}, after the warm-up)"
    )
