"""Labels that do not overlap: each is moved, in order of importance, to the first
nearby place where it covers no label placed before it."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

# The line from a label to its point, drawn when the label sits away from it.
LEADER = {"arrowstyle": "-", "color": "#555555", "linewidth": 0.6}
# Offsets tried, in points from where a label was first put: up and down in
# growing steps, then the same on the other side of its point.
STEPS = (0, 10, -10, 20, -20, 30, -30, 40, -40, 52, -52, 64, -64)


def _text_box(ann: Annotation, renderer: Any) -> Any:
    """Where the label's text is, in pixels (without its leader line, which may cross
    other things)."""
    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def _overlaps(a: Any, b: Any, gap: float) -> bool:
    return not (
        a.x1 + gap <= b.x0 or b.x1 + gap <= a.x0 or a.y1 + gap <= b.y0 or b.y1 + gap <= a.y0
    )


def repel(fig: Figure, labels: list[Annotation], gap: float = 1.0) -> int:
    """Move ``labels`` (most important first) so that none overlaps another; return
    how many overlaps are left (0 unless there is no room nearby).

    Each label keeps its text and the point it names; only its offset changes,
    vertically first, then to the other side of its point, and it stays inside its
    axes where it can. A label moved away from its point shows its leader line.
    """
    if not labels:
        return 0
    fig.canvas.draw()  # the layout, hence where each point is in pixels
    renderer = fig.canvas.get_renderer()
    placed: list[Any] = []
    left = 0
    for ann in labels:
        start = (ann.xyann, ann.get_horizontalalignment())
        frame = ann.axes.get_window_extent(renderer) if ann.axes is not None else None
        free, inside = None, None
        for xy, align in _candidates(*start):
            ann.xyann = xy
            ann.set_horizontalalignment(align)
            box = _text_box(ann, renderer)
            if any(_overlaps(box, other, gap) for other in placed):
                continue
            free = free or (xy, align, box)
            if frame is None or (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            ):
                inside = (xy, align, box)
                break
        choice = inside or free
        if choice is None:
            left += 1
            ann.xyann, align = start
            ann.set_horizontalalignment(align)
            placed.append(_text_box(ann, renderer))
            continue
        xy, align, box = choice
        ann.xyann = xy
        ann.set_horizontalalignment(align)
        if xy != start[0] and ann.arrow_patch is not None:
            ann.arrow_patch.set_visible(True)  # a moved label points at what it names
        placed.append(box)
    return left


def _candidates(xy: tuple[float, float], ha: str) -> list[tuple[tuple[float, float], str]]:
    """Offsets to try for a label first put at ``xy`` aligned ``ha``: its own side,
    then the other side of its point."""
    x, y = xy
    flip = {"left": "right", "right": "left"}.get(ha)
    sides = [(x, ha)] + ([(-x, flip)] if flip else [])
    return [((sx, y + dy), align) for sx, align in sides for dy in STEPS]
