"""Replications in parallel, common random numbers, comparisons and confidence intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.compare import compare, format_comparison
from sim.analysis.metrics import METRIC_KEYS
from sim.analysis.statistics import mean_ci, paired_difference, stein_replications, t_quantile
from sim.analysis.experiment import make_jobs, run, run_job
from sim.analysis.parallel import map_ordered
from sim.world import load_scenario

from .conftest import same_data, SCENARIOS


def short(tmp_path, name, horizon="8d", extra=""):
    p = tmp_path / f"short_{name}"
    p.write_text(f"extends: {SCENARIOS / name}\nhorizon: {horizon}\nwarmup: 1d\n" + extra)
    return load_scenario(p)


def _square(x):
    return x * x


def test_map_ordered_returns_results_in_job_order():
    seen = []
    out = map_ordered(_square, list(range(20)), workers=2, on_result=lambda k, r: seen.append(k))
    assert out == [k * k for k in range(20)]
    assert sorted(seen) == list(range(20))


def test_results_identical_whatever_the_number_of_workers(tmp_path):
    loaded = short(tmp_path, "baseline.yaml")
    one = run(loaded, replications=4, workers=1)
    two = run(loaded, replications=4, workers=2)
    assert same_data(one.summary, two.summary)
    for a, b in zip(one.replications, two.replications):
        for name in ("violations", "reports", "incidents"):
            for k, col in getattr(a, name).items():
                assert np.array_equal(col, getattr(b, name)[k], equal_nan=True), (name, k)


def test_common_random_numbers_across_staffing(tmp_path):
    base = short(tmp_path, "baseline.yaml")
    thin = short(tmp_path, "thin_night_shift.yaml")
    fwd = short(tmp_path, "forward_based_teams.yaml")
    reps = [run(x, replications=2, workers=1).replications for x in (base, thin, fwd)]
    for k in range(2):
        ref = reps[0][k]
        for other in (reps[1][k], reps[2][k]):
            for col in ("time", "node", "type", "perpetrator", "parent"):
                assert np.array_equal(ref.violations[col], other.violations[col])
            for col in ("arrival", "violation", "channel", "desk", "triage_time"):
                assert np.array_equal(ref.reports[col], other.reports[col])
    # and the outcomes do differ
    assert not np.array_equal(reps[0][0].reports["ack"], reps[1][0].reports["ack"], equal_nan=True)


def test_paired_difference_of_identical_configurations_is_exactly_zero(tmp_path):
    # with dissent and a ladder, so that the dispute metrics are defined too
    disputes = (
        "findings:\n  dissent: {accused: 0.5}\n  ladder:\n"
        "    - {name: area, meets: daily at 18:00, capacity: 5, resolves: 0.5}\n"
    )
    loaded = short(tmp_path, "baseline.yaml", horizon="5d", extra=disputes)
    comp = compare([loaded, loaded], replications=3, workers=1)
    assert comp.names == ["baseline", "baseline-2"]
    rows = [r for r in comp.rows() if r["configuration"] == "baseline-2"]
    assert len(rows) >= 20
    for row in rows:
        # every metric is defined on this run (a NaN here would hide the check)
        assert row["mean"] == row["mean"], row["metric"]
        assert row["diff_mean"] == 0.0 and row["significant"] is False, row["metric"]


def test_compare_finds_forward_bases_faster(tmp_path):
    base = short(tmp_path, "baseline.yaml", horizon="20d")
    fwd = short(tmp_path, "forward_based_teams.yaml", horizon="20d")
    comp = compare([base, fwd], replications=8, workers=2)
    rows = {(r["metric"], r["configuration"]): r for r in comp.rows()}
    d = rows[("response_mean", "forward_based_teams")]
    # significant after Holm's correction over every metric of the table
    assert d["significant"] and d["diff_high"] < 0
    text = format_comparison(comp)
    assert "Response time, mean" in text and "*" in text


def _precision_comparison(tmp_path, precision, cap):
    base = short(tmp_path, "baseline.yaml", horizon="6d")
    thin = short(tmp_path, "thin_night_shift.yaml", horizon="6d")
    comp = compare(
        [base, thin],
        replications=4,
        workers=2,
        precision=precision,
        metric="acknowledge_mean",
        max_replications=cap,
    )
    first = np.array(comp.differences(1, "acknowledge_mean")[:4])
    ref = np.mean(comp.values(0, "acknowledge_mean")[:4])
    return comp, first, ref


def test_precision_runs_what_steins_rule_asks_on_the_paired_difference(tmp_path):
    # a precision the cap allows: the comparison stops where Stein's rule says
    comp, first, ref = _precision_comparison(tmp_path, 0.8, 30)
    needed = stein_replications(first, 0.8 * abs(ref))
    assert 4 < needed <= 30  # the first stage was not enough, the cap is not reached
    assert comp.replications == needed
    assert comp.metadata["precision_reached"] is True
    # the interval is Stein's: the first stage's spread over the final count
    ci = comp.difference_interval(1, "acknowledge_mean")
    assert ci["half_width"] == pytest.approx(
        t_quantile(0.975, 3) * first.std(ddof=1) / np.sqrt(comp.replications)
    )
    assert ci["half_width"] <= 0.8 * abs(ref) + 1e-9


def test_precision_stops_at_the_cap_and_says_it_was_not_reached(tmp_path):
    comp, first, ref = _precision_comparison(tmp_path, 0.05, 6)
    assert stein_replications(first, 0.05 * abs(ref)) > 6
    assert comp.replications == 6
    assert comp.metadata["precision_reached"] is False
    assert comp.difference_interval(1, "acknowledge_mean")["half_width"] > 0.05 * abs(ref)


def test_paired_difference_examples():
    d = paired_difference([1.0, 2.0, float("nan"), 4.0], [1.5, 2.5, 9.0, 4.4])
    assert d["n"] == 3 and d["mean"] == pytest.approx(0.4666666)
    assert not paired_difference([1.0], [2.0])["significant"]


@pytest.mark.statistical
def test_confidence_intervals_cover_a_known_mean_95_percent_of_the_time(tmp_path):
    """Reporting delays are exponential with mean 60 min, so the mean reporting
    delay of a replication has expectation 60 (up to reports cut off by the
    horizon, a bias of under 0.1 % here). Over 200 experiments of 5
    replications, the 95% t interval must cover 60 in 95% of them, within 4
    binomial standard errors (sd = sqrt(0.95 x 0.05 / 200) = 1.5 %)."""
    p = tmp_path / "coverage.yaml"
    p.write_text("""\
name: coverage
horizon: 10d
network: {synthetic: {sectors: 4, depth: 1}}
violations: {rate_per_day: 6}
reporting:
  channels:
    affected: {detection: 1.0, delay: {dist: exponential, mean: 1h}}
    accused: {detection: 0}
    civilian: {detection: 0}
teams: {enabled: false}
center: {assessment: {enabled: false}}
""")
    loaded = load_scenario(p)
    experiments, reps = 200, 5
    jobs = make_jobs(loaded, 123, range(experiments * reps))
    res = map_ordered(run_job, jobs, workers=2)
    means = np.array([r["metrics"]["reporting_delay_mean"] for r in res]).reshape(experiments, reps)
    cis = [mean_ci(row) for row in means]
    assert all(ci["n"] == reps for ci in cis)
    cover = float(np.mean([ci["low"] <= 60.0 <= ci["high"] for ci in cis]))
    assert abs(cover - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / experiments)


@pytest.mark.slow  # starts a Dask cluster
def test_dask_local_cluster_gives_the_same_results_as_processes(tmp_path):
    loaded = short(tmp_path, "baseline.yaml", horizon="5d")
    jobs = make_jobs(loaded, 9, range(4))
    local = map_ordered(run_job, jobs, workers=2)
    dask = map_ordered(run_job, jobs, workers=2, dask="local")
    assert same_data(dask, local)


def test_dask_address_that_is_not_a_scheduler_fails_clearly_and_quickly():
    import socket
    import threading
    import time

    from sim.analysis.parallel import ExecutionError, _connect

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    conns = []
    threading.Thread(target=lambda: conns.append(srv.accept()), daemon=True).start()

    class SlowClient:  # what distributed.Client does against a silent listener
        def __init__(self, address, timeout):
            s = socket.create_connection(("127.0.0.1", port))
            s.recv(1)  # waits for a handshake that never comes

    t = time.perf_counter()
    with pytest.raises(ExecutionError, match="no answer within 1 s"):
        _connect(SlowClient, f"tcp://127.0.0.1:{port}", deadline=1.0)
    assert time.perf_counter() - t < 5
    srv.close()


def test_bad_dask_address_is_a_clear_error(capsys, tmp_path):
    from sim.cli import main

    p = tmp_path / "s.yaml"
    p.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nhorizon: 3d\nwarmup: 1d\n")
    assert main(["run", str(p), "-q", "--dask", "foo", "-n", "2"]) == 2
    err = capsys.readouterr().err
    assert "cannot use the Dask scheduler at foo" in err and "Traceback" not in err


def test_a_configuration_that_visits_fewer_incidents_gets_a_warning(tmp_path):
    base = short(tmp_path, "baseline.yaml", horizon="8d")
    near = load_scenario(
        SCENARIOS / "baseline.yaml",
        overrides={"horizon": "8d", "warmup": "1d", "name": "near", "teams": {"max_travel_km": 40}},
    )
    comp = compare([base, near], replications=6, workers=2)
    warnings = comp.warnings()
    assert any("out of every team's range rose" in w and w.startswith("near:") for w in warnings)
    assert "Outcome mix moved" in format_comparison(comp)
    # ... and no warning for a configuration whose outcomes stay put
    same = compare([base, base], replications=3, workers=2)
    assert same.warnings() == []


def _hand_comparison(ref: dict, alt: dict, shifts=None):
    """Two configurations, three replications each, every metric constant over the
    replications (0 unless given): intervals are points, differences exact."""
    from sim.analysis.compare import Comparison
    from sim.analysis.metrics import METRIC_KEYS

    def reps(values, shift_rows):
        metrics = {k: values.get(k, 0.0) for k in METRIC_KEYS}
        return [{"metrics": dict(metrics), "shifts": shift_rows} for _ in range(3)]

    shifts = shifts or ({"RU": []}, {"RU": []})
    return Comparison(["ref", "alt"], 5, [reps(ref, shifts[0]), reps(alt, shifts[1])])


def _line(label: str, *cells: str) -> str:
    return f"{label:<44}" + "".join(f"{c:>24}" for c in cells)


def test_the_comparison_table_shows_values_differences_units_and_gaps():
    nan = float("nan")
    day = {"shift": "day", "utilisation": 0.5, "mean_wait": 12.4, "within_acknowledge": 1.0}
    empty = {"shift": "day", "utilisation": nan, "mean_wait": nan, "within_acknowledge": nan}
    comp = _hand_comparison(
        {
            "response_mean": 90.0,
            "acknowledge_mean": 30.0,
            "verification_rate": 0.5,
            "agreement_mean": nan,
        },
        {
            "response_mean": 150.0,
            "acknowledge_mean": 30.0,
            "verification_rate": 0.25,
            "agreement_mean": nan,
        },
        ({"RU": [day], "UA": [day]}, {"RU": [empty], "US": [day]}),
    )
    text = format_comparison(comp).splitlines()
    assert text[0] == "2 configurations, 3 replications each, seed 5, common random numbers"
    assert _line("metric", "ref", "alt", "Δ alt") in text
    # a time whose means reach 2 h is shown in hours; a significant difference has a *
    assert (
        _line("Response time, mean (h)", "1.5 [1.5, 1.5]", "2.5 [2.5, 2.5]", "1.0 [1.0, 1.0] *")
        in text
    )
    assert (
        _line(
            "Time to acknowledge, mean (min)",
            "30.0 [30.0, 30.0]",
            "30.0 [30.0, 30.0]",
            "0.0 [0.0, 0.0]  ",
        )
        in text
    )
    # shares in percent, a fall negative
    assert (
        _line(
            "Verification rate (%)",
            "50.0 [50.0, 50.0]",
            "25.0 [25.0, 25.0]",
            "-25.0 [-25.0, -25.0] *",
        )
        in text
    )
    # a metric undefined everywhere is a dash, its difference too
    agreed = next(x for x in text if x.startswith("Time to an agreed finding, mean"))
    assert agreed.split()[-3:] == ["-", "-", "-"]
    # desk load: only shifts every configuration has; a shift without values is dashes
    k = text.index("Desk load per shift: utilisation per officer on duty (%), mean wait (min)")
    assert text[k + 1 :] == [
        _line("desk and shift", "ref", "alt"),
        _line("RU day", "50.0% / 12", "- / -"),
    ]


def test_outcome_warnings_say_which_way_an_unmeasured_outcome_moved():
    comp = _hand_comparison(
        {"incidents_out_of_range": 0.10, "incidents_teams_off": 0.0, "incidents_open_at_end": 0.1},
        {
            "incidents_out_of_range": 0.05,
            "incidents_teams_off": 0.2,
            "incidents_open_at_end": 0.105,
        },
    )
    # the open-at-end share moved by half a point only: below the 1% threshold
    assert comp.warnings() == [
        "alt: incidents with teams off rose from 0.0% to 20.0% (vs ref): its response times "
        "come from fewer visits, so compare the outcome counts before the times.",
        "alt: incidents out of every team's range fell from 10.0% to 5.0% (vs ref): its "
        "response times come from more visits, so compare the outcome counts before the times.",
    ]
    text = format_comparison(comp)
    assert (
        "\nOutcome mix moved (delays above measure different incidents):\n  ! alt: incidents with"
        in text
    )
    assert comp.warnings(threshold=0.001)[0].startswith("alt: incidents open at the horizon rose")


def test_a_comparison_of_one_replication_runs_it_and_reports_progress(timeline):
    loaded = timeline()
    seen = []
    comp = compare(
        [loaded, loaded], replications=1, workers=1, progress=lambda d, t: seen.append((d, t))
    )
    assert comp.replications == 1 and comp.metadata["replications"] == 1
    assert seen == [(1, 2), (2, 2)]
    assert comp.metadata["precision_metric"] is None and comp.metadata["first_stage"] is None


def test_comparison_rows_hold_the_documented_columns():
    # docs/experiments.md: metric, label, unit, configuration, mean, low, high,
    # half_width, n, diff_mean, diff_low, diff_high, significant
    comp = _hand_comparison(
        {"verification_rate": 0.5, "response_mean": 40.0},
        {"verification_rate": 0.25, "response_mean": 40.0},
    )
    rows = {(r["metric"], r["configuration"]): r for r in comp.rows()}
    assert rows[("verification_rate", "ref")] == {
        "metric": "verification_rate",
        "label": "Verification rate",
        "unit": "fraction",
        "configuration": "ref",
        "mean": 0.5,
        "low": 0.5,
        "high": 0.5,
        "half_width": 0.0,
        "n": 3,
        "diff_mean": None,
        "diff_low": None,
        "diff_high": None,
        "significant": None,
    }
    assert rows[("verification_rate", "alt")] | {"label": None} == {
        "metric": "verification_rate",
        "label": None,
        "unit": "fraction",
        "configuration": "alt",
        "mean": 0.25,
        "low": 0.25,
        "high": 0.25,
        "half_width": 0.0,
        "n": 3,
        "diff_mean": -0.25,
        "diff_low": -0.25,
        "diff_high": -0.25,
        "significant": True,
    }
    alt = rows[("response_mean", "alt")]
    assert alt["unit"] == "minutes" and alt["diff_mean"] == 0.0 and alt["significant"] is False
    assert len(comp.rows()) == 2 * len(METRIC_KEYS)


def test_a_run_records_the_file_it_came_from_and_none_for_a_mapping(tmp_path):
    from sim.world import scenario_from_dict

    loaded = short(tmp_path, "baseline.yaml", horizon="2d")
    path = tmp_path / "short_baseline.yaml"
    assert loaded.path == path
    assert run(loaded, replications=1, workers=1).metadata["scenario_file"] == str(path)
    built = scenario_from_dict(
        {"name": "m", "horizon": "1d", "network": {"builtin": "donbas_south"}}
    )
    assert built.path is None
    assert run(built, replications=1, workers=1).metadata["scenario_file"] is None


def test_a_time_row_is_in_minutes_only_while_every_mean_is_under_two_hours():
    """docs/experiments.md: times in minutes when under two hours, else in hours
    (NaN means of configurations without data do not count)."""
    from sim.analysis.compare import _scale

    assert _scale("time", [30.0, 119.9, float("nan")]) == (1.0, "min")
    assert _scale("time", [30.0, 120.0]) == (1 / 60.0, "h")
    assert _scale("time", [-130.0]) == (1 / 60.0, "h")  # a difference of two hours or more
    assert _scale("share", [0.5]) == (100.0, "%")
