"""Metrics and statistics from replication results: pure functions, no SimPy.

Only entities that *start* after the warm-up count: violations by their
time, reports by their arrival, incidents by their first report. Time
averages (queue lengths, utilisation) integrate from the end of the warm-up
to the horizon.

Delays that may not have ended (a report never taken in, an incident no
team reached, a finding not made by the horizon) are right-censored: they
count with what was waited, through the Kaplan-Meier estimate
(:mod:`sim.analysis.survival`), and every delay says the share it could
measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import records as R
from ..records import ReplicationResult
from .desks import desk_stats, hour_stats, shift_stats, team_utilisation
from .findings import finding_metrics
from .findings import pooled as pooled_findings
from .moratorium import moratorium_summary
from .growth import queue_growth
from .eventstats import daily_counts, index_of_dispersion, p95_over_median
from .statistics import finite_mean, mean_ci
from .survival import describe_censored


@dataclass(frozen=True)
class Delay:
    """One delay measure: from ``start`` to ``end`` of each entity of ``table``
    in its ``population`` (see :func:`population`); where ``end`` never
    happened the delay is censored at the time given by ``censor``
    (see :func:`censored`)."""

    key: str
    title: str
    table: str
    start: str
    end: str
    population: str
    censor: str


# The one definition of every delay, whom it is measured over and when it is censored.
DELAY_SPECS: tuple[Delay, ...] = (
    Delay(
        "reporting_delay",
        "Reporting delay (violation to report)",
        "reports",
        "event_time",
        "arrival",
        "true_reports",
        "never",
    ),
    Delay(
        "acknowledge",
        "Time to acknowledge (report to triage start)",
        "reports",
        "arrival",
        "ack",
        "all",
        "expiry",
    ),
    Delay(
        "dispatch",
        "Time to dispatch (incident to team dispatched)",
        "incidents",
        "created",
        "dispatch",
        "asked_team",
        "unserved",
    ),
    Delay(
        "response",
        "Response time (first report to team on site)",
        "incidents",
        "first_report",
        "on_site",
        "asked_team",
        "unserved",
    ),
    Delay(
        "finding",
        "Time to finding (first report to joint finding)",
        "incidents",
        "first_report",
        "finding",
        "all",
        "horizon",
    ),
    Delay(
        "violation_to_finding",
        "Violation to finding (end to end)",
        "incidents",
        "event_time",
        "finding",
        "all",
        "horizon",
    ),
)
DELAY_BY_KEY = {d.key: d for d in DELAY_SPECS}
DELAYS = tuple(d.key for d in DELAY_SPECS)
DELAY_TITLES = {d.key: d.title for d in DELAY_SPECS}
# Incidents closed for these reasons never asked for a team.
NO_TEAM_ASKED = ("teams_off", "below_min_severity")
# Reporting parties whose delays are shown apart (senders of reports).
REPORTING_PARTIES = ("RU", "UA")


def _is_any(column: np.ndarray, names: tuple[str, ...], vocabulary: tuple[str, ...]) -> np.ndarray:
    """Rows whose value is one of ``names``, for a code column or a name column."""
    if column.dtype.kind in "iu":
        return np.isin(column, [vocabulary.index(n) for n in names])
    return np.isin(column, names)


def population(delay: Delay, table: R.Table, warmup: float) -> np.ndarray:
    """The rows of ``table`` a delay is measured over: started after the warm-up and

    - ``true_reports``: reports of real violations (not false reports);
    - ``asked_team``: incidents that asked for a team (not those with teams off
      or below ``teams.min_severity``);
    - ``all``: every entity.

    Works on tables with codes (in memory) and with names (read from files;
    their ``measured`` column, when present, is the warm-up rule as written).
    """
    if "measured" in table:
        mask = table["measured"].astype(bool)
    else:
        mask = R.measured(delay.table, table, warmup)
    if delay.population == "true_reports":
        mask = mask & ~table["false"].astype(bool)
    elif delay.population == "asked_team":
        mask = mask & ~_is_any(table["reason"], NO_TEAM_ASKED, R.INCIDENT_REASONS)
    return mask


def delay_values(delay: Delay, table: R.Table) -> np.ndarray:
    """``end - start`` of every row (NaN where the end never happened)."""
    return table[delay.end] - table[delay.start]


def censored(delay: Delay, table: R.Table, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """``(durations, observed)`` of every row: the delay where it ended, else the
    time waited until it stopped being waited for:

    - ``expiry``: a report that expired waited until it expired; one still
      queued at the horizon, until the horizon;
    - ``unserved``: an incident given up or out of every team's range waited
      until then (the ``unserved`` column); one still waiting, until the horizon;
    - ``horizon``: until the horizon;
    - ``never``: the delay always ended.
    """
    start, end = table[delay.start], table[delay.end]
    observed = np.isfinite(end)
    if delay.censor == "never":
        return end - start, observed
    stop = np.full(end.size, float(horizon))
    if delay.censor == "expiry":
        expired = _is_any(table["state"], ("expired",), R.REPORT_STATES)
        stop = np.where(expired, table["state_time"], stop)
    elif delay.censor == "unserved":
        stop = np.where(np.isfinite(table["unserved"]), table["unserved"], stop)
    return np.where(observed, end, stop) - start, observed


def measured(rep: ReplicationResult, warmup: float) -> dict[str, np.ndarray]:
    """Boolean masks of the entities that count (see :func:`sim.records.measured`)."""
    return {
        name: R.measured(name, getattr(rep, name), warmup)
        for name in ("violations", "reports", "incidents")
    }


def delays(rep: ReplicationResult, warmup: float) -> dict[str, np.ndarray]:
    """The delay samples of one replication (minutes) over their populations
    (NaN where the delay did not end)."""
    out = {}
    for d in DELAY_SPECS:
        table = getattr(rep, d.table)
        out[d.key] = delay_values(d, table)[population(d, table, warmup)]
    return out


def censored_delays(
    rep: ReplicationResult, warmup: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``(durations, observed)`` of every delay over its population (see :func:`censored`)."""
    out = {}
    for d in DELAY_SPECS:
        table = getattr(rep, d.table)
        t, ok = censored(d, table, rep.totals["horizon"])
        mask = population(d, table, warmup)
        out[d.key] = (t[mask], ok[mask])
    return out


def party_delays(rep: ReplicationResult, warmup: float) -> dict[str, dict[str, object]]:
    """Reporting delay by sending party and time to acknowledge by desk."""
    r = rep.reports
    out = {}
    rd = DELAY_BY_KEY["reporting_delay"]
    ack = DELAY_BY_KEY["acknowledge"]
    t_rd, ok_rd = censored(rd, r, rep.totals["horizon"])
    t_ack, ok_ack = censored(ack, r, rep.totals["horizon"])
    pop_rd, pop_ack = population(rd, r, warmup), population(ack, r, warmup)
    for p in REPORTING_PARTIES:
        mask = pop_rd & (r["sender"] == R.SENDERS.index(p))
        out[f"reporting_delay_{p}"] = describe_censored(t_rd[mask], ok_rd[mask])
    for k, p in enumerate(R.PARTIES):
        mask = pop_ack & (r["desk"] == k)
        out[f"acknowledge_{p}"] = describe_censored(t_ack[mask], ok_ack[mask])
    return out


def _counts(codes: np.ndarray, names: tuple[str, ...]) -> dict[str, int]:
    c = np.bincount(codes, minlength=len(names)) if codes.size else np.zeros(len(names), int)
    return {name: int(c[k]) for k, name in enumerate(names)}


def rates(rep: ReplicationResult, warmup: float) -> dict[str, float]:
    """Verification rate and attribution accuracy of one replication.

    ``verification_rate`` is verified violations (attributed or not) over
    reported violations; ``attribution_accuracy`` is correct attributions
    over all attributions; ``detection_rate`` is reported over all.
    """
    m = measured(rep, warmup)["violations"]
    out = rep.violations["outcome"][m]
    o = {name: int((out == k).sum()) for k, name in enumerate(R.VIOLATION_OUTCOMES)}
    total = int(m.sum())
    reported = total - o["never_reported"]
    verified = o["verified"] + o["attributed_correct"] + o["attributed_incorrect"]
    attributed = o["attributed_correct"] + o["attributed_incorrect"]
    nan = float("nan")
    return {
        "detection_rate": reported / total if total else nan,
        "verification_rate": verified / reported if reported else nan,
        "attribution_accuracy": o["attributed_correct"] / attributed if attributed else nan,
    }


def outcome_counts(rep: ReplicationResult, warmup: float) -> dict[str, dict[str, int]]:
    """Measured entities by final state: violations by outcome and by reason
    unverified, reports by state, incidents by outcome and by reason not verified."""
    m = measured(rep, warmup)
    v, i = rep.violations, rep.incidents
    unver = m["violations"] & (v["outcome"] == R.VIOLATION_OUTCOMES.index("reported_unverified"))
    nv = m["incidents"] & (i["outcome"] == R.INCIDENT_OUTCOMES.index("not_verified"))
    reasons = _counts(v["reason"][unver], R.UNVERIFIED_REASONS)
    reasons.pop("")
    ireasons = _counts(i["reason"][nv], R.INCIDENT_REASONS)
    ireasons.pop("")
    return {
        "violations": _counts(v["outcome"][m["violations"]], R.VIOLATION_OUTCOMES),
        "unverified_reasons": reasons,
        "reports": _counts(rep.reports["state"][m["reports"]], R.REPORT_STATES),
        "incidents": _counts(i["outcome"][m["incidents"]], R.INCIDENT_OUTCOMES),
        "incident_reasons": ireasons,
    }


def outcome_shares(counts: dict[str, dict[str, int]]) -> dict[str, float]:
    """Shares of measured incidents by outcome (``incidents_<outcome>``) and, among
    all measured incidents, by reason not verified (``incidents_<reason>``)."""
    total = sum(counts["incidents"].values())
    nan = float("nan")
    out = {f"incidents_{k}": (v / total if total else nan) for k, v in counts["incidents"].items()}
    for k, v in counts["incident_reasons"].items():
        # reasons of incidents without verification ("open_at_end" is an outcome above)
        out.setdefault(f"incidents_{k}", v / total if total else nan)
    return out


def target_shares(
    rep: ReplicationResult, warmup: float, targets, d: dict[str, np.ndarray] | None = None
) -> dict[str, float]:
    """Share of reports/incidents within each service target.

    ``acknowledge`` counts reports; ``response`` counts incidents that asked
    for a team (not those below ``min_severity`` or with teams off);
    ``finding`` counts all incidents. An event that never happened counts as
    outside the target, unless its deadline falls after the horizon: such
    entities cannot be judged yet and are left out (censoring). ``d`` passes
    delays already computed by :func:`delays`.
    """
    d = delays(rep, warmup) if d is None else d
    horizon = rep.totals["horizon"]
    out: dict[str, float] = {}
    for key in ("acknowledge", "response", "finding"):
        limit = getattr(targets, key)
        if limit is None:
            continue
        spec = DELAY_BY_KEY[key]
        table = getattr(rep, spec.table)
        values = d[key]
        start = table[spec.start][population(spec, table, warmup)]
        happened = np.isfinite(values)
        decidable = happened | (start + limit <= horizon)
        ok = happened & (values <= limit)
        out[key] = float(ok[decidable].mean()) if decidable.any() else float("nan")
    return out


# The key metrics of a replication (see :func:`replication_metrics`) that
# comparisons, sweeps, figures and reports show: (key, label, kind). Kind
# "time" is in minutes (shown in hours), "share" a fraction (shown in percent).
# Time means and percentiles count censored entities (Kaplan-Meier; see
# :func:`censored`); a ``*_measured`` share says how many could be measured.
KEY_METRICS: tuple[tuple[str, str, str], ...] = (
    ("response_mean", "Response time, mean", "time"),
    ("response_p90", "Response time, p90", "time"),
    ("response_measured", "Response time, share measured", "share"),
    ("finding_mean", "Time to finding, mean", "time"),
    ("finding_p90", "Time to finding, p90", "time"),
    ("acknowledge_mean", "Time to acknowledge, mean", "time"),
    ("violation_to_finding_mean", "Violation to finding, mean", "time"),
    ("reporting_delay_mean", "Reporting delay, mean", "time"),
    ("reporting_delay_RU_mean", "Reporting delay of RU reports, mean", "time"),
    ("reporting_delay_UA_mean", "Reporting delay of UA reports, mean", "time"),
    ("acknowledge_RU_mean", "Time to acknowledge at RU desk, mean", "time"),
    ("acknowledge_UA_mean", "Time to acknowledge at UA desk, mean", "time"),
    ("acknowledge_US_mean", "Time to acknowledge at US desk, mean", "time"),
    ("verification_rate", "Verification rate", "share"),
    ("attribution_accuracy", "Attribution accuracy", "share"),
    ("within_acknowledge", "Within acknowledge target", "share"),
    ("within_response", "Within response target", "share"),
    ("within_finding", "Within finding target", "share"),
    ("utilisation_RU", "Utilisation RU desk", "share"),
    ("utilisation_UA", "Utilisation UA desk", "share"),
    ("utilisation_US", "Utilisation US desk", "share"),
    ("utilisation_teams", "Utilisation teams", "share"),
    ("incidents_verified", "Incidents verified", "share"),
    ("incidents_not_verified", "Incidents not verified", "share"),
    ("incidents_unfounded", "Incidents unfounded", "share"),
    ("incidents_open_at_end", "Incidents open at the horizon", "share"),
    ("incidents_teams_off", "Incidents with teams off", "share"),
    ("incidents_below_min_severity", "Incidents below min. severity (no team)", "share"),
    ("incidents_out_of_range", "Incidents out of every team's range", "share"),
    ("incidents_no_team_in_time", "Incidents no team reached in time", "share"),
    ("incidents_access_denied", "Incidents denied access", "share"),
    ("incidents_no_evidence", "Incidents visited, no evidence", "share"),
    ("findings_confirmed_attributed", "Findings confirmed and attributed", "share"),
    ("findings_confirmed_direction", "Findings confirmed, direction of fire only", "share"),
    ("findings_confirmed_unattributed", "Findings confirmed, not attributable", "share"),
    ("findings_not_confirmed", "Findings not confirmed", "share"),
    ("findings_disputed", "Findings left disputed", "share"),
    ("dissent_share", "Findings a desk dissented from", "share"),
    ("agreement_mean", "Time to an agreed finding, mean", "time"),
    ("dispute_resolution_mean", "Time from dispute to settlement, mean", "time"),
)
METRIC_KEYS = tuple(k for k, _, _ in KEY_METRICS)
TIME_METRICS = frozenset(k for k, _, kind in KEY_METRICS if kind == "time")
OUTCOME_METRICS = tuple(k for k in METRIC_KEYS if k.startswith("incidents_"))
FINDING_METRICS = METRIC_KEYS[METRIC_KEYS.index("findings_confirmed_attributed") :]
# Outcomes that take incidents out of the response-time measurements: when
# their share moves, a delay can change only because it measures other incidents.
UNMEASURED_OUTCOMES = (
    "incidents_open_at_end",
    "incidents_teams_off",
    "incidents_below_min_severity",
    "incidents_out_of_range",
    "incidents_no_team_in_time",
)
# Sections of comparison tables, in order.
METRIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Delays", METRIC_KEYS[:8]),
    ("By party", METRIC_KEYS[8:13]),
    ("Rates and targets", METRIC_KEYS[13:18]),
    ("Utilisation", METRIC_KEYS[18:22]),
    ("Outcomes (share of incidents)", OUTCOME_METRICS),
    ("Findings", FINDING_METRICS),
)


def replication_metrics(rep: ReplicationResult, warmup: float, targets) -> dict[str, float]:
    """The key scalar metrics of one replication (for confidence intervals)."""
    out: dict[str, float] = {}
    for key, (t, ok) in censored_delays(rep, warmup).items():
        s = describe_censored(t, ok)
        out[f"{key}_mean"] = s["mean"]
        out[f"{key}_p90"] = s["p90"]
        out[f"{key}_measured"] = s["measured_share"]
    for key, s in party_delays(rep, warmup).items():
        out[f"{key}_mean"] = s["mean"]
    out.update(rates(rep, warmup))
    for key, v in target_shares(rep, warmup, targets).items():
        out[f"within_{key}"] = v
    for p, s in desk_stats(rep, warmup).items():
        out[f"utilisation_{p}"] = s["utilisation"]
    out["utilisation_teams"] = team_utilisation(rep)
    out.update(outcome_shares(outcome_counts(rep, warmup)))
    out.update(finding_metrics(rep, warmup))
    return out


def _add_counts(total: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for group, counts in more.items():
        dst = total.setdefault(group, {})
        for k, v in counts.items():
            dst[k] = dst.get(k, 0) + v


def _pooled_delays(reps: list[ReplicationResult], warmup: float) -> dict[str, dict[str, object]]:
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for rep in reps:
        for k, v in censored_delays(rep, warmup).items():
            pooled.setdefault(k, []).append(v)
    return {
        k: describe_censored(np.concatenate([t for t, _ in v]), np.concatenate([o for _, o in v]))
        for k, v in pooled.items()
    }


def _pooled_party_delays(reps, warmup) -> dict[str, dict[str, object]]:
    """Per-party delays with every replication's entities pooled."""
    per = [party_delays(rep, warmup) for rep in reps]
    keys = list(per[0]) if per else []
    return {
        k: {
            "mean": finite_mean([p[k]["mean"] for p in per]),
            "n": int(sum(p[k]["n"] for p in per)),
            "measured_share": finite_mean([p[k]["measured_share"] for p in per]),
        }
        for k in keys
    }


def _window_rows(per: list[dict[str, list[dict]]], desk: str, keys: tuple[str, ...]) -> list[dict]:
    """Rows of shift or hour statistics over replications: each value as a CI dict."""
    out = []
    for j, row in enumerate(per[0][desk] if per else []):
        rows = [x[desk][j] for x in per]
        merged = {k: row[k] for k in keys}
        for k in ("utilisation", "officers", "p_wait", "mean_wait", "within_acknowledge"):
            merged[k] = mean_ci([r[k] for r in rows])
        merged["reports"] = int(sum(r["reports"] for r in rows))
        out.append(merged)
    return out


def _desk_detail(reps, warmup, ack_target) -> dict[str, dict[str, object]]:
    per_desk = [desk_stats(rep, warmup) for rep in reps]
    per_shift = [shift_stats(rep, warmup, ack_target) for rep in reps]
    per_hour = [hour_stats(rep, warmup, ack_target) for rep in reps]
    out = {}
    for p in R.PARTIES:
        d = {
            k: finite_mean([x[p][k] for x in per_desk])
            for k in (
                "utilisation",
                "mean_queue",
                "mean_officers",
                "mean_wait",
                "p_wait",
                "mean_time_in_queue",
                "reports_per_minute",
            )
        }
        d["by_shift"] = _window_rows(per_shift, p, ("shift", "start", "end"))
        d["by_hour"] = _window_rows(per_hour, p, ("hour",))
        out[p] = d
    return out


def volume(rep: ReplicationResult, warmup: float) -> dict[str, float]:
    """Line violations (strikes left out) per measured day, at the center's scale (each
    violation one incident) and at the monitors' (the sum of the violations' sizes:
    shots, explosions), with the index of dispersion and the p95/median of their daily
    counts over the whole days after the warm-up."""
    v = rep.violations
    days = int((rep.totals["horizon"] - warmup) // 1440.0)
    line = ~v["strike"].astype(bool)
    size = v["size"][line] if "size" in v else np.ones(int(line.sum()))
    out: dict[str, float] = {}
    for scale, weights in (("violations", None), ("size", size)):
        x = daily_counts(v["time"][line], warmup, days, weights)
        out[f"{scale}_per_day"] = float(x.mean()) if days else float("nan")
        out[f"{scale}_dispersion"] = index_of_dispersion(x)
        out[f"{scale}_p95_over_median"] = p95_over_median(x)
    return out


def volume_summary(reps: list[ReplicationResult], warmup: float) -> dict[str, Any]:
    """:func:`volume` of every replication: each quantity's mean with a 95% CI."""
    per = [volume(rep, warmup) for rep in reps]
    keys = list(per[0]) if per else []
    sized = any("size" in rep.violations for rep in reps)
    return {"sized": sized, **{k: mean_ci([p[k] for p in per]) for k in keys}}


def summarise(reps: list[ReplicationResult], scenario) -> dict[str, Any]:
    """The run summary: counts, delay statistics, rates, targets, utilisation.

    Delay statistics pool every measured entity of every replication, with
    censoring; the ``per_replication`` block gives a 95% confidence interval
    across replications for each key metric.
    """
    warmup = scenario.warmup
    counts: dict[str, dict[str, int]] = {}
    for rep in reps:
        _add_counts(counts, outcome_counts(rep, warmup))
    per_rep = [replication_metrics(rep, warmup, scenario.targets) for rep in reps]
    keys = list(per_rep[0]) if per_rep else []
    ci = {k: mean_ci([p[k] for p in per_rep]) for k in keys}
    measured_days = (scenario.horizon - warmup) / 1440.0
    cal = getattr(scenario, "calendar", None)
    return {
        "replications": len(reps),
        "measured_days_per_replication": measured_days,
        "calendar": cal.describe() if cal is not None else None,
        "volume": volume_summary(reps, warmup),
        "counts": counts,
        "delays": _pooled_delays(reps, warmup),
        "party_delays": _pooled_party_delays(reps, warmup),
        "rates": {
            k: ci[k] for k in ("detection_rate", "verification_rate", "attribution_accuracy")
        },
        "targets": {
            k: {"limit_minutes": getattr(scenario.targets, k), **ci[f"within_{k}"]}
            for k in ("acknowledge", "response", "finding")
            if getattr(scenario.targets, k) is not None
        },
        "utilisation": {
            **{p: ci[f"utilisation_{p}"] for p in R.PARTIES},
            "teams": ci["utilisation_teams"],
        },
        "desks": _desk_detail(reps, warmup, scenario.targets.acknowledge),
        "findings": pooled_findings(reps, warmup, scenario),
        "moratorium": moratorium_summary(reps, scenario),
        "queue_growth": queue_growth(reps, warmup),
        "per_replication": ci,
    }


def check_conservation(rep: ReplicationResult) -> list[str]:
    """Return the violations of the outcome bookkeeping rules (empty when all hold).

    Every violation, report and incident has exactly one valid final state;
    every report that led to a finding or was merged points to an incident;
    times never go backwards along a record.
    """
    problems = []
    v, r, i = rep.violations, rep.reports, rep.incidents
    for name, col, k in (
        ("violation", v["outcome"], len(R.VIOLATION_OUTCOMES)),
        ("report", r["state"], len(R.REPORT_STATES)),
        ("incident", i["outcome"], len(R.INCIDENT_OUTCOMES)),
    ):
        bad = (col < 0) | (col >= k)
        if bad.any():
            problems.append(f"{int(bad.sum())} {name}(s) without a valid final state")
    unver = v["outcome"] == R.VIOLATION_OUTCOMES.index("reported_unverified")
    if (v["reason"][unver] == 0).any():
        problems.append("unverified violations without a reason")
    if (v["reason"][~unver] != 0).any():
        problems.append("a reason on a violation that is not 'reported_unverified'")
    never = v["outcome"] == R.VIOLATION_OUTCOMES.index("never_reported")
    if (v["n_reports"][never] != 0).any() or (v["n_reports"][~never] == 0).any():
        problems.append("'never_reported' does not match the report count")
    linked = np.isin(
        r["state"], [R.REPORT_STATES.index("merged"), R.REPORT_STATES.index("led_to_finding")]
    )
    if (r["incident"][linked] < 0).any():
        problems.append("a merged or finding report without an incident")
    # Incidents with a finding have exactly one lead report that led to it.
    leads = r["state"] == R.REPORT_STATES.index("led_to_finding")
    found = np.isin(
        i["outcome"],
        [R.INCIDENT_OUTCOMES.index("verified"), R.INCIDENT_OUTCOMES.index("not_verified")],
    )
    if int(leads.sum()) != int(found.sum()):
        problems.append(
            f"{int(leads.sum())} reports led to findings but {int(found.sum())} incidents "
            "have a finding"
        )
    if int(i["n_reports"].sum()) != int((r["incident"] >= 0).sum()):
        problems.append("incident report counts do not add up to the reports linked")
    seq = [
        (r["event_time"], r["arrival"]),
        (r["arrival"], r["ack"]),
        (r["ack"], r["triaged"]),
        (i["first_report"], i["created"]),
        (i["created"], i["dispatch"]),
        (i["dispatch"], i["depart"]),
        (i["depart"], i["on_site"]),
        (i["on_site"], i["finding"]),
        (i["created"], i["finding"]),
    ]
    for a, b in seq:
        ok = ~(np.isfinite(a) & np.isfinite(b)) | (b >= a - 1e-9)
        if not ok.all():
            problems.append(f"time goes backwards in {int((~ok).sum())} record(s)")
            break
    return problems
