"""Random durations (sim.distributions), validated the way scenario files are."""

from __future__ import annotations

import math

import numpy as np
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.scenario.distributions as D

ADAPTER = pydantic.TypeAdapter(D.Distribution)


def dist(value):
    """Validate a distribution exactly as a scenario's YAML value would be."""
    return ADAPTER.validate_python(value)


N = 200_000
SEED = 20240611

CASES = {
    "fixed": {"dist": "fixed", "value": "10min"},
    "fixed-shorthand": "1h30min",
    "exponential": {"dist": "exponential", "mean": "2h"},
    "uniform": {"dist": "uniform", "low": "10min", "high": "1h"},
    "triangular": {"dist": "triangular", "low": "5min", "mode": "20min", "high": "2h"},
    "triangular-mode-at-low": {"dist": "triangular", "low": "0min", "mode": "0min", "high": "1h"},
    "lognormal": {"dist": "lognormal", "mean": "45min", "sd": "30min"},
    "gamma": {"dist": "gamma", "mean": "45min", "sd": "30min"},
    "gamma-high-cv": {"dist": "gamma", "mean": "10min", "sd": "20min"},
    "empirical": {"dist": "empirical", "values": ["5min", "10min", "10min", "1h", "2h30min"]},
}


@pytest.mark.parametrize("name", list(CASES))
def test_sample_moments_match_declared_mean_and_variance(name):
    d = dist(CASES[name])
    x = d.sample(np.random.default_rng(SEED), N)
    assert x.shape == (N,)
    assert np.all(x >= 0)

    # Mean: the standard error of the sample mean is sqrt(Var / n), using the
    # declared variance. Accept |mean_hat - mean| <= 4 SE (plus float slack,
    # which keeps the degenerate fixed case an exact comparison).
    se_mean = math.sqrt(d.variance / N)
    assert abs(x.mean() - d.mean) <= 4 * se_mean + 1e-9 * max(1.0, d.mean)

    # Variance: for the unbiased sample variance s^2,
    #   Var(s^2) = (mu4 - sigma^4 (n - 3) / (n - 1)) / n,
    # with the 4th central moment mu4 and sigma^4 estimated from the sample
    # itself. Accept |s^2 - variance| <= 4 such standard errors.
    s2 = x.var(ddof=1)
    mu4 = np.mean((x - x.mean()) ** 4)
    se_var = math.sqrt(max(mu4 - s2**2 * (N - 3) / (N - 1), 0.0) / N)
    assert abs(s2 - d.variance) <= 4 * se_var + 1e-9 * max(1.0, d.variance)


def test_shorthand_duration_means_fixed():
    d = dist("10min")
    assert isinstance(d, D.Fixed)
    assert d.value == 10.0
    assert d.mean == 10.0 and d.variance == 0.0
    assert np.all(d.sample(np.random.default_rng(0), 5) == 10.0)
    assert dist(0) == D.Fixed(value=0.0)


@pytest.mark.parametrize(
    ("spec", "mean", "variance"),
    [
        # Hand-computed from the textbook formulas, in minutes.
        ({"dist": "exponential", "mean": "2h"}, 120.0, 14400.0),
        ({"dist": "uniform", "low": "0min", "high": "2h"}, 60.0, 120.0**2 / 12),
        # triangular(0, 60, 120): (0 + 14400 + 3600 - 0 - 0 - 7200) / 18 = 600
        ({"dist": "triangular", "low": "0min", "mode": "1h", "high": "2h"}, 60.0, 600.0),
        ({"dist": "lognormal", "mean": "45min", "sd": "30min"}, 45.0, 900.0),
        ({"dist": "gamma", "mean": "1h", "sd": "30s"}, 60.0, 0.25),
        # empirical [10, 20, 60]: mean 30, population variance (400 + 100 + 900) / 3
        ({"dist": "empirical", "values": ["10min", "20min", "1h"]}, 30.0, 1400.0 / 3),
    ],
)
def test_declared_moments(spec, mean, variance):
    d = dist(spec)
    assert d.mean == pytest.approx(mean)
    assert d.variance == pytest.approx(variance)


@pytest.mark.parametrize("name", ["lognormal", "gamma"])
def test_zero_sd_is_constant(name):
    d = dist({"dist": name, "mean": "45min", "sd": "0min"})
    assert np.all(d.sample(np.random.default_rng(1), 10) == 45.0)


def test_same_generator_state_gives_same_samples():
    d = dist(CASES["lognormal"])
    a = d.sample(np.random.default_rng(7), 100)
    b = d.sample(np.random.default_rng(7), 100)
    c = d.sample(np.random.default_rng(8), 100)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"dist": "exponential", "mean": "-5min"}, id="negative-mean-exponential"),
        pytest.param({"dist": "exponential", "mean": "0min"}, id="zero-mean-exponential"),
        pytest.param(
            {"dist": "lognormal", "mean": "-45min", "sd": "30min"}, id="negative-mean-lognormal"
        ),
        pytest.param({"dist": "gamma", "mean": "0min", "sd": "30min"}, id="zero-mean-gamma"),
        pytest.param({"dist": "gamma", "mean": "45min", "sd": "-30min"}, id="negative-sd"),
        pytest.param({"dist": "fixed", "value": "-1min"}, id="negative-fixed"),
        pytest.param("-10min", id="negative-shorthand"),
        pytest.param({"dist": "uniform", "low": "1h", "high": "30min"}, id="high-below-low"),
        pytest.param(
            {"dist": "triangular", "low": "10min", "mode": "3h", "high": "2h"}, id="mode-above-high"
        ),
        pytest.param(
            {"dist": "triangular", "low": "10min", "mode": "5min", "high": "2h"},
            id="mode-below-low",
        ),
        pytest.param(
            {"dist": "triangular", "low": "1h", "mode": "1h", "high": "1h"},
            id="triangular-degenerate",
        ),
        pytest.param({"dist": "weibull", "mean": "45min"}, id="unknown-dist"),
        pytest.param({"mean": "45min", "sd": "30min"}, id="missing-dist"),
        pytest.param({"value": "10min"}, id="missing-dist-fixed"),
        pytest.param({"dist": "empirical", "values": []}, id="empty-empirical"),
        pytest.param({"dist": "empirical", "values": ["5min", "soon"]}, id="empirical-bad-value"),
        pytest.param({"dist": "exponential"}, id="missing-parameter"),
        pytest.param({"dist": "fixed", "value": "1min", "sd": "2min"}, id="extra-key"),
        pytest.param({"dist": "exponential", "mean": 45}, id="unitless-mean"),
        pytest.param(10, id="unitless-shorthand"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
    ],
)
def test_invalid_parameters_raise_validation_error(bad):
    with pytest.raises(pydantic.ValidationError):
        dist(bad)


def test_validation_error_says_what_is_wrong():
    with pytest.raises(pydantic.ValidationError, match="high must be at least low"):
        dist({"dist": "uniform", "low": "1h", "high": "30min"})
    with pytest.raises(pydantic.ValidationError, match="low <= mode <= high"):
        dist({"dist": "triangular", "low": "10min", "mode": "3h", "high": "2h"})
    with pytest.raises(pydantic.ValidationError, match="mean must be greater than zero"):
        dist({"dist": "exponential", "mean": "0min"})


def test_distributions_are_frozen():
    d = dist(CASES["uniform"])
    with pytest.raises(pydantic.ValidationError):
        d.low = 0.0


_minutes = st.integers(min_value=0, max_value=10_000)


@settings(database=None, max_examples=60, deadline=None)
@given(a=_minutes, b=_minutes, c=_minutes, seed=st.integers(0, 2**32 - 1))
def test_bounded_samples_stay_in_bounds(a, b, c, seed):
    low, mode, high = sorted((a, b, c))
    rng = np.random.default_rng(seed)
    u = dist({"dist": "uniform", "low": f"{low}min", "high": f"{high}min"})
    x = u.sample(rng, 200)
    assert np.all((x >= low) & (x <= high))
    if low < high:
        t = dist(
            {"dist": "triangular", "low": f"{low}min", "mode": f"{mode}min", "high": f"{high}min"}
        )
        y = t.sample(rng, 200)
        assert np.all((y >= low) & (y <= high))
        assert low <= t.mean <= high


@settings(database=None, max_examples=60, deadline=None)
@given(
    name=st.sampled_from(["lognormal", "gamma"]),
    mean=st.integers(1, 5000),
    sd=st.integers(0, 5000),
    seed=st.integers(0, 2**32 - 1),
)
def test_mean_sd_samples_are_non_negative(name, mean, sd, seed):
    d = dist({"dist": name, "mean": f"{mean}min", "sd": f"{sd}min"})
    assert d.mean == mean and d.variance == sd**2
    x = d.sample(np.random.default_rng(seed), 100)
    assert np.all(np.isfinite(x)) and np.all(x >= 0)
