"""Findings by grade, dissent and disputes: what the center agreed, and how long it took.

Counted over measured incidents that have a finding (``grade`` set). The
*agreed* time of a finding is when it was made if no desk dissented, or when
a level of the ladder settled its dispute; a finding still disputed at the
horizon, or left disputed by the last level, has no agreed time (censored at
the horizon).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import records as R
from ..records import ReplicationResult
from .survival import describe_censored

GRADES = R.FINDING_GRADES
DISPUTED = GRADES.index("disputed")


def _found(rep: ReplicationResult, warmup: float) -> np.ndarray:
    i = rep.incidents
    return R.measured("incidents", i, warmup) & (i["grade"] >= 0)


def grade_counts(rep: ReplicationResult, warmup: float) -> dict[str, dict[str, int]]:
    """Measured findings by proposed grade (the evidence), by final grade (what was
    agreed, or ``disputed``), and the dissents of each desk."""
    i = rep.incidents
    f = _found(rep, warmup)
    proposed = {g: int(np.sum(i["grade"][f] == k)) for k, g in enumerate(GRADES[:DISPUTED])}
    final = {g: int(np.sum(i["final_grade"][f] == k)) for k, g in enumerate(GRADES)}
    dissent = {p: int(np.sum(i[f"dissent_{p}"][f])) for p in R.PARTIES}
    disputed = np.isfinite(i["disputed"][f])
    return {
        "proposed_grades": proposed,
        "final_grades": final,
        "dissent_by_desk": dissent,
        "disputes": {
            "opened": int(disputed.sum()),
            "settled": int(np.sum(i["dispute_level"][f] >= 0)),
            "emergency_quorum": int(np.sum(i["quorum"][f] == 2)),
            "reviewed": int(np.sum(np.isfinite(i["review"][f]))),
        },
    }


def agreed_time(rep: ReplicationResult) -> np.ndarray:
    """When each incident's finding was agreed (NaN: not agreed by the horizon)."""
    i = rep.incidents
    agreed = np.where(np.isnan(i["disputed"]), i["finding"], np.nan)
    settled = i["dispute_level"] >= 0
    agreed[settled] = i["dispute_closed"][settled]
    pending_review = (i["quorum"] == 2) & np.isnan(i["review"])
    agreed[pending_review] = np.nan
    return agreed


def finding_metrics(rep: ReplicationResult, warmup: float) -> dict[str, float]:
    """Key metrics of one replication: share of findings in each final grade, share
    a desk dissented from, mean time to an agreed finding (censored), and mean time
    from dispute to settlement."""
    i = rep.incidents
    f = _found(rep, warmup)
    n = int(f.sum())
    nan = float("nan")
    out = {
        f"findings_{g}": (float(np.sum(i["final_grade"][f] == k)) / n if n else nan)
        for k, g in enumerate(GRADES)
    }
    dissent = i["dissent_RU"] | i["dissent_UA"] | i["dissent_US"]
    out["dissent_share"] = float(dissent[f].sum()) / n if n else nan
    t, ok = agreement_delays(rep, warmup)
    out["agreement_mean"] = describe_censored(t, ok)["mean"] if t.size else nan
    settled = f & (i["dispute_level"] >= 0)
    spans = (i["dispute_closed"] - i["disputed"])[settled]
    out["dispute_resolution_mean"] = float(spans.mean()) if spans.size else nan
    return out


def agreement_delays(rep: ReplicationResult, warmup: float) -> tuple[np.ndarray, np.ndarray]:
    """First report to agreed finding for measured findings, censored at the horizon
    where not agreed: ``(durations, observed)``."""
    i = rep.incidents
    f = _found(rep, warmup)
    agreed = agreed_time(rep)[f]
    ok = np.isfinite(agreed)
    end = np.where(ok, agreed, rep.totals["horizon"])
    return end - i["first_report"][f], ok


def pooled(reps: list[ReplicationResult], warmup: float, scenario) -> dict[str, Any]:
    """The ``findings`` block of the run summary."""
    counts: dict[str, dict[str, int]] = {}
    for rep in reps:
        for group, c in grade_counts(rep, warmup).items():
            dst = counts.setdefault(group, {})
            for k, v in c.items():
                dst[k] = dst.get(k, 0) + v
    by_grade: dict[str, Any] = {}
    for k, g in enumerate(GRADES):
        parts = []
        for rep in reps:
            i = rep.incidents
            sel = _found(rep, warmup) & (i["final_grade"] == k)
            parts.append((i["finding"] - i["first_report"])[sel])
        t = np.concatenate(parts) if parts else np.zeros(0)
        by_grade[g] = describe_censored(t, np.ones(t.size, dtype=bool))
    pairs = [agreement_delays(rep, warmup) for rep in reps]
    t = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0)
    ok = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=bool)
    return {
        **counts,
        "finding_delay_by_grade": by_grade,
        "agreement_delay": describe_censored(t, ok),
        "ladder": _ladder(reps, warmup, scenario),
        "walkouts": [_walkout(reps, warmup, w) for w in scenario.walkouts],
    }


def _walkout(reps: list[ReplicationResult], warmup: float, w) -> dict[str, Any]:
    """What the center did before, during and after a desk's walkout: over incidents
    opened in each period (after the warm-up), findings per day, the share agreed by
    the horizon, and the median time to finding."""
    horizon = reps[0].totals["horizon"] if reps else 0.0
    end = min(w.end, horizon)
    bounds = {"before": (warmup, w.start), "during": (w.start, end), "after": (end, horizon)}
    periods = {}
    for name, (lo, hi) in bounds.items():
        lo = max(lo, warmup)
        days = max(hi - lo, 0.0) / 1440.0
        n, agreed, delays = 0, 0, []
        for rep in reps:
            i = rep.incidents
            sel = (i["created"] >= lo) & (i["created"] < hi) & (i["grade"] >= 0)
            n += int(sel.sum())
            agreed += int(np.isfinite(agreed_time(rep)[sel]).sum())
            delays.append((i["finding"] - i["first_report"])[sel])
        d = np.concatenate(delays) if delays else np.zeros(0)
        periods[name] = {
            "days": days,
            "findings_per_day": n / days / max(len(reps), 1) if days > 0 else float("nan"),
            "agreed_share": agreed / n if n else float("nan"),
            "median_finding": float(np.median(d)) if d.size else float("nan"),
        }
    until = "for good" if w.duration is None else f"until day {w.end / 1440:g}"
    return {"party": w.party, "period": f"from day {w.start / 1440:g} {until}", "periods": periods}


def _ladder(reps: list[ReplicationResult], warmup: float, scenario) -> list[dict[str, Any]]:
    """Per level: disputes settled there and their mean time from dispute to
    settlement (days), and the backlog (mean over the measured time, and at the
    horizon) averaged over replications."""
    out = []
    for k, level in enumerate(scenario.findings.ladder):
        spans, backlog, at_end = [], [], []
        for rep in reps:
            i = rep.incidents
            sel = _found(rep, warmup) & (i["dispute_level"] == k)
            spans.append((i["dispute_closed"] - i["disputed"])[sel])
            tot = rep.totals.get("ladder") or []
            if k < len(tot):
                backlog.append(tot[k]["mean_backlog"])
                at_end.append(tot[k]["backlog_at_end"])
        s = np.concatenate(spans) if spans else np.zeros(0)
        out.append(
            {
                "name": level.name,
                "settled": int(s.size),
                "mean_days_to_settle": float(s.mean() / 1440.0) if s.size else float("nan"),
                "mean_backlog": float(np.mean(backlog)) if backlog else float("nan"),
                "backlog_at_end": float(np.mean(at_end)) if at_end else float("nan"),
            }
        )
    return out
