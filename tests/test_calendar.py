"""The calendar: a start date in a time zone, instants given as dates, dates in the results."""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pytest

from sim.records.files import read_table

from sim.analysis.experiment import run
from sim.output.rundir import write_run
from sim.scenario import ScenarioError
from sim.scenario.calendar import Calendar, calendar_context, parse_instant
from sim.world import load_scenario, scenario_from_dict

from .conftest import TIMELINE

DAY = 1440.0


def write(tmp_path, text: str, name: str = "s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_instants_are_durations_or_dates_after_the_start():
    assert parse_instant("36h") == 2160.0
    cal = Calendar(dt.datetime(2016, 1, 1), "Europe/Kyiv")
    with calendar_context(cal):
        assert parse_instant("2016-01-03") == 2 * DAY
        assert parse_instant(dt.date(2016, 1, 3)) == 2 * DAY
        assert parse_instant("2016-01-01T06:30") == 390.0
        assert parse_instant("1d") == DAY
        with pytest.raises(ValueError, match="before the start"):
            parse_instant("2015-12-31")
    with pytest.raises(ValueError, match="the scenario has no start"):
        parse_instant("2016-01-03")


def test_the_model_clock_keeps_the_offset_of_the_start_through_summer():
    # Kyiv is UTC+2 in January and UTC+3 from the end of March; the model's days stay
    # 24 h long, so 1 July is 182 days after 1 January (2016 is a leap year) and is
    # written with the offset of the start.
    cal = Calendar(dt.datetime(2016, 1, 1), "Europe/Kyiv")
    assert cal.minutes(dt.datetime(2016, 7, 1)) == 182 * DAY
    assert cal.iso(np.array([182 * DAY, np.nan])) == ["2016-07-01T00:00:00+02:00", ""]
    assert cal.weekday(np.array([0.0, 3 * DAY + 5])).tolist() == [4, 0]  # Friday, Monday


def test_a_scenario_with_a_start_takes_dates_for_every_instant(tmp_path):
    p = write(
        tmp_path,
        f"extends: {write(tmp_path, json.dumps(TIMELINE), 'timeline.yaml')}\n"
        "start: 2016-03-01\ntimezone: Europe/Kyiv\nhorizon: 2016-03-04\nwarmup: 2016-03-02\n"
        "violations:\n  scripted:\n"
        "    - {time: 2016-03-01T01:00, node: S2, type: artillery, perpetrator: RU}\n"
        "  schedule: [{at: 2016-03-03T12:00, multiplier: 0.5}]\n",
    )
    s = load_scenario(p).scenario
    assert (s.horizon, s.warmup) == (3 * DAY, DAY)
    assert s.violations.scripted[0].time == 60.0
    assert s.violations.schedule[0].at == 2.5 * DAY
    # the resolved scenario holds minutes as durations and loads back equal
    assert type(s).model_validate(s.resolved()) == s


@pytest.mark.parametrize(
    "extra, where, words",
    [
        ("start: 2016-03-01T06:00\n", "start", "midnight"),
        ("start: 2016-03-01\ntimezone: Europe/Kiev-ish\n", "timezone", "unknown time zone"),
        ("horizon: 2016-03-04\n", "horizon", "has no start"),
        ("start: 2016-03-01\nhorizon: 2016-02-01\n", "horizon", "before the start"),
        ("violations: {day_of_week: [1, 1, 1, 1, 1, 2, 2]}\n", "", "needs the scenario's start"),
    ],
)
def test_calendar_mistakes_name_the_key_and_what_was_expected(tmp_path, extra, where, words):
    base = write(tmp_path, json.dumps(TIMELINE), "timeline.yaml")
    p = write(tmp_path, f"extends: {base}\n{extra}")
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    assert err.value.path == where and words in err.value.message
    assert str(p) in str(err.value)


def test_results_carry_dates_beside_minutes(tmp_path, merge):
    data = merge(
        TIMELINE,
        {
            "start": "2016-03-01",
            "timezone": "Europe/Kyiv",
            "output": {"sample_interval": "6h"},
            "violations": {"rate_per_day": 5},
        },
    )
    result = run(scenario_from_dict(data), workers=1)
    out = write_run(result, tmp_path / "run", table_format="csv")
    stored = write_run(result, tmp_path / "parquet")  # the default format
    for name, column in (
        ("violations", "time"),
        ("reports", "arrival"),
        ("incidents", "first_report"),
        ("timeseries", "time"),
    ):
        with open(out / f"{name}.csv") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, name
        header = list(rows[0])
        assert header[header.index(column) + 1] == "datetime", name
        for r in rows:
            when = dt.datetime.fromisoformat(r["datetime"])
            assert when.utcoffset() == dt.timedelta(hours=2)
            minutes = (when.replace(tzinfo=None) - dt.datetime(2016, 3, 1)).total_seconds() / 60
            assert abs(minutes - float(r[column])) <= 0.5, name
        same = read_table(stored / f"{name}.parquet")
        assert list(same) == header, name
        assert same["datetime"].tolist() == [r["datetime"] for r in rows], name
    meta = json.loads((out / "metadata.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    for doc in (meta, summary):
        assert doc["calendar"] == {
            "start": "2016-03-01T00:00:00+02:00",
            "timezone": "Europe/Kyiv",
            "utc_offset": "+02:00",
        }


def test_without_a_start_the_tables_have_no_dates(tmp_path):
    result = run(scenario_from_dict(TIMELINE), workers=1)
    assert "datetime" not in result.decoded("violations")
    assert result.summary["calendar"] is None
