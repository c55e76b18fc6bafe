"""What sweeps and staffing searches show: chosen metrics, defaults from the swept keys,
unconstrained dimensions, and the options they share with run."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from sim.analysis.sweepfile import OptimizeSpec, load_sweep
from sim.analysis.sweepmetrics import (
    DESK_METRICS,
    TEAM_METRICS,
    default_metrics,
    sweep_metrics,
    swept_paths,
    unconstrained,
)
from sim.cli import main
from sim.output.plotting import figure_makers
from sim.scenario import ScenarioError

from .conftest import SCENARIOS

BASE = f"extends: {SCENARIOS / 'baseline.yaml'}\nname: sbase\nhorizon: 3d\nwarmup: 1d\n"

DESK_SWEEP = """\
name: desk
base: base.yaml
replications: 2
grid:
  night:
    paths: ["center.desks.RU.shifts[2].officers", "center.desks.UA.shifts[2].officers"]
    values: [1, 3]
"""


def files(tmp_path, text, name="sweep.yaml"):
    (tmp_path / "base.yaml").write_text(BASE)
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_defaults_follow_the_swept_keys(tmp_path):
    spec, _ = load_sweep(files(tmp_path, DESK_SWEEP))
    assert swept_paths(spec) == {
        "night": ["center.desks.RU.shifts[2].officers", "center.desks.UA.shifts[2].officers"]
    }
    assert sweep_metrics(spec) == DESK_METRICS
    assert default_metrics(["teams.speed_kmh"]) == TEAM_METRICS
    variants = "name: v\nbase: base.yaml\nvariants:\n  - {name: a, set: {teams.speed_kmh: 30}}\n"
    spec, _ = load_sweep(files(tmp_path, variants))
    assert sweep_metrics(spec) == TEAM_METRICS


def test_a_metrics_list_in_the_file_wins(tmp_path):
    spec, _ = load_sweep(files(tmp_path, DESK_SWEEP + "metrics: [finding_mean, within_finding]\n"))
    assert sweep_metrics(spec) == ("finding_mean", "within_finding")


def test_cli_metric_seed_and_replications(tmp_path, capsys):
    sweep = files(tmp_path, DESK_SWEEP)
    out = tmp_path / "out"
    argv = ["sweep", str(sweep), "--out", str(out), "-j", "1", "-n", "3", "--seed", "7"]
    assert main(argv + ["--metric", "utilisation_RU", "--metric", "within_acknowledge"]) == 0
    text = capsys.readouterr().out
    assert "2 points x 3 replications (seed 7;" in text
    head = next(line for line in text.splitlines() if line.startswith("point"))
    assert head.split()[2:] == ["utilisation_RU", "within_acknowledge"]
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["metrics"] == ["utilisation_RU", "within_acknowledge"]
    assert meta["seed"] == 7 and meta["replications"] == 3
    assert main(["plot", str(out)]) == 0
    assert (out / "figures" / "sweep.png").exists()


def test_an_unknown_metric_is_refused_with_the_closest_name(tmp_path, capsys):
    sweep = files(tmp_path, DESK_SWEEP)
    assert (
        main(["sweep", str(sweep), "--out", str(tmp_path / "o"), "--metric", "utilisaton_RU"]) == 2
    )
    assert "did you mean 'utilisation_RU'?" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match="unknown metric 'respons_p90'"):
        from sim.analysis.sweep import run_sweep

        spec, path = load_sweep(files(tmp_path, DESK_SWEEP + "metrics: [respons_p90]\n"))
        run_sweep(spec, path, tmp_path / "o2")


def test_too_few_replications_are_refused(tmp_path, capsys):
    sweep = files(tmp_path, DESK_SWEEP)
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "o"), "-n", "1"]) == 2
    assert "at least 2" in capsys.readouterr().err


def test_a_scenario_file_given_to_sweep_says_use_run(capsys):
    assert main(["sweep", str(SCENARIOS / "baseline.yaml")]) == 2
    err = capsys.readouterr().err
    assert "this is a scenario file; use cfsim run" in err and "base: required" not in err


OPT = """\
name: o
base: base.yaml
replications: 2
constraints:
  within_finding: {min: 0.01}
grid:
  day:
    paths: ["center.desks.RU.shifts[0].officers", "center.desks.UA.shifts[0].officers"]
    values: [3, 2, 4]
  kramatorsk:
    paths: ["teams.bases[1].count"]
    values: [2, 3]
"""


def test_an_unconstrained_dimension_is_named(tmp_path):
    spec, _ = load_sweep(files(tmp_path, OPT), OptimizeSpec)
    notes = unconstrained(spec, {"day": 2, "kramatorsk": 2})
    assert notes == [
        "desk staffing (day) is unconstrained here; the minimum of its grid (2) is shown",
        "teams (kramatorsk) is unconstrained here; the minimum of its grid (2) is shown",
    ]
    # a target on a desk metric constrains the desk dimension
    spec = spec.model_copy(
        update={"constraints": {"within_acknowledge": spec.constraints["within_finding"]}}
    )
    assert [n.split(" (")[0] for n in unconstrained(spec, {"day": 2, "kramatorsk": 2})] == ["teams"]
    assert unconstrained(spec, {"day": 3, "kramatorsk": 3}) == []  # not at the minimum
    assert unconstrained(spec, None) == []


def test_optimize_prints_the_note_and_the_chosen_metrics(tmp_path, capsys):
    opt = files(tmp_path, OPT, "opt.yaml")
    out = tmp_path / "o"
    argv = ["optimize", str(opt), "--out", str(out), "-j", "1", "--metric", "utilisation_RU"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Note: desk staffing (day) is unconstrained here; the minimum of its grid (2)" in text
    assert "| utilisation_RU " in text
    meta = json.loads((out / "frontier.json").read_text())
    assert "utilisation_RU_mean" in meta["rows"][0]
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "unconstrained here" in html and "Utilisation RU desk" in html


def column_widths_px(table_html: str) -> list[float]:
    """About how wide each column of a report table renders (0.88em text at ~7.7 px a
    character, 0.7em padding each side; the parameters column wraps at 16em)."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, re.S)
    widths: list[float] = []
    for row in rows:
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        for i, cell in enumerate(cells):
            lines = [re.sub(r"<[^>]+>", "", part) for part in cell.split("<br>")]
            chars = max(len(line) for line in lines)
            px = min(chars * 7.7, 16 * 14) if i == 1 else chars * 7.7
            if i >= len(widths):
                widths.append(0.0)
            widths[i] = max(widths[i], px + 20)
    return widths


@pytest.mark.figures  # draws every figure and builds the report
def test_the_report_s_sweep_tables_fit_a_laptop_screen(tmp_path):
    sweep = files(tmp_path, DESK_SWEEP)
    out = tmp_path / "out"
    many = ["acknowledge_mean", "acknowledge_RU_mean", "acknowledge_UA_mean"]
    many += ["acknowledge_US_mean", "within_acknowledge", "utilisation_RU", "utilisation_UA"]
    many += ["utilisation_US", "response_p90", "violation_to_finding_mean"]
    argv = ["sweep", str(sweep), "--out", str(out), "-j", "1", "-q"]
    assert main(argv + [a for m in many for a in ("--metric", m)]) == 0
    fig = figure_makers(out)[1]["sweep"]()  # one panel per metric, none left empty
    assert len(fig.axes) == 10 and all(ax.get_ylabel() for ax in fig.axes)
    assert main(["report", str(out), "-q"]) == 0
    html = (out / "report.html").read_text()
    tables = re.findall(r'<table class="left2 sweep">.*?</table>', html, re.S)
    assert len(tables) == 3  # 10 metrics, 4 to a table
    heads = " ".join(tables)
    assert all(label in heads for label in ("Utilisation US desk", "Violation to finding, mean"))
    for t in tables:
        # headers wrap (max 9em); the body's widest cells decide
        body = re.sub(r"<tr><th>.*?</tr>", "", t, count=1, flags=re.S)
        assert sum(column_widths_px(body)) <= 800, column_widths_px(body)
