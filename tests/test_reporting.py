"""Reporting channels (sim.reporting): detection, delays, desks and false reports."""

from __future__ import annotations

import functools
import math

import networkx as nx
import numpy as np
import pytest

from sim.world import reporting
from sim.world.network import builtin, synthetic_line
from sim.records import CHANNELS, FALSE_CHANNEL, PARTIES
from sim.scenario.schema import ReportingSpec, ViolationsSpec
from sim.world.streams import stream
from sim.world.violations import TypeTable
from sim.world.violations import generate as generate_violations

DAY = 1440.0
DAYS = 30
HORIZON = DAYS * DAY
# For checks that must not be cut by the horizon: 30 days after the last
# violation, far beyond any delay drawn here (the largest mean is 4 h).
# (False reports are drawn over the whole horizon, so it cannot be infinite.)
NO_HORIZON = HORIZON + 30 * DAY
RU, UA, US, CIVILIAN = 0, 1, 2, 3
CH = {name: i for i, name in enumerate(CHANNELS)}

VSPEC = ViolationsSpec.model_validate(
    {
        "rate_per_day": 300.0,
        "perpetrator": {"RU": 0.6, "UA": 0.4},
        "escalation": {"branching_ratio": 0.3},
        "long_range_strikes": {"rate_per_day": 30.0},
    }
)

RSPEC_DATA = {
    "channels": {
        "affected": {
            "detection": 0.8,
            "delay": {"dist": "exponential", "mean": "1h"},
            "desk": "affected",
        },
        "accused": {
            "detection": 0.1,
            "delay": {"dist": "lognormal", "mean": "4h", "sd": "2h"},
            "desk": "accused",
        },
        "technical": {
            "detection": 0.6,
            "coverage": {"Chasiv Yar": 0.5, "Kherson": 0.0},
            "delay": {"dist": "uniform", "low": "10min", "high": "50min"},
        },
        "civilian": {
            "detection": 0.2,
            "by_type": {"artillery": 0.9, "long_range_strike": 1.0},
            "delay": {"dist": "gamma", "mean": "3h", "sd": "1h"},
            "desk": "US",
        },
    },
    "false_reports": {"rate_per_day": {"RU": 10.0, "UA": 4.0}, "lag": "2h"},
}
RSPEC = ReportingSpec.model_validate(RSPEC_DATA)


@functools.lru_cache(maxsize=None)
def graph() -> nx.Graph:
    return builtin("donbas_south")


@functools.lru_cache(maxsize=None)
def violations():
    g = graph()
    nodes = list(g.nodes)
    v = generate_violations(
        VSPEC,
        g,
        nodes,
        HORIZON,
        stream(1, 0, "violations.background"),
        stream(1, 0, "violations.escalation"),
        stream(1, 0, "violations.strikes"),
    )
    return v, nodes


def rngs(seed=1):
    return {name: stream(seed, 0, f"reporting.{name}") for name in CHANNELS}


def reports(spec=RSPEC, horizon=NO_HORIZON, seed=1):
    v, nodes = violations()
    return reporting.generate(spec, VSPEC, v, graph(), nodes, horizon, rngs(seed))


@functools.lru_cache(maxsize=None)
def untruncated():
    return reports()


def detected(r, channel):
    """Boolean per violation: did ``channel`` report it?"""
    v, _ = violations()
    hit = np.zeros(v["time"].size, dtype=bool)
    ids = r["violation"][r["channel"] == CH[channel]]
    assert np.unique(ids).size == ids.size  # a channel reports a violation at most once
    hit[ids] = True
    return hit


def assert_binomial(hits, p):
    """Sum of independent Bernoulli(p_i): within 4 sd of its mean."""
    p = np.broadcast_to(np.asarray(p, float), hits.shape)
    mean, var = p.sum(), (p * (1 - p)).sum()
    assert abs(hits.sum() - mean) <= 4 * math.sqrt(var) + 1e-9, (hits.sum(), mean, var)


# --------------------------------------------------------------------------- detection


def test_enough_violations_of_every_kind():
    v, _ = violations()
    assert v["time"].size > 8000
    assert v["strike"].sum() > 500
    assert (v["parent"] >= 0).sum() > 1000


@pytest.mark.parametrize(("channel", "p"), [("affected", 0.8), ("accused", 0.1)])
def test_detection_fraction_matches_configured_probability(channel, p):
    hit = detected(untruncated(), channel)
    # A binomial proportion over n violations has standard error sqrt(p(1-p)/n).
    assert abs(hit.mean() - p) <= 4 * math.sqrt(p * (1 - p) / hit.size)


def test_technical_detection_is_detection_times_node_coverage():
    v, nodes = violations()
    hit = detected(untruncated(), "technical")
    cov = {"Chasiv Yar": 0.5, "Kherson": 0.0}
    p = np.array([0.6 * cov.get(nodes[j], 1.0) for j in v["node"]])
    assert_binomial(hit, p)
    names = np.array(nodes)[v["node"]]
    at_kherson = names == "Kherson"
    at_chasiv_yar = names == "Chasiv Yar"
    assert at_kherson.sum() > 50 and at_chasiv_yar.sum() > 200
    assert not hit[at_kherson].any()  # coverage 0: never
    assert_binomial(hit[at_chasiv_yar], 0.3)  # 0.6 x 0.5
    assert_binomial(hit[~at_kherson & ~at_chasiv_yar], 0.6)  # default coverage 1


def test_detection_by_type_replaces_the_channel_default():
    v, _ = violations()
    types = TypeTable.from_spec(VSPEC)
    hit = detected(untruncated(), "civilian")
    art = v["type"] == types.names.index("artillery")
    assert art.sum() > 1000
    assert_binomial(hit[art], 0.9)
    assert hit[v["strike"]].all()  # long_range_strike: 1.0
    assert_binomial(hit[~art & ~v["strike"]], 0.2)


def test_switched_off_channel_sends_nothing():
    data = dict(RSPEC_DATA, channels=dict(RSPEC_DATA["channels"], accused={"detection": 0.0}))
    r = reports(ReportingSpec.model_validate(data))
    assert not (r["channel"] == CH["accused"]).any()


# --------------------------------------------------------------------------- delays


@pytest.mark.parametrize("channel", ["affected", "accused", "technical", "civilian"])
def test_mean_delay_matches_distribution_mean(channel):
    r = untruncated()
    d = getattr(RSPEC.channels, channel).delay
    sel = r["channel"] == CH[channel]
    delay = r["arrival"][sel] - r["event_time"][sel]
    k = delay.size
    assert k > 500
    assert np.all(delay >= 0)
    # Detection is independent of the delay, so the delays of the reports
    # sent are a sample of the delay distribution: the standard error of
    # their mean is sqrt(variance / k).
    assert abs(delay.mean() - d.mean) <= 4 * math.sqrt(d.variance / k)


def test_technical_delays_stay_in_the_uniform_range():
    r = untruncated()
    sel = r["channel"] == CH["technical"]
    delay = r["arrival"][sel] - r["event_time"][sel]
    assert delay.min() >= 10.0 - 1e-9 and delay.max() <= 50.0 + 1e-9


# --------------------------------------------------------------------------- table shape


def test_reports_sorted_below_horizon_and_consistent_with_violations():
    v, nodes = violations()
    r = reports(horizon=HORIZON)
    m = r["arrival"].size
    assert m > 10_000
    assert np.array_equal(r["report"], np.arange(m))
    assert np.all(np.diff(r["arrival"]) >= 0)
    assert np.all(r["arrival"] < HORIZON)
    assert np.all(r["event_time"] <= r["arrival"])
    assert np.array_equal(r["false"], r["channel"] == FALSE_CHANNEL)
    real = ~r["false"]
    vid = r["violation"][real]
    for col in ("node", "type"):
        assert np.array_equal(r[col][real], v[col][vid]), col
    assert np.array_equal(r["event_time"][real], v["time"][vid])
    types = TypeTable.from_spec(VSPEC)
    assert np.array_equal(r["severity"], types.severity[r["type"]])
    # The horizon only cuts: every real report arriving before it is the
    # same one as with a later horizon. (False reports are drawn over the
    # whole horizon, so their draws depend on it.)
    u = untruncated()
    early = (u["arrival"] < HORIZON) & ~u["false"]
    for col in ("arrival", "violation", "channel", "desk", "sender"):
        assert np.array_equal(r[col][real], u[col][early]), col


def test_senders_per_channel():
    v, _ = violations()
    r = untruncated()
    for name, expected in (("affected", v["affected"]), ("accused", v["perpetrator"])):
        sel = r["channel"] == CH[name]
        assert np.array_equal(r["sender"][sel], expected[r["violation"][sel]]), name
    assert np.all(r["sender"][r["channel"] == CH["technical"]] == US)
    assert np.all(r["sender"][r["channel"] == CH["civilian"]] == CIVILIAN)


# --------------------------------------------------------------------------- false reports


def test_false_reports():
    g = graph()
    _, nodes = violations()
    r = reports(horizon=HORIZON)
    f = r["false"]
    assert np.all(r["violation"][f] == -1)
    assert np.all(r["violation"][~f] >= 0)
    assert np.array_equal(r["desk"][f], r["sender"][f])  # a party's own desk
    for side, rate in (("RU", 10.0), ("UA", 4.0)):
        k = int(np.sum(f & (r["sender"] == PARTIES.index(side))))
        # A Poisson count with mean rate * days has sd sqrt(rate * days).
        assert abs(k - rate * DAYS) <= 4 * math.sqrt(rate * DAYS), side
    assert set(np.unique(r["sender"][f])) == {RU, UA}
    # They claim a violation 2 h before they arrive (not before time 0), at a sector.
    assert np.array_equal(r["event_time"][f], np.maximum(r["arrival"][f] - 120.0, 0.0))
    assert {g.nodes[nodes[j]]["kind"] for j in r["node"][f]} == {"sector"}


def test_no_false_reports_by_default():
    r = reports(ReportingSpec.model_validate({}), horizon=HORIZON)
    assert not r["false"].any()


# --------------------------------------------------------------------------- desks


@pytest.mark.parametrize("rule", ["affected", "accused", "RU", "UA", "US"])
@pytest.mark.parametrize("channel", ["affected", "civilian", "technical"])
def test_desk_rules_route_as_configured(channel, rule):
    v, _ = violations()
    chans = {c: {"detection": 0.0} for c in ("affected", "accused", "technical", "civilian")}
    chans[channel] = {"detection": 1.0, "desk": rule}
    r = reports(ReportingSpec.model_validate({"channels": chans}))
    assert np.array_equal(r["channel"], np.full(v["time"].size, CH[channel]))
    vid = r["violation"]
    if rule == "affected":
        expected = v["affected"][vid]
    elif rule == "accused":
        expected = v["perpetrator"][vid]
    else:
        expected = np.full(vid.size, PARTIES.index(rule))
    assert np.array_equal(r["desk"], expected)


def test_default_desks():
    v, _ = violations()
    r = untruncated()
    for name, expected in (("affected", v["affected"]), ("accused", v["perpetrator"])):
        sel = r["channel"] == CH[name]
        assert np.array_equal(r["desk"][sel], expected[r["violation"][sel]]), name
    assert np.all(r["desk"][r["channel"] == CH["technical"]] == US)  # technical default
    assert np.all(r["desk"][r["channel"] == CH["civilian"]] == US)


# --------------------------------------------------------------------------- common random numbers


def test_changing_a_detection_chance_keeps_other_draws():
    base = untruncated()
    data = dict(RSPEC_DATA, channels=dict(RSPEC_DATA["channels"]))
    data["channels"]["affected"] = dict(data["channels"]["affected"], detection=0.9)
    more = reports(ReportingSpec.model_validate(data))
    for name in ("accused", "technical", "civilian", "false"):
        a, b = base["channel"] == CH[name], more["channel"] == CH[name]
        assert np.array_equal(base["arrival"][a], more["arrival"][b]), name
        assert np.array_equal(base["violation"][a], more["violation"][b]), name
    # In the changed channel, every report sent at 0.8 is still sent, at the same time.
    a, b = base["channel"] == CH["affected"], more["channel"] == CH["affected"]
    old = dict(zip(base["violation"][a], base["arrival"][a]))
    new = dict(zip(more["violation"][b], more["arrival"][b]))
    assert len(new) > len(old)
    assert all(new[k] == t for k, t in old.items())


def test_without_sectors_weight_no_false_reports_but_real_ones_still_flow():
    g = synthetic_line(4, depth=2)
    nodes = list(g.nodes)
    vs = ViolationsSpec.model_validate(
        {"rate_per_day": 0.0, "long_range_strikes": {"rate_per_day": 10.0}}
    )
    v = generate_violations(
        vs, g, nodes, 5 * DAY, stream(2, 0, "a"), stream(2, 0, "b"), stream(2, 0, "c")
    )
    assert v["time"].size > 0
    rs = ReportingSpec.model_validate(
        {
            "false_reports": {"rate_per_day": {"RU": 50.0}},
            "channels": {"affected": {"detection": 1.0}},
        }
    )
    nx.set_node_attributes(g, 0.0, "weight")
    r = reporting.generate(rs, vs, v, g, nodes, NO_HORIZON, rngs(2))
    assert not r["false"].any()
    assert np.array_equal(np.sort(r["violation"][r["channel"] == CH["affected"]]), v["violation"])


def test_no_violations_and_no_false_reports_give_no_reports():
    g = synthetic_line(4, depth=2)
    nodes = list(g.nodes)
    vs = ViolationsSpec.model_validate({"rate_per_day": 0.0})
    v = generate_violations(
        vs, g, nodes, 5 * DAY, stream(3, 0, "a"), stream(3, 0, "b"), stream(3, 0, "c")
    )
    assert v["time"].size == 0
    rs = ReportingSpec.model_validate({"channels": {"affected": {"detection": 1.0}}})
    r = reporting.generate(rs, vs, v, g, nodes, 5 * DAY, rngs(3))
    assert set(r) == {
        "report",
        "arrival",
        "violation",
        "channel",
        "sender",
        "desk",
        "node",
        "event_time",
        "type",
        "severity",
        "false",
    }
    assert all(col.size == 0 for col in r.values())
