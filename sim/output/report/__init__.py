"""The shareable report: one self-contained HTML page per run, comparison, sweep or search.

``cfsim report RESULTS_DIR`` writes ``RESULTS_DIR/report.html``: the summary,
the key metrics with their confidence intervals, every figure (PNG, embedded
as data URIs) with a note on how to read it, and the resolved scenario. The
page loads nothing from anywhere else, so it opens offline in any browser and
can be mailed as one file. Like the figures, it is built from the saved
results only; the same directory always gives the same page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ...records.storage import atomic_write
from ..results import detect
from .experiments import comparison_body, optimize_body, sweep_body
from .page import FIGURE_PROGRESS, html_page
from .run import run_body

__all__ = ["build_report", "write_report"]


def build_report(directory: str | Path) -> str:
    """The HTML of the report on a results directory (see :func:`write_report`)."""
    d = Path(directory)
    kind = detect(d)
    body = {
        "run": run_body,
        "comparison": comparison_body,
        "sweep": sweep_body,
        "optimize": optimize_body,
    }[kind](d)
    title, html_body = body
    foot = (
        '<p class="muted" style="margin-top:3em">Made by <code>cfsim report</code> from the '
        "saved results in this directory. Figures are shown at 100 dpi in 256 colours to keep "
        "the page small; <code>cfsim plot</code> writes them as full-quality PNG, SVG or PDF. "
        "Times in minutes (min), hours (h) or days (d).</p>"
    )
    return html_page(title, html_body + "\n" + foot)


def write_report(
    directory: str | Path,
    out: str | Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Write ``report.html`` (or ``out``) for a results directory and return its path.

    ``progress(done, total, extra)`` is called after each figure (a comparison's
    report draws its runs' figures too, which takes a while).

    Raises
    ------
    sim.output.results.ResultsError
        When ``directory`` holds no results.
    """
    token = FIGURE_PROGRESS.set(progress)
    try:
        text = build_report(directory)
    finally:
        FIGURE_PROGRESS.reset(token)
    path = Path(out) if out is not None else Path(directory) / "report.html"
    atomic_write(path, text)  # a full disk leaves the old report or none, never half a one
    return path
