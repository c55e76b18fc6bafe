"""Figures of a fit (``cfsim fit``): the data and its regimes over time, and the data's
dispersion, autocorrelation, concentration and inter-event times against logs simulated
from the fit. Every function takes plain data (:func:`sim.output.fitpage.plot_data`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import colour, legend_below, new_figure, no_data, styled, subtitle

DATA = "#000000"
SIM = "#0072B2"


def _dates(start: dt.datetime, days: np.ndarray) -> np.ndarray:
    return float(mdates.date2num(start)) + np.asarray(days, dtype=float)


@styled
def plot_fit_series(d: dict[str, Any], note: str = "") -> Figure:
    """Events per week of the data, and the chance of each fitted regime day by day."""
    fig = new_figure(10, 6.2)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.2, 1.0])
    weeks = np.asarray(d["weekly"], dtype=float)
    x = _dates(d["start"], np.arange(weeks.size) * 7)
    top.step(x, weeks, where="post", color=DATA, linewidth=1.1, label="data: events per week")
    top.axhline(d["mean_per_day"] * 7, color="#777777", linestyle=":", label="mean")
    top.set_title("Events per week in the log", loc="left")
    top.set_ylabel("Events (per week)")
    top.set_ylim(bottom=0)
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    post = np.asarray(d["posterior"], dtype=float)
    xd = _dates(d["start"], np.arange(post.shape[0]))
    bottom.stackplot(
        xd,
        post.T,
        colors=[colour(k) for k in range(post.shape[1])],
        labels=[f"{n} (x{m:.2f})" for n, m in zip(d["regimes"], d["multipliers"])],
        alpha=0.75,
        step="post",
    )
    bottom.set_ylim(0, 1)
    bottom.set_title("Chance of each regime given the whole log (fitted model)", loc="left")
    bottom.set_ylabel("Chance (0-1)")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    locator = mdates.AutoDateLocator()
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    bottom.set_xlabel("Date (local)")
    bottom.set_xlim(xd[0], xd[-1] + 1)
    subtitle(fig, "The data over time and the fitted regimes", note)
    return fig


def _histogram(ax, sim: np.ndarray, value: float, title: str, xlabel: str) -> None:
    sim = sim[np.isfinite(sim)]
    if sim.size == 0 or not np.isfinite(value):
        no_data(ax, "not defined for these counts (e.g. a median of 0)")
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Simulated logs (count)")
        return
    lo, hi = np.percentile(sim, [2.5, 97.5])
    ax.hist(sim, bins=30, color=SIM, alpha=0.55, label="simulated logs")
    ax.axvspan(lo, hi, color=SIM, alpha=0.1, label="95% of simulated")
    ax.axvline(value, color=DATA, linewidth=2, label="data")
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Simulated logs (count)")


@styled
def plot_fit_dispersion(d: dict[str, Any], note: str = "") -> Figure:
    """The index of dispersion of daily and weekly counts and the p95/median of daily
    counts: the data against the logs simulated from the fit."""
    panels = [
        ("dispersion", "Daily counts", "Variance / mean (ratio)"),
        ("weekly_dispersion", "Weekly counts", "Variance / mean (ratio)"),
        ("monthly_dispersion", "30-day counts", "Variance / mean (ratio)"),
    ]
    if np.isfinite(d["data"]["p95_over_median"]):  # a median of 0 (a sparse log) has none
        panels.append(("p95_over_median", "Daily counts", "p95 / median (ratio)"))
    fig = new_figure(3.6 * len(panels) + 0.6, 4.4)
    axes = fig.subplots(1, len(panels))
    for ax, (key, title, xlabel) in zip(axes, panels):
        _histogram(ax, np.asarray(d["sim"][key], float), d["data"][key], title, xlabel)
    handles = [
        Patch(color=SIM, alpha=0.55, label="simulated logs"),
        Patch(color=SIM, alpha=0.1, label="95% of simulated"),
        Line2D([], [], color=DATA, linewidth=2, label="data"),
    ]
    legend_below(fig, handles, ncol=3)
    subtitle(fig, "Dispersion: the data against logs simulated from the fit", note)
    return fig


@styled
def plot_fit_autocorrelation(d: dict[str, Any], note: str = "") -> Figure:
    """Autocorrelation of daily counts by lag: the data against the simulated band."""
    fig = new_figure(10, 4.8)
    ax = fig.subplots()
    lags = np.asarray(d["lags"])
    sim = np.asarray(d["sim_acf"], dtype=float)
    lo, hi = np.nanpercentile(sim, [2.5, 97.5], axis=0)
    ax.fill_between(lags, lo, hi, color=SIM, alpha=0.2, label="95% of simulated logs")
    ax.plot(lags, np.nanmean(sim, axis=0), color=SIM, label="simulated mean")
    if d.get("theory") is not None:
        ax.plot(lags, d["theory"], color=SIM, linestyle="--", label="theory (infinite log)")
    ax.plot(lags, d["data_acf"], "o", color=DATA, markersize=4, label="data")
    ax.axhline(0, color="#777777", linewidth=0.8)
    ax.set_title("Autocorrelation of daily counts", loc="left")
    ax.set_xlabel("Lag (days)")
    ax.set_ylabel("Autocorrelation (-1 to 1)")
    ax.legend(loc="upper right")
    subtitle(fig, "Persistence: the data against logs simulated from the fit", note)
    return fig


@styled
def plot_fit_concentration(d: dict[str, Any], note: str = "") -> Figure:
    """Share of events at the busiest, second busiest, ... sector: data and simulated."""
    fig = new_figure(10, 4.8)
    ax = fig.subplots()
    data = np.sort(np.asarray(d["node_counts"], float))[::-1]
    sims = -np.sort(-np.asarray(d["sim_node_counts"], float), axis=1)
    share = data / max(data.sum(), 1)
    sim_share = sims / np.maximum(sims.sum(axis=1, keepdims=True), 1)
    rank = np.arange(1, data.size + 1)
    lo, hi = np.percentile(sim_share, [2.5, 97.5], axis=0)
    ax.fill_between(rank, lo, hi, color=SIM, alpha=0.2, step="mid", label="95% of simulated")
    ax.step(rank, sim_share.mean(axis=0), where="mid", color=SIM, label="simulated mean")
    ax.bar(rank, share, color=DATA, alpha=0.45, width=0.6, label="data")
    ax.set_title(
        f"Top-5 share {d['data']['top5_share']:.0%} (simulated {d['sim_mean']['top5_share']:.0%}),"
        f" Gini {d['data']['gini']:.2f} (simulated {d['sim_mean']['gini']:.2f})",
        loc="left",
    )
    ax.set_xlabel("Sector, busiest first (rank)")
    ax.set_ylabel("Share of events (0-1)")
    ax.legend(loc="upper right")
    subtitle(fig, "Concentration on places: the data against logs simulated from the fit", note)
    return fig


@styled
def plot_fit_gaps(d: dict[str, Any], note: str = "") -> Figure:
    """Distribution of the days between consecutive events: data and simulated band."""
    fig = new_figure(10, 4.8)
    ax = fig.subplots()
    top = int(max(30, np.percentile(d["data_gaps"], 99) if len(d["data_gaps"]) else 30))
    grid = np.arange(top + 1)

    def ecdf(g: np.ndarray) -> np.ndarray:
        g = np.asarray(g)
        return np.searchsorted(np.sort(g), grid, side="right") / max(g.size, 1)

    sims = np.array([ecdf(g) for g in d["sim_gaps"]])
    lo, hi = np.percentile(sims, [2.5, 97.5], axis=0)
    ax.fill_between(grid, lo, hi, color=SIM, alpha=0.2, step="post", label="95% of simulated")
    ax.step(grid, sims.mean(axis=0), where="post", color=SIM, label="simulated mean")
    ax.step(grid, ecdf(d["data_gaps"]), where="post", color=DATA, linewidth=1.6, label="data")
    ax.set_xlim(0, top)
    ax.set_ylim(0, 1.01)
    ax.set_title("Share of gaps between consecutive events of at most x days", loc="left")
    ax.set_xlabel("Days between consecutive events (days)")
    ax.set_ylabel("Cumulative share (0-1)")
    ax.legend(loc="lower right")
    subtitle(fig, "Inter-event times: the data against logs simulated from the fit", note)
    return fig


@styled
def plot_fit_profiles(d: dict[str, Any], note: str = "") -> Figure:
    """Relative rate by day of the week (and hour of the day when the log has times),
    with 95% intervals."""
    panels = [("week", "Day of the week")] + ([("hours", "Hour of the day")] if d["hours"] else [])
    fig = new_figure(10, 3.4 * len(panels) + 1.2)
    axes = np.atleast_1d(fig.subplots(len(panels), 1))
    for ax, (key, label) in zip(axes, panels):
        p = d[key]
        x = np.arange(len(p["labels"]))
        w = np.asarray(p["weight"])
        err = [w - np.asarray(p["low"]), np.asarray(p["high"]) - w]
        ax.bar(x, w, color=SIM, alpha=0.6, label="relative rate (mean 1)")
        ax.errorbar(x, w, yerr=err, fmt="none", ecolor=DATA, capsize=3, label="95% interval")
        ax.axhline(1.0, color="#777777", linestyle=":")
        ax.set_ylim(0, 1.08 * float(np.nanmax(p["high"])))
        ax.set_xticks(x, p["labels"])
        ax.set_title(
            f"{label}: chi-square {p['chi2']:.1f} on {p['dof']} d.o.f., p = {p['p_value']:.3f}",
            loc="left",
        )
        ax.set_xlabel(f"{label} (local)")
        ax.set_ylabel("Relative rate (ratio)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    subtitle(fig, "Profiles: when events happen", note)
    return fig


FIT_FIGURES = {
    "series": plot_fit_series,
    "dispersion": plot_fit_dispersion,
    "autocorrelation": plot_fit_autocorrelation,
    "concentration": plot_fit_concentration,
    "gaps": plot_fit_gaps,
    "profiles": plot_fit_profiles,
}
"""The figures of a fit, by file stem."""
