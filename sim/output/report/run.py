"""The report page of one run: facts, key metrics, delays, desk load, outcomes, figures."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ...analysis.metrics import DELAY_TITLES, REPORTING_PARTIES
from ...records import PARTIES
from .. import plotting as P
from ..plotting.captions import RUN_MAP
from ..plotting.experiments import as_float
from ..plotting.style import fmt_time
from ..results import OUTCOME_PARTS, UNMEASURED_PARTS, load_run, outcome_parts
from .page import (
    CI_KEYS,
    CLIPPED,
    RUN_METRICS,
    ci_cells,
    escape,
    facts,
    figures,
    missing_notes,
    pct,
    read_text,
    table,
    time_text,
    triplet,
    yaml_block,
)


def run_body(d: Path) -> tuple[str, str]:
    run = load_run(d)
    s, scen = run.summary, run.scenario
    meta = json.loads(read_text(d / "metadata.json") or "{}")
    title = f"Scenario {scen.name}"
    parts = [f"<h1>{escape(title)}</h1>"]
    if scen.description:
        parts.append(f'<p class="lead">{escape(scen.description)}</p>')
    parts.append(
        '<nav><a href="#metrics">Key metrics</a><a href="#delays">Delays</a>'
        '<a href="#outcomes">Outcomes</a><a href="#desks">Desks</a>'
        '<a href="#figures">Figures</a><a href="#scenario">Scenario</a></nav>'
    )
    parts.append(_run_facts(s, scen, meta))
    parts.append(_run_metrics(s))
    parts.append(_run_delays(s))
    parts.append(_run_outcomes(s))
    desks = s.get("desks", {})
    if desks:
        parts.append('<h2 id="desks">Desks</h2>')
        parts.append('<p class="muted">Over the whole measured time, mean over replications.</p>')
        parts.append(_desk_table(desks))
        parts.append(_shift_table(s))
    makers = P.run_figures([run])
    parts.append(figures(makers, captions={"map": RUN_MAP}, notes=missing_notes(makers)))
    parts.append('<h2 id="scenario">The scenario as run</h2>')
    parts.append(
        '<p class="muted">Every default filled in; <code>cfsim run</code> on this file '
        "reproduces the results.</p>"
    )
    parts.append(yaml_block("scenario.yaml", read_text(d / "scenario.yaml"), open_=False))
    return title, "\n".join(parts)


def _run_facts(s: dict[str, Any], scen: Any, meta: dict[str, Any]) -> str:
    """The facts of a run: where it came from, seed, replications and horizon."""
    return facts(
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
    for key, label, _ in RUN_METRICS:
        if key not in per:
            continue
        mean, rng = ci_cells(key, per[key])
        rows.append([escape(label), mean, rng, str(per[key].get("n", ""))])
    targets = ", ".join(
        f"{k} {fmt_time(t['limit_minutes'])}" for k, t in s.get("targets", {}).items()
    )
    return "\n".join(
        [
            '<h2 id="metrics">Key metrics</h2>',
            '<p class="muted">Mean over replications with its 95% confidence interval '
            f"(Student t); targets: {targets}. {escape(CLIPPED)}</p>",
            table(["Metric", "Mean", "95% CI", "Replications"], rows),
        ]
    )


def _delay_cell(d: dict[str, Any], stat: str) -> str:
    """A delay statistic; "≥" marks one that is only a lower bound (too many cases
    were still waiting when the run ended)."""
    return ("≥ " if stat in d.get("lower_bound", []) else "") + time_text(d[stat])


def _run_delays(s: dict[str, Any]) -> str:
    """The delays section of a run: statistics of every measured case, pooled, with the
    share measured; and the delays by reporting party and by desk."""
    rows = []
    for key, title in DELAY_TITLES.items():
        dd = s["delays"].get(key)
        if dd:
            rows.append(
                [escape(title), f"{dd['n']:,}", pct(dd.get("measured_share"))]
                + [_delay_cell(dd, k) for k in ("mean", "median", "p90", "p95", "max")]
            )
    pd = s.get("party_delays", {})
    party = [
        [
            escape(label),
            f"{pd[k]['n']:,}",
            pct(pd[k].get("measured_share")),
            time_text(pd[k]["mean"]),
        ]
        for k, label in (
            *(
                (f"reporting_delay_{p}", f"Reporting delay of {p} reports")
                for p in REPORTING_PARTIES
            ),
            *((f"acknowledge_{p}", f"Time to acknowledge at the {p} desk") for p in PARTIES),
        )
        if k in pd
    ]
    return "\n".join(
        [
            '<h2 id="delays">Delays</h2>',
            '<p class="muted">Every measured case of every replication pooled. A case whose '
            "event had not happened (a report never taken in, an incident no team reached, a "
            "finding not made by the horizon) counts with what it waited (Kaplan–Meier); "
            "<em>measured</em> is the share whose delay ended. ≥ marks a statistic that is only "
            "a lower bound, because too many cases were still waiting. The maximum is of the "
            "measured delays.</p>",
            table(["Delay", "n", "measured", "mean", "median", "p90", "p95", "max"], rows),
            '<h3 id="party-delays">By reporting party and by desk</h3>',
            '<p class="muted">Mean over replications of each replication\'s mean (with '
            "censoring); n counts every case.</p>"
            if party
            else "",
            table(["Delay", "n", "measured", "mean"], party) if party else "",
        ]
    )


def _clock(minute: Any) -> str:
    m = int(as_float(minute)) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def _or_zero(v: Any) -> float:
    v = as_float(v)
    return v if v == v else 0.0


def _shift_name(sh: dict[str, Any]) -> str:
    """A shift's name, with its hours when the name does not give them."""
    times = f"{_clock(sh['start'])}-{_clock(sh['end'])}"
    return sh["shift"] if times in str(sh["shift"]) else f"{sh['shift']} ({times})"


def _shift_table(s: dict[str, Any]) -> str:
    """Per desk and shift of its plan: officers, how busy they are and how long reports
    wait, each with its 95% CI over replications (nothing when the summary has none)."""
    shifts = [(p, sh) for p, d in s.get("desks", {}).items() for sh in d.get("by_shift", [])]
    if not shifts:
        return ""
    limit = s.get("targets", {}).get("acknowledge", {}).get("limit_minutes")
    rows = [
        [
            escape(p),
            escape(_shift_name(sh)),
            f"{as_float(sh['officers']['mean']):.1f}",
            triplet("within_acknowledge", *(sh["utilisation"].get(x) for x in CI_KEYS)),
            pct(sh["p_wait"].get("mean")),
            triplet("acknowledge_mean", *(sh["mean_wait"].get(x) for x in CI_KEYS)),
            triplet("within_acknowledge", *(sh["within_acknowledge"].get(x) for x in CI_KEYS)),
            f"{sh['reports']:,}",
        ]
        for p, sh in shifts
    ]
    p, busiest = max(shifts, key=lambda x: _or_zero(x[1]["utilisation"].get("mean")))
    return "\n".join(
        [
            '<h3 id="shifts">Desk load by shift</h3>',
            '<p class="muted">A daily average hides a thin shift: here each shift of each '
            "desk's plan over its own hours, mean over replications [95% CI]. Busy per officer: "
            "busy officer-time over officer-time on duty; waits over the reports that arrived "
            f"in the shift. Busiest per officer: {escape(p)} {escape(_shift_name(busiest))}, "
            f"{pct(busiest['utilisation'].get('mean'))}.</p>",
            table(
                [
                    "Desk",
                    "Shift",
                    "Officers on duty",
                    "Busy per officer",
                    "Share waiting",
                    "Mean wait",
                    f"Within {fmt_time(limit)}" if limit is not None else "Within target",
                    "Reports",
                ],
                rows,
                "left2",
            ),
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
        detail = ", ".join(f"{escape(k)} {v:,}" for k, v in c[key].items() if v)
        rows.append([escape(what), f"{total:,}", detail])
    for what, key in (
        ("Reported but unverified, because", "unverified_reasons"),
        ("Incidents not verified, because", "incident_reasons"),
    ):
        detail = ", ".join(f"{escape(k)} {v:,}" for k, v in c.get(key, {}).items() if v)
        if detail:
            rows.append([escape(what), "", detail])
    parts = outcome_parts(c)
    total = sum(parts.values())
    mix = [
        [
            escape(label) + (" ▨" if k in UNMEASURED_PARTS else ""),
            f"{parts[k]:,.0f}",
            pct(parts[k] / total if total else math.nan),
        ]
        for k, label in OUTCOME_PARTS
        if parts[k]
    ]
    return "\n".join(
        [
            '<h2 id="outcomes">Outcomes</h2>',
            table(["", "Total", "By final state"], rows, "outcomes"),
            '<h3 id="incident-outcomes">What became of the incidents</h3>',
            '<p class="muted">Every measured incident of every replication, by outcome (the '
            "parts add up to all of them). ▨: kept out of the response times (no team asked or "
            "on site).</p>",
            table(["Outcome", "Incidents", "Share"], mix),
        ]
    )


def _desk_table(desks: dict[str, dict[str, Any]]) -> str:
    """Each party's desk: utilisation, queue, wait and officers on duty."""
    return table(
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
                pct(v.get("utilisation")),
                f"{as_float(v.get('mean_queue')):.2f}",
                time_text(v.get("mean_wait")),
                pct(v.get("p_wait")),
                f"{as_float(v.get('mean_officers')):.1f}",
            ]
            for p, v in desks.items()
        ],
    )
