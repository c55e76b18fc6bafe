"""What became of the incidents, per configuration or sweep point: the outcome mix
beside the delays. A configuration whose teams visit fewer incidents can look
faster only because it measures other ones; this figure shows it."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..results import UNMEASURED_PARTS
from .experiments import clip_interval
from .style import colour, legend_below, new_figure, shorten, styled, subtitle, wrap

# One colour per part: greens where a team went, greys for unfounded and still open,
# warm colours where no team went (those parts are hatched as well).
PART_COLOURS = {
    "verified": "#1b7837",
    "no_evidence": "#7fbf7b",
    "access_denied": "#c2e4bd",
    "unfounded": "#bdbdbd",
    "no_team_in_time": "#d6604d",
    "out_of_range": "#f4a582",
    "below_min_severity": "#fddbc7",
    "teams_off": "#92c5de",
    "open_at_end": "#878787",
}
HATCH = "///"
UNMEASURED_LABEL = "hatched: kept out of the response times"


@styled
def plot_outcomes(data: dict[str, Any], note: str = "", title: str | None = None) -> Figure:
    """The share of measured incidents by outcome for each configuration (stacked
    bars, adding up to 100%) and, beside it, the paired difference of each share
    against the reference with its 95% interval (filled where significant).

    Parameters
    ----------
    data : dict
        As :func:`sim.output.results.comparison_outcomes` returns it: ``names``,
        ``parts``, ``labels``, ``share`` and ``diff`` (fractions), ``notes``.
    """
    names, parts = data["names"], data["parts"]
    two = len(names) > 1
    height = max(4.6, 2.4 + 0.42 * max(len(parts), 1.6 * len(names)))
    fig = new_figure(12, height)
    axes = fig.subplots(1, 2 if two else 1, squeeze=False, width_ratios=[1.25, 1] if two else [1])
    _stacked(axes[0, 0], names, parts, data["share"], "Configuration")
    if two:
        _differences(axes[0, 1], data)
    # outcomes under the bars, configurations under the differences
    shares = (1.25 / 2.25, 1.0 / 2.25) if two else (1.0,)
    _legend_under(axes[0, 0], part_handles(parts, data["labels"]), 3, shares[0])
    if two:
        _legend_under(axes[0, 1], _difference_handles(data), 2, shares[1])
    notes = [textwrap.fill("◇ " + n, 140) for n in data.get("notes", [])]
    text = "\n".join([note, *notes]) if note else "\n".join(notes)
    subtitle(fig, title or "What became of the incidents, per configuration", text)
    return fig


def _stacked(
    ax: Any,
    groups: list[str],
    parts: list[str],
    share: dict[str, dict[str, float]],
    what: str,
    width: int = 18,
) -> None:
    """One horizontal bar per group (top to bottom), split into the parts' shares in
    percent; shares of 6% and more are written in the bar; group names wrapped at
    ``width`` characters."""
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    for k in parts:
        v = np.array([100 * np.nan_to_num(share[g].get(k, 0.0)) for g in groups])
        ax.barh(
            y,
            v,
            left=left,
            color=PART_COLOURS.get(k, "#cccccc"),
            hatch=HATCH if k in UNMEASURED_PARTS else None,
            edgecolor="white",
            linewidth=0.6,
            height=0.7,
        )
        for yi, (x0, w) in enumerate(zip(left, v)):
            if w >= 6:
                dark = k in ("verified", "no_team_in_time", "open_at_end")
                ax.text(
                    x0 + w / 2,
                    yi,
                    f"{w:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "#222222",
                )
        left += v
    ax.set_yticks(y, [wrap(g, width, 3) for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the measured incidents (%)")
    ax.set_ylabel(what)
    ax.set_title("Outcome of every incident (adds up to 100%)")
    ax.grid(axis="y", visible=False)


def _differences(ax: Any, data: dict[str, Any]) -> None:
    """Paired differences of each part's share against the reference (percentage
    points): a row per part, a dot per configuration; hollow when not significant,
    a hollow diamond when not among the comparison's tests."""
    names, parts = data["names"], data["parts"]
    shown = names[1:]
    h = 0.7 / max(len(shown), 1)
    for i, k in enumerate(parts):
        for j, n in enumerate(shown):
            d = data["diff"][n][k]
            m, lo, hi = clip_interval("share", d["mean"], d["low"], d["high"], diff=True)
            if m != m:
                continue
            c = colour(names.index(n))
            sig = d["significant"]
            err = [[max(m - lo, 0) * 100], [max(hi - m, 0) * 100]] if lo == lo else None
            ax.errorbar(
                m * 100,
                i + (j - (len(shown) - 1) / 2) * h,
                xerr=err,
                fmt="D" if sig is None else "o",
                color=c,
                markerfacecolor=c if sig else "white",
                markersize=5,
                capsize=2.5,
                linewidth=1.2,
            )
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(range(len(parts)), [wrap(data["labels"][k], 22, 2) for k in parts])
    ax.set_ylim(len(parts) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ref = shorten(names[0], 28)
    ax.set_xlabel(f"Difference vs {ref} (percentage points)")
    ax.set_ylabel("Outcome")
    ax.set_title("Paired difference of each share, 95% CI")
    lo, hi = ax.get_xlim()
    span = max(abs(lo), abs(hi), 1.0)
    ax.set_xlim(-span, span)  # zero in the middle: a move either way looks as large


def _legend_under(ax: Any, handles: list[Any], ncol: int, share: float) -> None:
    """A legend under a panel, clear of its axis label (the layout makes room), in as
    many columns (up to ``ncol``) as fit the ``share`` of the figure's width."""
    width = share * ax.figure.get_figwidth() - 0.4
    labels = [str(h.get_label()) for h in handles]
    while ncol > 1 and _too_wide(labels, ncol, width):
        ncol -= 1
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=3.6,
        ncol=ncol,
        frameon=False,
    )


def _too_wide(labels: list[str], ncol: int, width_in: float, fontsize: float = 8.5) -> bool:
    """Whether ``ncol`` columns of these labels are wider than ``width_in`` inches."""
    rows = -(-len(labels) // ncol)
    cols = [labels[i : i + rows] for i in range(0, len(labels), rows)]
    char, extra = fontsize * 0.52 / 72, fontsize * 4.8 / 72  # an average character
    return sum(max(len(x) for x in c) * char + extra for c in cols) > width_in


def part_handles(parts: list[str], labels: dict[str, str]) -> list[Any]:
    """Legend entries of the parts shown (hatched ones marked)."""
    handles: list[Any] = [
        Patch(
            facecolor=PART_COLOURS.get(k, "#cccccc"),
            hatch=HATCH if k in UNMEASURED_PARTS else None,
            edgecolor="white",
            label=labels[k],
        )
        for k in parts
    ]
    if any(k in UNMEASURED_PARTS for k in parts):
        handles.append(
            Patch(facecolor="white", edgecolor="#777777", hatch=HATCH, label=UNMEASURED_LABEL)
        )
    return handles


def _difference_handles(data: dict[str, Any]) -> list[Any]:
    """Legend entries of the differences panel: configurations, hollow dots, diamonds."""
    names = data["names"]
    out: list[Any] = [
        Line2D([], [], marker="o", color=colour(k), label=shorten(n, 40))
        for k, n in enumerate(names)
        if k > 0
    ]
    out.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="#333333",
            label="not significant at 5% (Holm)",
        )
    )
    tested = [d["significant"] for n in names[1:] for d in data["diff"][n].values()]
    if any(s is None for s in tested):
        out.append(
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#333333",
                label="from the counts, not tested",
            )
        )
    return out


@styled
def plot_sweep_outcomes(
    data: dict[str, Any], note: str = "", title: str = "Sweep", what: str = "Point"
) -> Figure:
    """The share of measured incidents by outcome at each point of a sweep (stacked
    bars, adding up to 100%), the first point on top.

    Parameters
    ----------
    data : dict
        As :func:`sim.output.results.sweep_outcomes` returns it.
    what : str
        What the bars are (the axis label): points or variants.
    """
    points = data["points"]
    fig = new_figure(11, max(4.6, 2.6 + 0.38 * len(points)))
    ax = fig.add_subplot()
    _stacked(ax, points, data["parts"], data["share"], what, width=28)
    legend_below(fig, part_handles(data["parts"], data["labels"]), ncol=4)
    subtitle(fig, f"{title}: what became of the incidents at each point", note)
    return fig
