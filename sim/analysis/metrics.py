"""Metrics and statistics from replication results: pure functions, no SimPy.

Only entities that *start* after the warm-up count: violations by their
time, reports by their arrival, incidents by their first report. Time
averages (queue lengths, utilisation) integrate from the end of the warm-up
to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import records as R
from ..records import ReplicationResult
from .statistics import describe, finite_mean, mean_ci


@dataclass(frozen=True)
class Delay:
    """One delay measure: from ``start`` to ``end`` of each entity of ``table``
    in its ``population`` (see :func:`population`)."""

    key: str
    title: str
    table: str
    start: str
    end: str
    population: str


# The one definition of every delay and of whom it is measured over.
DELAY_SPECS: tuple[Delay, ...] = (
    Delay(
        "reporting_delay",
        "Reporting delay (violation to report)",
        "reports",
        "event_time",
        "arrival",
        "true_reports",
    ),
    Delay(
        "acknowledge",
        "Time to acknowledge (report to triage start)",
        "reports",
        "arrival",
        "ack",
        "all",
    ),
    Delay(
        "dispatch",
        "Time to dispatch (incident to team dispatched)",
        "incidents",
        "created",
        "dispatch",
        "asked_team",
    ),
    Delay(
        "response",
        "Response time (first report to team on site)",
        "incidents",
        "first_report",
        "on_site",
        "asked_team",
    ),
    Delay(
        "finding",
        "Time to finding (first report to joint finding)",
        "incidents",
        "first_report",
        "finding",
        "all",
    ),
    Delay(
        "violation_to_finding",
        "Violation to finding (end to end)",
        "incidents",
        "event_time",
        "finding",
        "all",
    ),
)
DELAY_BY_KEY = {d.key: d for d in DELAY_SPECS}
DELAYS = tuple(d.key for d in DELAY_SPECS)
DELAY_TITLES = {d.key: d.title for d in DELAY_SPECS}
# Incidents closed for these reasons never asked for a team.
NO_TEAM_ASKED = ("teams_off", "below_min_severity")


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


# The key metrics of a replication (see :func:`replication_metrics`) that
# comparisons, sweeps, figures and reports show: (key, label, kind). Kind
# "time" is in minutes (shown in hours), "share" a fraction (shown in percent).
KEY_METRICS: tuple[tuple[str, str, str], ...] = (
    ("response_mean", "Response time, mean", "time"),
    ("response_p90", "Response time, p90", "time"),
    ("finding_mean", "Time to finding, mean", "time"),
    ("finding_p90", "Time to finding, p90", "time"),
    ("acknowledge_mean", "Time to acknowledge, mean", "time"),
    ("violation_to_finding_mean", "Violation to finding, mean", "time"),
    ("verification_rate", "Verification rate", "share"),
    ("attribution_accuracy", "Attribution accuracy", "share"),
    ("within_acknowledge", "Within acknowledge target", "share"),
    ("within_response", "Within response target", "share"),
    ("within_finding", "Within finding target", "share"),
    ("utilisation_RU", "Utilisation RU desk", "share"),
    ("utilisation_UA", "Utilisation UA desk", "share"),
    ("utilisation_US", "Utilisation US desk", "share"),
    ("utilisation_teams", "Utilisation teams", "share"),
)
METRIC_KEYS = tuple(k for k, _, _ in KEY_METRICS)
TIME_METRICS = frozenset(k for k, _, kind in KEY_METRICS if kind == "time")


def measured(rep: ReplicationResult, warmup: float) -> dict[str, np.ndarray]:
    """Boolean masks of the entities that count (see :func:`sim.records.measured`)."""
    return {
        name: R.measured(name, getattr(rep, name), warmup)
        for name in ("violations", "reports", "incidents")
    }


def delays(rep: ReplicationResult, warmup: float) -> dict[str, np.ndarray]:
    """The delay samples of one replication (minutes) over their populations."""
    out = {}
    for d in DELAY_SPECS:
        table = getattr(rep, d.table)
        out[d.key] = delay_values(d, table)[population(d, table, warmup)]
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


def desk_stats(rep: ReplicationResult, warmup: float) -> dict[str, dict[str, float]]:
    """Per desk: utilisation, time-average queue length, mean wait and P(wait > 0).

    ``mean_wait`` and ``p_wait`` are over the reports taken in.
    ``mean_time_in_queue`` is over every report that arrived after the
    warm-up: those taken in, those that expired (until they expired) and
    those still waiting at the horizon (until the horizon); by Little's law
    ``mean_queue ≈ reports_per_minute × mean_time_in_queue``.
    """
    T = rep.totals["measured_minutes"]
    m = measured(rep, warmup)["reports"]
    r = rep.reports
    out = {}
    for k, p in enumerate(R.PARTIES):
        tot = rep.totals["desks"][p]
        mask = m & (r["desk"] == k)
        wait = (r["ack"] - r["arrival"])[mask]
        taken = wait[np.isfinite(wait)]
        expired = r["state"][mask] == R.REPORT_STATES.index("expired")
        left_at = np.where(
            np.isfinite(r["ack"][mask]),
            r["ack"][mask],
            np.where(expired, r["state_time"][mask], rep.totals["horizon"]),
        )
        in_queue = left_at - r["arrival"][mask]
        out[p] = {
            "utilisation": tot["busy"] / tot["on_duty"] if tot["on_duty"] > 0 else float("nan"),
            "mean_queue": tot["queue"] / T if T > 0 else float("nan"),
            "mean_officers": tot["on_duty"] / T if T > 0 else float("nan"),
            "mean_wait": float(taken.mean()) if taken.size else float("nan"),
            "p_wait": float((taken > 0).mean()) if taken.size else float("nan"),
            "mean_time_in_queue": float(in_queue.mean()) if in_queue.size else float("nan"),
            "reports_per_minute": float(mask.sum()) / T if T > 0 else float("nan"),
            "reports": int(mask.sum()),
        }
    return out


def team_utilisation(rep: ReplicationResult) -> float:
    T = rep.totals["measured_minutes"]
    n = rep.totals["teams"]["count"]
    return rep.totals["teams"]["busy"] / (n * T) if n and T > 0 else float("nan")


def replication_metrics(rep: ReplicationResult, warmup: float, targets) -> dict[str, float]:
    """The key scalar metrics of one replication (for confidence intervals)."""
    d = delays(rep, warmup)
    out: dict[str, float] = {}
    for key in DELAYS:
        s = describe(d[key])
        out[f"{key}_mean"] = s["mean"]
        out[f"{key}_p90"] = s["p90"]
    out.update(rates(rep, warmup))
    for key, v in target_shares(rep, warmup, targets, d).items():
        out[f"within_{key}"] = v
    for p, s in desk_stats(rep, warmup).items():
        out[f"utilisation_{p}"] = s["utilisation"]
    out["utilisation_teams"] = team_utilisation(rep)
    return out


def summarise(reps: list[ReplicationResult], scenario) -> dict[str, Any]:
    """The run summary: counts, delay statistics, rates, targets, utilisation.

    Delay statistics pool every measured entity of every replication; the
    ``per_replication`` block gives a 95% confidence interval across
    replications for each key metric.
    """
    warmup = scenario.warmup
    counts = {
        "violations": {},
        "unverified_reasons": {},
        "reports": {},
        "incidents": {},
        "incident_reasons": {},
    }
    vo, vr, rs, io, ir = [], [], [], [], []
    pooled: dict[str, list[np.ndarray]] = {k: [] for k in DELAYS}
    for rep in reps:
        m = measured(rep, warmup)
        vo.append(rep.violations["outcome"][m["violations"]])
        unver = m["violations"] & (
            rep.violations["outcome"] == R.VIOLATION_OUTCOMES.index("reported_unverified")
        )
        vr.append(rep.violations["reason"][unver])
        rs.append(rep.reports["state"][m["reports"]])
        io.append(rep.incidents["outcome"][m["incidents"]])
        nv = m["incidents"] & (
            rep.incidents["outcome"] == R.INCIDENT_OUTCOMES.index("not_verified")
        )
        ir.append(rep.incidents["reason"][nv])
        for k, v in delays(rep, warmup).items():
            pooled[k].append(v)
    counts["violations"] = _counts(np.concatenate(vo), R.VIOLATION_OUTCOMES)
    reasons = _counts(np.concatenate(vr), R.UNVERIFIED_REASONS)
    reasons.pop("")
    counts["unverified_reasons"] = reasons
    counts["reports"] = _counts(np.concatenate(rs), R.REPORT_STATES)
    counts["incidents"] = _counts(np.concatenate(io), R.INCIDENT_OUTCOMES)
    ireasons = _counts(np.concatenate(ir), R.INCIDENT_REASONS)
    ireasons.pop("")
    counts["incident_reasons"] = ireasons
    per_rep = [replication_metrics(rep, warmup, scenario.targets) for rep in reps]
    keys = list(per_rep[0]) if per_rep else []
    ci = {k: mean_ci([p[k] for p in per_rep]) for k in keys}
    per_desk = [desk_stats(rep, warmup) for rep in reps]
    desks = {p: mean_ci([d[p]["utilisation"] for d in per_desk]) for p in R.PARTIES}
    desk_detail = {
        p: {
            k: finite_mean([d[p][k] for d in per_desk])
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
        for p in R.PARTIES
    }
    measured_days = (scenario.horizon - warmup) / 1440.0
    return {
        "replications": len(reps),
        "measured_days_per_replication": measured_days,
        "counts": counts,
        "delays": {k: describe(np.concatenate(v)) for k, v in pooled.items()},
        "rates": {
            k: ci[k] for k in ("detection_rate", "verification_rate", "attribution_accuracy")
        },
        "targets": {
            k: {"limit_minutes": getattr(scenario.targets, k), **ci[f"within_{k}"]}
            for k in ("acknowledge", "response", "finding")
            if getattr(scenario.targets, k) is not None
        },
        "utilisation": {**{p: desks[p] for p in R.PARTIES}, "teams": ci["utilisation_teams"]},
        "desks": desk_detail,
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
