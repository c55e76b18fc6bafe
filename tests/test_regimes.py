"""Rate regimes, noise, scheduled changes and weekdays: keyed draws, and moments against theory.

The moments of the daily counts (mean, variance, autocovariance by lag) that
``docs/model.md`` gives and :mod:`sim.analysis.pointprocess` computes are
checked against simulated replications: each replication gives one value of
each sample statistic, independent of the others, so the standard error of
their mean is their standard deviation over sqrt(replications). A statistic
fails when it is more than 4 standard errors from theory (a false alarm about
once in 16,000 checks per statistic). With 48 replications of a year the
standard error of the variance is about 5% of it, so an error of 20% in the
variance or the autocovariance is seen with about 90% power.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.analysis.eventstats import daily_counts
from sim.analysis.pointprocess import daily_moments, regime_moments
from sim.scenario.intensity import NoiseSpec, RegimesSpec
from sim.world import scenario_from_dict
from sim.world.intensity import Multiplier, ModulatedProfile, noise_multiplier, regime_path
from sim.world.streams import LINE, REGION, Stream, child_key, stable_id
from sim.world.violations import ViolationModel, ViolationSource

DAY = 1440.0
ONE_TYPE = {"a": {"share": 1.0, "severity": 2, "evidence_half_life": "1d"}}
REGIMES = {
    "states": {
        "calm": {"multiplier": 0.4, "mean_duration": "30d"},
        "tense": {"multiplier": 1.5, "mean_duration": "12d"},
        "escalation": {"multiplier": 5.0, "mean_duration": "4d", "next": {"tense": 1.0}},
    }
}


def loaded(violations: dict, horizon: str = "365d", **top):
    data = {
        "name": "r",
        "horizon": horizon,
        "network": {"synthetic": {"sectors": 8, "depth": 1}},
        "violations": {"types": ONE_TYPE, **violations},
        **top,
    }
    return scenario_from_dict(data)


def source(ld, replication: int = 0, seed: int = 11) -> ViolationSource:
    s = ld.scenario
    model = ViolationModel(s.violations, ld.graph, list(ld.graph.nodes), s.calendar)
    return ViolationSource(model, seed, replication, s.horizon)


def by_key(v) -> dict[int, tuple]:
    return dict(
        zip(
            v["key"].tolist(),
            zip(v["node"].tolist(), v["type"].tolist(), v["perpetrator"].tolist()),
        )
    )


# --------------------------------------------------------------------------- keyed draws

MODULATED = {
    "rate_per_day": 30.0,
    "regimes": REGIMES,
    "noise": {"sd": 0.4, "correlation_time": "2d"},
    "schedule": [{"at": "20d", "multiplier": 0.3}, {"at": "31d", "multiplier": 1.0}],
    "escalation": {
        "branching_ratio": 0.4,
        "delay": {"dist": "lognormal", "mean": "1d", "sd": "8h"},
    },
}


@settings(database=None, max_examples=25, deadline=None)
@given(
    cuts=st.lists(st.floats(min_value=0.0, max_value=40 * DAY), max_size=8),
    region=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_windows_give_the_same_violations_as_one_draw(cuts, region, seed):
    extra = {"regimes": {**REGIMES, "scope": "region" if region else "line"}}
    ld = loaded({**MODULATED, **extra}, horizon="40d")
    whole = source(ld, seed=seed).until(40 * DAY)
    src = source(ld, seed=seed)
    parts = [src.until(c) for c in sorted(cuts)] + [src.until(40 * DAY)]
    for col in whole:
        assert np.array_equal(np.concatenate([p[col] for p in parts]), whole[col]), col


def test_a_shorter_horizon_draws_a_prefix_of_the_same_path():
    spec = RegimesSpec.model_validate(REGIMES)
    long_starts, long_states = regime_path(spec, LINE, 400 * DAY, 5, 2)
    starts, states = regime_path(spec, LINE, 100 * DAY, 5, 2)
    assert starts.size > 3
    assert np.array_equal(long_starts[: starts.size], starts)
    assert np.array_equal(long_states[: states.size], states)
    # replications and seeds draw different paths
    other, _ = regime_path(spec, LINE, 100 * DAY, 5, 3)
    assert not np.array_equal(other[:3], starts[:3])


@pytest.mark.parametrize("horizon", [30.0, 50 * 60.0])
def test_noise_is_the_documented_hourly_log_ar1_path(horizon):
    # docs/model.md: exp(X - sd^2/2), X stationary Gaussian with sd and lag-one
    # correlation rho = exp(-1 h / correlation_time), held within each hour, the
    # innovation of hour i drawn from stream violation.noise with key (owner, i).
    # Written as the recursion X_0 = sd z_0, X_i = rho X_(i-1) + sd sqrt(1 - rho^2) z_i.
    from scipy.stats import norm

    spec = NoiseSpec(sd=0.6, correlation_time="5h")
    rho = math.exp(-60.0 / 300.0)
    n = math.ceil(horizon / 60.0)
    u = Stream(4, 1, "violation.noise").uniform(child_key(LINE, np.arange(n, dtype=np.uint64)))
    x = [0.6 * norm.ppf(u[0])]
    for i in range(1, n):
        x.append(rho * x[-1] + 0.6 * math.sqrt(1 - rho * rho) * norm.ppf(u[i]))
    m = noise_multiplier(spec, LINE, horizon, 4, 1)
    assert m.breaks.tolist() == [60.0 * i for i in range(n)]
    assert m.values == pytest.approx(np.exp(np.array(x) - 0.18), rel=1e-12)


@pytest.mark.parametrize("scope", ["region", "line"])
def test_noise_per_region_is_keyed_by_the_region_and_line_noise_is_shared(scope):
    # Sectors S0..S3 in regions north/south, S4..S7 in none (the region '').
    ld = loaded(
        {"rate_per_day": 10.0, "noise": {"sd": 0.5, "correlation_time": "1d", "scope": scope}}
    )
    g = ld.graph
    for k in range(4):
        g.nodes[f"S{k}"]["region"] = "north" if k % 2 else "south"
    s = ld.scenario
    model = ViolationModel(s.violations, g, list(g.nodes), s.calendar)
    names = ["", "north", "south"] if scope == "region" else [None]  # None: the whole line
    assert [u.name for u in model.units] == names
    hours = np.arange(0.5, 240.0) * 60.0
    for unit in model.units:
        owner = child_key(REGION, stable_id(unit.name)) if scope == "region" else LINE
        got = model.multiplier(unit, 240 * 60.0, 3, 0).at(hours)
        expected = noise_multiplier(s.violations.noise, int(owner), 240 * 60.0, 3, 0).at(hours)
        assert np.array_equal(got, expected), unit.name


def test_cumulative_rate_in_the_first_hour_uses_the_first_hour_s_rate():
    # 24 a day with weights 2, 0, 1, ..., 1 (sum 24): 2/60 per minute in hour 0,
    # none in hour 1, 1/60 per minute after; g doubles from 90 min on.
    g = Multiplier(np.array([0.0, 90.0]), np.array([1.0, 2.0]))
    p = ModulatedProfile(24.0, [2.0, 0.0] + [1.0] * 22, g, 1440.0)
    t = np.array([0.0, 30.0, 60.0, 100.0, 120.0, 150.0])
    assert p.cumulative(t).tolist() == pytest.approx([0.0, 1.0, 2.0, 2.0, 2.0, 3.0])
    assert p.inverse(np.array([1.0, 2.5])).tolist() == pytest.approx([30.0, 135.0])


def test_regional_regimes_without_any_background_rate_draw_nothing():
    # A replay-only style scenario: no background rate, every sector weight 0.
    zero = {f"S{k}": 0.0 for k in range(8)}
    regimes = {**REGIMES, "scope": "region"}
    ld = loaded({"rate_per_day": 0.0, "hotspots": zero, "regimes": regimes}, horizon="30d")
    assert source(ld).until(30 * DAY)["time"].size == 0


def test_regime_stays_are_exponential_draws_of_the_documented_stream():
    # Two regimes from a given start: each stay k lasts mean_duration x E_k, with
    # E_k = -ln(1 - u_k) and u_k from stream violation.regime.duration, key (owner, k).
    spec = RegimesSpec.model_validate(
        {
            "initial": "calm",
            "states": {
                "calm": {"multiplier": 0.5, "mean_duration": "2d"},
                "tense": {"multiplier": 2.0, "mean_duration": "6h"},
            },
        }
    )
    starts, states = regime_path(spec, LINE, 20 * DAY, 8, 1)
    n = starts.size
    assert n > 5 and states.tolist() == [k % 2 for k in range(n)]
    u = Stream(8, 1, "violation.regime.duration").uniform(
        child_key(LINE, np.arange(n, dtype=np.uint64))
    )
    stays = [(2 * DAY if k % 2 == 0 else 360.0) * -math.log1p(-u[k]) for k in range(n)]
    assert starts.tolist() == pytest.approx(np.cumsum([0.0] + stays[:-1]).tolist(), rel=1e-12)
    assert sum(stays) >= 20 * DAY > sum(stays[:-1])


def test_line_regimes_move_violations_in_time_but_keep_their_draws():
    plain = source(loaded({"rate_per_day": 30.0})).until(365 * DAY)
    moved = source(loaded({"rate_per_day": 30.0, "regimes": REGIMES})).until(365 * DAY)
    a, b = by_key(plain), by_key(moved)
    shared = set(a) & set(b)
    assert len(shared) > 0.3 * len(a)
    # the i-th background violation keeps its sector, type and side
    assert all(a[k] == b[k] for k in shared)
    assert not np.array_equal(plain["time"][:100], moved["time"][:100])


def test_regime_chain_spends_its_long_run_shares_of_time():
    spec = RegimesSpec.model_validate(REGIMES)
    batches, days = 40, 1000
    horizon = batches * days * DAY
    starts, states = regime_path(spec, LINE, horizon, 1, 0)
    # time in each regime within each batch of 1000 days (about 70 stays each, so batch
    # shares are nearly independent): the standard error is their sd / sqrt(batches)
    edges = np.arange(batches + 1) * days * DAY
    ends = np.append(starts[1:], horizon)
    share = np.zeros((batches, 3))
    for b in range(batches):
        lo, hi = edges[b], edges[b + 1]
        overlap = np.clip(np.minimum(ends, hi) - np.maximum(starts, lo), 0, None)
        share[b] = np.bincount(states, weights=overlap, minlength=3) / (hi - lo)
    se = share.std(axis=0, ddof=1) / math.sqrt(batches)
    assert np.all(np.abs(share.mean(axis=0) - spec.stationary()) <= 4 * se)
    assert np.all(se < 0.02)  # precise enough for the check to mean something
    # escalation is always followed by tension
    after = states[1:][states[:-1] == 2]
    assert after.size > 50 and np.all(after == 1)


def test_a_scheduled_change_scales_the_rate_from_its_instant():
    ld = loaded(
        {"rate_per_day": 200.0, "schedule": [{"at": "2016-01-11", "multiplier": 0.25}]},
        horizon="20d",
        start="2016-01-01",
    )
    v = source(ld).until(20 * DAY)
    before = np.sum(v["time"] < 10 * DAY)
    after = np.sum(v["time"] >= 10 * DAY)
    # Poisson counts with means 2000 and 500
    assert abs(before - 2000) <= 4 * math.sqrt(2000)
    assert abs(after - 500) <= 4 * math.sqrt(500)


def test_the_day_of_week_profile_follows_the_calendar():
    week = [1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.25]  # quiet weekends
    ld = loaded(
        {"rate_per_day": 50.0, "day_of_week": week}, horizon="364d", start="2018-01-01"
    )  # 2018-01-01 was a Monday
    v = source(ld).until(364 * DAY)
    counts = np.bincount((v["time"] // DAY).astype(int) % 7, minlength=7)
    expected = v["time"].size * np.array(week) / sum(week)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 22.46  # chi-square with 6 d.o.f., 0.999 quantile
    assert counts[5] < 0.4 * counts[0]


def test_region_chains_are_independent_and_a_line_chain_is_shared():
    def correlations(scope: str) -> np.ndarray:
        ld = loaded({"rate_per_day": 40.0, "regimes": {**REGIMES, "scope": scope}}, horizon="730d")
        g = ld.graph
        for k, n in enumerate(sorted(n for n, d in g.nodes(data=True) if d["kind"] == "sector")):
            g.nodes[n]["region"] = "north" if k % 2 else "south"
        region = np.array([g.nodes[n].get("region", "") for n in g.nodes])
        out = []
        for rep in range(10):
            v = source(ld, rep).until(730 * DAY)
            north = daily_counts(v["time"][region[v["node"]] == "north"], 0.0, 730)
            south = daily_counts(v["time"][region[v["node"]] == "south"], 0.0, 730)
            out.append(np.corrcoef(north, south)[0, 1])
        return np.array(out)

    # Independent replications: the mean correlation has standard error sd / sqrt(10).
    separate, shared = correlations("region"), correlations("line")
    assert abs(separate.mean()) <= 4 * separate.std(ddof=1) / math.sqrt(10)
    assert shared.mean() > 0.5
    assert shared.mean() - separate.mean() > 4 * shared.std(ddof=1) / math.sqrt(10)


@pytest.mark.parametrize(
    "regimes, words",
    [
        ({"states": {"a": {"multiplier": 1, "mean_duration": "1d", "next": {"b": 1}}}}, "unknown"),
        (
            {
                "states": {
                    "a": {"multiplier": 1, "mean_duration": "1d", "next": {"a": 1}},
                    "b": {"multiplier": 2, "mean_duration": "1d"},
                }
            },
            "itself",
        ),
        (
            {
                "states": {
                    "a": {"multiplier": 1, "mean_duration": "1d", "next": {"b": 0.5}},
                    "b": {"multiplier": 2, "mean_duration": "1d"},
                }
            },
            "sum to 1",
        ),
        (
            {
                "states": {
                    "a": {"multiplier": 1, "mean_duration": "1d", "next": {"b": 1}},
                    "b": {"multiplier": 2, "mean_duration": "1d", "next": {"a": 1}},
                    "c": {"multiplier": 3, "mean_duration": "1d", "next": {"d": 1}},
                    "d": {"multiplier": 3, "mean_duration": "1d", "next": {"c": 1}},
                }
            },
            "never lead to each other",
        ),
    ],
)
def test_regime_mistakes_are_refused(regimes, words):
    with pytest.raises(ValidationError, match=words):
        RegimesSpec.model_validate(regimes)


# --------------------------------------------------------------------------- moments

REPS, DAYS = 48, 365
LAGS = range(0, 8)


def autocovariance_sums(x: np.ndarray) -> np.ndarray:
    """sum_t (x_t - mean)(x_(t+l) - mean) / (days - 1) for each lag l in LAGS."""
    d = x - x.mean()
    return np.array([(d[: d.size - k] * d[k:]).sum() for k in LAGS]) / (d.size - 1)


def expected_sums(moments, days: int) -> np.ndarray:
    """The exact expectations of :func:`autocovariance_sums` over a series of ``days``."""
    g = moments.autocovariance[:days]
    t = np.arange(days)
    full = g[np.abs(t[:, None] - t[None, :])]
    c = full.mean(axis=1)
    dev = full - c[:, None] - c[None, :] + c.mean()
    return np.array([np.trace(dev, offset=k) for k in LAGS]) / (days - 1)


CASES = {
    "regimes, noise, exponential kernel": {
        "rate_per_day": 10.0,
        "regimes": REGIMES,
        "noise": {"sd": 0.5, "correlation_time": "2d"},
        "escalation": {"branching_ratio": 0.4, "decay": "3h"},
    },
    "regional regimes, next-day kernel": {
        "rate_per_day": 10.0,
        "regimes": {**REGIMES, "scope": "region"},
        "escalation": {
            "branching_ratio": 0.4,
            "delay": {"dist": "lognormal", "mean": "1d", "sd": "6h"},
        },
    },
}


@functools.lru_cache(maxsize=None)
def simulated(case: str) -> tuple[np.ndarray, np.ndarray, object]:
    ld = loaded(CASES[case], horizon=f"{DAYS}d")
    shares = None
    if "region" in case:
        g = ld.graph
        sectors = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "sector")
        for k, n in enumerate(sectors):
            g.nodes[n]["region"] = "north" if k < 3 else "south"
        shares = np.array([3 / 8, 5 / 8])
    means, sums = [], []
    for rep in range(REPS):
        x = daily_counts(source(ld, rep).until(DAYS * DAY)["time"], 0.0, DAYS)
        means.append(x.mean())
        sums.append(autocovariance_sums(x))
    return np.array(means), np.array(sums), daily_moments(ld.scenario.violations, DAYS, shares)


@pytest.mark.parametrize("case", sorted(CASES))
def test_mean_rate_matches_theory(case):
    means, _, theory = simulated(case)
    se = means.std(ddof=1) / math.sqrt(REPS)
    spec = loaded(CASES[case]).scenario.violations
    mean_multiplier, _ = regime_moments(spec.regimes, np.zeros(1))
    assert theory.mean == pytest.approx(
        spec.rate_per_day * mean_multiplier / (1 - spec.escalation.branching_ratio)
    )
    assert abs(means.mean() - theory.mean) <= 4 * se


@pytest.mark.parametrize("case", sorted(CASES))
def test_variance_and_autocovariance_of_daily_counts_match_theory(case):
    _, sums, theory = simulated(case)
    se = sums.std(axis=0, ddof=1) / math.sqrt(REPS)
    expected = expected_sums(theory, DAYS)
    z = (sums.mean(axis=0) - expected) / se
    assert np.all(np.abs(z) <= 4), z.round(2)
    # the check has power: a Poisson process of the same mean is far off
    poisson = np.array([theory.mean] + [0.0] * (len(LAGS) - 1))
    assert np.all(np.abs((sums.mean(axis=0) - poisson) / se)[:3] > 10)
    # and the index of dispersion and autocorrelation are what docs/model.md shows
    assert theory.index_of_dispersion > 10
    assert 0.5 < theory.autocorrelation([1])[0] < 0.95


def test_the_whole_horizon_draw_follows_the_calendar_as_the_windowed_one_does():
    """``generate`` (one draw of the whole horizon, used by ``fit`` and the tests)
    gives the engine's violations, day-of-week profile included."""
    from sim.world.violations import generate

    week = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]  # nothing at weekends
    ld = loaded({"rate_per_day": 50.0, "day_of_week": week}, horizon="28d", start="2018-01-01")
    s = ld.scenario
    whole = generate(s.violations, ld.graph, list(ld.graph.nodes), s.horizon, 11, 0, s.calendar)
    windowed = source(ld).until(s.horizon)
    assert whole["time"].size > 500
    for column in ("time", "node", "key", "type", "perpetrator"):
        assert np.array_equal(whole[column], windowed[column]), column
    assert set((whole["time"] // DAY).astype(int) % 7) == {0, 1, 2, 3, 4}
