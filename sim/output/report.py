"""The shareable report: one self-contained HTML page per run, comparison, sweep or search.

``cfsim report RESULTS_DIR`` writes ``RESULTS_DIR/report.html``: the summary,
the key metrics with their confidence intervals, every figure (PNG, embedded
as data URIs) with a note on how to read it, and the resolved scenario. The
page loads nothing from anywhere else, so it opens offline in any browser and
can be mailed as one file. Like the figures, it is built from the saved
results only; the same directory always gives the same page.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import yaml

from . import plotting as P
from ..analysis.metrics import KEY_METRICS
from .plotting.experiments import as_float, clip_interval, sweep_table
from .plotting.style import fmt_time
from .results import detect, load_run

REPORT_DPI = 100
"""Resolution of the figures in the page (``cfsim plot`` writes 150 dpi files)."""

READING: dict[str, str] = {
    "distributions": "Each panel is a histogram of one delay: the height of a step is the "
    "share of the cases with a value (those where the event happened; the n in brackets) "
    "that fell in that bin, so each histogram adds up to 100%. The dashed line is the "
    "median. The axis stops at the 99th percentile so that the bulk stays readable; the "
    "longest case is noted.",
    "ecdf": "Follow a vertical line from any time on the axis: the curve tells what share of "
    "cases took at most that long. The dotted red line is the service target (when "
    "configurations have different targets, each one's is drawn in its colour); the legend "
    "gives each configuration's share within its own target. Cases where the event never "
    "happened (no team went, a report expired) count in the total, so a curve that levels "
    "off below 100% shows the share that never got there.",
    "violins": "The box covers the middle half of the cases (white line: median; white dot: "
    "mean), the whiskers reach the 5th and 95th percentiles and the shaded violin shows where "
    "the cases cluster. Differences between replications show how much one run varies by "
    "chance.",
    "breakdown": "Bars are median response times, the thin line runs on to the 90th "
    "percentile; n is the number of incidents behind a bar (written for up to three "
    "configurations). Use it to see which kinds of incident and which sectors wait "
    "longest; few incidents (small n) make a bar uncertain.",
    "timeline": "Daily means over the whole run. The hatched area is the warm-up, which the "
    "statistics leave out; after it the curves should fluctuate around a level. A curve that "
    "keeps rising means the center does not keep up.",
    "week": "A close look at the first replication, at the scenario's sampling interval: the "
    "week just after the warm-up, or the last days of a shorter run (the title gives the "
    "days and the interval). Shaded hours have fewer officers on duty than the "
    "best-staffed time of day (the night shift): queues that build up there are the cost "
    "of thin staffing.",
    "map": "Sectors on the line of contact coloured by how many violations happen there (per "
    "day; the scale starts at zero) and by how long the first team takes to arrive (median; "
    "the scale runs from the fastest to the slowest sector). Triangles are team bases "
    "with their number of teams; open diamonds are rear targets of long-range strikes.",
    "metrics": "Each dot is a configuration's mean over replications, the line its 95% "
    "confidence interval (cut at the possible range: no share below 0 or above 100%, no "
    "time below zero). Times of two hours or more are in hours, shorter ones in their own "
    "panel in minutes. Overlapping intervals do not mean no difference: the paired "
    "differences (next figure) are sharper because every configuration saw the same "
    "violations.",
    "differences": "Each dot is the mean difference from the reference configuration over "
    "paired replications, with its 95% interval. Filled dots are significant at 5% (the "
    "interval excludes zero); hollow dots are not.",
    "sweep": "Each panel shows one key metric as the swept parameter changes, with the 95% "
    "confidence interval of each point (cut at the possible range). Look for where a curve "
    "bends: that is where service starts to collapse.",
    "heatmap": "Each cell is one combination of the two parameters; the colour and the "
    "number give the mean, the number below it the 95% half-width. Colour scales start at "
    "zero so a pale difference is a small one.",
    "frontier": "Every configuration explored, by cost. Filled dots meet every target with "
    "95% confidence; the dashed line is the target; the blue step is the best mean that "
    "money can buy at or below each cost; the orange ring marks the cheapest configuration "
    "meeting every target.",
}

# A run's map shows violations per day and response times; a comparison's map one
# configuration per panel, coloured by response time only.
RUN_MAP = (
    "The line-of-contact graph: sectors coloured by violations per day and median response "
    "time, bases and rear targets marked",
    READING["map"],
)
COMPARISON_MAP = (
    "The line-of-contact graph, one panel per configuration: sectors coloured by median "
    "response time on one scale, bases and rear targets marked",
    "One panel per configuration, sectors coloured by the median time for the first team to "
    "arrive, on one colour scale running from the fastest to the slowest sector of any "
    "configuration. Triangles are team bases with their number of teams; open diamonds are "
    "rear targets of long-range strikes.",
)
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
.muted { color: #666; font-size: 0.9em; }
figure { margin: 1em 0 2em; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.93em; margin-top: 0.4em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
details { margin: 0.6em 0; }
nav a { margin-right: 1em; }
@media print { body { max-width: none; } figure { break-inside: avoid; } }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _time(v: Any) -> str:
    return fmt_time(as_float(v))


def _pct(v: Any) -> str:
    v = as_float(v)
    return "-" if v != v else f"{100 * v:.1f}%"


def _value(key: str, v: Any) -> str:
    kind = P.METRIC_KIND.get(key) or _RUN_KIND.get(key, "time")
    return _time(v) if kind == "time" else _pct(v)


def _kind(key: str) -> str:
    return P.METRIC_KIND.get(key) or _RUN_KIND.get(key, "time")


def _ci(key: str, ci: dict[str, Any]) -> tuple[str, str]:
    """(mean, "[low, high]") formatted for a metric, the interval cut to the possible
    range (:func:`sim.output.plotting.experiments.clip_interval`)."""
    _, lo, hi = clip_interval(_kind(key), 0.0, as_float(ci.get("low")), as_float(ci.get("high")))
    rng = f"[{_value(key, lo)}, {_value(key, hi)}]" if lo == lo and hi == hi else "-"
    return _value(key, ci.get("mean")), rng


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
    """
    m, lo, hi = clip_interval(
        _kind(key), as_float(mean), as_float(low), as_float(high), diff=signed
    )
    if m != m:
        return "-"
    sign = "+" if signed else ""
    if _kind(key) == "time":
        big = max(abs(v) for v in (m, lo, hi) if v == v)
        div, unit, fmt = (1.0, "min", f"{sign}.0f") if big < 120 else (60.0, "h", f"{sign}.1f")
    else:
        div, unit, fmt = 0.01, "pt" if signed else "%", f"{sign}.1f"
    head = f"{m / div:{fmt}}{'' if unit == '%' else ' '}{unit}"
    if lo != lo or hi != hi:
        return head
    return f"{head} [{lo / div:{fmt}}, {hi / div:{fmt}}]"


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<div class="wide"><table class="{cls}"><thead><tr>{h}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _facts(items: list[tuple[str, Any]]) -> str:
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in items if v not in (None, "")
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


def _figures(
    makers: dict[str, Any],
    captions: dict[str, tuple[str, str]] | None = None,
    notes: list[str] | None = None,
) -> str:
    """The figures section; ``captions`` overrides the heading and the reading note of
    a kind, ``notes`` are written before the figures (e.g. why one is missing)."""
    out = ['<h2 id="figures">Figures</h2>']
    out += [f'<p class="muted">{_e(n)}</p>' for n in notes or []]
    for kind, make in makers.items():
        fig = make()
        png = compact_png(P.png_bytes(fig, dpi=REPORT_DPI))
        data = base64.b64encode(png).decode("ascii")
        title, reading = (captions or {}).get(
            kind, (P.KINDS.get(kind, kind), READING.get(kind, ""))
        )
        out.append(
            f'<figure id="fig-{_e(kind)}"><h3>{_e(title)}</h3>'
            f'<img src="data:image/png;base64,{data}" alt="{_e(title)}">'
            f"<figcaption>{_e(reading)}</figcaption></figure>"
        )
    return "\n".join(out)


def _missing_notes(makers: dict[str, Any]) -> list[str]:
    """Why a figure of a run (or of the runs of a comparison) is not there."""
    return [NO_BREAKDOWN] if "distributions" in makers and "breakdown" not in makers else []


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _yaml_block(title: str, text: str, open_: bool = False) -> str:
    return (
        f"<details{' open' if open_ else ''}><summary>{_e(title)}</summary>"
        f"<pre>{_e(text)}</pre></details>"
    )


def _read(path: Path) -> str:
    return path.read_text("utf-8") if path.exists() else ""


# --------------------------------------------------------------------------- kinds

# Key metrics of a run, in the order of the printed summary: the shared list
# (sim.analysis.metrics.KEY_METRICS) with the reporting delay first and the detection
# rate before the other shares.
_RUN_METRICS = (
    (("reporting_delay_mean", "Reporting delay, mean", "time"),)
    + tuple(m for m in KEY_METRICS if m[2] == "time")
    + (("detection_rate", "Detection rate", "share"),)
    + tuple(m for m in KEY_METRICS if m[2] == "share")
)
_RUN_KIND = {k: kind for k, _, kind in _RUN_METRICS}


def _run_body(d: Path) -> tuple[str, str]:
    run = load_run(d)
    s, scen = run.summary, run.scenario
    meta = json.loads(_read(d / "metadata.json") or "{}")
    title = f"Scenario {scen.name}"
    parts = [f"<h1>{_e(title)}</h1>"]
    if scen.description:
        parts.append(f'<p class="lead">{_e(scen.description)}</p>')
    parts.append(
        '<nav><a href="#metrics">Key metrics</a><a href="#delays">Delays</a>'
        '<a href="#outcomes">Outcomes</a><a href="#figures">Figures</a>'
        '<a href="#scenario">Scenario</a></nav>'
    )
    parts.append(_run_facts(s, scen, meta))
    parts.append(_run_metrics(s))
    parts.append(_run_delays(s))
    parts.append(_run_outcomes(s))
    desks = s.get("desks", {})
    if desks:
        parts.append(_desk_table(desks))
    makers = P.run_figures([run])
    parts.append(_figures(makers, captions={"map": RUN_MAP}, notes=_missing_notes(makers)))
    parts.append('<h2 id="scenario">The scenario as run</h2>')
    parts.append(
        '<p class="muted">Every default filled in; <code>cfsim run</code> on this file '
        "reproduces the results.</p>"
    )
    parts.append(_yaml_block("scenario.yaml", _read(d / "scenario.yaml"), open_=False))
    return title, "\n".join(parts)


def _run_facts(s: dict[str, Any], scen: Any, meta: dict[str, Any]) -> str:
    """The facts of a run: where it came from, seed, replications and horizon."""
    return _facts(
        [
            ("Scenario file", meta.get("scenario_file")),
            ("Seed", scen.seed),
            ("Replications", s["replications"]),
            ("Horizon", fmt_time(scen.horizon)),
            ("Warm-up (not measured)", fmt_time(scen.warmup)),
            ("Measured per replication", f"{s['measured_days_per_replication']:g} days"),
            ("Package version", meta.get("version")),
            ("Command", meta.get("command")),
            ("Results written (UTC)", meta.get("written_utc")),
        ]
    )


def _run_metrics(s: dict[str, Any]) -> str:
    """The key metrics section of a run: each metric's mean and 95% CI."""
    per = s.get("per_replication", {})
    rows = []
    for key, label, _kind in _RUN_METRICS:
        if key not in per:
            continue
        mean, rng = _ci(key, per[key])
        rows.append([_e(label), mean, rng, str(per[key].get("n", ""))])
    targets = ", ".join(
        f"{k} {fmt_time(t['limit_minutes'])}" for k, t in s.get("targets", {}).items()
    )
    return "\n".join(
        [
            '<h2 id="metrics">Key metrics</h2>',
            '<p class="muted">Mean over replications with its 95% confidence interval '
            f"(Student t); targets: {targets}. {_e(CLIPPED)}</p>",
            _table(["Metric", "Mean", "95% CI", "Replications"], rows),
        ]
    )


def _run_delays(s: dict[str, Any]) -> str:
    """The delays section of a run: statistics of every measured case, pooled."""
    rows = []
    for key, title in (
        ("reporting_delay", "Reporting delay (violation to report)"),
        ("acknowledge", "Time to acknowledge (report to triage start)"),
        ("dispatch", "Time to dispatch (incident to team dispatched)"),
        ("response", "Response time (first report to team on site)"),
        ("finding", "Time to finding (first report to joint finding)"),
        ("violation_to_finding", "Violation to finding (end to end)"),
    ):
        dd = s["delays"].get(key)
        if dd:
            rows.append(
                [_e(title), f"{dd['n']:,}"]
                + [_time(dd[k]) for k in ("mean", "median", "p90", "p95", "max")]
            )
    return "\n".join(
        [
            '<h2 id="delays">Delays</h2>',
            '<p class="muted">Every measured case of every replication pooled; cases where the '
            "event never happened are left out here and counted under outcomes.</p>",
            _table(["Delay", "n", "mean", "median", "p90", "p95", "max"], rows),
        ]
    )


def _run_outcomes(s: dict[str, Any]) -> str:
    """The outcomes section of a run: counts by final state and why cases failed."""
    c = s["counts"]
    rows = []
    for what, key in (
        ("Violations", "violations"),
        ("Reports", "reports"),
        ("Incidents", "incidents"),
    ):
        total = sum(c[key].values())
        detail = ", ".join(f"{_e(k)} {v:,}" for k, v in c[key].items() if v)
        rows.append([_e(what), f"{total:,}", detail])
    for what, key in (
        ("Reported but unverified, because", "unverified_reasons"),
        ("Incidents not verified, because", "incident_reasons"),
    ):
        detail = ", ".join(f"{_e(k)} {v:,}" for k, v in c.get(key, {}).items() if v)
        if detail:
            rows.append([_e(what), "", detail])
    return "\n".join(
        [
            '<h2 id="outcomes">Outcomes</h2>',
            _table(["", "Total", "By final state"], rows, "outcomes"),
        ]
    )


def _desk_table(desks: dict[str, dict[str, Any]]) -> str:
    """Each party's desk: utilisation, queue, wait and officers on duty."""
    return _table(
        [
            "Desk",
            "Utilisation",
            "Mean queue (reports)",
            "Mean wait",
            "Share waiting",
            "Officers on duty (mean)",
        ],
        [
            [
                p,
                _pct(v.get("utilisation")),
                f"{as_float(v.get('mean_queue')):.2f}",
                _time(v.get("mean_wait")),
                _pct(v.get("p_wait")),
                f"{as_float(v.get('mean_officers')):.1f}",
            ]
            for p, v in desks.items()
        ],
    )


def _comparison_body(d: Path) -> tuple[str, str]:
    meta = json.loads(_read(d / "comparison.json"))
    names = [c["name"] for c in meta["configurations"]]
    title = "Comparison: " + " vs ".join(names)
    parts = [f"<h1>{_e(title)}</h1>"]
    parts.append(
        '<p class="lead">Every configuration ran the same replications with the same random '
        "numbers, so differences come from the configurations, not from luck. Δ is the paired "
        f"difference against the reference, {_e(names[0])}; bold differences are significant "
        "at 5%.</p>"
    )
    parts.append(
        _facts(
            [
                (
                    "Configurations",
                    ", ".join(
                        f"{c['name']} ({c.get('file') or c['scenario']})"
                        for c in meta["configurations"]
                    ),
                ),
                ("Seed", meta.get("seed")),
                ("Replications each", meta.get("replications")),
                ("Precision target", meta.get("precision")),
                ("Package version", meta.get("version")),
                ("Command", meta.get("command")),
                ("Results written (UTC)", meta.get("written_utc")),
            ]
        )
    )
    by = {(r["metric"], r["configuration"]): r for r in meta["rows"]}
    rows = []
    for key, label, _kind in KEY_METRICS:
        cells = [_e(label)]
        for n in names:
            r = by.get((key, n))
            if r is None:
                cells.append("-")
                continue
            cells.append(triplet(key, r["mean"], r["low"], r["high"]))
        for n in names[1:]:
            r = by.get((key, n))
            if r is None or r.get("diff_mean") is None:
                cells.append("-")
                continue
            txt = triplet(key, r["diff_mean"], r["diff_low"], r["diff_high"], signed=True)
            cells.append(f'<span class="sig">{txt}</span>' if r.get("significant") else txt)
        rows.append(cells)
    parts.append('<h2 id="metrics">Key metrics</h2>')
    parts.append(
        '<p class="muted">Mean over replications [95% confidence interval]; Δ in time or '
        f"percentage points (pt). {_e(CLIPPED)}</p>"
    )
    parts.append(_table(["Metric", *names, *(f"Δ {n}" for n in names[1:])], rows))
    _, makers = P.figure_makers(d)
    if "distributions" not in makers:
        parts.append(
            '<p class="muted">Distribution, timeline and map figures need each '
            "configuration's tables: run <code>cfsim compare ... --tables</code> (or "
            "<code>--plots</code>).</p>"
        )
    parts.append(_figures(makers, captions={"map": COMPARISON_MAP}, notes=_missing_notes(makers)))
    parts.append('<h2 id="scenario">The configurations as run</h2>')
    for n in names:
        parts.append(_yaml_block(f"{n}: scenario-{n}.yaml", _read(d / f"scenario-{n}.yaml")))
    return title, "\n".join(parts)


def _sweep_body(d: Path) -> tuple[str, str]:
    meta = json.loads(_read(d / "sweep.json"))
    spec_text = _read(d / "sweep.yaml")
    spec = yaml.safe_load(spec_text) if spec_text else {}
    title = f"Sweep {meta.get('sweep', '')}"
    parts = [f"<h1>{_e(title)}</h1>"]
    if spec.get("description"):
        parts.append(f'<p class="lead">{_e(spec["description"])}</p>')
    parts.append(
        _facts(
            [
                ("Sweep file", meta.get("file")),
                ("Parameters", ", ".join(meta.get("parameters", []))),
                ("Points", meta.get("points")),
                ("Replications per point", meta.get("replications")),
                ("Seed", meta.get("seed")),
                ("Package version", meta.get("version")),
                ("Command", meta.get("command")),
                ("Results written (UTC)", meta.get("written_utc")),
            ]
        )
    )
    points = sweep_table(meta["rows"])
    rows = []
    for k in sorted(points):
        cells = [str(k), _e(points[k]["label"])]
        for key in P.SWEEP_METRICS:
            m, lo, hi = points[k]["m"].get(key, (math.nan,) * 3)
            cells.append(triplet(key, m, lo, hi))
        rows.append(cells)
    parts.append('<h2 id="metrics">Key metrics per point</h2>')
    parts.append(
        f'<p class="muted">Mean over replications [95% confidence interval]. {_e(CLIPPED)}</p>'
    )
    parts.append(
        _table(["Point", "Parameters", *(P.METRIC_LABEL[k] for k in P.SWEEP_METRICS)], rows)
    )
    _, makers = P.figure_makers(d)
    parts.append(_figures(makers))
    parts.append('<h2 id="scenario">The sweep as run</h2>')
    parts.append(_yaml_block("sweep.yaml", spec_text))
    return title, "\n".join(parts)


def _optimize_body(d: Path) -> tuple[str, str]:
    meta = json.loads(_read(d / "frontier.json"))
    cons = meta["constraints"]
    title = f"Staffing search {meta.get('optimize', '')}"
    parts = [f"<h1>{_e(title)}</h1>"]
    best = meta.get("best")
    if best:
        parts.append(
            f'<p class="lead">Cheapest configuration meeting every target with 95% confidence: '
            f"point {best['point']} ({_e(best['label'])}), cost {best['cost']:g} = "
            f"{best['officers']} officer positions + {best['team_members']} team members.</p>"
        )
    else:
        parts.append(
            '<p class="lead">No configuration explored met every target with 95% confidence.</p>'
        )
    target_txt = "; ".join(
        f"{P.METRIC_LABEL.get(m, m)} {'at most' if 'max' in c else 'at least'} "
        f"{_value(m, next(iter(c.values())))}"
        for m, c in cons.items()
    )
    parts.append(
        _facts(
            [
                ("Search file", meta.get("file")),
                ("Targets", target_txt),
                ("Costs", ", ".join(f"{k} {v:g}" for k, v in meta.get("costs", {}).items())),
                ("Points evaluated", f"{meta.get('evaluated')} of {meta.get('grid_points')}"),
                ("Replications per point", meta.get("replications")),
                ("Seed", meta.get("seed")),
                ("Package version", meta.get("version")),
                ("Command", meta.get("command")),
                ("Results written (UTC)", meta.get("written_utc")),
            ]
        )
    )
    rows = []
    for r in meta["rows"]:
        cells = [
            str(r["point"]),
            _e(r["label"]),
            f"{r['cost']:g}",
            str(r["officers"]),
            str(r["team_members"]),
        ]
        for m in cons:
            cells.append(triplet(m, r[f"{m}_mean"], r[f"{m}_low"], r[f"{m}_high"]))
        cells.append("yes" if r["feasible"] else "no")
        rows.append(cells)
    parts.append('<h2 id="metrics">Points explored, cheapest first</h2>')
    parts.append(
        f'<p class="muted">Mean over replications [95% confidence interval]. {_e(CLIPPED)}</p>'
    )
    parts.append(
        _table(
            [
                "Point",
                "Parameters",
                "Cost",
                "Officer positions",
                "Team members",
                *(P.METRIC_LABEL.get(m, m) for m in cons),
                "Meets targets",
            ],
            rows,
        )
    )
    _, makers = P.figure_makers(d)
    parts.append(_figures(makers))
    return title, "\n".join(parts)


def build_report(directory: str | Path) -> str:
    """The HTML of the report on a results directory (see :func:`write_report`)."""
    d = Path(directory)
    kind = detect(d)
    body = {
        "run": _run_body,
        "comparison": _comparison_body,
        "sweep": _sweep_body,
        "optimize": _optimize_body,
    }[kind](d)
    title, html_body = body
    foot = (
        '<p class="muted" style="margin-top:3em">Made by <code>cfsim report</code> from the '
        "saved results in this directory. Figures are shown at 100 dpi in 256 colours to keep "
        "the page small; <code>cfsim plot</code> writes them as full-quality PNG, SVG or PDF. "
        "Times in minutes (min), hours (h) or days (d).</p>"
    )
    return _page(title, html_body + "\n" + foot)


def write_report(directory: str | Path, out: str | Path | None = None) -> Path:
    """Write ``report.html`` (or ``out``) for a results directory and return its path.

    Raises
    ------
    sim.output.results.ResultsError
        When ``directory`` holds no results.
    """
    text = build_report(directory)
    path = Path(out) if out is not None else Path(directory) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
