"""Honest statistics: Holm's marks, Stein's precision rule and its coverage, one-sided bounds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.compare import Comparison, precision_plan
from sim.analysis.statistics import (
    holm,
    mean_ci,
    one_sided_bound,
    paired_difference,
    stein_interval,
    stein_replications,
    t_pvalue,
)

TRUE_DIFF = 5.0


def _experiment(rng, first: int, precision: float, cap: int, rule: str) -> bool:
    """One comparison of two correlated configurations (common random numbers) with a
    precision target; True when the reported 95% interval covers the true difference."""

    def draw(n):
        a = rng.normal(100.0, 20.0, n)
        b = a + rng.normal(TRUE_DIFF, 4.0, n)
        return a, b

    a, b = draw(first)
    if rule == "stein":  # the shipped code path of ``cfsim compare --precision``
        per = [[{"metrics": {"m": x}} for x in a], [{"metrics": {"m": x}} for x in b]]
        comp = Comparison(["a", "b"], 0, per)
        n = min(max(precision_plan(comp, "m", precision)["needed"], first), cap)
        a2, b2 = draw(n - first)
        per[0] += [{"metrics": {"m": x}} for x in a2]
        per[1] += [{"metrics": {"m": x}} for x in b2]
        comp.metadata = {"first_stage": first, "precision_metric": "m"}
        ci = comp.difference_interval(1, "m")
    else:  # add one at a time until the running interval looks narrow enough
        target = precision * abs(np.mean(a))
        while True:
            ci = paired_difference(list(a), list(b))
            if ci["half_width"] <= target or a.size >= cap:
                break
            a2, b2 = draw(1)
            a, b = np.append(a, a2), np.append(b, b2)
    return ci["low"] <= TRUE_DIFF <= ci["high"]


def coverage(rule: str, experiments: int, seed: int = 20261201) -> float:
    rng = np.random.default_rng(seed)
    return float(np.mean([_experiment(rng, 5, 0.02, 400, rule) for _ in range(experiments)]))


@pytest.mark.statistical
def test_steins_rule_keeps_the_95_percent_coverage_of_the_paired_difference():
    # 20,000 experiments: if the true coverage were 0.95, the measured one has a
    # standard error of 0.0015, so 0.945 sits 3.2 standard errors below it.
    assert coverage("stein", 20_000) >= 0.945


def test_the_coverage_check_can_tell_a_rule_that_stops_when_it_looks_precise():
    # The old rule (stop when the running interval is narrow, report that interval)
    # covers less: this is what the check above must be able to see.
    assert coverage("naive", 2_000) < 0.945


def test_stein_interval_uses_the_first_stage_spread():
    x = np.array([1.0, 3.0, 2.0, 4.0, 2.5, 2.5, 2.5, 2.5])
    ci = stein_interval(x, 4)
    first = mean_ci(x[:4])
    assert ci["mean"] == pytest.approx(x.mean())
    assert ci["half_width"] == pytest.approx(first["half_width"] * np.sqrt(4 / 8))
    assert stein_replications(x[:4], first["half_width"] / 2) == 16


def test_holm_rejects_step_down_and_controls_the_family():
    assert holm([0.001, 0.01, 0.03, 0.04]) == [True, True, False, False]
    assert holm([0.03, 0.03]) == [False, False]  # the smaller 0.03 > 0.05 / 2
    # under the null, 30 tests at once: a family-wise false alarm in about 5% of tables
    rng = np.random.default_rng(1)
    alarms = sum(any(holm(list(rng.random(30)))) for _ in range(4000))
    assert abs(alarms / 4000 - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 4000) + 0.005


def test_t_pvalue_matches_the_t_distribution():
    from scipy import stats

    x = [0.3, -0.2, 0.5, 0.9, 0.1]
    assert t_pvalue(x) == pytest.approx(stats.ttest_1samp(x, 0.0).pvalue)


def test_one_sided_bounds_are_one_sided():
    x = [10.0, 12.0, 11.0, 13.0]
    upper = one_sided_bound(x, "max", 0.05)
    two = mean_ci(x, level=0.90)  # a one-sided 95% bound is the two-sided 90% limit
    assert upper == pytest.approx(two["high"])
    assert one_sided_bound(x, "min", 0.05) == pytest.approx(two["low"])


# Exact values below come from closed forms or printed tables: chi-square with 2
# degrees of freedom has the quantile -2 ln(1 - p); Student's t with 2 degrees of
# freedom has P(T > t) = (1 - t / sqrt(t^2 + 2)) / 2; t_{0.975,2} = 4.3027,
# t_{0.95,2} = 2.9200, t_{0.975,3} = 3.1824, t_{0.95,3} = 2.3534, z_{0.975} = 1.9600.


def test_quantiles_of_the_reference_distributions():
    from sim.analysis.statistics import chi2_quantile, normal_quantile, t_quantile

    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert normal_quantile(0.5) == 0.0
    assert chi2_quantile(0.95, 2) == pytest.approx(-2 * np.log(0.05), rel=1e-12)
    assert chi2_quantile(0.95, 1) == pytest.approx(3.841459, abs=1e-6)
    assert t_quantile(0.975, 2) == pytest.approx(4.302653, abs=1e-6)
    assert np.isnan(t_quantile(0.975, 0.5))  # fewer than one degree of freedom


def test_describe_of_nothing_finite_is_all_nan_with_a_zero_count():
    from sim.analysis.statistics import describe

    d = describe(np.array([np.nan, np.inf]))
    assert d["n"] == 0 and sorted(d) == ["max", "mean", "median", "n", "p90", "p95"]
    assert all(np.isnan(d[k]) for k in ("mean", "median", "p90", "p95", "max"))
    d = describe(np.array([4.0, 1.0, np.inf, 2.0, 3.0]))  # the infinite value is left out
    assert d == {
        "n": 4,
        "mean": 2.5,
        "median": 2.5,
        "p90": pytest.approx(3.7),
        "p95": pytest.approx(3.85),
        "max": 4.0,
    }


def test_mean_ci_half_width_is_t_times_the_standard_error():
    ci = mean_ci([1.0, 2.0, 3.0])  # mean 2, sd 1, n 3
    h = 4.302653 / np.sqrt(3)
    assert ci["mean"] == 2.0 and ci["n"] == 3
    assert ci["half_width"] == pytest.approx(h, abs=1e-6)
    assert (ci["low"], ci["high"]) == (pytest.approx(2.0 - h), pytest.approx(2.0 + h))
    assert mean_ci([1.0, 2.0, 3.0], level=0.90)["half_width"] == pytest.approx(
        2.919986 / np.sqrt(3), abs=1e-6
    )
    one = mean_ci([float("nan"), 5.0])  # one defined value: a mean, no interval
    assert one["mean"] == 5.0 and one["n"] == 1
    assert all(np.isnan(one[k]) for k in ("low", "high", "half_width"))
    none = mean_ci([float("nan")])
    assert none["n"] == 0 and all(np.isnan(none[k]) for k in ("mean", "low", "high"))


def test_finite_mean_leaves_out_nan_and_is_nan_for_nothing():
    from sim.analysis.statistics import finite_mean

    assert finite_mean([1.0, float("nan"), 4.0]) == 2.5
    assert np.isnan(finite_mean([])) and np.isnan(finite_mean([float("nan")]))


def test_paired_difference_is_significant_on_either_side_only_when_zero_is_outside():
    up = paired_difference([1.0, 2.0, 3.0], [2.0, 3.1, 3.9])
    assert up["significant"] is True and up["low"] > 0
    down = paired_difference([2.0, 3.1, 3.9], [1.0, 2.0, 3.0])
    assert down["significant"] is True and down["high"] < 0
    assert down["mean"] == pytest.approx(-1.0)
    mixed = paired_difference([1.0, 2.0, 3.0], [2.0, 1.0, 3.5])  # diffs 1, -1, 0.5
    assert mixed["significant"] is False and mixed["low"] < 0 < mixed["high"]
    # pairs with a NaN on either side are left out
    d = paired_difference([1.0, float("nan"), 2.0, 3.0], [2.0, 5.0, float("nan"), 4.0])
    assert d["n"] == 2 and d["mean"] == 1.0 and d["half_width"] == 0.0
    assert d["significant"] is True  # no spread: the interval is the point 1
    assert paired_difference([1.0], [2.0])["significant"] is False  # one pair: no interval


def test_t_pvalue_by_hand_and_its_degenerate_cases():
    # mean 2, sd 1, n 3: t = 2 sqrt(3), 2 degrees of freedom
    t = 2 * np.sqrt(3)
    assert t_pvalue([1.0, 2.0, 3.0, float("nan")]) == pytest.approx(
        1 - t / np.sqrt(t * t + 2), rel=1e-9
    )
    assert t_pvalue([-1.0, -2.0, -3.0]) == pytest.approx(1 - t / np.sqrt(t * t + 2), rel=1e-9)
    assert np.isnan(t_pvalue([1.0, float("nan")]))  # one value: no test
    assert t_pvalue([0.0, 0.0, 0.0]) == 1.0  # no spread around a zero mean
    assert t_pvalue([2.0, 2.0]) == 0.0  # no spread around a mean that is not zero


def test_holm_boundaries_stop_and_nan():
    # p <= alpha / (m - rank) rejects, equality included
    assert holm([0.05, 0.025]) == [True, True]
    # stops at the first hypothesis kept, even if a later one is below its threshold
    assert holm([0.001, 0.03, 0.04]) == [True, False, False]
    # NaN p-values are never rejected and do not count in m
    assert holm([float("nan"), 0.01, 0.04]) == [False, True, True]
    assert holm([0.02, 0.04], alpha=0.1) == [True, True]
    assert holm([]) == []


def test_stein_replications_by_hand():
    first = np.array([1.0, 3.0, 2.0, 4.0, np.nan])  # sd sqrt(5/3); the NaN is left out
    s0 = np.sqrt(5 / 3)
    assert stein_replications(first, 0.5) == int(np.ceil((3.182446 * s0 / 0.5) ** 2))  # 68
    assert stein_replications(first, 0.5, level=0.90) == int(np.ceil((2.353363 * s0 / 0.5) ** 2))
    assert stein_replications(first, 100.0) == 4  # never fewer than the first stage
    assert stein_replications(first, 0.0) == 4  # no target: the first stage
    assert stein_replications(first, float("nan")) == 4
    assert stein_replications(np.array([7.0, np.nan]), 0.5) == 1  # one value: no spread


def test_stein_interval_by_hand():
    # first stage 1, 3, 2, 4 (sd sqrt(5/3)); all eight values, one NaN left out
    x = np.array([1.0, 3.0, 2.0, 4.0, 2.5, np.nan, 2.5, 2.5])
    ci = stein_interval(x, 4)
    h = 3.182446 * np.sqrt(5 / 3) / np.sqrt(7)
    assert ci["n"] == 7 and ci["mean"] == pytest.approx(17.5 / 7)
    assert ci["half_width"] == pytest.approx(h, abs=1e-6)
    assert (ci["low"], ci["high"]) == (
        pytest.approx(17.5 / 7 - h, abs=1e-6),
        pytest.approx(17.5 / 7 + h, abs=1e-6),
    )
    h90 = 2.353363 * np.sqrt(5 / 3) / np.sqrt(7)
    assert stein_interval(x, 4, level=0.90)["half_width"] == pytest.approx(h90, abs=1e-6)
    # a first stage with one defined value has no spread: no interval
    bad = stein_interval(np.array([1.0, np.nan, 2.0, 3.0]), 2)
    assert bad["n"] == 3 and all(np.isnan(bad[k]) for k in ("mean", "low", "high", "half_width"))


def test_one_sided_bound_by_hand():
    # mean 2, sd 1, n 3; t_{0.95,2} = 2.9200
    h = 2.919986 / np.sqrt(3)
    assert one_sided_bound([1.0, 2.0, 3.0, float("nan")], "max", 0.05) == pytest.approx(
        2.0 + h, abs=1e-6
    )
    assert one_sided_bound([1.0, 2.0, 3.0], "min", 0.05) == pytest.approx(2.0 - h, abs=1e-6)
    assert np.isnan(one_sided_bound([1.0, float("nan")], "max", 0.05))
