"""Reporting channels (sim.world.reporting): detection, delays, desks and false reports."""

from __future__ import annotations

import copy
import functools
import math

import networkx as nx
import numpy as np
import pydantic
import pytest

from sim.records import CHANNELS, FALSE_CHANNEL, PARTIES
from sim.scenario.schema import ChannelSpec, ReportingSpec, ViolationsSpec
from sim.world import reporting
from sim.world.network import builtin, synthetic_line
from sim.world.violations import COLUMNS as VIOLATION_COLUMNS
from sim.world.violations import TypeTable
from sim.world.violations import generate as generate_violations

DAY = 1440.0
DAYS = 30
HORIZON = DAYS * DAY
# For checks that must not be cut by the horizon: 30 days after the last
# violation, far beyond any delay drawn here (the largest mean is 7 h).
# (False reports arrive until the horizon, so it cannot be infinite.)
NO_HORIZON = HORIZON + 30 * DAY
RU, UA, US, CIVILIAN = 0, 1, 2, 3
CH = {name: i for i, name in enumerate(CHANNELS)}
REAL_CHANNELS = ("affected", "accused", "technical", "civilian")

VSPEC = ViolationsSpec.model_validate(
    {
        "rate_per_day": 300.0,
        "perpetrator": {"RU": 0.6, "UA": 0.4},
        "escalation": {"branching_ratio": 0.3},
        "long_range_strikes": {"rate_per_day": 30.0},
    }
)
TYPES = TypeTable.from_spec(VSPEC)

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
    "false_reports": {"rate_per_day": 10.0, "by_party": {"UA": {"rate_per_day": 4.0}}, "lag": "2h"},
}
RSPEC = ReportingSpec.model_validate(RSPEC_DATA)


def rspec(**channels) -> ReportingSpec:
    """RSPEC with the given keys of some channels replaced, e.g. ``affected={"detection": 1}``."""
    data = copy.deepcopy(RSPEC_DATA)
    for name, over in channels.items():
        data["channels"][name].update(over)
    return ReportingSpec.model_validate(data)


@functools.lru_cache(maxsize=None)
def graph() -> nx.Graph:
    return builtin("donbas_south")


@functools.lru_cache(maxsize=None)
def violations():
    g = graph()
    nodes = list(g.nodes)
    return generate_violations(VSPEC, g, nodes, HORIZON, 1, 0), nodes


def reports(spec=RSPEC, horizon=NO_HORIZON, seed=1):
    v, nodes = violations()
    return reporting.generate(spec, VSPEC, v, graph(), nodes, horizon, seed, 0)


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


def party(r, channel=None):
    """The party each report concerns (side code; -1 for false reports): the sender
    on the affected and accused channels, the affected side for technical means
    and civilians."""
    v, _ = violations()
    vid = np.where(r["false"], 0, r["violation"])
    out = np.where(r["channel"] == CH["accused"], v["perpetrator"][vid], v["affected"][vid])
    return np.where(r["false"], -1, out)


def rows(r) -> dict[int, tuple]:
    """Each report as ``key -> (every column but the report number)``."""
    cols = [c for c in reporting.COLUMNS if c != "report"]
    out = dict(zip(r["key"].tolist(), zip(*(r[c].tolist() for c in cols))))
    assert len(out) == r["key"].size  # keys are unique
    return out


def delay(r):
    return r["arrival"] - r["event_time"]


def assert_binomial(hits, p):
    """Sum of independent Bernoulli(p_i): within 4 sd of its mean."""
    p = np.broadcast_to(np.asarray(p, float), hits.shape)
    mean, var = p.sum(), (p * (1 - p)).sum()
    assert abs(hits.sum() - mean) <= 4 * math.sqrt(var) + 1e-9, (hits.sum(), mean, var)


def assert_mean(x, dist):
    """A sample of ``dist``: its mean within 4 standard errors sqrt(variance / n)."""
    assert x.size > 100
    assert abs(x.mean() - dist.mean) <= 4 * math.sqrt(dist.variance / x.size), (x.mean(), dist)


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
    hit = detected(untruncated(), "civilian")
    art = v["type"] == TYPES.names.index("artillery")
    assert art.sum() > 1000
    assert_binomial(hit[art], 0.9)
    assert hit[v["strike"]].all()  # long_range_strike: 1.0
    assert_binomial(hit[~art & ~v["strike"]], 0.2)


def test_switched_off_channel_sends_nothing():
    data = dict(RSPEC_DATA, channels=dict(RSPEC_DATA["channels"], accused={"detection": 0.0}))
    r = reports(ReportingSpec.model_validate(data))
    assert not (r["channel"] == CH["accused"]).any()


def test_channels_report_independently():
    # Off-artillery line violations: affected 0.8, civilian 0.2, each on its own draw.
    v, _ = violations()
    r = untruncated()
    plain = ~v["strike"] & (v["type"] != TYPES.names.index("artillery"))
    both = detected(r, "affected") & detected(r, "civilian")
    assert_binomial(both[plain], 0.8 * 0.2)


# --------------------------------------------------------------------------- delays


@pytest.mark.parametrize("channel", REAL_CHANNELS)
def test_mean_delay_matches_distribution_mean(channel):
    r = untruncated()
    d = getattr(RSPEC.channels, channel).delay
    sel = r["channel"] == CH[channel]
    k = int(sel.sum())
    assert k > 500
    assert np.all(delay(r)[sel] >= 0)
    # Detection is independent of the delay, so the delays of the reports
    # sent are a sample of the delay distribution: the standard error of
    # their mean is sqrt(variance / k).
    assert_mean(delay(r)[sel], d)


def test_technical_delays_stay_in_the_uniform_range():
    r = untruncated()
    sel = r["channel"] == CH["technical"]
    assert delay(r)[sel].min() >= 10.0 - 1e-9 and delay(r)[sel].max() <= 50.0 + 1e-9


# --------------------------------------------------------------------------- table shape


def test_reports_sorted_below_horizon_and_consistent_with_violations():
    v, nodes = violations()
    r = reports(horizon=HORIZON)
    m = r["arrival"].size
    assert m > 10_000
    assert set(r) == set(reporting.COLUMNS)
    assert r["key"].dtype == np.uint64
    assert np.unique(r["key"]).size == m
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
    assert np.array_equal(r["severity"], TYPES.severity[r["type"]])
    # The horizon only cuts: every report arriving before it, false ones
    # included, is the same one as with a later horizon.
    u = untruncated()
    early = u["arrival"] < HORIZON
    assert (~early).sum() > 300
    for col in reporting.COLUMNS:
        assert np.array_equal(r[col], u[col][early]), col


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
    for side, rate in (("RU", 10.0), ("UA", 4.0)):  # RU the common rate, UA its own
        k = int(np.sum(f & (r["sender"] == PARTIES.index(side))))
        # A Poisson count with mean rate * days has sd sqrt(rate * days).
        assert abs(k - rate * DAYS) <= 4 * math.sqrt(rate * DAYS), side
    assert set(np.unique(r["sender"][f])) == {RU, UA}
    # They claim a violation 2 h before they arrive (not before time 0), at a sector.
    assert np.array_equal(r["event_time"][f], np.maximum(r["arrival"][f] - 120.0, 0.0))
    assert {g.nodes[nodes[j]]["kind"] for j in r["node"][f]} == {"sector"}


def test_false_report_lag_per_party_changes_only_that_partys_lag():
    data = copy.deepcopy(RSPEC_DATA)
    data["false_reports"]["by_party"]["UA"]["lag"] = "30min"
    r = reports(ReportingSpec.model_validate(data), horizon=HORIZON)
    base = reports(horizon=HORIZON)
    f = r["false"]
    ua, ru = f & (r["sender"] == UA), f & (r["sender"] == RU)
    assert ua.sum() > 50 and ru.sum() > 150
    assert np.array_equal(r["event_time"][ua], np.maximum(r["arrival"][ua] - 30.0, 0.0))
    assert np.array_equal(r["event_time"][ru], np.maximum(r["arrival"][ru] - 120.0, 0.0))
    # Same false reports (the lag draws nothing here), only UA's claimed times moved.
    a, b = rows(base), rows(r)
    assert set(a) == set(b)
    changed = {k for k in a if a[k] != b[k]}
    assert changed == set(r["key"][ua].tolist())


def test_a_rate_per_party_mapping_is_refused_with_a_hint():
    with pytest.raises(pydantic.ValidationError, match=r"by_party: \{UA: \{rate_per_day"):
        ReportingSpec.model_validate({"false_reports": {"rate_per_day": {"RU": 1.0, "UA": 2.0}}})


def test_no_false_reports_by_default():
    r = reports(ReportingSpec.model_validate({}), horizon=HORIZON)
    assert not r["false"].any()


# --------------------------------------------------------------------------- desks


@pytest.mark.parametrize("rule", ["affected", "accused", "RU", "UA", "US"])
@pytest.mark.parametrize("channel", ["affected", "civilian", "technical"])
def test_desk_rules_route_as_configured(channel, rule):
    v, _ = violations()
    chans = {c: {"detection": 0.0} for c in REAL_CHANNELS}
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


def test_desk_per_party():
    # UA's own reports go to the US desk; RU's accusations of itself go to UA's desk.
    spec = rspec(
        affected={"by_party": {"UA": {"desk": "US"}}}, accused={"by_party": {"RU": {"desk": "UA"}}}
    )
    r = reports(spec)
    base = untruncated()
    for name, who, desk in (("affected", UA, US), ("accused", RU, UA)):
        sel = r["channel"] == CH[name]
        mine = sel & (r["sender"] == who)
        assert mine.sum() > 300, name
        assert np.all(r["desk"][mine] == desk), name
        others = sel & (r["sender"] != who)
        assert others.sum() > 300, name
        assert np.array_equal(r["desk"][others], r["sender"][others]), name  # the rule as before
    # Only the desks moved.
    a, b = rows(base), rows(r)
    assert set(a) == set(b)
    desk_col = [c for c in reporting.COLUMNS if c != "report"].index("desk")
    for k in a:
        assert a[k][:desk_col] + a[k][desk_col + 1 :] == b[k][:desk_col] + b[k][desk_col + 1 :]


# --------------------------------------------------------------------------- per party and per type


@pytest.mark.parametrize("channel", REAL_CHANNELS)
def test_delay_per_party_changes_only_reports_concerning_that_party(channel):
    r = reports(rspec(**{channel: {"by_party": {"UA": {"delay": "7h"}}}}))
    base = untruncated()
    if channel in ("affected", "accused"):  # the party is the one that reports
        sel = r["channel"] == CH[channel]
        assert np.array_equal(party(r)[sel], r["sender"][sel])
    ua = (r["channel"] == CH[channel]) & (party(r) == UA)
    assert ua.sum() > 100 and ((r["channel"] == CH[channel]) & (party(r) == RU)).sum() > 100
    assert np.allclose(delay(r)[ua], 420.0, rtol=0, atol=1e-6)
    # Every other report is exactly as it was; UA's are the same reports, later or earlier.
    a, b = rows(base), rows(r)
    assert set(a) == set(b)
    changed = {k for k in a if a[k] != b[k]}
    assert changed == set(r["key"][ua].tolist())


def test_by_type_mapping_sets_detection_and_delay_of_that_type():
    v, _ = violations()
    r = reports(rspec(affected={"by_type": {"small_arms": {"detection": 0.3, "delay": "2h"}}}))
    small = v["type"] == TYPES.names.index("small_arms")
    hit = detected(r, "affected")
    assert small.sum() > 3000
    assert_binomial(hit[small], 0.3)
    assert_binomial(hit[~small], 0.8)
    sel = r["channel"] == CH["affected"]
    is_small = r["type"] == TYPES.names.index("small_arms")
    assert np.allclose(delay(r)[sel & is_small], 120.0, rtol=0, atol=1e-6)
    assert set(np.unique(r["sender"][sel & is_small])) == {RU, UA}  # for both parties
    assert_mean(delay(r)[sel & ~is_small], RSPEC.channels.affected.delay)  # channel default


def test_by_type_number_is_the_detection_chance():
    spec = rspec(affected={"by_type": {"small_arms": 0.3}})
    assert spec.channels.affected.by_type["small_arms"].delay is None  # inherits the channel's
    long = reports(rspec(affected={"by_type": {"small_arms": {"detection": 0.3}}}))
    short = reports(spec)
    for col in reporting.COLUMNS:
        assert np.array_equal(short[col], long[col]), col
    v, _ = violations()
    small = v["type"] == TYPES.names.index("small_arms")
    assert_binomial(detected(short, "affected")[small], 0.3)


def test_resolve_takes_each_key_from_the_most_specific_place():
    ch = ChannelSpec.model_validate(
        {
            "detection": 0.8,
            "delay": "1h",
            "desk": "affected",
            "by_type": {"small_arms": {"detection": 0.3, "delay": "2h"}, "drone": 0.5},
            "by_party": {
                "UA": {"delay": "4h", "desk": "US", "by_type": {"small_arms": {"delay": "6h"}}},
                "RU": {"detection": 0.7},
            },
        }
    )

    def got(p, t):
        detection, dist, desk = ch.resolve(p, t)
        return detection, dist.mean, desk

    assert got("RU", "artillery") == (0.7, 60.0, "affected")
    assert got("RU", "small_arms") == (0.7, 120.0, "affected")  # by_party beats by_type
    assert got("UA", "artillery") == (0.8, 240.0, "US")
    assert got("UA", "small_arms") == (0.3, 360.0, "US")  # party and type: most specific
    assert got("UA", "drone") == (0.5, 240.0, "US")


def test_party_and_type_setting_is_the_most_specific_in_the_reports():
    spec = rspec(
        affected={
            "by_type": {"small_arms": {"delay": "2h"}},
            "by_party": {
                "UA": {"delay": "4h", "by_type": {"small_arms": {"delay": "6h", "detection": 0.3}}}
            },
        }
    )
    r = reports(spec)
    v, _ = violations()
    sel = r["channel"] == CH["affected"]
    small = r["type"] == TYPES.names.index("small_arms")
    for who, is_small, expected in ((RU, True, 120.0), (UA, False, 240.0), (UA, True, 360.0)):
        cell = sel & (r["sender"] == who) & (small == is_small)
        assert cell.sum() > 300
        assert np.allclose(delay(r)[cell], expected, rtol=0, atol=1e-6), (who, is_small)
    assert_mean(delay(r)[sel & (r["sender"] == RU) & ~small], RSPEC.channels.affected.delay)
    hit = detected(r, "affected")
    v_small = v["type"] == TYPES.names.index("small_arms")
    assert_binomial(hit[v_small & (v["affected"] == UA)], 0.3)
    assert_binomial(hit[v_small & (v["affected"] == RU)], 0.8)


# --------------------------------------------------------------------------- common random numbers


def test_changing_a_detection_chance_keeps_other_draws():
    base = untruncated()
    more = reports(rspec(affected={"detection": 0.9}))
    a, b = rows(base), rows(more)
    # Every report sent at 0.8 is still sent, exactly as it was; only new ones are added,
    # all on the changed channel.
    assert len(b) > len(a) and set(a) <= set(b)
    assert all(b[k] == row for k, row in a.items())
    assert np.all(more["channel"][~np.isin(more["key"], base["key"])] == CH["affected"])


def test_changing_one_type_detection_keeps_the_delays_of_reports_in_both():
    # Civilians: artillery down from 0.9 to 0.5; the other types as they were.
    data = copy.deepcopy(RSPEC_DATA)
    data["channels"]["civilian"]["by_type"]["artillery"] = 0.5
    less = reports(ReportingSpec.model_validate(data), horizon=HORIZON)
    base = reports(horizon=HORIZON)
    a, b = rows(base), rows(less)
    assert set(b) < set(a)
    assert all(a[k] == row for k, row in b.items())  # same arrival, desk, ... for those in both
    gone = base["key"][~np.isin(base["key"], less["key"])]
    g = np.isin(base["key"], gone)
    assert np.all(base["channel"][g] == CH["civilian"])
    assert np.all(base["type"][g] == TYPES.names.index("artillery"))


def test_changing_one_partys_delay_keeps_every_other_report():
    # UA's affected-side reports: exponential mean 1 h -> 3 h. By inversion of the
    # same uniform, each such delay is exactly three times what it was.
    spec = rspec(affected={"by_party": {"UA": {"delay": {"dist": "exponential", "mean": "3h"}}}})
    slow = reports(spec, horizon=HORIZON)
    base = reports(horizon=HORIZON)
    a, b = rows(base), rows(slow)
    both = set(a) & set(b)
    assert len(set(a) - set(b)) > 5  # some are now cut by the horizon ...
    assert len(both) > 10_000
    # ... but every report keeps its key: (violation, channel) -> key is the same.
    ka = {
        (v, c): k
        for k, v, c in zip(base["key"].tolist(), base["violation"], base["channel"])
        if v >= 0
    }
    kb = {
        (v, c): k
        for k, v, c in zip(slow["key"].tolist(), slow["violation"], slow["channel"])
        if v >= 0
    }
    assert all(ka[vc] == kb[vc] for vc in set(ka) & set(kb))
    # Every RU report, and every report on another channel, arrives when it did.
    ua_affected = (slow["channel"] == CH["affected"]) & (slow["sender"] == UA)
    for k in set(slow["key"][~ua_affected].tolist()):
        assert b[k] == a[k]
    assert set(
        base["key"][(base["channel"] != CH["affected"]) | (base["sender"] != UA)].tolist()
    ) <= set(b)
    old = dict(zip(base["key"].tolist(), delay(base)))
    new = dict(zip(slow["key"][ua_affected].tolist(), delay(slow)[ua_affected]))
    assert len(new) > 2000
    for k, d in new.items():
        assert d == pytest.approx(3.0 * old[k], rel=1e-9, abs=1e-9)


def test_reports_of_a_violation_do_not_depend_on_the_other_violations():
    # Without the strikes, every other violation keeps its key, and so every report of
    # it keeps its draws: the same reports, only the violation numbers move.
    g = graph()
    v, nodes = violations()
    lines = VSPEC.model_copy(
        update={
            "long_range_strikes": VSPEC.long_range_strikes.model_copy(update={"rate_per_day": 0.0})
        }
    )
    w = generate_violations(lines, g, nodes, HORIZON, 1, 0)
    assert not w["strike"].any() and w["time"].size == (~v["strike"]).sum()
    a = reports()
    b = reporting.generate(RSPEC, VSPEC, w, g, nodes, NO_HORIZON, 1, 0)
    of_strike = ~a["false"] & v["strike"][np.where(a["false"], 0, a["violation"])]
    assert of_strike.sum() > 500
    cols = [c for c in reporting.COLUMNS if c not in ("report", "violation")]
    for col in cols:
        assert np.array_equal(a[col][~of_strike], b[col]), col


# --------------------------------------------------------------------------- degenerate cases


def test_without_sectors_weight_no_false_reports_but_real_ones_still_flow():
    g = synthetic_line(4, depth=2)
    nodes = list(g.nodes)
    vs = ViolationsSpec.model_validate(
        {"rate_per_day": 0.0, "long_range_strikes": {"rate_per_day": 10.0}}
    )
    v = generate_violations(vs, g, nodes, 5 * DAY, 2, 0)
    assert v["time"].size > 0
    rs = ReportingSpec.model_validate(
        {
            "false_reports": {"by_party": {"RU": {"rate_per_day": 50.0}}},
            "channels": {"affected": {"detection": 1.0}},
        }
    )
    nx.set_node_attributes(g, 0.0, "weight")
    r = reporting.generate(rs, vs, v, g, nodes, NO_HORIZON, 2, 0)
    assert not r["false"].any()
    assert np.array_equal(np.sort(r["violation"][r["channel"] == CH["affected"]]), v["violation"])


def no_violations() -> dict[str, np.ndarray]:
    """An empty violation table, as ``generate`` should return when nothing happens
    (it cannot be drawn yet: see the xfail tests in test_violations.py)."""
    ints = {c: np.empty(0, dtype=np.int64) for c in VIOLATION_COLUMNS}
    return {
        **ints,
        "key": np.empty(0, dtype=np.uint64),
        "time": np.empty(0),
        "strike": np.empty(0, dtype=bool),
    }


def test_no_violations_and_no_false_reports_give_no_reports():
    g = synthetic_line(4, depth=2)
    nodes = list(g.nodes)
    vs = ViolationsSpec.model_validate({"rate_per_day": 0.0})
    rs = ReportingSpec.model_validate({"channels": {"affected": {"detection": 1.0}}})
    r = reporting.generate(rs, vs, no_violations(), g, nodes, 5 * DAY, 3, 0)
    assert set(r) == {
        "report",
        "key",
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


def test_reports_drawn_window_by_window_are_those_drawn_at_once():
    # docs: a report of a violation drawn in one window arrives in whichever later
    # window its delay takes it to. Delays of about two days cross one-day windows.
    from sim.engine.replication import Prepared
    from sim.world import scenario_from_dict
    from sim.world.feed import WorldFeed

    data = {
        "name": "windows",
        "horizon": "10d",
        "network": {"synthetic": {"sectors": 6, "depth": 1}},
        "violations": {"rate_per_day": 20},
        "reporting": {"channels": {"affected": {"delay": {"dist": "exponential", "mean": "2d"}}}},
    }
    ld = scenario_from_dict(data)
    model = Prepared(ld).violations
    nodes = list(ld.graph.nodes)

    def reports(window):
        feed = WorldFeed(ld.scenario, model, ld.graph, nodes, 5, 0, window=window)
        out = []
        while not feed.done:
            out.append(feed.next_window()[2])
        return {k: np.concatenate([r[k] for r in out]) for k in out[0]}

    daily, whole = reports(1440.0), reports(10 * 1440.0)
    assert whole["arrival"].size > 100
    late = whole["arrival"] - whole["event_time"] > 1440.0
    assert late.sum() > 20  # many reports arrive a day or more after their violation
    for col in whole:
        assert np.array_equal(daily[col], whole[col]), col
