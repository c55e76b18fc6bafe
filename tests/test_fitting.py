"""Fitting from event logs: regimes by maximum likelihood, escalation by moments, cfsim fit.

Every log here is synthetic: drawn in the test from a known process (the
simulator's own violations, or a Markov-modulated Poisson series), so the
estimates can be compared with the truth. The real-data reproduction of the
shipped scenario is tests/test_realdata.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
import yaml

from sim.analysis.fitting import EventSeries, escalation_moments, fragment, fit_log
from sim.analysis.regimefit import fit_regimes, log_likelihood, posterior, select_regimes
from sim.cli import main
from sim.world import scenario_from_dict
from sim.world.network import builtin
from sim.world.violations import ViolationModel, ViolationSource

DAY = 1440.0


def hmm_counts(rates, stay, days: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily counts of a two-regime Markov-modulated Poisson series and its regimes."""
    rng = np.random.default_rng(seed)
    state = np.zeros(days, dtype=int)
    for t in range(1, days):
        state[t] = state[t - 1] if rng.random() < stay[state[t - 1]] else 1 - state[t - 1]
    return rng.poisson(np.asarray(rates)[state]).astype(float), state


def test_the_likelihood_is_the_forward_algorithm_step_by_step():
    y, _ = hmm_counts([0.2, 2.0], [0.95, 0.8], 300, 1)
    theta = np.array([math.log(0.3), math.log(1.5), math.log(0.04 / 0.96), math.log(0.2 / 0.8)])
    from scipy.stats import poisson

    p = np.array([[0.96, 0.04], [0.2, 0.8]])
    pi = np.array([0.2, 0.04]) / 0.24
    alpha = pi * poisson.pmf(y[0], [0.3, 1.5])
    total = 0.0
    for t in range(1, y.size):
        c = alpha.sum()
        total += math.log(c)
        alpha = (alpha / c) @ p * poisson.pmf(y[t], [0.3, 1.5])
    total += math.log(alpha.sum())
    assert log_likelihood(theta, y, np.ones(y.size), 2) == pytest.approx(total, rel=1e-10)


def test_regimes_are_recovered_within_their_intervals():
    y, state = hmm_counts([0.3, 3.0], [0.98, 0.9], 2000, 2)
    fit = fit_regimes(y, 2)
    d, (low, high) = fit.derived(), fit.intervals()["rate"]
    assert np.all((low <= [0.3, 3.0]) & ([0.3, 3.0] <= high)), (low, high)
    days_low, days_high = fit.intervals()["mean_days"]
    assert np.all((days_low <= [50, 10]) & ([50, 10] <= days_high))
    assert d["multiplier"] @ d["share"] == pytest.approx(1.0)
    # the decoded regimes agree with the truth on most days
    guess = posterior(fit, y).argmax(axis=1)
    assert np.mean(guess == state) > 0.9


def test_bic_chooses_regimes_only_when_the_counts_switch():
    switching, _ = hmm_counts([0.3, 3.0], [0.98, 0.9], 1000, 3)
    steady = np.random.default_rng(4).poisson(0.8, 1000).astype(float)
    assert select_regimes(switching, 2)[0].k == 2
    assert select_regimes(steady, 2)[0].k == 1


def simulated_series(violations: dict, days: int, seed: int = 5) -> tuple[EventSeries, object]:
    """The line violations of one simulated run as an event series on a synthetic line."""
    data = {
        "name": "truth",
        "horizon": f"{days}d",
        "network": {"synthetic": {"sectors": 12, "depth": 1, "spacing_km": 15}},
        "violations": {
            "types": {"a": {"share": 1.0, "severity": 2, "evidence_half_life": "1d"}},
            **violations,
        },
    }
    ld = scenario_from_dict(data)
    nodes = list(ld.graph.nodes)
    model = ViolationModel(ld.scenario.violations, ld.graph, nodes)
    v = ViolationSource(model, seed, 0, days * DAY).until(days * DAY)
    sectors = np.array([j for j, n in enumerate(nodes) if ld.graph.nodes[n]["kind"] == "sector"])
    series = EventSeries(
        start=dt.datetime(2018, 1, 1),
        days=days,
        day=(v["time"] // DAY).astype(np.int64),
        hour=v["time"] % DAY / 60.0,
        node=v["node"],
        perpetrator=v["perpetrator"],
        nodes=nodes,
        sectors=sectors,
    )
    return series, ld.graph


def test_escalation_is_found_where_there_is_some_and_not_where_there_is_none():
    esc = {
        "branching_ratio": 0.4,
        "delay": {"dist": "lognormal", "mean": "6h", "sd": "3h"},
        "neighbour_share": 0.3,
    }
    hot, g = simulated_series({"rate_per_day": 3.0, "escalation": esc}, 700)
    found = escalation_moments(hot, g, boot=150)
    assert found["identified"]
    lo, hi = found["branching_ratio_interval"]
    # children within a day of their parent at one sector or the next: most of them
    assert lo <= 0.4 <= hi + 0.05 and found["branching_ratio"] > 0.2
    assert found["neighbour_share_interval"][0] <= 0.3 <= found["neighbour_share_interval"][1]
    regimes = {
        "states": {
            "calm": {"multiplier": 0.5, "mean_duration": "40d"},
            "hot": {"multiplier": 3.0, "mean_duration": "10d"},
        }
    }
    cold, g = simulated_series({"rate_per_day": 3.0, "regimes": regimes}, 700)
    none = escalation_moments(cold, g, boot=150)
    assert not none["identified"]
    assert none["branching_ratio_interval"][0] == 0.0


def test_the_fragment_is_a_valid_part_of_a_scenario():
    regimes = {
        "states": {
            "calm": {"multiplier": 0.5, "mean_duration": "40d"},
            "hot": {"multiplier": 3.0, "mean_duration": "10d"},
        }
    }
    series, g = simulated_series({"rate_per_day": 4.0, "regimes": regimes}, 600)
    fit = fit_log(series, g, regimes=2)
    frag = fragment(fit, rate_per_day=25.0)
    assert frag["rate_per_day"] == 25.0
    states = frag["regimes"]["states"]
    assert set(states) == {"calm", "tense"}
    assert states["calm"]["multiplier"] < 1 < states["tense"]["multiplier"]
    data = {
        "name": "fitted",
        "horizon": "20d",
        "network": {"synthetic": {"sectors": 12}},
        "violations": frag,
    }
    assert scenario_from_dict(data).scenario.violations.regimes.mean_multiplier == pytest.approx(
        1.0, abs=0.01
    )


TRUTH = {
    "name": "truth",
    "horizon": "365d",
    "start": "2018-01-01",
    "violations": {
        "rate_per_day": 3.0,
        "regimes": {
            "states": {
                "calm": {"multiplier": 0.4, "mean_duration": "30d"},
                "hot": {"multiplier": 4.0, "mean_duration": "6d"},
            }
        },
        "hotspots": {"Toretsk": 20.0, "Kherson": 8.0},
    },
}


def write_log(tmp_path) -> tuple[object, int]:
    """A minimal log of a year of violations drawn from TRUTH on the built-in network."""
    g = builtin("donbas_south")
    nodes = list(g.nodes)
    ld = scenario_from_dict(TRUTH)
    model = ViolationModel(ld.scenario.violations, g, nodes, ld.scenario.calendar)
    v = ViolationSource(model, 3, 0, 365 * DAY).until(365 * DAY)
    line = ~v["strike"]
    start = np.datetime64("2018-01-01T00:00")
    stamps = start + (v["time"][line] * 60).astype("timedelta64[s]")
    rows = ["time,lat,lon,type,perpetrator,size"]
    for t, j in zip(np.datetime_as_string(stamps, unit="m"), v["node"][line]):
        rows.append(f"{t},{g.nodes[nodes[j]]['lat'] + 0.01},{g.nodes[nodes[j]]['lon']},,,")
    log = tmp_path / "events.csv"
    log.write_text("\n".join(rows) + "\n")
    return log, int(line.sum())


@pytest.mark.slow  # whole cfsim fit runs: simulated logs and figures
def test_cfsim_fit_writes_fragment_estimates_and_page(tmp_path):
    """End to end on a minimal log drawn from a known process on the built-in network."""
    log, events = write_log(tmp_path)
    out = tmp_path / "fit"
    args = [
        "fit",
        str(log),
        "--network",
        "donbas_south",
        "--from",
        "2018-01-01",
        "--to",
        "2019-01-01",
        "--regimes",
        "2",
        "--simulations",
        "20",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {
        "fit.yaml",
        "fit.json",
        "goodness_of_fit.md",
        "figures",
    }
    assert len(list((out / "figures").glob("*.png"))) == 6
    frag = yaml.safe_load((out / "fit.yaml").read_text())["violations"]
    assert max(frag["hotspots"], key=frag["hotspots"].get) == "Toretsk"
    est = json.loads((out / "fit.json").read_text())
    assert est["events"] == events
    page = (out / "goodness_of_fit.md").read_text()
    for needle in (
        "## Goodness of fit",
        "| index of dispersion of daily counts",
        "fit.yaml",
        "![autocorrelation](figures/autocorrelation.png)",
    ):
        assert needle in page
    # the fitted scenario runs: a scenario extends the fragment
    scen = tmp_path / "fitted.yaml"
    scen.write_text("extends: fit/fit.yaml\nname: fitted\nhorizon: 10d\nstart: 2018-01-01\n")
    assert main(["validate", str(scen)]) == 0


@pytest.mark.slow  # whole cfsim fit runs: simulated logs and figures
def test_cfsim_fit_checks_a_log_against_a_scenario(tmp_path):
    """--check compares a log with a scenario's violations thinned to its size: the
    truth passes, a scenario without its regimes does not."""
    log, events = write_log(tmp_path)
    for name, regimes in (("truth", TRUTH["violations"]["regimes"]), ("flat", None)):
        scen = tmp_path / f"{name}.yaml"
        data = {**TRUTH, "name": name, "violations": {**TRUTH["violations"], "regimes": regimes}}
        data["violations"]["rate_per_day"] = 30.0  # ten times the log: it is thinned
        scen.write_text(yaml.safe_dump(data))
        out = tmp_path / f"check-{name}"
        args = [
            "fit",
            str(log),
            "--check",
            str(scen),
            "--from",
            "2018-01-01",
            "--to",
            "2019-01-01",
            "--simulations",
            "30",
            "--out",
            str(out),
        ]
        assert main(args) == 0
        rows = json.loads((out / "check.json").read_text())
        assert rows["thinning"] == pytest.approx(0.1, rel=0.2)
        z = rows["rows"]["weekly_dispersion"]["z"]
        assert (abs(z) < 3) if name == "truth" else (z > 3), (name, z)
    assert "# A log against a scenario" in (tmp_path / "check-truth/goodness_of_fit.md").read_text()


def test_cfsim_fit_refuses_a_bad_log_with_its_lines(tmp_path, capsys):
    log = tmp_path / "events.csv"
    log.write_text("time,lat,lon\n2018-01-02,48.4,37.8\nyesterday,48.4,37.8\n")
    code = main(["fit", str(log), "--network", "donbas_south", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "line 3, column 'time'" in err and not (tmp_path / "o").exists()
