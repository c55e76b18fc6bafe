"""Bursts: a violation carries a size (shots, explosions) drawn per type, counted at two scales."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.analysis.experiment import run
from sim.scenario.counts import Size
from sim.scenario.violations import ViolationsSpec
from sim.world import scenario_from_dict
from sim.world.network import synthetic_line
from sim.world.streams import SCRIPTED, child_key
from sim.world.violations import generate

DAY = 1440.0
SIZE = TypeAdapter(Size)
U = (np.arange(200_000) + 0.5) / 200_000  # a fine grid of uniforms: E[ppf(U)] by quadrature


@pytest.mark.parametrize(
    "given",
    [
        7,
        {"dist": "geometric", "mean": 4.5},
        {"dist": "negative_binomial", "mean": 20, "sd": 45},
        {"dist": "poisson", "mean": 3.2},
        {"dist": "empirical", "values": [1, 1, 3, 40]},
    ],
)
def test_size_distributions_know_their_mean_and_variance(given):
    d = SIZE.validate_python(given)
    x = d.ppf(U)
    assert x.dtype == np.int64 and x.min() >= 1
    # quadrature over the uniform grid: exact up to the far tail the grid cannot reach
    assert x.mean() == pytest.approx(d.mean, rel=2e-3)
    assert x.var() == pytest.approx(d.variance, rel=3e-2, abs=1e-9)
    assert np.all(np.diff(x) >= 0)  # inversion: a larger uniform never gives a smaller size


def test_a_negative_binomial_size_needs_more_spread_than_a_poisson_one():
    with pytest.raises(ValidationError, match="too small for mean"):
        SIZE.validate_python({"dist": "negative_binomial", "mean": 20, "sd": 4})
    with pytest.raises(ValidationError):
        SIZE.validate_python(0)


def spec(**over) -> ViolationsSpec:
    data = {
        "rate_per_day": 60.0,
        "escalation": {"branching_ratio": 0.3},
        "types": {
            "small_arms": {"share": 0.6, "severity": 1, "evidence_half_life": "6h"},
            "artillery": {"share": 0.4, "severity": 3, "evidence_half_life": "2d"},
        },
    }
    for k, v in over.items():
        data[k] = v
    return ViolationsSpec.model_validate(data)


SIZED_TYPES = {
    "small_arms": {
        "share": 0.6,
        "severity": 1,
        "evidence_half_life": "6h",
        "size": {"dist": "geometric", "mean": 8},
    },
    "artillery": {
        "share": 0.4,
        "severity": 3,
        "evidence_half_life": "2d",
        "size": {"dist": "negative_binomial", "mean": 30, "sd": 60},
    },
}


def test_sizes_are_drawn_per_type_and_change_nothing_else():
    g = synthetic_line(8, depth=1)
    nodes = list(g.nodes)
    plain = generate(spec(), g, nodes, 60 * DAY, seed=2)
    sized = generate(spec(types=SIZED_TYPES), g, nodes, 60 * DAY, seed=2)
    assert "size" not in plain
    for col in plain:
        assert np.array_equal(plain[col], sized[col]), col
    for code, dist in enumerate(
        (SIZE.validate_python(SIZED_TYPES[n]["size"]) for n in ("artillery", "small_arms"))
    ):
        s = sized["size"][sized["type"] == code]
        assert s.size > 1000
        # the mean of n independent sizes, within 4 standard errors
        assert abs(s.mean() - dist.mean) <= 4 * math.sqrt(dist.variance / s.size)


def test_a_scripted_violation_keeps_its_size():
    g = synthetic_line(4, depth=1)
    s = spec(
        types=SIZED_TYPES,
        scripted=[
            {"time": "1h", "node": "S1", "type": "artillery", "perpetrator": "UA", "size": 2300}
        ],
    )
    v = generate(s, g, list(g.nodes), 2 * DAY, seed=1)
    scripted = v["key"] == int(child_key(SCRIPTED, 0))
    assert v["size"][scripted].tolist() == [2300]
    assert (v["size"] == 2300).sum() == 1


def test_the_summary_counts_at_the_center_and_the_monitors_scale(merge):
    from .conftest import TIMELINE

    data = merge(
        TIMELINE,
        {
            "horizon": "40d",
            "violations": {"rate_per_day": 30, "types": {"artillery": {"size": 12}}},
        },
    )
    result = run(scenario_from_dict(data), workers=1)
    vol = result.summary["volume"]
    v = result.replications[0].violations
    line = ~v["strike"]
    days = 40
    assert vol["sized"] is True
    assert vol["violations_per_day"]["mean"] == pytest.approx(line.sum() / days)
    assert vol["size_per_day"]["mean"] == pytest.approx(12 * line.sum() / days)
    # a fixed size of 12 multiplies counts: variance/mean grows twelvefold
    assert vol["size_dispersion"]["mean"] == pytest.approx(
        12 * vol["violations_dispersion"]["mean"]
    )
    assert result.decoded("violations")["size"][:3] == [12, 12, 12]
