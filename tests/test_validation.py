"""Analytic validation: the formulas, the verdict rule, and (marker ``validation``) every
row of the table against theory.

The statistical test does not compare ``docs/validation.md`` byte for byte: it
runs every check again and asserts each row's simulated statistic against its
analytic value, with the critical values and power recomputed here from
scipy.stats (independently of :func:`sim.analysis.validation.checks.judge`).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from sim.analysis.statistics import chi2_quantile
from sim.analysis.theory import cobham_waits, erlang_c, mmc_wait
from sim.analysis.validation import markdown, run_all
from sim.analysis.validation.checks import (
    ERROR,
    FAMILY_ALPHA,
    POWER,
    Check,
    chi_square,
    exact,
    from_reps,
    judge,
    known_se,
)
from sim.analysis.validation.flows import flow_rows
from sim.analysis.validation.queues import desk_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "c,a,expected",
    [
        (1, 0.5, 0.5),
        (2, 1.0, 1 / 3),
        (3, 2.4, 0.6472),
        (5, 4.75, 0.8778),
    ],
)
def test_erlang_c_against_tables(c, a, expected):
    assert erlang_c(c, a) == pytest.approx(expected, abs=1e-4)


def test_mm1_and_cobham_reduce_to_known_cases():
    mu, lam = 1 / 20, 0.8 / 20
    assert mmc_wait(1, lam, mu) == pytest.approx(80.0)
    # one class: Cobham is M/M/c
    assert cobham_waits(3, [0.1], 0.05)[0] == pytest.approx(mmc_wait(3, 0.1, 0.05))
    # the arrival-weighted mean of the class waits equals the FIFO wait (conservation)
    w = cobham_waits(2, [0.3 * 0.08, 0.7 * 0.08], 0.05)
    assert 0.3 * w[0] + 0.7 * w[1] == pytest.approx(mmc_wait(2, 0.08, 0.05))


def test_chi2_quantile_against_tables():
    assert chi2_quantile(0.999, 24) == pytest.approx(51.18, abs=0.15)
    assert chi2_quantile(0.95, 10) == pytest.approx(18.31, abs=0.05)


# --- the verdict rule --------------------------------------------------------------


def _row(simulated, se, kind="two-sided", analytic=100.0):
    c = known_se("g", f"{simulated}", analytic, simulated, se, "min", seed=1)
    return Check(**{**c.__dict__, "kind": kind})


def test_judge_splits_the_family_alpha_over_the_random_rows_only():
    rows = [_row(100.0, 1.0) for _ in range(4)] + [exact("g", "x", 1.0, 1.0, "")]
    judged = judge(rows, family_alpha=0.01)
    z = stats.norm.ppf(1 - 0.01 / 4 / 2)  # 4 random rows, two-sided
    assert [c.crit for c in judged[:4]] == pytest.approx([z] * 4)
    assert judged[0].tolerance == pytest.approx(z * 1.0)
    assert all(c.passed for c in judged)


def test_judge_fails_a_row_just_outside_its_tolerance_and_passes_one_just_inside():
    z = stats.norm.ppf(1 - 0.01 / 2 / 2)
    inside, outside = judge([_row(100 + 0.99 * z, 1.0), _row(100 - 1.01 * z, 1.0)], 0.01)
    assert inside.passed and not outside.passed


def test_an_at_most_row_fails_only_above_its_bound():
    z = stats.norm.ppf(1 - 0.01 / 2)  # two rows, one-sided
    far_below, above = judge(
        [_row(50.0, 1.0, "at-most"), _row(100 + 1.01 * z, 1.0, "at-most")], family_alpha=0.01
    )
    assert far_below.passed and not above.passed
    assert far_below.tolerance == pytest.approx(z)


def test_power_is_that_of_a_z_test_with_a_known_error_and_of_a_t_test_with_an_estimated_one():
    # 5% of 100 = 5 standard errors of 1
    (known,) = judge([_row(100.0, 1.0)], family_alpha=0.01)
    z = stats.norm.ppf(1 - 0.005)
    assert known.power == pytest.approx(stats.norm.sf(z - 5) + stats.norm.cdf(-z - 5))
    reps = from_reps("g", "t", 10.0, [9.0, 10.0, 11.0, 10.5, 9.5], "min", seed=1)
    (t_row,) = judge([reps], family_alpha=0.01)
    crit = stats.t.ppf(1 - 0.005, 4)
    shift = ERROR * 10.0 / t_row.se
    want = stats.nct.sf(crit, 4, shift) + stats.nct.sf(crit, 4, -shift)
    assert t_row.crit == pytest.approx(crit)
    assert t_row.power == pytest.approx(want, rel=1e-6)
    # far out (the lower tail underflows in scipy.special.nctdtr): power near 1, not NaN
    tight = from_reps("g", "t", 0.5, [0.5 + 0.008 * (k % 5 - 2) for k in range(20)], "%", seed=1)
    (far,) = judge([tight] + [_row(100.0, 1.0)] * 30, family_alpha=0.01)[:1]
    assert 0.99 < far.power <= 1.0


def test_exact_and_chi_square_rows():
    ok, off = judge([exact("g", "a", 3.0, 3.0, ""), exact("g", "b", 3.0, 3.0001, "")])
    assert ok.passed and not off.passed
    low, high = judge(
        [chi_square("g", "c", 5.0, 10, seed=1), chi_square("g", "d", 60.0, 10, seed=2)]
    )
    assert low.crit == pytest.approx(stats.chi2.ppf(1 - 0.01 / 2, 10))
    assert low.passed and not high.passed


def test_the_table_states_the_false_alarm_rate_and_the_power():
    rows = judge(
        [
            Check(**{**_row(100.0, 1.0).__dict__, "wait": True}),
            _row(100.0, 2.0),
            exact("g", "e", 1.0, 1.0, ""),
        ]
    )
    text = " ".join(markdown(rows).split())
    assert "with a chance of at most 1%" in text
    assert "= 0.500%" in text  # 1% over 2 random rows
    assert f"power of at least {100 * POWER:g}%" in text
    assert "3 of 3 checks pass" in text


def test_every_replicated_row_has_its_own_seed_and_enough_replications():
    rows = desk_rows() + flow_rows()
    seeds = [r.seed for r in rows]
    assert len(set(seeds)) == len(seeds)
    assert all(r.reps >= 20 for r in rows)
    assert all(r.warmup_days >= 2 for r in rows)


# --- the table itself (slow: marker ``validation``) -----------------------------------


@pytest.fixture(scope="module")
def checks() -> list[Check]:
    return run_all(workers=2)


def _alpha(checks: list[Check]) -> float:
    return FAMILY_ALPHA / sum(c.kind != "exact" for c in checks)


@pytest.mark.validation
def test_every_random_row_is_within_its_bonferroni_band_of_theory(checks):
    alpha = _alpha(checks)
    bad = []
    for c in checks:
        if c.kind in ("two-sided", "at-most"):
            one_sided = c.kind == "at-most"
            p = 1 - alpha if one_sided else 1 - alpha / 2
            crit = stats.norm.ppf(p) if math.isinf(c.df) else stats.t.ppf(p, c.df)
            assert c.se > 0 and math.isfinite(c.se), c.case
            dev = c.simulated - c.analytic
            if (dev if one_sided else abs(dev)) > crit * c.se:
                bad.append((c.case, c.simulated, c.analytic, crit * c.se))
        elif c.kind == "chi2":
            if not c.simulated <= stats.chi2.ppf(1 - alpha, c.df):
                bad.append((c.case, c.simulated))
    assert not bad, bad


@pytest.mark.validation
def test_every_exact_row_agrees(checks):
    bad = [
        (c.case, c.simulated, c.analytic)
        for c in checks
        if c.kind == "exact" and c.simulated != pytest.approx(c.analytic, rel=1e-6, abs=1e-9)
    ]
    assert not bad, bad
    assert all(c.passed for c in checks)


@pytest.mark.validation
def test_every_mean_wait_row_would_see_a_five_percent_error(checks):
    alpha = _alpha(checks)
    waits = [c for c in checks if c.wait]
    assert len(waits) >= 10
    for c in waits:
        shift = ERROR * abs(c.analytic) / c.se
        if c.kind == "at-most":
            crit = stats.t.ppf(1 - alpha, c.df)
            power = stats.nct.sf(crit, c.df, shift)
        else:
            crit = stats.t.ppf(1 - alpha / 2, c.df)
            power = stats.nct.sf(crit, c.df, shift) + stats.nct.sf(crit, c.df, -shift)
        assert power >= POWER, (c.case, power, c.se)


@pytest.mark.validation
def test_every_random_row_has_its_own_seed(checks):
    seeds = [c.seed for c in checks if c.kind != "exact"]
    assert None not in seeds
    assert len(set(seeds)) == len(seeds)


@pytest.mark.validation
def test_the_committed_table_has_these_rows_and_states_its_error_rates(checks):
    """The committed table lists the same rows with the same analytic values (its
    simulated digits are not compared: they are random)."""
    committed = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    prose = " ".join(committed.split())
    fresh = markdown(checks)

    def analytic_part(text):
        return [
            line.split(" | ")[:2]
            for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| case")
        ]

    assert analytic_part(committed) == analytic_part(fresh), "run `cfsim check-model`"
    assert f"with a chance of at most {100 * FAMILY_ALPHA:g}%" in prose
    assert f"power of at least {100 * POWER:g}%" in prose
