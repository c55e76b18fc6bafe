"""The analytic formulas the validation table trusts, checked on their own.

M/M/c+D (deterministic patience) is checked against limits it must reduce to
and against an independent simulation written here in a few lines, not with
the model's engine.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from sim.analysis.statistics import t_quantile
from sim.analysis.theory import erlang_c, mmc_patience, mmc_wait, pk_wait


def _mmc_patience_sample(c, lam, mu, tau, n, rng):
    """First come first served, ``c`` servers, patience ``tau``: each customer's
    offered wait is when the earliest server frees for it; one who would wait
    longer than ``tau`` leaves at ``tau`` and never takes a server."""
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    services = rng.exponential(1 / mu, n)
    free = [0.0] * c  # when each server is next free
    waits = np.empty(n)
    left = np.zeros(n, dtype=bool)
    for k in range(n):
        t = arrivals[k]
        v = free[0] - t
        if v > tau:
            waits[k], left[k] = tau, True
            continue
        start = t if v <= 0 else free[0]
        waits[k] = start - t
        heapq.heapreplace(free, start + services[k])
    warm = n // 10
    return waits[warm:], left[warm:]


@pytest.mark.parametrize("c,rho,tau", [(1, 0.9, 15.0), (3, 1.0, 30.0), (2, 1.3, 10.0)])
def test_mmc_with_deterministic_patience_matches_an_independent_simulation(c, rho, tau):
    mu = 1 / 20.0
    lam = rho * c * mu
    want = mmc_patience(c, lam, mu, tau)
    rng = np.random.default_rng(c * 1000 + int(10 * rho))
    reps = [_mmc_patience_sample(c, lam, mu, tau, 20_000, rng) for _ in range(10)]
    crit = t_quantile(1 - 0.001 / 2, 9)  # each of 9 comparisons at 0.1%
    for key, per_rep in (
        ("p_abandon", [left.mean() for _, left in reps]),
        ("p_wait", [(w > 0).mean() for w, _ in reps]),
        ("mean_wait", [w.mean() for w, _ in reps]),
    ):
        x = np.array(per_rep)
        se = x.std(ddof=1) / math.sqrt(x.size)
        assert abs(x.mean() - want[key]) <= crit * se, (key, x.mean(), want[key], se)
        # ... and the check would see a 10% error in the formula (power > 0.9)
        assert 0.1 * want[key] > (crit + 1.3) * se, (key, se)


def test_mmc_with_deterministic_patience_reduces_to_known_queues():
    mu, lam = 1 / 20.0, 0.7 * 3 / 20.0
    patient = mmc_patience(3, lam, mu, 1e9)
    assert patient["p_wait"] == pytest.approx(erlang_c(3, lam / mu), rel=1e-12)
    assert patient["mean_wait"] == pytest.approx(mmc_wait(3, lam, mu), rel=1e-9)
    assert patient["p_abandon"] == pytest.approx(0.0, abs=1e-12)
    # no patience at all: nobody waits; the blocked share is Erlang B
    a, c = lam / mu, 3
    erlang_b = (a**c / math.factorial(c)) / sum(a**j / math.factorial(j) for j in range(c + 1))
    impatient = mmc_patience(c, lam, mu, 1e-12)
    assert impatient["p_abandon"] == pytest.approx(erlang_b, rel=1e-6)
    assert impatient["mean_wait"] == pytest.approx(0.0, abs=1e-9)
    # critically loaded (λ = cμ) is continuous with its neighbours
    mid = mmc_patience(2, 0.1, 0.05, 30.0)
    near = mmc_patience(2, 0.1 * (1 + 1e-7), 0.05, 30.0)
    for k in mid:
        assert mid[k] == pytest.approx(near[k], rel=1e-5)


def test_single_server_formulas():
    # M/M/1: P(wait) = ρ, W = ρ / (μ − λ); M/D/1: W = ρ / (2μ(1 − ρ))
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_wait(1, 0.035, 0.05) == pytest.approx(0.7 / 0.015)
    assert pk_wait(0.035, 20.0, 0.0) == pytest.approx(0.7 * 20.0 / (2 * 0.3))
