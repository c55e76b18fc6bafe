"""The map: the line-of-contact network drawn from its node coordinates, sectors
coloured by a value, team bases and rear targets marked, with a scale bar."""

from __future__ import annotations

import math
from typing import Any, Callable

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...world.network import EARTH_RADIUS_KM
from ..results import ResultsError
from .style import new_figure, legend_below, styled, subtitle

MAX_MAP_ASPECT = 2.5  # widest map panel (width / height)


def node_positions(network: dict[str, Any]) -> tuple[dict[str, tuple[float, float]], bool]:
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


def _missing(values: dict[str, float], node: str) -> bool:
    v = values.get(node, math.nan)
    return v != v


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
    pos, geo = node_positions(network)
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


@styled
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
        "scale": key, "from_zero": bool, "empty": message}``; panels with the same
        ``scale`` share one colour scale, which runs from the lowest to the highest
        value, or from zero with ``from_zero`` (counts, so that similar values look
        similar). A panel without values writes ``empty`` across the map instead of
        a colour bar. The three highest values are labelled.
    """
    ncols = min(ncols or (2 if len(panels) == 4 else 3), len(panels))
    nrows = math.ceil(len(panels) / ncols)
    pos, geo = node_positions(network)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    aspect = ((max(xs) - min(xs)) or 1) / ((max(ys) - min(ys)) or 1)
    if geo:
        aspect *= math.cos(math.radians((min(ys) + max(ys)) / 2))
    aspect = min(aspect, MAX_MAP_ASPECT)
    panel_w = 5.6
    fig = new_figure(panel_w * ncols + 0.4, min(nrows * (panel_w * 0.82 / aspect + 0.8) + 1.5, 16))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    scales: dict[str, list[float]] = {}
    for p in panels:
        vals = [v for v in p["values"].values() if v == v]
        scales.setdefault(p.get("scale", p["label"]), []).extend(vals)
    for ax, p in zip(axes, panels):
        vals = scales[p.get("scale", p["label"])]
        lo, hi = min(vals, default=0.0), max(vals, default=1.0)
        if p.get("from_zero"):
            lo = 0.0
        norm = mcolors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
        fmt = p.get("format", lambda v: f"{v:.1f}")
        net = p.get("network", network)
        sc = _draw_network(
            ax, net, p["values"], _truncated(p["cmap"]), norm, p.get("bases", {}), 3, fmt
        )
        ax.set_title(p["title"])
        if any(v == v for v in p["values"].values()):
            cb = fig.colorbar(sc, ax=ax, shrink=0.85, pad=0.01, aspect=30)
            cb.set_label(p["label"])
        else:  # nothing to colour: say so rather than show a made-up scale
            ax.text(
                0.5,
                0.55,
                p.get("empty", "No data"),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#444444",
                zorder=10,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f4f4f4", "edgecolor": "#cccccc"},
            )
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
    # only what the map shows
    nets = [p.get("network", network) for p in panels]
    occurs = {
        "sector without data": any(
            _missing(p["values"], n["id"])
            for p, net in zip(panels, nets)
            for n in net["nodes"]
            if n.get("kind", "sector") == "sector"
        ),
        "team base (number of teams)": any(p.get("bases") for p in panels),
        "rear target (long-range strikes)": any(
            float(n.get("strike_weight", 0) or 0) > 0 and n.get("kind") != "sector"
            for net in nets
            for n in net["nodes"]
        ),
    }
    handles = [h for h in handles if occurs.get(h.get_label(), True)]
    legend_below(fig, handles, ncol=3)
    subtitle(fig, title, note)
    return fig
