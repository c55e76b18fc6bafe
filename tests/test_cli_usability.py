"""What a new user meets at the command line: help on every option, the latest run,
progress, and messages that name what they wrote."""

from __future__ import annotations

import argparse
import io
import textwrap

import pytest

from sim.cli import build_parser, main
from sim.output.console import Progress
from sim.output.latest import LATEST, newest_run
from sim.output.report import write_report

from .conftest import SCENARIOS

SHORT = f"extends: {SCENARIOS / 'baseline.yaml'}\nname: short\nhorizon: 3d\nwarmup: 1d\n"


def subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subparsers()))
def test_every_option_has_help(name):
    for action in subparsers()[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"cfsim {name} {'/'.join(action.option_strings) or action.dest}"


@pytest.mark.parametrize("name", ["sweep", "optimize"])
def test_sweep_and_optimize_take_seed_and_n_like_run(name):
    options = {o for a in subparsers()[name]._actions for o in a.option_strings}
    assert {"--seed", "-n", "--replications", "--metric", "--quiet"} <= options


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    scenario = root / "short.yaml"
    scenario.write_text(SHORT)
    results = root / "results"
    for seed in ("1", "2"):
        argv = ["run", str(scenario), "-n", "1", "-q", "-j", "1", "--seed", seed]
        assert main(argv + ["--results-root", str(results)]) == 0
    return results / "short"


def test_a_run_marks_itself_latest(two_runs):
    runs = sorted(d for d in two_runs.iterdir() if d.is_dir())
    assert len(runs) == 2
    named = (two_runs / LATEST).read_text().strip()
    assert named == runs[-1].name and named.endswith("-s2")  # the second run
    assert newest_run(two_runs) == runs[-1]
    assert newest_run(runs[0]) is None  # a run directory is itself


def test_without_the_pointer_the_newest_run_is_taken(two_runs, tmp_path):
    import shutil

    copy = tmp_path / "short"
    shutil.copytree(two_runs, copy)
    (copy / LATEST).unlink()
    assert newest_run(copy).name.endswith("-s2")
    (copy / LATEST).write_text("gone\n")  # a pointer to a run since deleted
    assert newest_run(copy).name.endswith("-s2")


@pytest.mark.figures  # draws every figure and builds the report
def test_plot_and_report_on_a_scenario_folder_use_its_latest_run(two_runs, capsys):
    latest = two_runs / (two_runs / LATEST).read_text().strip()
    assert main(["plot", str(two_runs), "-k", "ecdf"]) == 0
    out = capsys.readouterr()
    assert "using its latest run" in out.err and (latest / "figures" / "ecdf.png").exists()
    assert main(["report", str(two_runs)]) == 0
    assert (latest / "report.html").exists()


@pytest.mark.figures  # draws every figure and builds the report
def test_report_tells_its_progress_figure_by_figure(two_runs, tmp_path):
    calls = []
    latest = newest_run(two_runs)
    write_report(latest, tmp_path / "r.html", progress=lambda *a: calls.append(a))
    total = calls[-1][1]
    assert total > 3 and calls[-1][:2] == (total, total)
    assert [c[0] for c in calls] == list(range(total + 1))
    assert " (drawing ecdf)" in {c[2] for c in calls}


def test_progress_says_which_configuration_it_is_on():
    stream = io.StringIO()
    bar = Progress(stream=stream, after=0.0, every=0.0, label="tables of thin (2/3): ")
    bar(0, 2, 720.0, 1440.0)
    bar.finish()
    assert "tables of thin (2/3): replication 1/2" in stream.getvalue()


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_negative_duration_says_negative(tmp_path, capsys):
    p = write(tmp_path, SHORT.replace("horizon: 3d", "horizon: -3d"))
    assert main(["validate", str(p)]) == 2
    assert "horizon: a duration cannot be negative; got '-3d'" in capsys.readouterr().err


def test_a_bad_bare_duration_is_reported_against_the_key_written(tmp_path, capsys):
    p = write(tmp_path, SHORT + "reporting:\n  channels:\n    affected:\n      delay: 90 minuts\n")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"{p}:8: reporting.channels.affected.delay: expected a duration" in err
    assert "delay.value" not in err


def test_a_folder_given_as_a_file_gets_a_sentence(tmp_path, capsys):
    folder = tmp_path / "scenario.yaml"
    folder.mkdir()
    for command in ("validate", "run", "sweep"):
        assert main([command, str(folder)]) == 2
        err = capsys.readouterr().err
        assert "this is a folder, not a file" in err and "Errno" not in err


def test_an_unquoted_index_in_a_list_gets_a_hint_to_quote_it(tmp_path, capsys):
    p = write(
        tmp_path,
        """\
        name: s
        base: base.yaml
        grid:
          k:
            paths: [teams.bases[1].count]
            values: [1, 2]
        """,
    )
    assert main(["sweep", str(p)]) == 2
    assert 'must be quoted, or YAML reads [1] as a list: write "teams.bases[1].count"' in (
        capsys.readouterr().err
    )


def test_check_model_outside_the_project_needs_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check-model"]) == 2
    assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "docs").exists()
