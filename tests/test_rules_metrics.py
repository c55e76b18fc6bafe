"""The measurement rules (docs/model.md, "What is measured"): warm-up, populations,
censoring and targets, on scripted timelines with exact numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim import records as R
from sim.analysis.desks import desk_stats, team_utilisation
from sim.analysis.metrics import (
    censored_delays,
    delays,
    outcome_counts,
    rates,
    target_shares,
)
from sim.analysis.survival import describe_censored
from sim.engine import run_replication

from .timelines import PLENTY, TYPES, at, column


def _warmup_case(timeline):
    # Warm-up 100 min. Violation A at 60 (before it) reported at 90 (before
    # it): its incident opens at 110, after the warm-up, but counts by its
    # first report, so not at all. Violation B at 100 is reported at 130 and
    # counts everywhere.
    over = {
        "warmup": "100min",
        "violations": {"scripted": [at(60, "S0"), at(100, "S4")]},
        "center": {"desks": PLENTY, "merging": {"enabled": False}},
        "teams": {"enabled": False},
    }
    return run_replication(timeline(over))


def test_entities_count_from_the_warm_up_by_their_start(timeline):
    rep = _warmup_case(timeline)
    assert column(rep.incidents, "created") == [110.0, 150.0]
    c = outcome_counts(rep, 100.0)
    assert sum(c["violations"].values()) == 1
    assert sum(c["reports"].values()) == 1
    assert sum(c["incidents"].values()) == 1
    assert c["incident_reasons"]["teams_off"] == 1
    d = delays(rep, 100.0)
    assert d["reporting_delay"].tolist() == [30.0]
    assert d["finding"].tolist() == [180.0 - 130.0]
    # without a warm-up both count
    assert sum(outcome_counts(rep, 0.0)["incidents"].values()) == 2


def test_utilisation_integrates_from_the_end_of_the_warm_up(timeline):
    # One violation: UA triage 90-110; assessment 110-140 for all three desks.
    # Warm-up 100 min: 10 min of triage and 30 of assessment are measured.
    rep = run_replication(timeline({"warmup": "100min", "teams": {"enabled": False}}))
    measured = 3 * 1440.0 - 100.0
    s = desk_stats(rep, 100.0)
    assert s["UA"]["utilisation"] == pytest.approx(40.0 / measured)
    assert s["RU"]["utilisation"] == pytest.approx(30.0 / measured)


def test_team_utilisation_is_busy_team_time_over_team_time(timeline):
    # Two teams; one mission 110-240 (dispatch to return): 130 of 2 x 3 days
    rep = run_replication(timeline({"teams": {"bases": [{"node": "B0", "count": 2}]}}))
    assert team_utilisation(rep) == pytest.approx(130.0 / (2 * 3 * 1440.0))


def test_response_counts_only_incidents_that_asked_for_a_team(timeline):
    # A drone (severity 2) below min_severity 3 gets no team and is not in the
    # response population; the artillery incident is (response 150 - 120 = 30).
    over = {
        "violations": {"types": TYPES, "scripted": [at(60, "S2", kind="drone"), at(90, "S2")]},
        "center": {"desks": PLENTY, "merging": {"enabled": False}},
        "teams": {"min_severity": 3},
    }
    rep = run_replication(timeline(over))
    d = delays(rep, 0.0)
    assert d["response"].tolist() == [180.0 - 120.0]
    assert d["dispatch"].tolist() == [0.0]
    assert d["finding"].size == 2


def _incidents(first_report, finding, reason=None):
    n = len(first_report)
    nan = float("nan")
    return {
        "first_report": np.array(first_report, dtype=float),
        "created": np.array(first_report, dtype=float),
        "finding": np.array(finding, dtype=float),
        "on_site": np.full(n, nan),
        "dispatch": np.full(n, nan),
        "unserved": np.full(n, nan),
        "event_time": np.array(first_report, dtype=float) - 10.0,
        "reason": np.array(reason or [0] * n),
        "outcome": np.zeros(n, dtype=np.int64),
    }


def _result(incidents, horizon=1000.0):
    empty = {
        "arrival": np.zeros(0),
        "ack": np.zeros(0),
        "event_time": np.zeros(0),
        "false": np.zeros(0, bool),
        "state": np.zeros(0, np.int64),
        "state_time": np.zeros(0),
        "sender": np.zeros(0, np.int64),
        "desk": np.zeros(0, np.int64),
    }
    return R.ReplicationResult(
        replication=0,
        seed=0,
        violations={"time": np.zeros(0), "outcome": np.zeros(0, np.int64)},
        reports=empty,
        incidents=incidents,
        series={},
        totals={"horizon": horizon, "measured_minutes": horizon},
        types=(),
        nodes=(),
    )


class _Targets:
    acknowledge = None
    response = None
    finding = 100.0


def test_a_target_share_leaves_out_what_cannot_be_judged_yet():
    # Horizon 1000, finding target 100 min. Within (50), late (150), never
    # found though due long before the horizon (first report 500), and never
    # found but only due after the horizon (first report 950): the last one
    # cannot be judged yet, so the share is 1 of 3.
    inc = _incidents([0.0, 100.0, 500.0, 950.0], [50.0, 250.0, np.nan, np.nan])
    shares = target_shares(_result(inc), 0.0, _Targets())
    assert shares["finding"] == pytest.approx(1 / 3)
    assert "response" not in shares and "acknowledge" not in shares
    # due exactly at the horizon: judged (outside)
    inc = _incidents([0.0, 900.0], [50.0, np.nan])
    assert target_shares(_result(inc), 0.0, _Targets())["finding"] == 0.5


def test_a_delay_that_did_not_end_counts_as_censored_at_the_horizon():
    # Findings after 50 and 150 min; the third incident (first report 700) is
    # still open at the horizon 1000, so censored at 300: Kaplan-Meier puts the
    # first two at 1/3 each and the mean is restricted to the longest follow-up.
    inc = _incidents([0.0, 100.0, 700.0], [50.0, 250.0, np.nan])
    rep = _result(inc)
    t, ok = censored_delays(rep, 0.0)["finding"]
    assert t.tolist() == [50.0, 150.0, 300.0] and ok.tolist() == [True, True, False]
    s = describe_censored(t, ok)
    assert s["measured_share"] == pytest.approx(2 / 3)
    assert s["mean"] == pytest.approx((50.0 + 150.0 + 300.0) / 3)
    assert s["p90"] == 300.0 and s["lower_bound"] == ["mean", "p90", "p95"]


def test_rates_are_over_the_right_denominators(timeline):
    # Verification rate: verified / reported; attribution accuracy: correct /
    # attributed; detection rate: reported / all.
    v = {
        "time": np.zeros(6),
        "outcome": np.array(
            [
                R.VIOLATION_OUTCOMES.index(x)
                for x in (
                    "never_reported",
                    "reported_unverified",
                    "verified",
                    "attributed_correct",
                    "attributed_correct",
                    "attributed_incorrect",
                )
            ]
        ),
    }
    rep = _result(_incidents([], []))
    rep = R.ReplicationResult(**{**rep.__dict__, "violations": v})
    r = rates(rep, 0.0)
    assert r["detection_rate"] == pytest.approx(5 / 6)
    assert r["verification_rate"] == pytest.approx(4 / 5)
    assert r["attribution_accuracy"] == pytest.approx(2 / 3)


def test_a_measured_column_read_from_a_file_decides_the_population():
    # Tables read back from a run's files carry the warm-up rule as written in
    # their ``measured`` column; it wins over the warm-up passed in.
    inc = _incidents([0.0, 100.0, 500.0], [50.0, 250.0, 600.0])
    inc["measured"] = np.array([False, True, True])
    d = delays(_result(inc), 0.0)
    assert d["finding"].tolist() == [150.0, 100.0]
    assert d["violation_to_finding"].tolist() == [160.0, 110.0]
    t, ok = censored_delays(_result(inc), 0.0)["finding"]
    assert t.tolist() == [150.0, 100.0] and ok.tolist() == [True, True]
