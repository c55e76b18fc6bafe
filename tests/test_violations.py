"""Ground-truth violations (sim.world.violations): the profile process and the Hawkes clusters."""

from __future__ import annotations

import functools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import chdtri

from sim.scenario.schema import ViolationsSpec
from sim.world.network import builtin, synthetic_line
from sim.world.streams import SCRIPTED, Stream, child_key
from sim.world.violations import (
    COLUMNS,
    STRIKE_TYPE,
    Arrivals,
    DailyProfile,
    TypeTable,
    ViolationModel,
    ViolationSource,
    generate,
    sector_neighbours,
)

DAY = 1440.0
CHI2_23_Q999 = float(chdtri(23, 0.001))  # 0.999 quantile of chi-square with 23 d.o.f. (49.73)

PROFILE = [1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 4, 5, 5, 4, 3, 2, 1, 1]


def arrivals(rate, profile, horizon, seed):
    """The arrivals of a daily-profile Poisson process up to ``horizon``, in one window."""
    return Arrivals(DailyProfile(rate, profile), Stream(seed, 0, "g")).until(horizon)


# --------------------------------------------------------------------------- profile arrivals


@settings(database=None, max_examples=80, deadline=None)
@given(
    rate=st.floats(min_value=0.0, max_value=500.0),
    profile=st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=24, max_size=24).filter(
        lambda p: sum(p) > 0
    ),
    horizon=st.floats(min_value=1.0, max_value=20 * DAY),
    seed=st.integers(0, 2**32 - 1),
)
def test_arrivals_in_range_sorted_and_never_in_zero_hours(rate, profile, horizon, seed):
    t = arrivals(rate, profile, horizon, seed)
    assert np.all((t >= 0) & (t < horizon))
    assert np.all(np.diff(t) >= 0)
    hours = (t // 60).astype(int) % 24
    zero = [h for h in range(24) if profile[h] == 0]
    assert not np.isin(hours, zero).any()


@settings(database=None, max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=0.5, max_value=2000.0),
    profile=st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=24, max_size=24).filter(
        lambda p: sum(p) > 0
    ),
    cuts=st.lists(st.floats(min_value=0.0, max_value=5 * DAY), max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_arrivals_drawn_window_by_window_equal_one_draw(rate, profile, cuts, seed):
    horizon = 5 * DAY
    whole = arrivals(rate, profile, horizon, seed)
    a = Arrivals(DailyProfile(rate, profile), Stream(seed, 0, "g"))
    parts = [a.until(c) for c in sorted(cuts)] + [a.until(horizon)]
    assert np.array_equal(np.concatenate(parts), whole)
    assert a.count == whole.size


def test_arrivals_empty_for_zero_rate_or_horizon():
    assert arrivals(0.0, [1.0] * 24, DAY, 0).size == 0
    assert arrivals(10.0, [1.0] * 24, 0.0, 0).size == 0


def test_a_window_of_the_first_minute_has_its_arrivals():
    """At 144,000 a day (100 a minute) the first minute holds about 100 arrivals, the
    first ones of the whole draw (a Poisson count of mean 100 is 0 with chance e^-100)."""
    whole = arrivals(144_000.0, [1.0] * 24, 10.0, 3)
    first = arrivals(144_000.0, [1.0] * 24, 1.0, 3)
    assert abs(first.size - 100) <= 4 * math.sqrt(100)
    assert np.array_equal(first, whole[whole < 1.0])


def test_arrivals_count_matches_rate_over_long_horizon():
    rate, days = 30.0, 365
    t = arrivals(rate, PROFILE, days * DAY, 1)
    # A Poisson count with mean rate * days has sd sqrt(rate * days).
    mean = rate * days
    assert abs(t.size - mean) <= 4 * math.sqrt(mean)


def test_arrivals_partial_last_hour_is_thinned():
    # 1000 per hour, horizon half an hour: Poisson(500), not Poisson(1000).
    counts = [arrivals(24_000.0, [1.0] * 24, 30.0, s).size for s in range(20)]
    mean = 500.0 * 20
    assert abs(sum(counts) - mean) <= 4 * math.sqrt(mean)


def test_arrivals_follow_the_hourly_profile():
    rate, days = 50.0, 200
    t = arrivals(rate, PROFILE, days * DAY, 2)
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


def run(s: ViolationsSpec, graph: nx.Graph, horizon: float, seed: int = 1, replication: int = 0):
    nodes = list(graph.nodes)
    return generate(s, graph, nodes, horizon, seed, replication), nodes


def check_table(v, horizon):
    n = v["time"].size
    assert set(v) == set(COLUMNS)
    for col in COLUMNS:
        assert v[col].shape == (n,), col
    assert v["key"].dtype == np.uint64
    assert np.array_equal(v["violation"], np.arange(n))
    assert np.all(np.diff(v["time"]) >= 0)
    assert np.all((v["time"] >= 0) & (v["time"] < horizon))


def by_key(v) -> dict[int, tuple]:
    """Each violation as ``key -> (time, node, type, perpetrator, parent's key or 0)``."""
    keys = v["key"].tolist()
    parent = [keys[p] if p >= 0 else 0 for p in v["parent"].tolist()]
    rows = zip(
        v["time"].tolist(),
        v["node"].tolist(),
        v["type"].tolist(),
        v["perpetrator"].tolist(),
        parent,
    )
    out = dict(zip(keys, rows))
    assert len(out) == len(keys)  # keys are unique
    return out


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


ESCALATION = {"branching_ratio": 0.6, "decay": "3h", "neighbour_share": 0.3, "retaliation": 0.25}


@functools.lru_cache(maxsize=None)
def escalated():
    s = spec(escalation=ESCALATION, long_range_strikes={"rate_per_day": 5.0})
    v, nodes = run(s, donbas(), 200 * DAY, seed=5)
    return s, v, nodes


def test_parents_precede_children_and_are_nearby_line_violations():
    _, v, nodes = escalated()
    g = donbas()
    check_table(v, 200 * DAY)
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


def test_type_severities_are_integers():
    """Severity is an integer scale (1 to 5): the type table keeps it as one."""
    types = TypeTable.from_spec(escalated()[0])
    assert types.severity.dtype == np.int64


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


# ---------------------------------------------------------------- draws belong to violations


def test_keys_are_unique():
    _, v, _ = escalated()
    assert np.unique(v["key"]).size == v["key"].size
    v, _ = run(spec(escalation=ESCALATION, scripted=SCRIPTED_VIOLATIONS), donbas(), 30 * DAY)
    assert np.unique(v["key"]).size == v["key"].size


def test_adding_strikes_leaves_line_violations_as_they_were():
    g = donbas()
    s = dict(escalation=ESCALATION)
    a, _ = run(spec(long_range_strikes={"rate_per_day": 0.0}, **s), g, 20 * DAY, seed=8)
    b, _ = run(spec(long_range_strikes={"rate_per_day": 10.0}, **s), g, 20 * DAY, seed=8)
    assert b["strike"].sum() > 100 and (a["parent"] >= 0).sum() > 100
    # Matched by key: the same line violations, at the same time and place,
    # by the same side, with the same escalation (parent's key).
    la, lb = by_key(a), by_key(b)
    line_b = {k: row for k, row, hit in zip(b["key"].tolist(), lb.values(), b["strike"]) if not hit}
    assert not a["strike"].any()
    assert line_b == la


SCRIPTED_VIOLATIONS = [
    {"time": t, "node": n, "type": ty, "perpetrator": p}
    for t, n, ty, p in [
        ("10min", "Toretsk", "artillery", "RU"),
        ("2h", "Lyman", "small_arms", "UA"),
        ("1d", "Kupiansk", "drone", "RU"),
        ("1d", "Kupiansk", "drone", "RU"),  # the same event twice: two violations
        ("3d 5h", "Siversk", "artillery", "UA"),
        ("7d", "Chasiv Yar", "small_arms", "RU"),
        ("9d", "Borova", "artillery", "UA"),
        ("12d", "Vovchansk", "drone", "RU"),
        ("15d", "Strilecha", "artillery", "RU"),
        ("18d", "Dvorichna", "small_arms", "UA"),
        ("19d 23h", "Kostiantynivka", "artillery", "RU"),
        ("4d", "Kharkiv", "long_range_strike", "RU"),
    ]
]


def test_scripted_violations_leave_every_other_violation_and_its_escalation():
    g = donbas()
    horizon = 20 * DAY
    common = dict(escalation=ESCALATION, long_range_strikes={"rate_per_day": 3.0})
    base, nodes = run(spec(**common), g, horizon, seed=9)
    s = spec(scripted=SCRIPTED_VIOLATIONS, **common)
    more, _ = run(s, g, horizon, seed=9)
    check_table(more, horizon)
    a, b = by_key(base), by_key(more)
    # Every violation of the run without them is there, exactly as it was.
    assert {k: b[k] for k in a if k in b} == a
    assert set(a) <= set(b)
    # The scripted ones come in addition, where and when they were set ...
    types = TypeTable.from_spec(s)
    roots = child_key(SCRIPTED, np.arange(len(s.scripted))).tolist()
    for k, sv in zip(roots, s.scripted):
        t, node, typ, perp, parent = b[k]
        assert (t, nodes[node], types.names[typ], perp, parent) == (
            sv.time,
            sv.node,
            sv.type,
            ["RU", "UA"].index(sv.perpetrator),
            0,
        )
    # ... with their own escalation: every new violation descends from one.
    new = set(b) - set(a)
    assert len(new) > len(roots)  # some scripted violations did escalate
    for k in new:
        while b[k][4]:
            k = b[k][4]
        assert k in roots
    # The strike does not escalate.
    strike_root = roots[-1]
    assert not any(row[4] == strike_root for row in b.values())


@pytest.mark.parametrize("window", [13.0, 60.0, 500.0, DAY, 3.3 * DAY, "uneven"])
def test_drawing_the_horizon_in_windows_gives_the_same_table(window):
    g = donbas()
    nodes = list(g.nodes)
    horizon = 6 * DAY
    s = spec(
        escalation=ESCALATION,
        long_range_strikes={"rate_per_day": 8.0},
        scripted=SCRIPTED_VIOLATIONS[:6],
    )
    whole = generate(s, g, nodes, horizon, 11, 2)
    assert whole["time"].size > 300 and (whole["parent"] >= 0).sum() > 100
    if window == "uneven":
        ends = np.sort(np.random.default_rng(0).uniform(0, horizon, 40))
    else:
        ends = np.arange(window, horizon, window)
    source = ViolationSource(ViolationModel(s, g, nodes), 11, 2, horizon)
    # the last window ends beyond the horizon; a repeated end gives nothing
    parts = [source.until(e) for e in ends] + [source.until(horizon), source.until(2 * horizon)]
    assert parts[-1]["time"].size == 0
    for col in COLUMNS:
        assert np.array_equal(np.concatenate([p[col] for p in parts]), whole[col]), col


def test_a_longer_horizon_only_adds_later_violations():
    g = donbas()
    s = spec(escalation=ESCALATION, long_range_strikes={"rate_per_day": 5.0})
    short, _ = run(s, g, 10 * DAY, seed=12)
    long, _ = run(s, g, 25 * DAY, seed=12)
    early = long["time"] < 10 * DAY
    assert short["time"].size > 300 and (~early).sum() > 300
    for col in COLUMNS:
        assert np.array_equal(long[col][early], short[col]), col


def test_replications_differ_and_repeat():
    s = spec(escalation=ESCALATION)
    a, _ = run(s, donbas(), 5 * DAY, seed=1, replication=0)
    again, _ = run(s, donbas(), 5 * DAY, seed=1, replication=0)
    b, _ = run(s, donbas(), 5 * DAY, seed=1, replication=1)
    for col in COLUMNS:
        assert np.array_equal(a[col], again[col]), col
    # the same entity keys, but different draws
    assert not np.array_equal(a["time"][:50], b["time"][:50])


# --------------------------------------------------------------------------- helpers and spec


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


def test_no_violations_at_all_give_an_empty_table():
    v, _ = run(spec(rate_per_day=0.0), donbas(), 5 * DAY)
    check_table(v, 5 * DAY)
    assert v["time"].size == 0


def test_a_first_window_without_violations_is_empty():
    g = donbas()
    nodes = list(g.nodes)
    source = ViolationSource(ViolationModel(spec(), g, nodes), 1, 0, DAY)
    first = source.until(0.5)  # 40 a day: nothing in the first half minute (p = 0.986)
    assert first["time"].size == 0
    rest = source.until(DAY)
    whole = generate(spec(), g, nodes, DAY, 1, 0)
    assert np.array_equal(rest["key"], whole["key"])


def test_no_sector_weight_means_no_line_violations():
    g = synthetic_line(3, depth=1)
    v, _ = run(spec(hotspots={"S0": 0.0, "S1": 0.0, "S2": 0.0}), g, 5 * DAY)
    assert v["time"].size == 0
    check_table(v, 5 * DAY)


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


def test_no_arrival_is_placed_in_an_hour_without_rate_even_at_its_boundary():
    """A cumulative value at the end of a run of zero-rate hours maps to the start of
    the next hour with rate, not into the quiet hours (mornings quiet here)."""
    p = DailyProfile(48.0, [0.0] * 12 + [1.0] * 12)
    assert p.inverse(np.array([0.0, 24.0, 48.0])).tolist() == [720.0, 1080.0, 1440.0 + 720.0]
