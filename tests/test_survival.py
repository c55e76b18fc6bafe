"""Delays with censoring: Kaplan-Meier against scipy, and the model's censored delays."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.metrics import censored_delays, replication_metrics
from sim.analysis.survival import describe_censored, kaplan_meier, km_quantile, restricted_mean
from sim.engine import run_replication


def test_kaplan_meier_equals_scipy_on_random_censored_data():
    rng = np.random.default_rng(3)
    t = np.round(rng.exponential(10.0, 400), 1)  # ties on purpose
    observed = rng.random(400) < 0.7
    times, surv = kaplan_meier(t, observed)
    ref = stats.ecdf(stats.CensoredData(uncensored=t[observed], right=t[~observed])).sf
    assert np.allclose(surv, ref.evaluate(times))
    assert np.array_equal(times, np.unique(t[observed]))


def test_without_censoring_it_is_the_empirical_distribution():
    t = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    s = describe_censored(t, np.ones(5, bool))
    assert s["mean"] == pytest.approx(3.0) and s["measured_share"] == 1.0
    assert s["median"] == 3.0 and s["p90"] == 5.0 and s["lower_bound"] == []


def test_censored_values_pull_the_statistics_up_and_unreached_ones_are_bounds():
    t = np.array([10.0, 20.0, 30.0, 40.0])
    ok = np.array([True, True, True, False])
    times, surv = kaplan_meier(t, ok)
    assert surv.tolist() == [0.75, 0.5, 0.25]
    # area under S up to 40: 10 + 0.75 x 10 + 0.5 x 10 + 0.25 x 10
    assert restricted_mean(times, surv, 40.0) == pytest.approx(25.0)
    assert km_quantile(times, surv, 0.5) == 20.0 and np.isnan(km_quantile(times, surv, 0.9))
    s = describe_censored(t, ok)
    assert s["p90"] == 40.0 and "p90" in s["lower_bound"] and "mean" in s["lower_bound"]
    # leaving the censored one out (the old way) gives a shorter mean and p90
    naive = describe_censored(t[ok], ok[ok])
    assert naive["mean"] < s["mean"] and naive["p90"] < s["p90"]


def test_an_incident_given_up_counts_as_censored_in_its_response_time(timeline):
    # One team; two incidents 10 min apart; the team needs 2 h 40 for the first
    # (10 min prepare, 20 min drive, 1 h on site, 20 min back... plus assessment);
    # the second gives up after 1 h: its response is censored at 1 h after its
    # first report instead of vanishing.
    rep = run_replication(
        timeline(
            {
                "violations": {
                    "scripted": [
                        {"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "RU"},
                        {"time": "70min", "node": "S4", "type": "artillery", "perpetrator": "RU"},
                    ]
                },
                "center": {"merging": {"enabled": False}},
                "teams": {"give_up_after": "1h"},
            }
        )
    )
    i = rep.incidents
    assert np.isfinite(i["on_site"][0]) and np.isnan(i["on_site"][1])
    assert i["unserved"][1] == i["created"][1] + 60.0
    t, ok = censored_delays(rep, 0.0)["response"]
    first = i["on_site"][0] - i["first_report"][0]
    second = i["unserved"][1] - i["first_report"][1]
    assert t.tolist() == [first, second] and ok.tolist() == [True, False]
    m = replication_metrics(rep, 0.0, timeline().scenario.targets)
    assert m["response_measured"] == 0.5
    expected_mean = first + (second - first) * 0.5 if second > first else first
    assert m["response_mean"] == pytest.approx(expected_mean)


def test_no_delay_measured_or_none_at_all():
    times, surv = kaplan_meier(np.array([]), np.array([], bool))
    assert times.size == 0 and surv.size == 0
    # every entity still waiting: nothing to estimate, and nothing flagged as a bound
    s = describe_censored(np.array([30.0, 50.0, np.inf]), np.zeros(3, bool))
    assert s["n"] == 2 and s["events"] == 0 and s["measured_share"] == 0.0
    assert all(np.isnan(s[k]) for k in ("mean", "median", "p90", "p95", "max"))
    assert s["lower_bound"] == []
    empty = describe_censored(np.array([]), np.array([], bool))
    assert empty["n"] == 0 and np.isnan(empty["measured_share"]) and empty["lower_bound"] == []


def test_restricted_mean_with_one_event_time_or_none():
    # S = 1 up to 10, then 0.5 up to tau = 40: 10 + 0.5 x 30
    assert restricted_mean(np.array([10.0]), np.array([0.5]), 40.0) == 25.0
    # an event time after tau counts only up to tau
    assert restricted_mean(np.array([50.0]), np.array([0.0]), 40.0) == 40.0
    # no event at all: S = 1 throughout, the area is tau (NaN for an unknown tau)
    assert restricted_mean(np.empty(0), np.empty(0), 40.0) == 40.0
    assert np.isnan(restricted_mean(np.empty(0), np.empty(0), float("nan")))


def test_uncensored_quantiles_are_the_smallest_value_with_that_share_at_or_below_it():
    # four delays: half of them are at or below 20, so the median is 20 (not 25, not 30)
    s = describe_censored(np.array([40.0, 10.0, 30.0, 20.0]), np.ones(4, bool))
    assert (s["median"], s["p90"], s["p95"], s["mean"]) == (20.0, 40.0, 40.0, 25.0)
    # the same as the Kaplan-Meier quantile of the same data
    times, surv = kaplan_meier(np.array([40.0, 10.0, 30.0, 20.0]), np.ones(4, bool))
    assert km_quantile(times, surv, 0.5) == 20.0
    two = describe_censored(np.array([20.0, 10.0]), np.ones(2, bool))
    assert (two["median"], two["p90"], two["max"]) == (10.0, 20.0, 20.0)
    one = describe_censored(np.array([7.0]), np.ones(1, bool))
    assert (one["median"], one["p90"], one["p95"], one["max"]) == (7.0, 7.0, 7.0, 7.0)
