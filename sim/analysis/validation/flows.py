"""What the desk rows switch off, against theory: the joint assessment (M/D/1), the
team queue with give-up (M/M/c+D), Little's law for teams and incidents, merging."""

from __future__ import annotations

import numpy as np

from ... import records as R
from ...engine import run_replication
from ...world import load_scenario, scenario_from_dict
from ..theory import mmc_patience, pk_wait
from .checks import ROOT, Check, exact
from .replicate import Row, days_for

JOINT = "Joint assessment (M/D/1)"
TEAMS = "Team queue with give-up (M/M/c+D)"
LITTLE = "Little's law (baseline, sample path)"
MERGING = "Merging (scripted)"


def flow_rows() -> list[Row]:
    """The joint-assessment and team-queue rows (each its own seed)."""
    lam_joint = 28.8 / 1440.0  # per minute; D = 30 min, ρ = 0.6
    lam_team, mu_team, tau = 72.0 / 1440.0, 1 / 60.0, 30.0
    team = mmc_patience(3, lam_team, mu_team, tau)
    common = {"group": TEAMS, "file": "teams.yaml", "overrides": {}, "warmup_days": 2.0}
    return [
        Row(JOINT, "ρ = 0.6, D = 30 min: mean wait for the assessment (P-K)", "joint.yaml", {},
            201, 40, days_for(350e3 / 40, 28.8), 2.0, "joint_wait",
            pk_wait(lam_joint, 30.0, 0.0), "min", 28.8, wait=True),
        Row(case="3 teams, load 1, patience 30 min: share given up", seed=301, reps=20,
            days=days_for(100e3 / 20, 72.0), statistic="team_abandon",
            analytic=team["p_abandon"], unit="%", per_day=72.0, **common),
        Row(case="3 teams, load 1, patience 30 min: share that waited", seed=302, reps=20,
            days=days_for(50e3 / 20, 72.0), statistic="team_p_wait", analytic=team["p_wait"],
            unit="%", per_day=72.0, **common),
        Row(case="3 teams, load 1, patience 30 min: mean wait for a team", seed=303, reps=40,
            days=days_for(250e3 / 40, 72.0), statistic="team_wait",
            analytic=team["mean_wait"], unit="min", per_day=72.0, wait=True, **common),
    ]  # fmt: skip


def _clipped(lo: np.ndarray, hi: np.ndarray, start: float, end: float) -> float:
    """Total length of the intervals [lo, hi) inside [start, end) (hi NaN: still open)."""
    hi = np.where(np.isfinite(hi), hi, end)
    return float(np.sum(np.clip(np.minimum(hi, end) - np.maximum(lo, start), 0.0, None)))


def littles_law_checks() -> list[Check]:
    """L = λW on one replication of the baseline, for teams and for open incidents.

    L is the engine's time integral over the measured window (kept as teams
    leave and return, incidents open and close); λW is the same integral
    computed from the records: every mission's time from dispatch to return,
    every incident's time from opening to finding, clipped to the window.
    The two are the same number on every sample path (Little's law in its
    deterministic form), so the rows are exact.
    """
    loaded = load_scenario(
        ROOT / "scenarios" / "baseline.yaml", overrides={"horizon": "33d", "warmup": "3d"}
    )
    rep = run_replication(loaded)
    start, end = loaded.scenario.warmup, loaded.scenario.horizon
    T = end - start
    i = rep.incidents
    teams = rep.totals["teams"]
    missions = np.isfinite(i["dispatch"])
    team_w = _clipped(i["dispatch"][missions], i["returned"][missions], start, end)
    opened = i["finding"] != i["created"]  # incidents found the moment they opened never wait
    open_w = _clipped(i["created"][opened], i["finding"][opened], start, end)
    n_missions, n_open = int(missions.sum()), int(opened.sum())
    return [
        exact(LITTLE, "teams: busy teams, time average (L) vs Σ mission times / T (λW)",
              team_w / T, teams["busy"] / T, "", f"{n_missions:,} missions"),
        exact(LITTLE, "incidents: open, time average (L) vs Σ times open / T (λW)",
              open_w / T, rep.totals["incidents_open"] / T, "", f"{n_open:,} incidents"),
    ]  # fmt: skip


def merging_checks() -> list[Check]:
    """Six reports with known claimed times and places; merge window 3 h, 15 km.

    Sectors S0..S4 lie 10 km apart. Violations at S0 (1:00), S1 (1:10), S3
    (1:20), S4 (1:30), S1 (4:10) and S2 (4:15), each reported 30 min later;
    incidents stay open (long assessments). By hand: S1 (1:10) joins S0's
    incident (10 km, 10 min); S3 opens a second (30 km from S0); S4 joins it;
    S1 (4:10) is 190 min after S0's claim and 20 km from S3: a third; S2 (4:15)
    matches the second (10 km from S3, 175 min) and the third (10 km, 5 min)
    and joins the earlier, the second. So 3 incidents of 2, 3 and 1 reports.
    """
    times = [("1h", "S0"), ("70min", "S1"), ("80min", "S3"), ("90min", "S4"),
             ("250min", "S1"), ("255min", "S2")]  # fmt: skip
    data = {
        "name": "merging",
        "seed": 1,
        "horizon": "2d",
        "network": {"synthetic": {"sectors": 5, "depth": 1, "spacing_km": 10}},
        "violations": {
            "rate_per_day": 0,
            "types": {"x": {"share": 1.0, "severity": 3, "evidence_half_life": "1d"}},
            "scripted": [
                {"time": t, "node": n, "type": "x", "perpetrator": "RU"} for t, n in times
            ],
        },
        "reporting": {
            "channels": {
                "affected": {"detection": 1.0, "delay": "30min"},
                "accused": {"detection": 0},
                "technical": {"detection": 0},
                "civilian": {"detection": 0},
            },
            "false_reports": {"rate_per_day": 0},
        },
        "center": {
            "desks": {p: {"officers": 6} for p in R.PARTIES},
            "triage": {"time": "20min", "max_wait": None},
            "merging": {"enabled": True, "window": "3h", "max_distance_km": 15},
            "assessment": {"enabled": True, "time": "10h"},
        },
        "teams": {"enabled": False},
    }
    rep = run_replication(scenario_from_dict(data, ROOT))
    n = rep.incidents["n_reports"].tolist()
    merged = int((rep.reports["state"] == R.REPORT_STATES.index("merged")).sum())
    size = "6 scripted reports"
    return [
        exact(MERGING, "incidents opened", 3, len(n), "", size),
        exact(MERGING, "reports merged", 3, merged, "", size),
        exact(MERGING, "reports in the second incident", 3, n[1] if len(n) > 1 else 0, "", size),
        exact(MERGING, "incident the last report joins (the earliest match)", 1,
              int(rep.reports["incident"][-1]), "", size),
    ]  # fmt: skip
