"""The look of every figure: colours, matplotlib style, figure and legend helpers,
time units, and writing a figure so that the same data always give the same bytes.

Figures are built with matplotlib's object-oriented API on the Agg canvas:
importing this module does not touch pyplot or the global backend.

Colours: configurations get :data:`PALETTE` colours by their order, so the
reference (the first configuration of a comparison, or the scenario of a
run) is always the same blue. Times are shown in minutes when short and in
hours otherwise.
"""

from __future__ import annotations

import functools
import io as _io
import math
import re
from pathlib import Path
from typing import Any, Callable

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...records.storage import write_failure
from ..results import ResultsError

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)
DESK_COLOURS = {"RU": "#AA3377", "UA": "#228833", "US": "#4477AA"}
FORMATS = ("png", "svg", "pdf")
DPI = 150

STYLE = {
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
    "figure.titlesize": 12.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "cfsim",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


# --------------------------------------------------------------------------- helpers


def styled(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return fn(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def colour(k: int) -> str:
    """The colour of the ``k``-th configuration (0 is the reference)."""
    return PALETTE[k % len(PALETTE)]


def time_unit(max_minutes: float) -> tuple[float, str]:
    """(divisor, unit) to show durations up to ``max_minutes``: minutes up to 3 h.

    Examples
    --------
    >>> time_unit(90)
    (1.0, 'min')
    >>> time_unit(600)
    (60.0, 'h')
    """
    if not max_minutes == max_minutes or max_minutes <= 180:
        return 1.0, "min"
    return 60.0, "h"


def fmt_time(minutes: float) -> str:
    """A duration for people: seconds below a minute, then minutes, hours, days.

    Examples
    --------
    >>> [fmt_time(m) for m in (0.5, 0.0, 7, 150, 4320)]
    ['30 s', '0 min', '7 min', '2.5 h', '3 d']
    """
    if minutes != minutes:
        return "-"
    if 0 < abs(minutes) < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 3 * 1440:
        return f"{minutes / 60:.1f} h".replace(".0 h", " h")
    return f"{minutes / 1440:.1f} d".replace(".0 d", " d")


def nice_step(span: float, bins: int = 40) -> float:
    raw = span / bins
    for s in (0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440):
        if s >= raw:
            return float(s)
    return float(math.ceil(raw / 1440) * 1440)


def finite(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v[np.isfinite(v)]


def pct(v: np.ndarray, q: float) -> float:
    v = finite(v)
    return float(np.percentile(v, q)) if v.size else math.nan


def subtitle(fig: Figure, title: str, note: str = "") -> None:
    fig.suptitle(title + (f"\n{note}" if note else ""), fontsize=12)


def shorten(name: str, limit: int = 30) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis in the middle, so that the
    start and the end of a long configuration name stay readable.

    Examples
    --------
    >>> shorten("baseline")
    'baseline'
    >>> shorten("forward_based_teams_with_a_rather_long_configuration_name", 20)
    'forward_ba…tion_name'
    """
    if len(name) <= limit:
        return name
    head = limit // 2
    tail = limit - 1 - head
    return name[:head] + "…" + name[len(name) - tail :]


def wrap(name: str, width: int = 14, lines: int = 3) -> str:
    r"""``name`` broken into lines of at most ``width`` characters, after ``_``, ``-``
    or a space where possible; more than ``lines`` lines end with an ellipsis.

    Examples
    --------
    >>> wrap("forward_based_teams_with_a_long_name", 14)
    'forward_based_\nteams_with_a_\nlong_name'
    >>> wrap("abcdefghij", 4, 2)
    'abcd\nefg…'
    """
    width = max(width, 2)
    tokens = [t for t in re.split(r"(?<=[_\- ])", name) if t]
    out: list[str] = []
    cur = ""
    for t in tokens:
        while len(t) > width:  # a word longer than a line is cut
            if cur:
                out.append(cur)
                cur = ""
            out.append(t[:width])
            t = t[width:]
        if len(cur) + len(t) > width:
            out.append(cur)
            cur = ""
        cur += t
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return "\n".join(x.rstrip() for x in out)


def _legend_columns(fig: Figure, labels: list[str], fontsize: float = 8.5) -> int:
    """The most legend columns (up to one per label) whose labels fit across the figure.

    A legend fills its columns top to bottom; each column is as wide as its longest
    label plus the handle and the spacing (widths estimated from the character count).
    """
    width_in = fig.get_figwidth() - 0.3
    char, extra = fontsize * 0.6 / 72, fontsize * 4.8 / 72
    for ncol in range(len(labels), 1, -1):
        rows = math.ceil(len(labels) / ncol)
        cols = [labels[i : i + rows] for i in range(0, len(labels), rows)]
        if sum(max(len(s) for s in c) * char + extra for c in cols) <= width_in:
            return ncol
    return 1


def legend_below(fig: Figure, handles: list, ncol: int | None = None) -> None:
    labels = [str(h.get_label()) for h in handles]
    fit = _legend_columns(fig, labels)
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(ncol or min(len(handles), 4), fit),
        frameon=False,
    )


def no_data(ax: Any, message: str) -> None:
    """Write ``message`` across an empty panel instead of drawing empty axes or a
    made-up scale (the panel keeps its title and axis labels)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=9,
        color="#555555",
        wrap=True,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f4f4f4", "edgecolor": "#cccccc"},
    )


# --------------------------------------------------------------------------- writing figures


def save(fig: Figure, path: str | Path, fmt: str | None = None, dpi: int = DPI) -> Path:
    """Write ``fig`` as PNG, SVG or PDF; the same figure always gives the same bytes
    (no timestamps or software versions in the file)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".") or "png"
    if fmt not in FORMATS:
        raise ResultsError(f"unknown figure format {fmt!r}; choose one of {', '.join(FORMATS)}")
    meta = {
        "png": {"Software": None},
        "svg": {"Creator": None, "Date": None, "Format": None, "Type": None},
        "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    }[fmt]
    try:
        with matplotlib.rc_context(STYLE):
            fig.savefig(path, format=fmt, dpi=dpi, metadata=meta)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise write_failure(path, exc, "the figures written before it were kept") from exc
    return path


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (as :func:`save` writes them)."""
    buf = _io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
