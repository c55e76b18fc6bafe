"""Sweeps: key paths, grids, resuming after an interruption, and the staffing search."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim.analysis.experiment
import sim.analysis.sweep
from sim.cli import main
from sim.scenario import ScenarioError
from sim.analysis.optimize import run_optimize, staff
from sim.analysis.sweep import run_sweep
from sim.analysis.sweepfile import OptimizeSpec, expand, load_sweep, parse_path, set_path
from sim.records.files import read_table

from .conftest import SCENARIOS, same_data

BASE = f"""\
extends: {SCENARIOS / "baseline.yaml"}
name: sbase
horizon: 4d
warmup: 1d
"""


def files(tmp_path, sweep_text, base=BASE):
    (tmp_path / "base.yaml").write_text(base)
    p = tmp_path / "sweep.yaml"
    p.write_text(textwrap.dedent(sweep_text))
    return p


GRID = """\
name: s
base: base.yaml
replications: 2
grid:
  night:
    paths: ["center.desks.RU.shifts[2].officers", "center.desks.UA.shifts[2].officers"]
    values: [1, 3]
  teams.speed_kmh: [30, 50]
"""


def test_parse_and_set_paths():
    assert parse_path("a.b[2].c") == ["a", "b", 2, "c"]
    assert parse_path("reporting.channels.technical.coverage.Chasiv Yar") == [
        "reporting",
        "channels",
        "technical",
        "coverage",
        "Chasiv Yar",
    ]
    with pytest.raises(ValueError):
        parse_path("a..b")
    data = {"a": {"b": [{"c": 1}]}}
    set_path(data, "a.b[0].c", 5)
    assert data == {"a": {"b": [{"c": 5}]}}
    with pytest.raises(ValueError, match="has only 1 item"):
        set_path(data, "a.b[3].c", 1)
    with pytest.raises(ValueError, match="'x' is not a key of a"):
        set_path(data, "a.x.y", 1)


def test_grid_expands_every_combination(tmp_path):
    spec, path = load_sweep(files(tmp_path, GRID))
    points = expand(spec, path)
    assert len(points) == 4
    p = points[3]
    assert p.params == {"night": 3, "teams.speed_kmh": 50}
    s = p.loaded.scenario
    assert s.center.desks.RU.shifts[2].officers == 3 == s.center.desks.UA.shifts[2].officers
    assert s.center.desks.US.shifts[2].officers == 2  # untouched
    assert s.teams.speed_kmh == 50 and s.horizon == 4 * 1440


def test_bad_key_path_names_the_sweep_key(tmp_path):
    spec, path = load_sweep(files(tmp_path, GRID.replace("teams.speed_kmh", "teams.sped.kmh")))
    with pytest.raises(ScenarioError) as exc:
        expand(spec, path)
    assert exc.value.path == "grid.teams.sped.kmh" and "'sped' is not a key" in exc.value.message


def test_invalid_point_value_is_reported_with_the_point(tmp_path):
    spec, path = load_sweep(files(tmp_path, GRID.replace("[30, 50]", "[30, -5]")))
    with pytest.raises(ScenarioError) as exc:
        expand(spec, path)
    assert "point 1" in exc.value.message and exc.value.path == "teams.speed_kmh"


def test_sweep_file_validation(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load_sweep(files(tmp_path, "name: s\nbase: base.yaml\nreplications: 2\n"))
    assert "exactly one of grid or variants" in exc.value.message
    with pytest.raises(ScenarioError) as exc:
        load_sweep(files(tmp_path, GRID + "colour: red\n"))
    assert exc.value.path == "colour"


def test_sweep_table_and_resume_after_interruption(tmp_path, monkeypatch):
    spec, path = load_sweep(files(tmp_path, GRID))
    out = tmp_path / "out"
    real = sim.analysis.experiment.run_job
    calls = {"n": 0}

    def flaky(job):
        calls["n"] += 1
        if calls["n"] > 5:  # two points done (2 reps each), then Ctrl-C
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(sim.analysis.sweep, "run_job", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, path, out, workers=1)
    stored = sorted((out / "points").glob("*.json"))
    assert len(stored) == 2
    assert not (out / "sweep.csv").exists()

    monkeypatch.setattr(sim.analysis.sweep, "run_job", real)
    meta = run_sweep(spec, path, out, workers=1)
    assert meta["points_reused"] == 2 and meta["points"] == 4
    with open(out / "sweep.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 * len(sim.analysis.metrics.METRIC_KEYS)
    assert {"point", "label", "night", "teams.speed_kmh", "metric", "mean", "low", "high"} <= set(
        rows[0]
    )

    # the same again reuses everything and gives the same table
    before = (out / "sweep.csv").read_bytes()
    meta = run_sweep(spec, path, out, workers=2)
    assert meta["points_reused"] == 4
    assert (out / "sweep.csv").read_bytes() == before


def test_changed_base_scenario_invalidates_stored_points(tmp_path):
    spec, path = load_sweep(files(tmp_path, GRID))
    out = tmp_path / "out"
    run_sweep(spec, path, out, workers=1)
    (tmp_path / "base.yaml").write_text(BASE + "center:\n  priority: severity\n")
    meta = run_sweep(spec, path, out, workers=1)
    assert meta["points_reused"] == 0


def test_optimize_finds_the_cheapest_feasible_point(tmp_path):
    text = """\
    name: o
    base: base.yaml
    replications: 3
    team_size: 5
    costs: {officer: 1, team_member: 2}
    constraints:
      utilisation_RU: {max: 0.9}
      within_acknowledge: {min: 0.5}
    grid:
      day:
        paths: ["center.desks.RU.shifts[0].officers", "center.desks.RU.shifts[1].officers"]
        values: [1, 2, 4]
      kramatorsk: ["teams.bases[1].count"]
    """
    text = text.replace(
        'kramatorsk: ["teams.bases[1].count"]',
        'kramatorsk: {paths: ["teams.bases[1].count"], values: [1, 3]}',
    )
    spec, path = load_sweep(files(tmp_path, text), OptimizeSpec)
    meta = run_optimize(spec, path, tmp_path / "out", workers=2)
    frontier = meta["frontier"]
    costs = [r["cost"] for r in frontier]
    assert costs == sorted(costs)
    best = meta["best"]
    assert best is not None and best["feasible"]
    # brute force: every point, the cheapest feasible one is the same
    points = expand(spec, path)
    all_meta = run_optimize(
        spec.model_copy(update={"max_points": 200}), path, tmp_path / "out", workers=2
    )
    feasible = [r for r in all_meta["frontier"] if r["feasible"]]
    assert min(r["cost"] for r in feasible) == best["cost"]
    s = staff(points[0].loaded, 5)
    assert s == {"officers": 1 + 1 + 2 + 4 + 4 + 2 + 4 + 4 + 2, "team_members": 5 * 15}


def test_cli_sweep_compare_optimize(tmp_path, capsys):
    sweep = files(tmp_path, GRID)
    out = tmp_path / "sw"
    assert main(["sweep", str(sweep), "--out", str(out), "-j", "2"]) == 0
    text = capsys.readouterr().out
    assert "Sweep s: 4 points x 2 replications" in text and (out / "sweep.json").exists()
    data = json.loads((out / "sweep.json").read_text())
    assert data["points"] == 4 and len(data["rows"]) == 4 * len(sim.analysis.metrics.METRIC_KEYS)

    a = tmp_path / "base.yaml"
    cmp_out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                str(a),
                str(SCENARIOS / "thin_night_shift.yaml"),
                "-n",
                "2",
                "--out",
                str(cmp_out),
                "-j",
                "2",
            ]
        )
        == 2
    )
    assert "must measure the same period" in capsys.readouterr().err
    assert main(["compare", str(a), str(a), "-n", "2", "--out", str(cmp_out), "-j", "2"]) == 0
    rows = list(csv.DictReader(open(cmp_out / "comparison.csv")))
    assert {r["configuration"] for r in rows} == {"sbase", "sbase-2"}
    assert (cmp_out / "comparison.json").exists()

    opt = tmp_path / "opt.yaml"
    opt.write_text(
        GRID.replace("name: s", "name: o") + "constraints:\n  within_finding: {min: 0.1}\n"
    )
    assert main(["optimize", str(opt), "--out", str(tmp_path / "o"), "-j", "2"]) == 0
    text = capsys.readouterr().out
    assert "Least-cost configuration meeting every target: point" in text
    assert (tmp_path / "o" / "frontier.csv").exists()


def test_sweep_tables_on_request_are_written_by_the_workers(tmp_path):
    sweep = files(
        tmp_path, GRID.replace("values: [1, 3]", "values: [1]").replace("[30, 50]", "[30]")
    )
    out = tmp_path / "sw"
    assert main(["sweep", str(sweep), "--out", str(out), "-j", "2", "--tables", "-q"]) == 0
    reps = sorted((out / "tables").glob("*/rep-*"))
    assert [r.name for r in reps] == ["rep-000", "rep-001"]
    stems = ("violations", "reports", "incidents", "timeseries", "claims")
    assert {p.name for p in reps[0].iterdir()} == {f"{t}.parquet" for t in stems}
    assert not list((out / "tables").glob("*/.parts-*")), "scratch files left behind"
    csv_out = tmp_path / "sw_csv"
    args = ["sweep", str(sweep), "--out", str(csv_out), "-j", "1", "--tables", "-q"]
    assert main(args + ["--format", "csv"]) == 0
    csv_reps = sorted((csv_out / "tables").glob("*/rep-*"))
    for a, b in zip(reps, csv_reps):
        assert a.name == b.name
        for t in stems:
            pa_cols, csv_cols = read_table(a / f"{t}.parquet"), read_table(b / f"{t}.csv")
            assert list(pa_cols) == list(csv_cols), t
            for col in pa_cols:
                nan = pa_cols[col].dtype.kind == "f"
                assert np.array_equal(pa_cols[col], csv_cols[col], equal_nan=nan), (t, col)
    assert set(read_table(reps[1] / "reports.parquet")["replication"]) == {1.0}


def test_cli_refusals_and_messages(tmp_path, capsys):
    base = tmp_path / "base.yaml"
    base.write_text(BASE)
    assert main(["compare", str(base), "-n", "2"]) == 2
    assert "two or more scenario files" in capsys.readouterr().err
    assert (
        main(
            [
                "compare",
                str(base),
                str(base),
                "-n",
                "5",
                "--precision",
                "0.1",
                "--max-replications",
                "3",
            ]
        )
        == 2
    )
    assert "--max-replications (3) is below --replications (5)" in capsys.readouterr().err

    # a sweep may not write into another sweep's results
    sweep = files(
        tmp_path, GRID.replace("values: [1, 3]", "values: [1]").replace("[30, 50]", "[30]")
    )
    out = tmp_path / "sw"
    assert main(["sweep", str(sweep), "--out", str(out), "-q", "-j", "1"]) == 0
    other = tmp_path / "other.yaml"
    other.write_text(sweep.read_text().replace("name: s", "name: t"))
    assert main(["sweep", str(other), "--out", str(out), "-q"]) == 2
    assert "holds the results of 'sweep s'" in capsys.readouterr().err
    # the sweep file as run can be run again from its results directory
    saved = yaml.safe_load((out / "sweep.yaml").read_text())
    assert Path(saved["base"]).is_absolute() and saved["seed"] == 20260124
    assert main(["sweep", str(out / "sweep.yaml"), "--out", str(out), "-q"]) == 0

    # validate understands sweep files and expands every point
    assert main(["validate", str(sweep)]) == 0
    assert "sweep s: 1 points, each a valid scenario" in capsys.readouterr().out


def test_duplicate_variant_names_are_refused(tmp_path):
    text = (
        "name: v\nbase: base.yaml\nreplications: 2\nvariants:\n"
        "  - {name: a, set: {teams.speed_kmh: 30}}\n  - {name: a, set: {teams.speed_kmh: 50}}\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_sweep(files(tmp_path, text))
    assert "repeated: a" in exc.value.message


def test_optimize_with_an_impossible_target_says_which_and_fails(tmp_path, capsys):
    opt = files(
        tmp_path,
        GRID.replace("name: s", "name: o")
        + "constraints:\n  response_p90: {max: 1min}\n  within_finding: {min: 0.1}\n",
    )
    assert main(["optimize", str(opt), "--out", str(tmp_path / "o"), "-j", "2"]) == 1
    text = capsys.readouterr().out
    assert "Targets, all to be met with 95% confidence" in text
    assert "misses response_p90" in text
    assert "No point met: response_p90 ≤ 1 min" in text


def test_the_recommended_point_is_confirmed_on_fresh_replications(tmp_path):
    text = """\
    name: o
    base: base.yaml
    replications: 3
    constraints:
      utilisation_RU: {max: 0.9}
      within_acknowledge: {min: 0.5}
    grid:
      day:
        paths: ["center.desks.RU.shifts[0].officers", "center.desks.RU.shifts[1].officers"]
        values: [1, 2, 4]
    """
    spec, path = load_sweep(files(tmp_path, text), OptimizeSpec)
    meta = run_optimize(spec, path, tmp_path / "out", workers=2)
    best = meta["best"]
    assert meta["alpha_per_constraint"] == pytest.approx(0.025)  # Bonferroni over 2
    conf = best["confirmation"]
    assert conf["feasible"] and conf["point"] == best["point"]
    # the fresh replications are others than the search's (numbers 3, 4, 5) ...
    assert conf["utilisation_RU_mean"] != best["utilisation_RU_mean"]
    stored = sorted((tmp_path / "out" / "points").glob("*.json"))
    reps = [
        sorted(r["replication"] for r in json.loads(p.read_text())["per_replication"])
        for p in stored
    ]
    assert [3, 4, 5] in reps and [0, 1, 2] in reps
    # ... and each bound is one-sided at 1 - 0.05/2
    per = json.loads(next(p for p, r in zip(stored, reps) if r == [3, 4, 5]).read_text())[
        "per_replication"
    ]
    from sim.analysis.statistics import one_sided_bound

    values = [r["metrics"]["utilisation_RU"] for r in per]
    assert conf["utilisation_RU_bound"] == pytest.approx(one_sided_bound(values, "max", 0.025))


def test_a_point_that_fails_its_confirmation_is_not_recommended(tmp_path, monkeypatch):
    import sim.analysis.optimize as opt

    text = """\
    name: o
    base: base.yaml
    replications: 3
    constraints:
      utilisation_RU: {max: 0.9}
    grid:
      day:
        paths: ["center.desks.RU.shifts[0].officers", "center.desks.RU.shifts[1].officers"]
        values: [2, 3, 4]
    """
    spec, path = load_sweep(files(tmp_path, text), OptimizeSpec)
    real = opt.confirm
    calls = []

    def first_fails(spec, limits, cost, point, *a, **k):
        row, ok = real(spec, limits, cost, point, *a, **k)
        calls.append(point.index)
        return row, ok and len(calls) > 1

    monkeypatch.setattr(opt, "confirm", first_fails)
    meta = opt.run_optimize(spec, path, tmp_path / "out", workers=2)
    assert [r["point"] for r in meta["not_confirmed"]] == [calls[0]]
    assert meta["best"] is not None and meta["best"]["point"] == calls[1] != calls[0]


NETWORK = {
    "nodes": [
        {"id": "S0", "kind": "sector"},
        {"id": "S1", "kind": "sector"},
        {"id": "S2", "kind": "sector"},
        {"id": "B0", "kind": "base"},
    ],
    "edges": [
        {"source": "S0", "target": "S1", "length_km": 20.0},
        {"source": "S1", "target": "S2", "length_km": 20.0},
        {"source": "B0", "target": "S1", "length_km": 30.0},
    ],
}


def test_fingerprints_cover_the_content_of_every_file_a_point_reads(tmp_path, capsys):
    """Editing the network file, or any file of the extends chain, invalidates the
    stored points; running again unchanged reuses them all."""
    net = tmp_path / "roads.json"
    net.write_text(json.dumps(NETWORK))
    (tmp_path / "parent.yaml").write_text(
        "name: parent\nhorizon: 3d\nnetwork: {file: roads.json}\n"
        "violations: {rate_per_day: 40}\nteams: {bases: [{node: B0, count: 2}]}\n"
    )
    (tmp_path / "base.yaml").write_text("extends: parent.yaml\nname: child\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "name: fp\nbase: base.yaml\nreplications: 2\ngrid:\n  teams.speed_kmh: [30, 60]\n"
    )
    spec, path = load_sweep(sweep)
    (point, _) = expand(spec, path)
    assert set(point.inputs) == {
        str((tmp_path / name).resolve()) for name in ("parent.yaml", "base.yaml", "roads.json")
    }
    root = ["--results-root", str(tmp_path / "r"), "-j", "1"]

    def sweep_again() -> tuple[int, float]:
        assert main(["sweep", str(sweep), *root]) == 0
        printed = capsys.readouterr().out
        meta = json.loads((tmp_path / "r" / "sweeps" / "fp" / "sweep.json").read_text())
        response = next(r["mean"] for r in meta["rows"] if r["metric"] == "response_mean")
        assert f"{meta['points_reused']} point(s) reused" in printed
        return meta["points_reused"], response

    reused, before = sweep_again()
    assert reused == 0
    assert sweep_again() == (2, before)  # nothing changed: every point reused, same numbers
    NETWORK["edges"] = [{**e, "length_km": 10 * e["length_km"]} for e in NETWORK["edges"]]
    net.write_text(json.dumps(NETWORK))  # every road ten times longer
    reused, after = sweep_again()
    assert reused == 0 and after > before  # nothing stale: recomputed, slower responses
    (tmp_path / "parent.yaml").write_text(
        (tmp_path / "parent.yaml").read_text() + "# a note changes the file\n"
    )
    assert sweep_again()[0] == 0


def test_a_network_file_changed_after_it_was_checked_is_not_used(tmp_path):
    """A job carries the graph as it was checked: a worker never reads the file again,
    so an edit between the check and the run cannot reach the simulation."""
    from sim.analysis.experiment import make_jobs, run_job
    from sim.world import load_scenario

    (tmp_path / "roads.json").write_text(json.dumps(NETWORK))
    (tmp_path / "s.yaml").write_text("name: s\nhorizon: 2d\nnetwork: {file: roads.json}\n")
    loaded = load_scenario(tmp_path / "s.yaml")
    (job,) = make_jobs(loaded, seed=1, replications=[0])
    before = run_job(job)
    # every road ten times longer, written between the check and the worker
    longer = {
        **NETWORK,
        "edges": [{**e, "length_km": 10 * e["length_km"]} for e in NETWORK["edges"]],
    }
    (tmp_path / "roads.json").write_text(json.dumps(longer))
    assert same_data(run_job(job), before)  # the checked graph, not the edited file
    (fresh,) = make_jobs(load_scenario(tmp_path / "s.yaml"), seed=1, replications=[0])
    lengths = [e["length_km"] for e in json.loads(fresh.network_json)["edges"]]
    assert lengths == [10 * e["length_km"] for e in NETWORK["edges"]]  # checked again: used


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        (
            'a: {paths: ["teams.speed_kmh"], values: [30, 40]}\n  teams.speed_kmh: [50, 60]',
            r"grid.teams.speed_kmh: sets teams.speed_kmh, and grid.a sets teams.speed_kmh: "
            "the same key path",
        ),
        (
            'teams.bases: [[], [{node: B0, count: 1}]]\n  "teams.bases[0].count": [1, 2]',
            r"overlapping key paths",
        ),
        ("teams.speed_kmh: [30, 40, 30]", r"the value 30 is given twice \(also item 0\)"),
    ],
)
def test_parameters_that_would_repeat_points_are_refused(tmp_path, grid, match):
    path = files(tmp_path, f"name: s\nbase: base.yaml\nreplications: 2\ngrid:\n  {grid}\n")
    with pytest.raises(ScenarioError, match=match) as info:
        load_sweep(path)
    assert info.value.file == str(path) and info.value.line is not None
