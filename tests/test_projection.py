"""Projection before running (sizes, memory, offered load) and queue growth after.

The projected counts are checked against simulated ones, the offered load
against its exact value on a scenario simple enough to work out by hand, and
the growth test against an overloaded desk and a stable one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.analysis.experiment import run
from sim.analysis.growth import grew, queue_growth, thirds
from sim.analysis.projection import (
    load_warnings,
    loads,
    memory_refusal,
    parse_size,
    project,
)
from sim.output.console import format_summary
from sim.world import load_scenario, scenario_from_dict

from .conftest import SCENARIOS

BASE = Path(__file__).resolve().parent / "hostile" / "base.yaml"


def hostile(tmp_path, extra: str):
    path = tmp_path / "case.yaml"
    path.write_text(f"extends: {BASE}\n{extra}")
    return load_scenario(path)


def test_projected_sizes_match_simulated_ones(tmp_path):
    loaded = hostile(tmp_path, "horizon: 20d\n")
    proj = project(loaded)
    result = run(loaded, replications=2, workers=1)
    viol = np.mean([r.violations["time"].size for r in result.replications])
    reports = np.mean([r.reports["arrival"].size for r in result.replications])
    incidents = np.mean([r.incidents["node"].size for r in result.replications])
    # 2 replications of ~900 violations in clusters: the mean is within about 4%
    assert proj.violations == pytest.approx(viol, rel=0.1)
    assert proj.reports == pytest.approx(reports, rel=0.1)
    assert incidents <= proj.incidents * 1.05  # an upper estimate: reports merge
    assert proj.samples == 20 * 24


def test_peak_memory_grows_with_what_is_kept(tmp_path):
    proj = project(hostile(tmp_path, "horizon: 30d\n"))
    one = proj.peak_bytes(1, 1)
    assert proj.peak_bytes(10, 1) > one  # every replication's tables are kept
    assert proj.peak_bytes(10, 1, tables=False) < proj.peak_bytes(10, 1)
    assert proj.peak_bytes(10, 2, tables=False) > proj.peak_bytes(10, 1, tables=False)


def test_memory_refusal_gives_the_numbers_and_names_the_key(tmp_path):
    loaded = hostile(tmp_path, "horizon: 30d\n")
    proj = project(loaded)
    peak = proj.peak_bytes(5, 2)
    assert memory_refusal(loaded, proj, replications=5, workers=2, limit=peak * 1.01) is None
    err = memory_refusal(loaded, proj, replications=5, workers=2, limit=peak / 2)
    assert err is not None and err.path == "horizon" and err.file == str(tmp_path / "case.yaml")
    assert f"{proj.violations:,.0f} violations" in err.message
    assert "5 replication(s)" in err.message and "--max-memory" in err.message


def simple_desks(assessment: bool) -> dict:
    """48 violations a day, each reported once by the affected side to its own desk,
    triage 20 min, one officer per desk: the RU desk gets 24 a day (RU is affected when
    UA fires, half the time), so it is busy 24 x 20 / 1440 = 1/3 of the time."""
    return {
        "name": "simple",
        "horizon": "10d",
        "network": {"synthetic": {"sectors": 4, "depth": 1}},
        "violations": {"rate_per_day": 48},
        "reporting": {
            "channels": {
                "affected": {"detection": 1.0},
                "accused": {"detection": 0.0},
                "technical": {"detection": 0.0},
                "civilian": {"detection": 0.0},
            }
        },
        "center": {
            "desks": {"RU": {"officers": 1}, "UA": {"officers": 1}, "US": {"officers": 2}},
            "triage": {"time": "20min"},
            "assessment": {"enabled": assessment, "time": "30min"},
        },
        "teams": {"enabled": False},
    }


def test_offered_load_per_desk_is_exact_on_a_simple_scenario():
    rho = loads(scenario_from_dict(simple_desks(assessment=False)))
    assert rho["RU"] == pytest.approx(1 / 3)
    assert rho["UA"] == pytest.approx(1 / 3)
    assert rho["US"] == pytest.approx(0.0)
    assert "teams" not in rho
    assert load_warnings(scenario_from_dict(simple_desks(assessment=False))) == []


def test_a_desk_offered_more_than_it_can_do_is_warned_about():
    # every incident also takes one officer of each desk for 30 min: 48 x 30 / 1440 = 1
    loaded = scenario_from_dict(simple_desks(assessment=True))
    rho = loads(loaded)
    assert rho["RU"] == pytest.approx(1 / 3 + 1)
    assert rho["US"] == pytest.approx(1 / 2)  # two officers
    warnings = load_warnings(loaded)
    assert len(warnings) == 2
    assert warnings[0].startswith("simple") or "center.desks.RU" in warnings[0]
    assert "utilisation ρ = 1.33 ≥ 1" in warnings[0]
    assert "until reports expire after 2 days" in warnings[0]


def test_thirds_and_growth_rule():
    t = np.arange(90.0)
    assert thirds(t, t, 30.0) == (39.5, 59.5, 79.5)  # only samples after the warm-up
    assert grew(*thirds(t, t, 0.0))
    steady = 5 + np.sin(t)
    assert not grew(*thirds(t, steady, 0.0))


def test_an_overloaded_desk_is_reported_as_growing_and_a_stable_one_is_not(tmp_path):
    over = hostile(
        tmp_path,
        "horizon: 6d\ncenter:\n  desks: {RU: {officers: 1}}\n"
        "  triage: {time: 40min, max_wait: null}\n",
    )
    # twice the triage time: the RU desk (one officer) and the US desk are overloaded
    unstable = {desk for desk, rho in loads(over).items() if rho >= 1}
    assert unstable == {"RU", "US"}
    assert all("without bound" in w for w in load_warnings(over))
    result = run(over, replications=2, workers=1)
    growth = result.summary["queue_growth"]
    assert set(growth) == {f"queue_{desk}" for desk in unstable}  # as projected
    assert growth["queue_RU"]["last_third"] > 2 * growth["queue_RU"]["first_third"]
    assert "! The RU desk queue (reports) grew without bound in 2 of 2" in format_summary(
        result.summary, result.metadata
    )
    stable = run(hostile(tmp_path, "horizon: 6d\n"), replications=2, workers=1)
    assert stable.summary["queue_growth"] == {}
    assert queue_growth(stable.replications, 0.0) == {}


@pytest.mark.parametrize("bad", ["lots", "0GB", "-5MB", "nanGB", ""])
def test_memory_sizes_must_be_positive_amounts(bad):
    with pytest.raises(ValueError, match="expected a"):
        parse_size(bad)


def test_a_streamed_run_needs_about_the_same_memory_for_any_horizon():
    """benchmarks/bench_run.py measures 200 MB for a year of the baseline and 258 MB
    for ten; the projection must follow (streamed), and a run that keeps its tables
    (``--dask``) must not."""

    def peak(horizon: str, **kw) -> float:
        ld = load_scenario(SCENARIOS / "baseline.yaml", overrides={"horizon": horizon})
        return project(ld).peak_bytes(1, 1, **kw)

    one, ten = peak("365d"), peak("3650d")
    assert 150e6 < one < 250e6 and 200e6 < ten < 330e6
    assert ten / one < 1.5
    assert peak("3650d", streamed=False) / peak("365d", streamed=False) > 5


def test_a_queue_that_cannot_keep_up_holds_its_reports_in_memory():
    def streamed(horizon: str, rate: float) -> float:
        over = {"horizon": horizon, "violations": {"rate_per_day": rate}}
        return project(load_scenario(SCENARIOS / "baseline.yaml", overrides=over)).streamed_bytes

    # at 20 times the baseline's rate the desks are overloaded: what waits is held
    assert streamed("730d", 800.0) > 1.8 * streamed("365d", 800.0)
    assert streamed("730d", 10.0) == pytest.approx(streamed("365d", 10.0), rel=0.01)
