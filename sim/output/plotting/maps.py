"""The map: the line-of-contact network drawn from its node coordinates, sectors
coloured by a value, team bases and rear targets marked, with a scale bar."""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation

from ...world.network import EARTH_RADIUS_KM
from ..results import ResultsError
from .labels import LEADER, repel
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


class _Frame(NamedTuple):
    """The extent of a map panel's nodes (data units), the side margin, and about how
    far a 10-character label reaches."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float
    padx: float
    reach: float


def _draw_network(
    ax: Any,
    network: dict[str, Any],
    values: dict[str, float],
    cmap: Any,
    norm: Any,
    bases: dict[str, int],
    label_top: int,
    fmt: Callable,
) -> tuple[Any, list[Annotation]]:
    """Draw the network on ``ax``: roads and the line of contact, sectors coloured by
    ``values`` (the ``label_top`` highest labelled with ``fmt``), rear targets, bases
    with their number of teams, and a scale bar. Returns the sectors' scatter (for a
    colour bar) and the labels, most important first (for :func:`repel`)."""
    pos, geo = node_positions(network)
    kinds = {n["id"]: n.get("kind", "sector") for n in network["nodes"]}
    _draw_edges(ax, network, pos, kinds)
    if geo:
        _draw_front_line(ax, network)
    sectors = [n for n, k in kinds.items() if k == "sector"]
    have = [n for n in sectors if n in values and values[n] == values[n]]
    sc = _draw_sectors(ax, pos, sectors, have, values, cmap, norm)
    _draw_targets(ax, network, pos)
    frame = _set_limits(ax, pos, geo)
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
    labels = _label_values(ax, pos, bases, bl, top_nodes, values, fmt, frame)
    labels += _label_bases(ax, pos, bases, [b for b in bl if b not in top_nodes], sectors, frame)
    _geo_axes(ax, geo, pos)
    _scale_bar(ax, geo, pos)
    return sc, labels


def _draw_edges(
    ax: Any, network: dict[str, Any], pos: dict[str, tuple[float, float]], kinds: dict[str, str]
) -> None:
    """Links between sectors (the line of contact) bold, roads to the rear thin."""
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


FRONT_LINE = {"color": "#B22222", "linewidth": 1.6, "linestyle": (0, (5, 2))}
BORDER = {"color": "#9a9a9a", "linewidth": 0.8, "linestyle": "-"}


def front_lines(network: dict[str, Any]) -> list[list[list[float]]]:
    """The front line a scenario gave (``network.front_line``), kept in the network's
    graph attributes: lines of ``[lon, lat]``; empty if none."""
    return list((network.get("graph") or {}).get("front_line") or [])


def borders(network: dict[str, Any]) -> list[list[list[float]]]:
    """The borders a scenario gave (``network.borders``); empty if none."""
    return list((network.get("graph") or {}).get("borders") or [])


def _draw_front_line(ax: Any, network: dict[str, Any]) -> None:
    """Borders thin and grey at the bottom, then the front line as given, dashed, under
    the nodes; the map's limits stay those of the network (set afterwards)."""
    for line in borders(network):
        ax.plot([p[0] for p in line], [p[1] for p in line], zorder=0.5, **BORDER)
    for line in front_lines(network):
        ax.plot([p[0] for p in line], [p[1] for p in line], zorder=1.5, **FRONT_LINE)


def _draw_sectors(
    ax: Any,
    pos: dict[str, tuple[float, float]],
    sectors: list[str],
    have: list[str],
    values: dict[str, float],
    cmap: Any,
    norm: Any,
) -> Any:
    """Sectors with a value coloured by it, those without as open circles; returns
    the coloured scatter."""
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
    return ax.scatter(
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


def _draw_targets(ax: Any, network: dict[str, Any], pos: dict[str, tuple[float, float]]) -> None:
    """Rear targets of long-range strikes (nodes off the line with a strike weight)
    as open diamonds."""
    targets = sorted(
        n["id"]
        for n in network["nodes"]
        if float(n.get("strike_weight", 0) or 0) > 0 and n.get("kind") != "sector"
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


def _set_limits(ax: Any, pos: dict[str, tuple[float, float]], geo: bool) -> _Frame:
    """Axis limits round the nodes, with room for labels and the scale bar."""
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
    return _Frame(min(xs), max(xs), min(ys), max(ys), padx, reach)


def _label_bases(
    ax: Any,
    pos: dict[str, tuple[float, float]],
    bases: dict[str, int],
    bl: list[str],
    sectors: list[str],
    frame: _Frame,
) -> list[Annotation]:
    """Write "base (teams)" beside each base in ``bl``, away from the nearest sector
    (below it when there is no room beside it)."""
    out = []
    for b in bl:
        side = _label_side(b, pos, sectors)
        x = pos[b][0] + side * frame.reach
        if x > frame.xmax + frame.padx or x < frame.xmin - frame.padx:
            offset, ha = (0, -11), "center"  # no room beside it: write it below
        else:
            offset, ha = (6 * side, -2), "left" if side > 0 else "right"
        ann = ax.annotate(
            f"{b} ({bases[b]})",
            pos[b],
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=7,
            zorder=6,
            color="#111111",
            arrowprops=LEADER,
        )
        ann.arrow_patch.set_visible(False)  # shown if the label has to move away
        out.append(ann)
    return out


def _label_values(
    ax: Any,
    pos: dict[str, tuple[float, float]],
    bases: dict[str, int],
    bl: list[str],
    top_nodes: list[str],
    values: dict[str, float],
    fmt: Callable,
    frame: _Frame,
) -> list[Annotation]:
    """Label the sectors in ``top_nodes`` with their value, away from the nearest base;
    labels of neighbouring sectors are stacked instead of written one over the other."""
    placed: list[tuple[float, float, int]] = []
    out = []
    for n in top_nodes:
        name = f"{n} ({bases[n]})" if n in bases else n
        text = f"{name}: {fmt(values[n])}"
        side = _label_side(n, pos, bl) if bl else 1
        end = pos[n][0] + side * frame.reach * len(text) / 9
        if not frame.xmin - 2 * frame.padx < end < frame.xmax + 2 * frame.padx:
            side = 0  # no room on its side: centre it above the node
        rise = 5
        for x0, y0, r in placed:
            if abs(pos[n][0] - x0) < 1.5 * frame.reach and abs(pos[n][1] - y0) < 0.08 * (
                frame.ymax - frame.ymin or 1
            ):
                rise = max(rise, r + 13)
        placed.append((pos[n][0], pos[n][1], rise))
        ann = ax.annotate(
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
            arrowprops=LEADER,
        )
        ann.arrow_patch.set_visible(rise > 5 or side == 0)
        out.append(ann)
    return out


def _geo_axes(ax: Any, geo: bool, pos: dict[str, tuple[float, float]]) -> None:
    """Equal distances in both directions (degrees of longitude shortened by latitude)
    and the axis labels."""
    if geo:
        ys = [p[1] for p in pos.values()]
        ax.set_aspect(1.0 / math.cos(math.radians((min(ys) + max(ys)) / 2)))
        ax.set_xlabel("Longitude (° E)")
        ax.set_ylabel("Latitude (° N)")
    else:
        ax.set_aspect("equal")
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")


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
    aspect = _map_aspect(network)
    panel_w = 5.6
    fig = new_figure(panel_w * ncols + 0.4, min(nrows * (panel_w * 0.82 / aspect + 0.8) + 1.5, 16))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    scales: dict[str, list[float]] = {}
    for p in panels:
        vals = [v for v in p["values"].values() if v == v]
        scales.setdefault(p.get("scale", p["label"]), []).extend(vals)
    labels = []
    for ax, p in zip(axes, panels):
        labels.append(
            _map_panel(fig, ax, p, p.get("network", network), scales[p.get("scale", p["label"])])
        )
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    legend_below(fig, _map_handles(network, panels), ncol=3)
    subtitle(fig, title, note)
    for panel_labels in labels:  # once the layout is final, so that pixels are final
        repel(fig, panel_labels)
    return fig


def _map_aspect(network: dict[str, Any]) -> float:
    """Width over height of the network on the map, at most :data:`MAX_MAP_ASPECT`."""
    pos, geo = node_positions(network)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    aspect = ((max(xs) - min(xs)) or 1) / ((max(ys) - min(ys)) or 1)
    if geo:
        aspect *= math.cos(math.radians((min(ys) + max(ys)) / 2))
    return min(aspect, MAX_MAP_ASPECT)


def _map_panel(
    fig: Figure, ax: Any, p: dict[str, Any], network: dict[str, Any], scale: list[float]
) -> list[Annotation]:
    """One panel of :func:`plot_map`, coloured on the scale of the values ``scale``
    (those of every panel sharing it), with its colour bar or its ``empty`` message."""
    lo, hi = min(scale, default=0.0), max(scale, default=1.0)
    if p.get("from_zero"):
        lo = 0.0
    norm = mcolors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
    fmt = p.get("format", lambda v: f"{v:.1f}")
    sc, labels = _draw_network(
        ax, network, p["values"], _truncated(p["cmap"]), norm, p.get("bases", {}), 3, fmt
    )
    ax.set_title(p["title"])
    if any(v == v for v in p["values"].values()):
        cb = fig.colorbar(sc, ax=ax, shrink=0.85, pad=0.01, aspect=30)
        cb.set_label(p["label"])
        return labels
    # nothing to colour: say so rather than show a made-up scale
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
    return labels


def _map_handles(network: dict[str, Any], panels: list[dict[str, Any]]) -> list[Line2D]:
    """Legend entries for only what the map shows."""
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
    nets = [p.get("network", network) for p in panels]
    if any(front_lines(net) for net in nets):
        handles.insert(0, Line2D([], [], label="front line (given in the scenario)", **FRONT_LINE))
    if any(borders(net) for net in nets):
        handles.append(Line2D([], [], label="border (given in the scenario)", **BORDER))
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
    return [h for h in handles if occurs.get(h.get_label(), True)]
