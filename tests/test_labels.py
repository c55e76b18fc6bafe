"""Figure labels do not overlap (maps, frontier) and say what they name."""

from __future__ import annotations

import itertools

from matplotlib.text import Annotation, Text

from sim.output.plotting import plot_frontier, plot_map
from sim.output.plotting.labels import repel
from sim.output.plotting.style import new_figure


def text_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        for t in ax.texts:
            if isinstance(t, Annotation) and t.get_visible():
                t.update_positions(renderer)
                boxes.append((t.get_text(), Text.get_window_extent(t, renderer)))
    return boxes


def overlapping(boxes):
    return [
        (a, b)
        for (a, ba), (b, bb) in itertools.combinations(boxes, 2)
        if ba.x0 < bb.x1 and bb.x0 < ba.x1 and ba.y0 < bb.y1 and bb.y0 < ba.y1
    ]


def test_repel_separates_labels_written_on_one_spot():
    fig = new_figure(4, 3)
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    labels = [
        ax.annotate(f"label {k}", (5, 5), xytext=(4, 0), textcoords="offset points")
        for k in range(5)
    ]
    assert overlapping(text_boxes(fig))  # the test can fail: they start on top of each other
    assert repel(fig, labels) == 0
    assert overlapping(text_boxes(fig)) == []


def crowded_network():
    """Sectors and bases a few km apart: labels written beside them would collide."""
    nodes, edges = [], []
    for k in range(8):
        nodes.append({"id": f"Sector{k}", "kind": "sector", "lat": 47.0 + 0.02 * k, "lon": 33.0})
    nodes += [
        {"id": "BaseA", "kind": "base", "lat": 47.03, "lon": 33.01},
        {"id": "BaseB", "kind": "base", "lat": 47.09, "lon": 32.99},
        {"id": "Far", "kind": "base", "lat": 46.0, "lon": 35.0},
    ]
    for k in range(7):
        edges.append({"source": f"Sector{k}", "target": f"Sector{k + 1}"})
    edges += [{"source": "BaseA", "target": "Sector1"}, {"source": "Far", "target": "Sector0"}]
    return {"nodes": nodes, "edges": edges}


def test_map_labels_do_not_overlap():
    net = crowded_network()
    values = {f"Sector{k}": float(k) for k in range(8)}
    panel = {
        "title": "t",
        "values": values,
        "label": "v",
        "cmap": "YlOrRd",
        "bases": {"BaseA": 2, "BaseB": 1, "Far": 3},
    }
    fig = plot_map(net, [panel, {**panel, "title": "u"}])
    boxes = text_boxes(fig)
    names = " ".join(t for t, _ in boxes)
    assert "Sector7: 7.0" in names and "BaseA (2)" in names and "Far (3)" in names
    assert overlapping(boxes) == []


def test_frontier_points_are_numbered_and_the_best_named():
    rows = [
        {
            "point": k,
            "label": f"desks={k % 3}, teams={k // 3}",
            "cost": 10.0 + (k % 2) * 20,  # equal costs and close values: crowded
            "feasible": k >= 6,
            "response_p90_mean": 600.0 - 2 * k,
            "response_p90_low": 500.0 - 2 * k,
            "response_p90_high": 700.0 - 2 * k,
        }
        for k in range(10)
    ]
    fig = plot_frontier(rows, {"response_p90": {"max": 560.0}}, best={**rows[6]})
    boxes = text_boxes(fig)
    texts = [t for t, _ in boxes]
    assert "6: desks=0, teams=2" in texts
    assert {str(k) for k in range(10) if k != 6} <= set(texts)
    assert overlapping(boxes) == []
