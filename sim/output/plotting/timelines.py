"""Timelines over simulated time (days, or dates when the scenario has a calendar):
daily means over the whole run, one week hour by hour, and the violations per day,
as stacked panels sharing the time axis."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..results import (
    PARTIES,
    RunData,
    daily_means,
    daily_violations,
    daily_violations_by_region,
    team_counts,
    week_window,
)
from .style import DESK_COLOURS, new_figure, legend_below, shorten, styled, subtitle, colour

NO_TEAMS = "No teams (teams disabled or no team bases): no team was ever busy"


def _width(k: int, n: int) -> float:
    """Line width of the ``k``-th of ``n`` configurations: earlier ones wider, so that
    identical curves (shared random numbers) leave the reference visible underneath."""
    return 1.3 + 1.1 * (n - 1 - k)


def _teams_panel(panel: dict[str, Any], runs: list[RunData]) -> None:
    """Mark the teams panel of runs without teams: a message instead of an empty axis,
    or " (no teams)" after the name of a configuration without."""
    totals = [sum(team_counts(r.scenario).values()) for r in runs]
    if not any(totals):
        panel["message"] = NO_TEAMS
        return
    for ln, run, total in zip(panel["lines"], runs, totals):
        if not total and len(runs) > 1:
            ln["label"] = f"{shorten(run.name)} (no teams)"


@styled
def plot_timeline(
    panels: list[dict[str, Any]],
    warmup_days: float | None = None,
    shade: list[tuple[float, float]] | tuple = (),
    shade_label: str = "reduced staffing",
    day_ticks: bool = False,
    xlim: tuple[float, float] | None = None,
    note: str = "",
    title: str = "Timeline",
    start: dt.datetime | None = None,
) -> Figure:
    """Stacked panels over simulated time (days), sharing the time axis.

    Parameters
    ----------
    panels : list of dict
        Each ``{"title", "ylabel", "lines": [{"label", "colour", "x", "y", "low"?,
        "high"?, "step"?, "style"?, "width"?}], "message"?}``; x in days.
        ``low``/``high`` draw a band; a panel with a ``message`` (e.g. no teams)
        writes it instead of its lines.
    warmup_days : float, optional
        Shades the warm-up (not measured) when it lies within the axis.
    shade : list of (start, end)
        Intervals in days to shade (e.g. hours of reduced staffing).
    day_ticks : bool
        Label every day at midnight, with minor ticks every 6 hours.
    xlim : (float, float), optional
        Time axis limits in days (default: the data's).
    start : datetime.datetime, optional
        The calendar date of day 0: the time axis then shows dates.
    """
    if start is not None:
        panels, shade, warmup_days, xlim = _to_dates(panels, shade, warmup_days, xlim, start)
    fig = new_figure(10, max(2.1 * len(panels) + 1.4, 5.0))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    xs = [np.asarray(ln["x"], float) for p in panels for ln in p["lines"] if len(ln["x"])]
    xmin, xmax = xlim or (
        min((x.min() for x in xs), default=0),
        max((x.max() for x in xs), default=1),
    )
    warmup = bool(warmup_days and warmup_days > xmin)
    for ax, p in zip(axes, panels):
        _shade_spans(ax, shade, warmup_days if warmup else None, xmin, xmax)
        ax.set_title(p["title"], loc="left")
        ax.set_ylabel(p["ylabel"])
        if p.get("message"):
            _panel_message(ax, p["message"])
            continue
        for ln in p["lines"]:
            _draw_line(ax, ln)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    _time_axis(axes[-1], xmin, xmax, day_ticks, start)
    extra = []
    if shade:
        extra.append(Patch(facecolor="#9fb3c8", alpha=0.5, label=shade_label))
    if warmup:
        extra.append(
            Patch(
                facecolor="white", edgecolor="#999999", hatch="//", label="warm-up (not measured)"
            )
        )
    if extra:
        legend_below(fig, extra, ncol=len(extra))
    subtitle(fig, title, note)
    return fig


def _shade_spans(
    ax: Any,
    shade: list[tuple[float, float]] | tuple,
    warmup_days: float | None,
    xmin: float,
    xmax: float,
) -> None:
    """Shade the intervals of ``shade`` and hatch the warm-up (when given), up to a
    dashed line where it ends; times in days."""
    for a, b in shade:
        ax.axvspan(a, b, color="#9fb3c8", alpha=0.25, linewidth=0)
    if warmup_days is None:
        return
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


def _panel_message(ax: Any, message: str) -> None:
    """A message across a panel without lines (e.g. no teams)."""
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=9,
        color="#555555",
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f4f4f4", "edgecolor": "#cccccc"},
    )


def _draw_line(ax: Any, ln: dict[str, Any]) -> None:
    """One line of a panel (see :func:`plot_timeline`): its band, then the line or steps."""
    x, y = np.asarray(ln["x"], float), np.asarray(ln["y"], float)
    lw = ln.get("width", 1.3)
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
    style = {"color": ln["colour"], "label": ln["label"], "linewidth": lw}
    if ln.get("step"):
        ax.step(x, y, where="post", **style, linestyle=ln.get("style", "-"))
    else:
        ax.plot(x, y, **style, linestyle=ln.get("style", "-"))


def _to_dates(panels, shade, warmup_days, xlim, start: dt.datetime):
    """Days since the start as matplotlib date numbers (days since 1970), so that the
    axis can show calendar dates."""
    zero = float(mdates.date2num(start))
    moved = []
    for p in panels:
        lines = [{**ln, "x": np.asarray(ln["x"], float) + zero} for ln in p["lines"]]
        moved.append({**p, "lines": lines})
    shade = [(a + zero, b + zero) for a, b in shade]
    warmup = None if warmup_days is None else warmup_days + zero
    lim = None if xlim is None else (xlim[0] + zero, xlim[1] + zero)
    return moved, shade, warmup, lim


def _time_axis(
    ax: Any, xmin: float, xmax: float, day_ticks: bool, start: dt.datetime | None = None
) -> None:
    """The shared time axis (on the bottom panel): limits, label and, with
    ``day_ticks``, a tick labelled at each midnight and minor ticks every 6 hours;
    with a ``start``, calendar dates."""
    ax.set_xlim(xmin, xmax)
    if start is not None:
        ax.set_xlabel(f"Date (local time; day 0 is {start:%d %b %Y})")
        if day_ticks:
            ax.xaxis.set_major_locator(mdates.DayLocator())
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
            ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
        else:
            locator = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlim(xmin, xmax)
        return
    ax.set_xlabel("Simulated time (days since the start)")
    if day_ticks:
        ticks = np.arange(math.ceil(xmin), math.floor(xmax) + 1)
        ax.set_xticks(ticks, [f"day {int(t)}" for t in ticks])
        minor = np.arange(math.ceil(xmin * 4), math.floor(xmax * 4) + 1) / 4.0
        ax.set_xticks(minor, minor=True)
        ax.set_xlim(xmin, xmax)


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
        name = shorten(run.name)

        def line(col, label, col_colour, with_band=band, s=s, k=k):
            d = daily_means(s, col)
            return {
                "label": label,
                "colour": col_colour,
                "x": d["day"],
                "y": d["mean"],
                "low": d["low"] if with_band else None,
                "high": d["high"] if with_band else None,
                "width": _width(k, len(runs)) if several else 1.3,
            }

        if several:
            panels[0]["lines"].append(line(tuple(f"queue_{p}" for p in PARTIES), name, colour(k)))
        else:
            for p in PARTIES:
                panels[0]["lines"].append(line(f"queue_{p}", f"{p} desk", DESK_COLOURS[p], False))
        panels[1]["lines"].append(line("teams_busy", name if several else "teams busy", colour(k)))
        panels[2]["lines"].append(line("incidents_open", name if several else "open", colour(k)))
    total = sum(team_counts(runs[0].scenario).values())
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
    _teams_panel(panels[1], runs)
    if band and runs[0].replications > 1:
        for p in panels[1:]:
            if not p.get("message"):
                p["title"] += f" (band: lowest to highest of {runs[0].replications} replications)"
    return panels


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
        name = shorten(run.name)
        width = _width(k, len(runs)) if several else 1.3

        def ln(y, label, col, step=False, style="-", x=x, width=width):
            return {
                "label": label,
                "colour": col,
                "x": x,
                "y": y,
                "step": step,
                "style": style,
                "width": width,
            }

        if several:
            panels[0]["lines"].append(ln(sum(s[f"queue_{p}"][m] for p in PARTIES), name, c))
            panels[1]["lines"].append(
                ln(sum(s[f"on_duty_{p}"][m] for p in PARTIES), name, c, step=True)
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
        panels[2]["lines"].append(ln(s["teams_busy"][m], name if several else "teams busy", c))
        panels[3]["lines"].append(ln(s["incidents_open"][m], name if several else "open", c))
    total = sum(team_counts(runs[0].scenario).values())
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
    _teams_panel(panels[2], runs)
    return panels


def violation_panels(runs: list[RunData]) -> list[dict[str, Any]]:
    """Panels of line violations per day: each configuration's mean over replications
    (for one run with a band from the lowest to the highest replication), and a second
    panel at the monitors' scale (shots and explosions) when violations have sizes."""
    several = len(runs) > 1
    panels = [{"title": "Line violations per day (incidents)", "ylabel": "Violations", "lines": []}]
    sized = any("size" in r.tables["violations"] for r in runs)
    if sized:
        panels.append(
            {
                "title": "Shots and explosions per day (the monitors' scale)",
                "ylabel": "Count",
                "lines": [],
            }
        )
    for k, run in enumerate(runs):
        d = daily_violations(run)
        band = run.replications > 1 and not several
        for panel, scale in zip(panels, ("violations", "size")):
            panel["lines"].append(
                {
                    "label": shorten(run.name) if several else "mean over replications",
                    "colour": colour(k),
                    "x": d["day"],
                    "y": d[scale]["mean"],
                    "low": d[scale]["low"] if band else None,
                    "high": d[scale]["high"] if band else None,
                    "step": True,
                    "width": _width(k, len(runs)) if several else 1.3,
                }
            )
    if runs[0].replications > 1 and not several:
        for p in panels:
            p["title"] += f" (band: lowest to highest of {runs[0].replications} replications)"
    regions = daily_violations_by_region(runs[0]) if not several else {}
    if len(regions) > 1:
        lines = [
            {
                "label": name or "(no region)",
                "colour": colour(k),
                "x": d["day"],
                "y": d["mean"],
                "step": True,
            }
            for k, (name, d) in enumerate(regions.items())
        ]
        panels.append(
            {
                "title": "Line violations per day by region (mean over replications)",
                "ylabel": "Violations",
                "lines": lines,
            }
        )
    return panels
