"""The pieces every report page is made of: HTML helpers, tables, figures, the page."""

from __future__ import annotations

import base64
import html
import io
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable

from ...analysis.metrics import KEY_METRICS
from .. import plotting as P
from ..plotting.captions import READING
from ..plotting.experiments import as_float, clip_interval
from ..plotting.style import fmt_time

REPORT_DPI = 100
"""Resolution of the figures in the page (``cfsim plot`` writes 150 dpi files)."""

CLIPPED = (
    "Intervals are shown cut to the possible range (shares between 0 and 100%, times not "
    "below zero); the JSON and CSV files keep the raw Student-t interval, which can reach "
    "past it with few replications."
)
NO_BREAKDOWN = (
    "No breakdown of response times: no incident asked for a team (teams disabled or none "
    "in range), so there are no response times to break down."
)

_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222;
       max-width: 1200px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin-top: 1.6em; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.88em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #e2e2e2; text-align: right; }
th { background: #f3f5f7; }
td:first-child, th:first-child { text-align: left; }
td { white-space: nowrap; }
td:first-child, table.outcomes td:last-child { white-space: normal; }
div.wide { overflow-x: auto; }
table.facts td, table.facts th { text-align: left; white-space: normal; }
table.facts th { min-width: 10em; }
td:first-child { min-width: 10em; }
table.outcomes td:last-child, table.outcomes th:last-child { text-align: left; }
.sig { font-weight: 600; }
div.warn { background: #fff4e0; border-left: 5px solid #e69f00; padding: 0.6em 1em; margin: 1em 0; }
div.warn ul { margin: 0.3em 0 0; padding-left: 1.2em; }
tr.group th { text-align: left; background: #e9edf1; }
table.left2 td:nth-child(2) { text-align: left; white-space: normal; }
table.sweep td:first-child { min-width: 3em; }
table.sweep td:nth-child(2) { max-width: 16em; }
table.sweep th { max-width: 9em; font-weight: 600; }
span.ci { color: #666; font-size: 0.9em; }
.muted { color: #666; font-size: 0.9em; }
figure { margin: 1em 0 2em; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.93em; margin-top: 0.4em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
details { margin: 0.6em 0; }
nav a { margin-right: 1em; }
@media print { body { max-width: none; } figure { break-inside: avoid; } }
"""


def escape(x: Any) -> str:
    return html.escape(str(x), quote=True)


def time_text(v: Any) -> str:
    return fmt_time(as_float(v))


def pct(v: Any) -> str:
    v = as_float(v)
    return "-" if v != v else f"{100 * v:.1f}%"


def value_text(key: str, v: Any) -> str:
    kind = P.METRIC_KIND.get(key) or RUN_KIND.get(key, "time")
    return time_text(v) if kind == "time" else pct(v)


def metric_kind(key: str) -> str:
    return P.METRIC_KIND.get(key) or RUN_KIND.get(key, "time")


def ci_cells(key: str, ci: dict[str, Any]) -> tuple[str, str]:
    """(mean, "[low, high]") formatted for a metric, the interval cut to the possible
    range (:func:`sim.output.plotting.experiments.clip_interval`). Where rounding
    would make a real interval look like a point (``3 h [3 h, 3 h]``), all three are
    shown with the digits it takes to tell them apart.

    Examples
    --------
    >>> ci_cells("reporting_delay_mean", {"mean": 180.0, "low": 177.0, "high": 183.0})
    ('3.00 h', '[2.95 h, 3.05 h]')
    >>> ci_cells("reporting_delay_mean", {"mean": 180.0, "low": 120.0, "high": 240.0})
    ('3 h', '[2 h, 4 h]')
    """
    m = as_float(ci.get("mean"))
    _, lo, hi = clip_interval(
        metric_kind(key), 0.0, as_float(ci.get("low")), as_float(ci.get("high"))
    )
    if lo != lo or hi != hi:
        return value_text(key, m), "-"
    texts = [value_text(key, v) for v in (m, lo, hi)]
    if hi > lo and m == m and (texts[1] == texts[2] or texts[0] in texts[1:]):
        texts = precise_texts(metric_kind(key), (m, lo, hi))
    return texts[0], f"[{texts[1]}, {texts[2]}]"


def precise_texts(kind: str, values: tuple[float, ...], extra: int = 4) -> list[str]:
    """``values`` in one unit with the fewest decimals (up to ``extra`` more than
    usual) at which the distinct ones read differently.

    Examples
    --------
    >>> precise_texts("share", (0.5, 0.4996, 0.5004))
    ['50.00%', '49.96%', '50.04%']
    """
    finite = [v for v in values if v == v]
    if kind == "time":
        big = max((abs(v) for v in finite), default=0.0)
        div, unit, base = (
            (1.0, " min", 0)
            if big < 120
            else ((60.0, " h", 1) if big < 3 * 1440 else (1440.0, " d", 1))
        )
    else:
        div, unit, base = 0.01, "%", 1
    distinct = len(set(finite))
    for d in range(base, base + extra + 1):
        texts = [f"{v / div:.{d}f}{unit}" if v == v else "-" for v in values]
        if len(set(t for t, v in zip(texts, values) if v == v)) == distinct:
            break
    return texts


CI_KEYS = ("mean", "low", "high")


def triplet(key: str, mean: Any, low: Any, high: Any, signed: bool = False) -> str:
    """``mean [low, high]`` in one unit: minutes or hours for times, percent (or
    percentage points when ``signed``) for shares. The interval is cut to the
    possible range (shares 0-100%, times at least 0; differences of shares within
    ±100 points).

    Examples
    --------
    >>> triplet("response_mean", 1356.0, 672.0, 2046.0)
    '22.6 h [11.2, 34.1]'
    >>> triplet("response_mean", -105.0, -420.0, 210.0, signed=True)
    '-1.8 h [-7.0, +3.5]'
    >>> triplet("verification_rate", 0.103, 0.037, 0.17, signed=True)
    '+10.3 pt [+3.7, +17.0]'
    >>> triplet("within_response", 0.617, 0.224, 1.01)
    '61.7% [22.4, 100.0]'
    >>> triplet("response_p90", 1380.0, -2838.0, 5610.0)
    '23.0 h [0.0, 93.5]'
    >>> triplet("reporting_delay_mean", 180.0, 179.9, 180.1)
    '3.000 h [2.998, 3.002]'
    """
    m, lo, hi = clip_interval(
        metric_kind(key), as_float(mean), as_float(low), as_float(high), diff=signed
    )
    if m != m:
        return "-"
    sign = "+" if signed else ""
    if metric_kind(key) == "time":
        big = max(abs(v) for v in (m, lo, hi) if v == v)
        div, unit, fmt = (1.0, "min", f"{sign}.0f") if big < 120 else (60.0, "h", f"{sign}.1f")
    else:
        div, unit, fmt = 0.01, "pt" if signed else "%", f"{sign}.1f"
    if lo == lo and hi == hi and hi > lo:
        # as many decimals as it takes for an interval not to round to a point
        digits = int(fmt[-2])
        while digits < int(fmt[-2]) + 4 and len(
            {f"{v / div:.{digits}f}" for v in (m, lo, hi)}
        ) < len({m, lo, hi}):
            digits += 1
        fmt = f"{sign}.{digits}f"
    head = f"{m / div:{fmt}}{'' if unit == '%' else ' '}{unit}"
    if lo != lo or hi != hi:
        return head
    return f"{head} [{lo / div:{fmt}}, {hi / div:{fmt}}]"


def table(head: list[str], rows: list[list[str] | str], cls: str = "") -> str:
    """An HTML table; cells are HTML, a row given as a string is a group heading."""
    h = "".join(f"<th>{escape(c)}</th>" for c in head)
    body = "".join(
        f'<tr class="group"><th colspan="{len(head)}">{escape(r)}</th></tr>'
        if isinstance(r, str)
        else "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return (
        f'<div class="wide"><table class="{cls}"><thead><tr>{h}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def facts(items: list[tuple[str, Any]]) -> str:
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in items
        if v not in (None, "")
    )
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def compact_png(png: bytes) -> bytes:
    """The same picture with a 256-colour palette: about a third of the bytes, so a
    report stays small enough to e-mail (figures are flat colours and text)."""
    from PIL import Image  # matplotlib's own dependency

    with Image.open(io.BytesIO(png)) as im:
        q = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        buf = io.BytesIO()
        q.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


# Told of each figure a report draws: ``progress(done, total, extra)`` (None: silent).
FIGURE_PROGRESS: ContextVar[Callable[[int, int, str], None] | None] = ContextVar(
    "FIGURE_PROGRESS", default=None
)


def figures(
    makers: dict[str, Any],
    captions: dict[str, tuple[str, str]] | None = None,
    notes: list[str] | None = None,
) -> str:
    """The figures section; ``captions`` overrides the heading and the reading note of
    a kind, ``notes`` are written before the figures (e.g. why one is missing)."""
    out = ['<h2 id="figures">Figures</h2>']
    out += [f'<p class="muted">{escape(n)}</p>' for n in notes or []]
    progress = FIGURE_PROGRESS.get()
    for done, (kind, make) in enumerate(makers.items()):
        if progress is not None:
            progress(done, len(makers), f" (drawing {kind})")
        fig = make()
        png = compact_png(P.png_bytes(fig, dpi=REPORT_DPI))
        data = base64.b64encode(png).decode("ascii")
        title, reading = (captions or {}).get(
            kind, (P.KINDS.get(kind, kind), READING.get(kind, ""))
        )
        out.append(
            f'<figure id="fig-{escape(kind)}"><h3>{escape(title)}</h3>'
            f'<img src="data:image/png;base64,{data}" alt="{escape(title)}">'
            f"<figcaption>{escape(reading)}</figcaption></figure>"
        )
    if progress is not None:
        progress(len(makers), len(makers), "")
    return "\n".join(out)


def missing_notes(makers: dict[str, Any]) -> list[str]:
    """Why a figure of a run (or of the runs of a comparison) is not there."""
    return [NO_BREAKDOWN] if "distributions" in makers and "breakdown" not in makers else []


def html_page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def yaml_block(title: str, text: str, open_: bool = False) -> str:
    return (
        f"<details{' open' if open_ else ''}><summary>{escape(title)}</summary>"
        f"<pre>{escape(text)}</pre></details>"
    )


def warnings_box(warnings: list[str], what: str) -> str:
    """The warnings of a comparison or sweep in a highlighted box (nothing without)."""
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return (
        f'<div class="warn" id="warnings"><strong>Read the delays with care: the outcome mix '
        f"moved between {escape(what)}.</strong> Incidents that no team reached are kept out of "
        "the response times, so a delay can change only because it measures other incidents."
        f"<ul>{items}</ul></div>"
    )


def read_text(path: Path) -> str:
    return path.read_text("utf-8") if path.exists() else ""


# --------------------------------------------------------------------------- kinds

# Key metrics of a run, in the order of the printed summary: the shared list
# (sim.analysis.metrics.KEY_METRICS) with the reporting delay first and the detection
# rate before the other shares.
# Outcome shares are in the outcomes section, from the counts.


RUN_METRICS = (
    (("reporting_delay_mean", "Reporting delay, mean", "time"),)
    + tuple(m for m in KEY_METRICS if m[2] == "time" and m[0] != "reporting_delay_mean")
    + (("detection_rate", "Detection rate", "share"),)
    + tuple(m for m in KEY_METRICS if m[2] == "share" and not m[0].startswith("incidents_"))
)
RUN_KIND = {k: kind for k, _, kind in RUN_METRICS}
