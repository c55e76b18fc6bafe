"""Statistics helpers and the summary built from a known timeline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import records as R
from sim.engine.monitor import Level
from sim.engine.shifts import change_points
from sim.analysis.metrics import summarise
from sim.analysis.statistics import describe, mean_ci, t_quantile
from sim.engine import run_replication
from sim.engine.teams import next_departure


@pytest.mark.parametrize(
    "df,expected",
    [(1, 12.7062), (4, 2.7764), (30, 2.0423), (40, 2.0211), (60, 2.0003), (120, 1.9799)],
)
def test_t_quantile_matches_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=2e-4)


def test_mean_ci_covers_known_mean_about_95_percent():
    # 2000 experiments of n=5 normal samples: coverage is binomial(2000, 0.95),
    # sd = sqrt(0.95*0.05/2000) = 0.0049; accept within 4 sd.
    rng = np.random.default_rng(2024)
    hits = sum(
        (lambda c: c["low"] <= 10.0 <= c["high"])(mean_ci(rng.normal(10.0, 3.0, 5)))
        for _ in range(2000)
    )
    assert abs(hits / 2000 - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / 2000)


def test_mean_ci_edge_cases():
    assert mean_ci([]).get("n") == 0
    one = mean_ci([3.0])
    assert one["mean"] == 3.0 and math.isnan(one["half_width"])
    assert mean_ci([1.0, float("nan"), 3.0])["n"] == 2


def test_describe_percentiles():
    d = describe(np.arange(1, 101, dtype=float))
    assert (d["n"], d["mean"], d["median"], d["max"]) == (100, 50.5, 50.5, 100.0)
    assert d["p90"] == pytest.approx(90.1) and d["p95"] == pytest.approx(95.05)
    assert describe(np.array([np.nan]))["n"] == 0


def test_level_integrates_only_inside_window():
    lv = Level(start=10.0, end=20.0)
    lv.set(5.0, 2.0)  # 2 from t=5
    lv.set(15.0, 4.0)  # 2 over [10,15] = 10
    lv.set(30.0, 0.0)  # 4 over [15,20] = 20
    assert lv.area == pytest.approx(30.0)


def test_change_points_of_a_shift_plan():
    staff = [2] * 360 + [4] * 480 + [4] * 480 + [2] * 120
    assert change_points(staff) == [(0, 2), (360, 4), (1320, 2)]


@pytest.mark.parametrize(
    "now,travel,expected",
    [
        (420.0, 60.0, 420.0),  # exactly at opening
        (1080.0, 60.0, 1080.0),  # arrives exactly at closing
        (1081.0, 60.0, 1440.0 + 420.0),  # would arrive after closing
        (1500.0, 30.0, 1860.0),  # night of day 2
        (600.0, 900.0, 1440.0 + 420.0),  # longer than the window: next opening
    ],
)
def test_next_departure(now, travel, expected):
    assert next_departure(now, travel, (420.0, 1140.0)) == expected
    assert next_departure(now, travel, None) == now


def test_summary_of_single_timeline(timeline):
    loaded = timeline()
    rep = run_replication(loaded)
    s = summarise([rep], loaded.scenario)
    assert s["counts"]["violations"]["attributed_correct"] == 1
    assert s["counts"]["reports"]["led_to_finding"] == 1
    assert s["delays"]["reporting_delay"]["mean"] == 30.0
    assert s["delays"]["acknowledge"]["mean"] == 0.0
    assert s["delays"]["response"]["mean"] == 60.0
    assert s["delays"]["finding"]["mean"] == 150.0
    assert s["rates"]["verification_rate"]["mean"] == 1.0
    assert s["targets"]["response"]["mean"] == 1.0
    # UA desk: 20 min triage + 30 min assessment over 3 days with 1 officer
    assert s["desks"]["UA"]["utilisation"] == pytest.approx(50.0 / (3 * 1440))
    assert s["utilisation"]["teams"]["mean"] == pytest.approx((240.0 - 110.0) / (3 * 1440))


def test_warmup_excludes_early_entities(timeline):
    loaded = timeline({"warmup": "2h"})  # the violation at 1h is before it
    rep = run_replication(loaded)
    s = summarise([rep], loaded.scenario)
    assert sum(s["counts"]["violations"].values()) == 0
    assert s["counts"]["reports"]["led_to_finding"] == 0  # report at 90 min
    assert rep.violations["outcome"][0] == R.VIOLATION_OUTCOMES.index("attributed_correct")


def test_outcome_shares_count_every_outcome_once():
    from sim.analysis.metrics import outcome_shares

    counts = {
        "incidents": {"verified": 5, "not_verified": 3, "unfounded": 1, "open_at_end": 1},
        "incident_reasons": {
            "teams_off": 0,
            "below_min_severity": 2,
            "out_of_range": 1,
            "no_team_in_time": 0,
            "access_denied": 0,
            "no_evidence": 0,
            "open_at_end": 0,
        },
    }
    s = outcome_shares(counts)
    assert s["incidents_open_at_end"] == 0.1  # the outcome, not the (empty) reason
    assert s["incidents_below_min_severity"] == 0.2 and s["incidents_out_of_range"] == 0.1
    assert sum(s[f"incidents_{k}"] for k in counts["incidents"]) == 1.0


def test_conservation_names_each_broken_bookkeeping_rule(timeline):
    # The timeline's one violation is attributed correctly through one report that
    # led to the one incident's finding; each case breaks one rule of that record.
    import copy

    from sim.analysis.metrics import check_conservation

    clean = run_replication(timeline())
    assert check_conservation(clean) == []
    VO, RS, IO = R.VIOLATION_OUTCOMES, R.REPORT_STATES, R.INCIDENT_OUTCOMES

    def broken(**changes):
        rep = copy.deepcopy(clean)
        for where, value in changes.items():
            table, column = where.split("__")
            getattr(rep, table)[column][0] = value
        return check_conservation(rep)

    # one past the last valid code is as invalid as a negative one
    assert broken(violations__outcome=len(VO)) == ["1 violation(s) without a valid final state"]
    assert broken(reports__state=-1) == [
        "1 report(s) without a valid final state",
        "0 reports led to findings but 1 incidents have a finding",
    ]
    assert broken(incidents__outcome=len(IO)) == [
        "1 incident(s) without a valid final state",
        "1 reports led to findings but 0 incidents have a finding",
    ]
    assert broken(violations__outcome=VO.index("reported_unverified")) == [
        "unverified violations without a reason"
    ]
    assert broken(violations__reason=R.UNVERIFIED_REASONS.index("expired")) == [
        "a reason on a violation that is not 'reported_unverified'"
    ]
    # a violation never reported has no reports, every other one has some
    assert broken(violations__outcome=VO.index("never_reported"), violations__n_reports=0) == []
    assert broken(violations__outcome=VO.index("never_reported")) == [
        "'never_reported' does not match the report count"
    ]
    assert broken(violations__n_reports=0) == ["'never_reported' does not match the report count"]
    assert broken(reports__incident=-1) == [
        "a merged or finding report without an incident",
        "incident report counts do not add up to the reports linked",
    ]
    assert broken(reports__state=RS.index("merged"), reports__incident=-1) == [
        "a merged or finding report without an incident",
        "0 reports led to findings but 1 incidents have a finding",
        "incident report counts do not add up to the reports linked",
    ]
    assert broken(incidents__n_reports=2) == [
        "incident report counts do not add up to the reports linked"
    ]
    # times: half a minute backwards is found (once, however many steps go back);
    # a rounding step of 1e-9 minutes is not
    assert broken(incidents__finding=150.0 - 0.5) == ["time goes backwards in 1 record(s)"]
    assert broken(reports__ack=80.0, incidents__depart=100.0) == [
        "time goes backwards in 1 record(s)"
    ]
    assert broken(incidents__on_site=120.0 - 1e-9) == []


def test_summary_blocks_and_the_desk_rows_by_shift_and_hour(timeline):
    # The timeline twice (identical replications, so every interval is a point).
    # UA desk, one officer round the clock: its one report arrives at 01:30 and is
    # triaged at once for 20 min (ack target 60 min: within); the joint assessment
    # is at 03:30-04:00. Measured: 3 days from 1 March 2016, Kyiv time.
    loaded = timeline({"start": "2016-03-01", "timezone": "Europe/Kyiv"})
    rep = run_replication(loaded)
    s = summarise([rep, rep], loaded.scenario)
    documented = {"calendar", "volume", "counts", "delays", "party_delays", "rates", "targets"}
    documented |= {"utilisation", "desks", "queue_growth", "findings", "per_replication"}
    assert documented <= set(s) and "moratorium" in s
    assert s["replications"] == 2
    assert s["calendar"] == {
        "start": "2016-03-01T00:00:00+02:00",
        "timezone": "Europe/Kyiv",
        "utc_offset": "+02:00",
    }
    (shift,) = s["desks"]["UA"]["by_shift"]
    assert (shift["shift"], shift["start"], shift["end"], shift["reports"]) == (
        "round the clock",
        0,
        0,
        2,
    )
    point = {"low": 1.0, "high": 1.0, "half_width": 0.0, "n": 2}
    assert shift["within_acknowledge"] == {"mean": 1.0, **point}
    assert shift["utilisation"]["mean"] == pytest.approx(50.0 / (3 * 1440))
    assert shift["officers"]["mean"] == 1.0 and shift["p_wait"]["mean"] == 0.0
    hours = s["desks"]["UA"]["by_hour"]
    assert [h["hour"] for h in hours] == list(range(24))
    assert hours[1]["utilisation"]["mean"] == pytest.approx(20.0 / (3 * 60))
    assert hours[3]["utilisation"]["mean"] == pytest.approx(30.0 / (3 * 60))
    assert [h["reports"] for h in hours].count(2) == 1 and hours[1]["reports"] == 2
    assert hours[1]["within_acknowledge"]["mean"] == 1.0
