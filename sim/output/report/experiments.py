"""The report pages of a comparison, a sweep and a staffing search."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from ...analysis.metrics import METRIC_GROUPS
from .. import plotting as P
from ..plotting.captions import COMPARISON_MAP, SWEEP_OUTCOMES
from ..plotting.experiments import sweep_table
from ..results import UNMEASURED_PARTS, comparison_outcomes
from .page import (
    CLIPPED,
    escape,
    facts,
    figures,
    missing_notes,
    pct,
    read_text,
    table,
    time_text,
    triplet,
    value_text,
    warnings_box,
    yaml_block,
)


def comparison_body(d: Path) -> tuple[str, str]:
    meta = json.loads(read_text(d / "comparison.json"))
    names = [c["name"] for c in meta["configurations"]]
    title = "Comparison: " + " vs ".join(names)
    parts = [f"<h1>{escape(title)}</h1>"]
    parts.append(
        '<p class="lead">Every configuration ran the same replications with the same random '
        "numbers, so differences come from the configurations, not from luck. Δ is the paired "
        f"difference against the reference, {escape(names[0])}; bold differences are significant "
        "at 5% (Holm-adjusted over every metric and configuration).</p>"
    )
    parts.append(warnings_box(meta.get("warnings", []), "the configurations"))
    parts.append(
        facts(
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
    outcomes = comparison_outcomes(meta)
    parts.append(_comparison_metrics(meta, names, outcomes is not None))
    if outcomes is not None:
        parts.append(_comparison_outcomes(outcomes))
    parts.append(_comparison_shifts(meta.get("shifts", []), names))
    _, makers = P.figure_makers(d)
    if "distributions" not in makers:
        parts.append(
            '<p class="muted">Distribution, timeline and map figures need each '
            "configuration's tables: run <code>cfsim compare ... --tables</code> (or "
            "<code>--plots</code>).</p>"
        )
    parts.append(figures(makers, captions={"map": COMPARISON_MAP}, notes=missing_notes(makers)))
    parts.append('<h2 id="scenario">The configurations as run</h2>')
    for n in names:
        parts.append(yaml_block(f"{n}: scenario-{n}.yaml", read_text(d / f"scenario-{n}.yaml")))
    return title, "\n".join(parts)


def _comparison_metrics(meta: dict[str, Any], names: list[str], outcome_table: bool) -> str:
    """The key metrics of a comparison by group, each configuration's mean [95% CI]
    and the paired differences; outcome shares are left to the outcome table when
    there is one."""
    by = {(r["metric"], r["configuration"]): r for r in meta["rows"]}
    rows: list[list[str] | str] = []
    for group, keys in METRIC_GROUPS:
        if outcome_table and all(k.startswith("incidents_") for k in keys):
            continue
        rows.append(group)
        for key in keys:
            cells = [escape(P.METRIC_LABEL.get(key, key))]
            for n in names:
                r = by.get((key, n))
                cells.append("-" if r is None else triplet(key, r["mean"], r["low"], r["high"]))
            for n in names[1:]:
                r = by.get((key, n))
                if r is None or r.get("diff_mean") is None:
                    cells.append("-")
                    continue
                txt = triplet(key, r["diff_mean"], r["diff_low"], r["diff_high"], signed=True)
                cells.append(f'<span class="sig">{txt}</span>' if r.get("significant") else txt)
            rows.append(cells)
    more = " Outcome shares: see the next table." if outcome_table else ""
    return "\n".join(
        [
            '<h2 id="metrics">Key metrics</h2>',
            '<p class="muted">Mean over replications [95% confidence interval]; Δ in time or '
            f"percentage points (pt). {escape(CLIPPED)}{more}</p>",
            table(["Metric", *names, *(f"Δ {n}" for n in names[1:])], rows),
        ]
    )


def _comparison_outcomes(o: dict[str, Any]) -> str:
    """What became of the incidents per configuration: share (and count) of every
    outcome, and its paired difference against the reference."""
    names = o["names"]
    rows: list[list[str] | str] = []
    for k in o["parts"]:
        cells = [escape(o["labels"][k]) + (" ▨" if k in UNMEASURED_PARTS else "")]
        cells += [f"{pct(o['share'][n][k])} ({o['count'][n][k]:,.0f})" for n in names]
        for n in names[1:]:
            d = o["diff"][n][k]
            txt = triplet("within_response", d["mean"], d["low"], d["high"], signed=True)
            if d["significant"] is None:
                txt += " ◇"
            cells.append(f'<span class="sig">{txt}</span>' if d["significant"] else txt)
        rows.append(cells)
    total = [f"{sum(o['count'][n].values()):,.0f}" for n in names]
    rows.append(["All measured incidents (count)", *total, *("" for _ in names[1:])])
    notes = "".join(f'<p class="muted">◇ {escape(n)}</p>' for n in o.get("notes", []))
    return "\n".join(
        [
            '<h2 id="outcomes">What became of the incidents</h2>',
            '<p class="muted">Share of the measured incidents by outcome, mean over '
            "replications (count over all replications in brackets); Δ is the paired difference "
            "in percentage points [95% CI], bold where significant at 5% (Holm). ▨: kept out of "
            "the response times (no team asked or on site): a configuration with more of these "
            "measures its response times over fewer incidents.</p>",
            table(["Outcome", *names, *(f"Δ {n}" for n in names[1:])], rows),
            notes,
        ]
    )


def _comparison_shifts(shifts: list[dict[str, Any]], names: list[str]) -> str:
    """Per desk and shift: each configuration's busy share per officer and mean wait."""
    if not shifts:
        return ""
    by = {(r["desk"], r["shift"], r["configuration"]): r for r in shifts}
    keys = list(dict.fromkeys((r["desk"], r["shift"]) for r in shifts))
    rows = [
        [escape(f"{desk} {shift}")]
        + [
            f"{pct(by[(desk, shift, n)]['utilisation_mean'])} / "
            f"{time_text(by[(desk, shift, n)]['mean_wait_mean'])}"
            if (desk, shift, n) in by
            else "-"
            for n in names
        ]
        for desk, shift in keys
    ]
    return "\n".join(
        [
            '<h2 id="shifts">Desk load by shift</h2>',
            '<p class="muted">Busy per officer on duty / mean wait for triage, over each '
            "shift's hours, mean over replications (shifts of the same hours in every "
            "configuration).</p>",
            table(["Desk and shift", *names], rows),
        ]
    )


def sweep_body(d: Path) -> tuple[str, str]:
    meta = json.loads(read_text(d / "sweep.json"))
    spec_text = read_text(d / "sweep.yaml")
    spec = yaml.safe_load(spec_text) if spec_text else {}
    title = f"Sweep {meta.get('sweep', '')}"
    parts = [f"<h1>{escape(title)}</h1>"]
    if spec.get("description"):
        parts.append(f'<p class="lead">{escape(spec["description"])}</p>')
    parts.append(warnings_box(meta.get("warnings", []), "the points of the sweep"))
    parts.append(
        facts(
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
    shown = tuple(meta.get("metrics") or P.SWEEP_METRICS)
    parts.append('<h2 id="metrics">Key metrics per point</h2>')
    parts.append(
        f'<p class="muted">Mean over replications [95% confidence interval]. {escape(CLIPPED)}</p>'
    )
    parts += sweep_tables(sweep_table(meta["rows"]), shown)
    _, makers = P.figure_makers(d)
    parts.append(figures(makers, captions={"outcomes": SWEEP_OUTCOMES}))
    parts.append('<h2 id="scenario">The sweep as run</h2>')
    parts.append(yaml_block("sweep.yaml", spec_text))
    return title, "\n".join(parts)


# Metric columns per table of a sweep's report, so that it fits a laptop screen
# (about 800 px) without scrolling sideways; more metrics make more tables.
SWEEP_COLUMNS_PER_TABLE = 4


def sweep_tables(points: dict[int, Any], shown: tuple[str, ...]) -> list[str]:
    """The sweep's metrics per point as tables of at most
    :data:`SWEEP_COLUMNS_PER_TABLE` metrics, each cell the mean over its interval."""
    out = []
    for start in range(0, len(shown), SWEEP_COLUMNS_PER_TABLE):
        keys = shown[start : start + SWEEP_COLUMNS_PER_TABLE]
        rows = []
        for k in sorted(points):
            cells = [str(k), escape(points[k]["label"])]
            for key in keys:
                m, lo, hi = points[k]["m"].get(key, (math.nan,) * 3)
                text = triplet(key, m, lo, hi)
                head, _, interval = text.partition(" [")
                cells.append(
                    head + (f'<br><span class="ci">[{interval}</span>' if interval else "")
                )
            rows.append(cells)
        out.append(
            table(["Point", "Parameters", *(P.METRIC_LABEL[k] for k in keys)], rows, "left2 sweep")
        )
    return out


def optimize_body(d: Path) -> tuple[str, str]:
    meta = json.loads(read_text(d / "frontier.json"))
    cons = meta["constraints"]
    title = f"Staffing search {meta.get('optimize', '')}"
    parts = [f"<h1>{escape(title)}</h1>", _optimize_lead(meta)]
    target_txt = "; ".join(
        f"{P.METRIC_LABEL.get(m, m)} {'at most' if 'max' in c else 'at least'} "
        f"{value_text(m, next(iter(c.values())))}"
        for m, c in cons.items()
    )
    alpha = meta.get("alpha_per_constraint")
    parts.append(
        facts(
            [
                ("Search file", meta.get("file")),
                ("Targets", target_txt),
                (
                    "Confidence",
                    f"every target at once with 95% confidence: a one-sided bound per target "
                    f"at {100 * (1 - alpha):g}% (Bonferroni, α = {alpha:g} each)"
                    if alpha is not None
                    else None,
                ),
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
    parts.append(_optimize_points(meta))
    parts.append(_confirmation(meta))
    _, makers = P.figure_makers(d)
    parts.append(figures(makers))
    return title, "\n".join(parts)


def _constraint_text(cons: dict[str, Any], r: dict[str, Any]) -> str:
    """Each constraint's mean and one-sided bound in a frontier row, in words."""
    return "; ".join(
        f"{P.METRIC_LABEL.get(m, m)} {value_text(m, r[f'{m}_mean'])} (bound {_bound(m, r)})"
        for m in cons
    )


def _bound(m: str, r: dict[str, Any]) -> str:
    """A constraint's one-sided bound in a frontier row, ✓ when it meets the target."""
    if f"{m}_bound" not in r:
        return "-"
    return f"{value_text(m, r[f'{m}_bound'])} {'✓' if r.get(f'{m}_ok') else '✗'}"


def _optimize_lead(meta: dict[str, Any]) -> str:
    """The answer of a staffing search: the cheapest point meeting every target and
    how it fared on fresh replications, or why there is none."""
    best, n = meta.get("best"), meta.get("replications")
    if best:
        text = (
            "Cheapest configuration meeting every target with 95% confidence: point "
            f"{best['point']} ({escape(best['label'])}), cost {best['cost']:g} = "
            f"{best['officers']} officer positions + {best['team_members']} team members."
        )
        conf = best.get("confirmation")
        if conf:
            text += (
                f" Confirmed on {n} fresh replications (numbers {n + 1} to {2 * n}, "
                "independent of the search): "
                f"{escape(_constraint_text(meta['constraints'], conf))}."
            )
        for note in meta.get("unconstrained", []):
            text += f" Note: {escape(note)}, not a recommendation."
        return f'<p class="lead">{text}</p>'
    if meta.get("not_confirmed"):
        return (
            '<p class="lead">No configuration is recommended: the points that met every '
            "target in the search did not meet them again on fresh replications (see the "
            "confirmation below); run more replications per point.</p>"
        )
    return '<p class="lead">No configuration explored met every target with 95% confidence.</p>'


def _optimize_points(meta: dict[str, Any]) -> str:
    """Every point explored, cheapest first: each constraint's mean [95% CI] and the
    one-sided bound that decided it, and how a confirmation went."""
    cons = meta["constraints"]
    best = meta.get("best") or {}
    failed = {int(r["point"]) for r in meta.get("not_confirmed", [])}
    rows = []
    for r in meta["rows"]:
        cells = [str(r["point"]), escape(r["label"]), f"{r['cost']:g}"]
        cells.append(f"{r['officers']} + {r['team_members']}")
        for m in cons:
            cells.append(triplet(m, r[f"{m}_mean"], r[f"{m}_low"], r[f"{m}_high"]))
            cells.append(_bound(m, r))
        shown = [m for m in meta.get("metrics", []) if m not in cons]
        for m in shown:
            cells.append(triplet(m, r[f"{m}_mean"], r[f"{m}_low"], r[f"{m}_high"]))
        cells.append("yes" if r["feasible"] else "no")
        if int(r["point"]) == best.get("point"):
            cells.append("confirmed")
        else:
            cells.append("failed" if int(r["point"]) in failed else "")
        rows.append(cells)
    head = ["Point", "Parameters", "Cost", "Officers + team members"]
    for m in cons:
        head += [P.METRIC_LABEL.get(m, m), "one-sided bound"]
    head += [P.METRIC_LABEL.get(m, m) for m in meta.get("metrics", []) if m not in cons]
    return "\n".join(
        [
            '<h2 id="metrics">Points explored, cheapest first</h2>',
            '<p class="muted">Mean over replications [95% confidence interval] and the '
            "one-sided bound that decides a target (✓ inside the limit). A point meets the "
            "targets when every bound is inside its limit; the cheapest that does is run "
            f"again on fresh replications (Confirmation). {escape(CLIPPED)}</p>",
            table([*head, "Meets targets", "Confirmation"], rows, "left2"),
        ]
    )


def _confirmation(meta: dict[str, Any]) -> str:
    """The points that passed the search, on the search's and on fresh replications."""
    checked = [r for r in [meta.get("best"), *meta.get("not_confirmed", [])] if r]
    checked = [r for r in checked if r.get("confirmation")]
    if not checked:
        return ""
    cons, n = meta["constraints"], int(meta["replications"])
    rows: list[list[str] | str] = []
    for r in sorted(checked, key=lambda r: (r["cost"], r["point"])):
        rows.append(f"Point {r['point']}: {r['label']} (cost {r['cost']:g})")
        for what, row in (
            (f"search, 1 to {n}", r),
            (f"fresh, {n + 1} to {2 * n}", r["confirmation"]),
        ):
            cells = [escape(what)]
            cells += [f"{value_text(m, row[f'{m}_mean'])} (bound {_bound(m, row)})" for m in cons]
            rows.append(cells + ["yes" if row["feasible"] else "no"])
    return "\n".join(
        [
            '<h2 id="confirmation">Confirmation on fresh replications</h2>',
            '<p class="muted">A point chosen because it passed on its replications is likely to '
            "have been lucky; the cheapest one that passed was run again on as many new "
            "replications, and is recommended only if it passes again. Each constraint: mean "
            "(one-sided bound).</p>",
            table(
                ["Replications", *(P.METRIC_LABEL.get(m, m) for m in cons), "Meets targets"], rows
            ),
        ]
    )
