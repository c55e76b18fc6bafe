"""The shipped real-data scenario against the real log it was fitted to (marker ``realdata``).

``scenarios/donbas_2016_2019.yaml`` extends ``scenarios/fits/donbas_2016_2019.fit.yaml``,
which ``cfsim fit`` wrote from UCDP GED events of 2016-2019 near the 2015-2022 line
(docs/calibration.md). These tests read the log from ``../shared/research/data/``
beside the clone (never from the repository) and fail loudly when it is missing.
They run with ``python -m pytest -m realdata`` (the CI does; the default run leaves
them out because they take about a minute).

The reproduction check: logs simulated from the scenario over the same 1,461 days,
thinned to the log's size (a log of lethal events is a sample of the violations),
give each statistic a distribution; the data's value must lie within 3 simulated
standard deviations of the simulated mean (a false alarm about once in 370 per
statistic, and for the 13 statistics together about 1 in 30 if they were
independent; they are positively correlated, which makes it rarer). The same check
refuses the scenario without its regimes (a Poisson process), so it has power.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import yaml

from sim.analysis.fitting import check_scenario, event_series
from sim.cli import main
from sim.scenario.eventlog import EventLogSpec
from sim.world import load_scenario
from sim.world.eventlog import read_events

from .conftest import ROOT, SCENARIOS

pytestmark = pytest.mark.realdata

DATA = ROOT.parent / "shared" / "research" / "data" / "UCDP-Ukraine.csv"
SHA256 = "576624c95494ae8ffd5a1ed23f8e1d6e7b232a6252f6e5ded326a2d68f808079"
FRAGMENT = SCENARIOS / "fits" / "donbas_2016_2019.fit.yaml"
FIT_ARGS = [
    "--network",
    "donbas_2015",
    "--format",
    "ucdp",
    "--from",
    "2016-01-01",
    "--to",
    "2020-01-01",
    "--max-km",
    "20",
    "--rate-per-day",
    "30",
]
START, END = dt.datetime(2016, 1, 1), dt.datetime(2020, 1, 1)
STATISTICS = (
    "dispersion",
    "weekly_dispersion",
    "monthly_dispersion",
    *(f"acf_{k}" for k in range(1, 8)),
    "top5_share",
    "hhi",
    "gini",
)


def data_file():
    assert DATA.exists(), (
        f"the real event log {DATA} is missing: these tests need ../shared/research/data/ "
        "beside the clone (see research/data/SOURCE.txt); they never read a copy in the "
        "repository"
    )
    return DATA


def test_the_log_is_the_one_the_fit_used():
    assert hashlib.sha256(data_file().read_bytes()).hexdigest() == SHA256
    assert f"sha256 {SHA256}" in FRAGMENT.read_text()
    assert " ".join(FIT_ARGS) in FRAGMENT.read_text()


def test_the_shipped_fragment_is_what_cfsim_fit_writes(tmp_path):
    out = tmp_path / "donbas_2016_2019"
    assert main(["fit", str(data_file()), *FIT_ARGS, "--out", str(out)]) == 0
    fresh = yaml.safe_load((out / "fit.yaml").read_text())["violations"]
    shipped = yaml.safe_load(FRAGMENT.read_text())["violations"]
    assert fresh.keys() == shipped.keys()
    assert fresh["rate_per_day"] == shipped["rate_per_day"]
    assert fresh["hotspots"] == pytest.approx(shipped["hotspots"], rel=1e-3)
    for name, state in shipped["regimes"]["states"].items():
        got = fresh["regimes"]["states"][name]
        assert got["multiplier"] == pytest.approx(state["multiplier"], rel=1e-2)
        days = lambda s: float(s["mean_duration"].removesuffix("d"))  # noqa: E731
        assert days(got) == pytest.approx(days(state), rel=1e-2)


@pytest.fixture(scope="module")
def series_and_scenario():
    ld = load_scenario(SCENARIOS / "donbas_2016_2019.yaml")
    spec = EventLogSpec(
        file=str(DATA),
        format="ucdp",
        window_start=START,
        window_end=END,
        max_distance_km=20,
    )
    nodes = list(ld.graph.nodes)
    table = read_events(spec, data_file(), ld.graph, nodes)
    return event_series(table, ld.graph, nodes, START, END), ld


def test_the_scenario_reproduces_dispersion_persistence_and_concentration(series_and_scenario):
    series, ld = series_and_scenario
    assert int(series.counts.sum()) == 188  # the events the fit used
    chk = check_scenario(ld.scenario.violations, ld.graph, series, replications=60)
    far = {k: round(chk["rows"][k]["z"], 2) for k in STATISTICS if abs(chk["rows"][k]["z"]) > 3}
    assert not far, f"statistics more than 3 simulated sd from the data: {far}"


def test_the_check_refuses_a_scenario_without_regimes(series_and_scenario):
    series, ld = series_and_scenario
    flat = ld.scenario.violations.model_copy(update={"regimes": None})
    chk = check_scenario(flat, ld.graph, series, replications=60)
    z = {k: chk["rows"][k]["z"] for k in STATISTICS}
    assert z["weekly_dispersion"] > 3 and z["monthly_dispersion"] > 3 and z["acf_1"] > 3
