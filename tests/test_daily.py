"""The daily report (``cfsim daily``): every day's numbers add up to the run's tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.output.daily import daily_data, days_available, markdown, period
from sim.output.results import ResultsError, load_run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """Twelve days of the moratorium variant, one replication, with its tables."""
    root = tmp_path_factory.mktemp("daily")
    scen = root / "short_moratorium.yaml"
    scen.write_text(
        f"extends: {SCENARIOS / 'energy_moratorium.yaml'}\nhorizon: 12d\nwarmup: 1d\n"
        "replications: 1\nmoratorium: {start: 2d, duration: 6d}\n"
    )
    out = root / "run"
    assert main(["run", str(scen), "--out", str(out), "-q", "--workers", "1"]) == 0
    return out


def _between(values: np.ndarray, start: float, end: float) -> int:
    return int(np.sum((values >= start) & (values < end)))


def test_the_days_add_up_to_the_tables(run_dir):
    """Summed over every whole reporting period, the report's counts by region, the
    annex by place, the findings and the claims equal the rows of the tables in
    those periods: the report invents and loses nothing."""
    run = load_run(run_dir)
    days = days_available(run)
    assert days == list(range(1, 12)), days  # cut-off 19:30: day 0's period starts before 0
    first, last = period(run, days[0]).start, period(run, days[-1]).end
    violations = 0
    reports = incidents = findings = confirmed = sent = verdicts = 0
    by_place: dict[str, int] = {}
    for day in days:
        d = daily_data(run, day)
        reports += sum(r["reports"] for r in d["by_region"])
        incidents += sum(r["incidents"] for r in d["by_region"])
        violations += sum(r["violations"] for r in d["by_region"])
        assert sum(a["reports"] for a in d["annex"]) == sum(r["reports"] for r in d["by_region"])
        for a in d["annex"]:
            by_place[a["place"]] = by_place.get(a["place"], 0) + a["reports"]
        findings += d["findings"]["made"]
        assert sum(d["findings"]["grades"].values()) == d["findings"]["made"]
        confirmed += sum(a["confirmed"] for a in d["annex"])
        sent += sum(c["sent"] for c in d["claims"])
        verdicts += sum(c["verdicts"] for c in d["claims"])
        if day > days[0]:  # "previous period" is yesterday's report
            before = daily_data(run, day - 1)["by_region"]
            assert {r["region"]: r["reports"] for r in before if r["reports"]} == {
                r["region"]: r["previous_reports"] for r in d["by_region"] if r["previous_reports"]
            }
    t = run.tables
    assert reports == _between(t["reports"]["arrival"], first, last) > 0
    assert violations == _between(t["violations"]["first_report"], first, last) > 0
    assert incidents == _between(t["incidents"]["created"], first, last) > 0
    assert findings == _between(t["incidents"]["finding"], first, last) > 0
    graded = (t["incidents"]["finding"] >= first) & (t["incidents"]["finding"] < last)
    assert confirmed == int(np.sum(graded & np.char.startswith(
        t["incidents"]["final_grade"].astype(str), "confirmed")))  # fmt: skip
    assert sent == _between(t["claims"]["batch"], first, last) > 0
    assert verdicts == _between(t["claims"]["verdict"], first, last) > 0
    in_run = (t["reports"]["arrival"] >= first) & (t["reports"]["arrival"] < last)
    nodes, counts = np.unique(t["reports"]["node"][in_run], return_counts=True)
    assert by_place == {n: int(c) for n, c in zip(nodes.tolist(), counts) if c}


def test_the_report_names_its_period_and_sections(run_dir):
    text = markdown(daily_data(load_run(run_dir), 5))
    assert "Period: day 4 19:30 to day 5 19:30 (cut-off)" in text
    for section in ("Reports and violations by region", "Findings by grade",
                    "Moratorium claims", "Annex: by place"):  # fmt: skip
        assert f"## {section}" in text


def test_cfsim_daily_writes_markdown_and_html(run_dir, tmp_path, capsys):
    out = tmp_path / "daily"
    assert main(["daily", str(run_dir), "--day", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    md = (out / "day-003.md").read_text()
    assert md in printed
    assert (out / "day-003.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--day", "40"], "day 40 is not a whole reporting period of this run; expected a day "
         "from 1 to 11"),
        (["--day", "0"], "day 0 is not a whole reporting period"),
        (["--replication", "3"], "the run has no replication 3"),
    ],
)  # fmt: skip
def test_cfsim_daily_refuses_days_and_replications_not_in_the_run(run_dir, argv, message, capsys):
    assert main(["daily", str(run_dir), *argv, "-q"]) == 2
    assert message in capsys.readouterr().err


def test_cfsim_daily_refuses_a_directory_that_is_not_a_run(tmp_path, capsys):
    assert main(["daily", str(tmp_path), "-q"]) == 2
    assert str(tmp_path) in capsys.readouterr().err
    with pytest.raises(ResultsError):
        load_run(tmp_path)


def test_a_run_with_a_calendar_takes_the_day_as_a_date(tmp_path, capsys):
    scen = tmp_path / "dated.yaml"
    scen.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nhorizon: 4d\nwarmup: 1d\nreplications: 1\n"
        "start: 2016-03-01\ntimezone: Europe/Kyiv\n"
    )
    out = tmp_path / "run"
    assert main(["run", str(scen), "--out", str(out), "-q", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["daily", str(out), "--date", "2016-03-03"]) == 0
    text = capsys.readouterr().out
    assert "# Daily report: baseline, day 2 (2016-03-03)" in text
    assert "Period: 2016-03-02 19:30 to 2016-03-03 19:30 (cut-off)" in text
    assert main(["daily", str(out), "--date", "2016-03-09", "-q"]) == 2
    assert "day 8 is not a whole reporting period" in capsys.readouterr().err
    assert main(["daily", str(out), "--date", "March 3", "-q"]) == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err


def test_a_run_without_a_calendar_refuses_a_date(run_dir, capsys):
    assert main(["daily", str(run_dir), "--date", "2016-03-03", "-q"]) == 2
    assert "has no calendar (start)" in capsys.readouterr().err
