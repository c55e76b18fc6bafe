"""End to end: the CLI on every shipped scenario, determinism, files on disk."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from sim import records as R
from sim.cli import main
from sim.output.console import Progress
from sim.analysis.experiment import run
from sim.analysis.metrics import check_conservation
from sim.world import load_scenario

from .conftest import SCENARIOS

SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def short(tmp_path, name, horizon="6d", warmup="1d", extra=""):
    p = tmp_path / f"short_{name}"
    p.write_text(
        f"extends: {SCENARIOS / name}\nhorizon: {horizon}\nwarmup: {warmup}\nreplications: 1\n"
        + extra
    )
    return p


@pytest.mark.parametrize("name", SHIPPED)
def test_cli_runs_every_shipped_scenario(tmp_path, capsys, name):
    out = tmp_path / "out"
    code = main(["run", str(short(tmp_path, name)), "--out", str(out), "--seed", "3"])
    assert code == 0
    printed = capsys.readouterr().out
    for needle in (
        "Violations",
        "Response time",
        "Verification rate",
        "Utilisation",
        "Results written to",
    ):
        assert needle in printed
    files = {p.name for p in out.iterdir()}
    assert files == {
        "scenario.yaml",
        "metadata.json",
        "summary.json",
        "violations.parquet",
        "reports.parquet",
        "incidents.parquet",
        "timeseries.parquet",
        "claims.parquet",
        "network.json",
    }
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 3 and meta["replications"] == 1 and meta["version"]
    assert meta["table_format"] == "parquet"
    summary = json.loads((out / "summary.json").read_text())
    rows = pq.read_table(out / "violations.parquet").to_pylist()
    measured = [r for r in rows if r["time"] >= 1440]
    assert sum(summary["counts"]["violations"].values()) == len(measured)
    assert len(measured) == sum(r["measured"] == 1 for r in rows)
    assert {r["outcome"] for r in rows} <= set(R.VIOLATION_OUTCOMES)
    # the resolved scenario loads back to the scenario that ran (with the seed given)
    again = load_scenario(out / "scenario.yaml").scenario
    ran = load_scenario(short(tmp_path, name)).scenario.model_copy(update={"seed": 3})
    assert again == ran
    assert again.name == load_scenario(SCENARIOS / name).scenario.name


def test_same_seed_gives_byte_identical_tables(tmp_path):
    scen = short(tmp_path, "baseline.yaml", horizon="8d")
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert main(["run", str(scen), "--out", str(a), "-q", "-n", "2"]) == 0
    assert main(["run", str(scen), "--out", str(b), "-q", "-n", "2"]) == 0
    assert main(["run", str(scen), "--out", str(c), "-q", "-n", "2", "--seed", "99"]) == 0
    for name in (
        "violations.parquet",
        "reports.parquet",
        "incidents.parquet",
        "timeseries.parquet",
        "summary.json",
        "scenario.yaml",
    ):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "violations.parquet").read_bytes() != (c / "violations.parquet").read_bytes()


def test_conservation_on_baseline():
    loaded = load_scenario(SCENARIOS / "baseline.yaml")
    result = run(loaded, replications=2)
    for rep in result.replications:
        assert check_conservation(rep) == []
        assert rep.violations["time"].size > 2000
    s = result.summary
    measured = sum(
        int((rep.violations["time"] >= loaded.scenario.warmup).sum()) for rep in result.replications
    )
    assert sum(s["counts"]["violations"].values()) == measured
    unver = s["counts"]["violations"]["reported_unverified"]
    assert sum(s["counts"]["unverified_reasons"].values()) == unver


def test_conservation_detects_a_broken_record(timeline):
    from sim.engine import run_replication

    rep = run_replication(timeline())
    rep.reports["state"][0] = -1
    rep.incidents["finding"][0] = rep.incidents["created"][0] - 5
    problems = check_conservation(rep)
    assert any("without a valid final state" in p for p in problems)
    assert any("backwards" in p for p in problems)


def test_out_dir_that_exists_is_refused(tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code = main(["run", str(short(tmp_path, "baseline.yaml", "2d")), "--out", str(out), "-q"])
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch, capsys):
    import errno

    import sim.output.rundir

    def boom(folder, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder))

    monkeypatch.setattr(sim.output.rundir, "write_tables", boom)
    out = tmp_path / "res"
    code = main(["run", str(short(tmp_path, "baseline.yaml", "2d")), "--out", str(out), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"could not write {out}: No space left on device" in err
    assert "nothing was left there" in err and "free some space" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short_baseline.yaml"]


def test_default_result_dir_layout(tmp_path):
    root = tmp_path / "results"
    scen = short(tmp_path, "baseline.yaml", "2d")
    assert main(["run", str(scen), "-q", "--results-root", str(root)]) == 0
    assert main(["run", str(scen), "-q", "--results-root", str(root)]) == 0
    runs = sorted(d for d in (root / "baseline").iterdir() if d.is_dir())
    assert len(runs) == 2 and all((r / "summary.json").exists() for r in runs)
    # and a pointer to the newer one
    assert (root / "baseline" / "latest").read_text().strip() == runs[-1].name


def test_bad_arguments_exit_2(tmp_path, capsys):
    scen = short(tmp_path, "baseline.yaml", "2d")
    assert main(["run", str(scen), "-n", "0"]) == 2
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "--replications must be at least 1" in err and "file not found" in err


def test_progress_reports_when_slow():
    buf = io.StringIO()
    p = Progress(buf, after=0.0, every=0.0)
    p(0, 2, 720.0, 1440.0)
    assert "replication 1/2" in buf.getvalue() and "25% done" in buf.getvalue()
    quiet = io.StringIO()
    Progress(quiet, after=60.0)(0, 1, 720.0, 1440.0)
    assert quiet.getvalue() == ""


def test_python_api_records(timeline):
    import sim

    result = sim.run(timeline(), seed=5, replications=2)
    recs = result.records("incidents")
    assert len(recs) == 2 and recs[0]["outcome"] == "verified" and recs[0]["replication"] == 0
    assert np.isclose(result.summary["delays"]["response"]["mean"], 60.0 - 0.0)


def test_out_is_checked_before_simulating(tmp_path, capsys, monkeypatch):
    import sim.analysis.experiment

    def no_run(*a, **k):
        raise AssertionError("simulated although --out was unusable")

    monkeypatch.setattr(sim.analysis.experiment, "run", no_run)
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    code = main(["run", str(short(tmp_path, "baseline.yaml", "2d")), "--out", str(afile), "-q"])
    assert code == 2 and "is a file" in capsys.readouterr().err


def test_resolved_scenario_records_seed_and_replications_used(tmp_path):
    out = tmp_path / "o"
    scen = short(tmp_path, "baseline.yaml", "3d")
    assert main(["run", str(scen), "--out", str(out), "-q", "--seed", "5", "-n", "2"]) == 0
    again = tmp_path / "again"
    assert main(["run", str(out / "scenario.yaml"), "--out", str(again), "-q"]) == 0
    for name in ("violations.parquet", "reports.parquet", "incidents.parquet"):
        assert (out / name).read_bytes() == (again / name).read_bytes()
    net = json.loads((out / "network.json").read_text())
    assert any(n["id"] == "Kyiv" for n in net["nodes"])


def test_type_order_in_the_file_does_not_change_results(tmp_path):
    base = load_scenario(SCENARIOS / "baseline.yaml").scenario.resolved()
    types = base["violations"]["types"]
    text = yaml.safe_dump(base, sort_keys=False)
    base["violations"]["types"] = dict(reversed(list(types.items())))
    text_rev = yaml.safe_dump(base, sort_keys=False)
    (tmp_path / "a.yaml").write_text(text.replace("horizon: 91d", "horizon: 10d"))
    (tmp_path / "b.yaml").write_text(text_rev.replace("horizon: 91d", "horizon: 10d"))
    a = run(load_scenario(tmp_path / "a.yaml"), replications=1)
    b = run(load_scenario(tmp_path / "b.yaml"), replications=1)
    assert np.array_equal(
        a.replications[0].incidents["finding"],
        b.replications[0].incidents["finding"],
        equal_nan=True,
    )


def test_validate_makes_the_checks_the_commands_that_run_make(tmp_path, capsys):
    """An optimize target, the memory a run needs and the load on the desks are
    checked by validate exactly as by the command that runs the file."""
    base = short(tmp_path, "baseline.yaml", "2d")
    opt = tmp_path / "opt.yaml"
    opt.write_text(
        f"name: o\nbase: {base}\nreplications: 2\nconstraints: {{happiness: {{min: 0.5}}}}\n"
        "grid:\n  teams.speed_kmh: [30, 40]\n"
    )
    for argv in (["validate", str(opt)], ["optimize", str(opt), "--out", str(tmp_path / "o")]):
        assert main(argv) == 2
        assert "constraints.happiness: unknown metric" in capsys.readouterr().err
    busy = short(tmp_path, "baseline.yaml", "2d", extra="center: {desks: {US: {officers: 1}}}\n")
    assert main(["validate", str(busy), "--max-memory", "1GB"]) == 0
    captured = capsys.readouterr()
    assert "needs about" in captured.out and "MB of memory" in captured.out
    assert "warning:" in captured.err and "center.desks.US" in captured.err
    assert "utilisation ρ =" in captured.err
    for argv in (["validate", str(busy)], ["run", str(busy), "--out", str(tmp_path / "r")]):
        assert main([*argv, "--max-memory", "10MB"]) == 2
        assert "above the limit of 10 MB (--max-memory)" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
