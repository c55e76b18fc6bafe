"""Ground-truth violations (sim.violations): the profile process and the Hawkes clusters."""

from __future__ import annotations

import functools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.world.network import builtin, synthetic_line
from sim.scenario.schema import ViolationsSpec
from sim.world.streams import stream
from sim.world.violations import (
    STRIKE_TYPE,
    TypeTable,
    generate,
    poisson_profile_times,
    sector_neighbours,
)

DAY = 1440.0
CHI2_23_Q999 = 49.73  # 0.999 quantile of chi-square with 23 degrees of freedom

PROFILE = [1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 4, 5, 5, 4, 3, 2, 1, 1]


# --------------------------------------------------------------------------- profile times


@settings(database=None, max_examples=80, deadline=None)
@given(
    rate=st.floats(min_value=0.0, max_value=500.0),
    profile=st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=24, max_size=24).filter(
        lambda p: sum(p) > 0
    ),
    horizon=st.floats(min_value=1.0, max_value=20 * DAY),
    seed=st.integers(0, 2**32 - 1),
)
def test_profile_times_in_range_sorted_and_never_in_zero_hours(rate, profile, horizon, seed):
    t = poisson_profile_times(rate, profile, horizon, np.random.default_rng(seed))
    assert np.all((t >= 0) & (t < horizon))
    assert np.all(np.diff(t) >= 0)
    hours = (t // 60).astype(int) % 24
    zero = [h for h in range(24) if profile[h] == 0]
    assert not np.isin(hours, zero).any()


def test_profile_times_empty_for_zero_rate_or_horizon():
    rng = np.random.default_rng(0)
    assert poisson_profile_times(0.0, [1.0] * 24, DAY, rng).size == 0
    assert poisson_profile_times(10.0, [1.0] * 24, 0.0, rng).size == 0


def test_profile_times_count_matches_rate_over_long_horizon():
    rate, days = 30.0, 365
    t = poisson_profile_times(rate, PROFILE, days * DAY, np.random.default_rng(1))
    # A Poisson count with mean rate * days has sd sqrt(rate * days).
    mean = rate * days
    assert abs(t.size - mean) <= 4 * math.sqrt(mean)


def test_profile_times_partial_last_hour_is_thinned():
    # 1000 per hour, horizon half an hour: Poisson(500), not Poisson(1000).
    counts = [
        poisson_profile_times(24_000.0, [1.0] * 24, 30.0, np.random.default_rng(s)).size
        for s in range(20)
    ]
    mean = 500.0 * 20
    assert abs(sum(counts) - mean) <= 4 * math.sqrt(mean)


def test_profile_times_follow_the_hourly_profile():
    rate, days = 50.0, 200
    t = poisson_profile_times(rate, PROFILE, days * DAY, np.random.default_rng(2))
    observed = np.bincount((t // 60).astype(int) % 24, minlength=24)
    p = np.asarray(PROFILE, float) / sum(PROFILE)
    # Given the total, the hourly counts are multinomial(total, p): Pearson's
    # statistic is chi-square with 24 - 1 = 23 degrees of freedom.
    expected = observed.sum() * p
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert chi2 < CHI2_23_Q999
    # ... and a flat day would be firmly rejected (the check has power).
    flat = observed.sum() / 24
    assert float(((observed - flat) ** 2 / flat).sum()) > 10 * CHI2_23_Q999


# --------------------------------------------------------------------------- generate


def spec(**over) -> ViolationsSpec:
    data = {
        "rate_per_day": 40.0,
        "perpetrator": {"RU": 0.7, "UA": 0.3},
        "escalation": {"branching_ratio": 0.0},
    }
    data.update(over)
    return ViolationsSpec.model_validate(data)


@functools.lru_cache(maxsize=None)
def donbas() -> nx.Graph:
    return builtin("donbas_south")


def run(s: ViolationsSpec, graph: nx.Graph, horizon: float, seed: int = 1):
    nodes = list(graph.nodes)
    v = generate(
        s,
        graph,
        nodes,
        horizon,
        stream(seed, 0, "violations.background"),
        stream(seed, 0, "violations.escalation"),
        stream(seed, 0, "violations.strikes"),
    )
    return v, nodes


def check_table(v, horizon):
    n = v["time"].size
    for col in (
        "violation",
        "time",
        "node",
        "type",
        "severity",
        "perpetrator",
        "affected",
        "parent",
        "strike",
    ):
        assert v[col].shape == (n,), col
    assert np.array_equal(v["violation"], np.arange(n))
    assert np.all(np.diff(v["time"]) >= 0)
    assert np.all((v["time"] >= 0) & (v["time"] < horizon))


def test_no_branching_means_no_parents():
    v, _ = run(spec(), donbas(), 30 * DAY)
    check_table(v, 30 * DAY)
    assert v["time"].size > 0
    assert np.all(v["parent"] == -1)


def test_background_only_count_and_perpetrator_share():
    days = 100
    v, _ = run(spec(), donbas(), days * DAY, seed=3)
    n = v["time"].size
    assert abs(n - 40.0 * days) <= 4 * math.sqrt(40.0 * days)
    # Background perpetrator RU with probability 0.7: a binomial proportion.
    ru = np.mean(v["perpetrator"] == 0)
    assert abs(ru - 0.7) <= 4 * math.sqrt(0.7 * 0.3 / n)


def test_mean_cluster_size_is_one_over_one_minus_branching_ratio():
    m, decay, rate, days = 0.5, 120.0, 40.0, 500
    s = spec(escalation={"branching_ratio": m, "decay": "2h"})
    horizon = days * DAY
    v, _ = run(s, donbas(), horizon, seed=4)
    check_table(v, horizon)
    line = ~v["strike"]
    n0 = int(np.sum(line & (v["parent"] == -1)))
    total = int(np.sum(line))
    # The total progeny of a Poisson(m) branching process (root included)
    # has mean 1/(1-m) and variance m/(1-m)^3, so the mean cluster size over
    # n0 independent clusters has standard error sqrt(m/(1-m)^3 / n0).
    se = math.sqrt(m / (1 - m) ** 3 / n0)
    # Children after the horizon are cut: the expected number lost is
    # (rate per minute) * decay * m/(1-m)^2, a tiny bias we subtract.
    lost = rate / DAY * decay * m / (1 - m) ** 2
    expected = 1 / (1 - m) - lost / n0
    assert abs(total / n0 - expected) <= 4 * se
    assert n0 > 15_000  # enough clusters for the tolerance to mean something


@functools.lru_cache(maxsize=None)
def escalated():
    s = spec(
        escalation={
            "branching_ratio": 0.6,
            "decay": "3h",
            "neighbour_share": 0.3,
            "retaliation": 0.25,
        },
        long_range_strikes={"rate_per_day": 5.0},
    )
    v, nodes = run(s, donbas(), 200 * DAY, seed=5)
    return s, v, nodes


def test_parents_precede_children_and_are_nearby_line_violations():
    _, v, nodes = escalated()
    g = donbas()
    kids = np.flatnonzero(v["parent"] >= 0)
    assert kids.size > 1000
    par = v["parent"][kids]
    assert np.all(par < kids)
    assert np.all(v["time"][par] <= v["time"][kids])
    assert not v["strike"][par].any() and not v["strike"][kids].any()
    for c, p in zip(kids, par):
        a, b = nodes[v["node"][c]], nodes[v["node"][p]]
        assert a == b or g.has_edge(a, b)


def test_escalation_parameters_are_respected():
    s, v, _ = escalated()
    kids = np.flatnonzero(v["parent"] >= 0)
    par = v["parent"][kids]
    k = kids.size
    # Every sector of the builtin line has a sector neighbour, so a child
    # moves with probability neighbour_share and flips side with retaliation.
    moved = np.mean(v["node"][kids] != v["node"][par])
    assert abs(moved - 0.3) <= 4 * math.sqrt(0.3 * 0.7 / k)
    flipped = np.mean(v["perpetrator"][kids] != v["perpetrator"][par])
    assert abs(flipped - 0.25) <= 4 * math.sqrt(0.25 * 0.75 / k)
    # Delays are exponential with mean decay (sd = mean).
    delay = v["time"][kids] - v["time"][par]
    assert abs(delay.mean() - s.escalation.decay) <= 4 * s.escalation.decay / math.sqrt(k)


def test_perpetrator_and_affected_are_opposite_sides():
    _, v, _ = escalated()
    assert set(np.unique(v["perpetrator"])) == {0, 1}
    assert np.array_equal(v["affected"], 1 - v["perpetrator"])


def test_line_violations_are_at_sectors_with_line_types():
    s, v, nodes = escalated()
    g = donbas()
    types = TypeTable.from_spec(s)
    line = ~v["strike"]
    assert {g.nodes[nodes[j]]["kind"] for j in np.unique(v["node"][line])} == {"sector"}
    assert np.all(v["type"][line] < len(types.names) - 1)
    assert np.array_equal(v["severity"], types.severity[v["type"]])


def test_strikes_hit_targets_and_are_by_the_side_not_holding_them():
    s, v, nodes = escalated()
    g = donbas()
    strikes = np.flatnonzero(v["strike"])
    assert strikes.size > 500
    types = TypeTable.from_spec(s)
    assert types.names[-1] == STRIKE_TYPE
    assert np.all(v["type"][strikes] == len(types.names) - 1)
    assert np.all(v["parent"][strikes] == -1)
    assert np.all(v["severity"][strikes] == s.long_range_strikes.severity)
    sides = set()
    for i in strikes:
        d = g.nodes[nodes[v["node"][i]]]
        assert d["strike_weight"] > 0
        assert d["side"] in ("UA", "RU")
        sides.add(d["side"])
        # RU = 0, UA = 1: the perpetrator is the other side.
        assert v["perpetrator"][i] == (0 if d["side"] == "UA" else 1)
    assert sides == {"UA", "RU"}  # both directions were exercised


def test_strikes_on_line_side_target_use_perpetrator_shares():
    g = synthetic_line(6, depth=2)
    nx.set_node_attributes(g, {"C0": "line"}, "side")
    s = spec(
        rate_per_day=0.0,
        perpetrator={"RU": 0.0, "UA": 1.0},
        long_range_strikes={"rate_per_day": 20.0},
    )
    v, nodes = run(s, g, 10 * DAY)
    assert v["time"].size > 100 and v["strike"].all()
    assert np.all(np.array(nodes)[v["node"]] == "C0")
    assert np.all(v["perpetrator"] == 1)


def test_hotspots_replace_network_weights():
    g = synthetic_line(4, depth=1)  # sectors S0..S3 all of weight 1
    s = spec(hotspots={"S0": 0.0, "S1": 0.0, "S2": 3.0})
    v, nodes = run(s, g, 100 * DAY, seed=6)
    at = np.array(nodes)[v["node"]]
    n = at.size
    assert not np.isin(at, ["S0", "S1"]).any()
    # S2 : S3 = 3 : 1.
    share = np.mean(at == "S2")
    assert abs(share - 0.75) <= 4 * math.sqrt(0.75 * 0.25 / n)


def test_streams_are_separate_common_random_numbers():
    g = donbas()
    a, _ = run(spec(long_range_strikes={"rate_per_day": 0.0}), g, 20 * DAY, seed=8)
    b, _ = run(spec(long_range_strikes={"rate_per_day": 10.0}), g, 20 * DAY, seed=8)
    # Adding strikes leaves the line violations exactly as they were.
    la = {k: x[~a["strike"]] for k, x in a.items() if k not in ("violation", "parent")}
    lb = {k: x[~b["strike"]] for k, x in b.items() if k not in ("violation", "parent")}
    for k in la:
        assert np.array_equal(la[k], lb[k]), k


def test_sector_neighbours_table():
    g = synthetic_line(3, depth=1)
    g.add_node("lonely", kind="sector")
    nodes = list(g.nodes)
    table, deg = sector_neighbours(g, nodes)
    ix = {n: i for i, n in enumerate(nodes)}

    def nb(n):
        return sorted(nodes[k] for k in table[ix[n], : deg[ix[n]]])

    assert nb("S0") == ["S1"]
    assert nb("S1") == ["S0", "S2"]
    assert nb("lonely") == ["lonely"]  # escalation stays on an isolated sector


def test_no_sector_weight_means_no_line_violations():
    g = synthetic_line(3, depth=1)
    v, _ = run(spec(hotspots={"S0": 0.0, "S1": 0.0, "S2": 0.0}), g, 5 * DAY)
    assert v["time"].size == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"escalation": {"branching_ratio": 1.0}},
        {"types": {"a": {"share": 0.5, "severity": 1, "evidence_half_life": "1h"}}},
        {"perpetrator": {"RU": 0.5, "UA": 0.6}},
        {"time_of_day": [1.0] * 23},
    ],
)
def test_spec_rejects_invalid(bad):
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        ViolationsSpec.model_validate(bad)
