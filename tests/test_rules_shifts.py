"""Shift plans: handover as in Ciw, per-shift and per-hour desk metrics, on scripted timelines."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.desks import hour_stats, shift_stats
from sim.engine import run_replication
from sim.engine.center import ShiftGroup
from sim.engine.shifts import change_points
from sim.scenario.schema import DeskSpec


def clock(h: int, m: int = 0) -> float:
    return 60.0 * h + m


def ua_desk_case(timeline, times: list[float], shifts, **center):
    """Reports to the UA desk at ``times`` (minutes): scripted RU violations at S2,
    reported by the affected side (UA) with no delay; nothing else happens."""
    over = {
        "horizon": "2d",
        "violations": {
            "scripted": [
                {"time": f"{t:g}min", "node": "S2", "type": "artillery", "perpetrator": "RU"}
                for t in times
            ]
        },
        "reporting": {"channels": {"affected": {"delay": "0min"}}},
        "center": {
            "desks": {"UA": {"shifts": shifts}},
            "triage": {"time": "60min"},
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
            **center,
        },
        "teams": {"enabled": False},
    }
    return run_replication(timeline(over))


DAY_NIGHT = [
    {"start": "06:00", "end": "22:00", "officers": 3, "name": "day"},
    {"start": "22:00", "end": "06:00", "officers": 1, "name": "night"},
]


def test_the_incoming_shift_is_fully_available_while_the_outgoing_finishes(timeline):
    # Three day officers until 22:00, one night officer from 22:00, triage 60 min.
    arrive = [clock(20, 40), clock(20, 50), clock(21), clock(21, 35), clock(22, 5)]
    rep = ua_desk_case(timeline, arrive, DAY_NIGHT)
    r = rep.reports
    assert r["arrival"].tolist() == arrive
    # 21:35 waits for the first day officer (free at 21:40), who finishes at 22:40 in
    # overtime; the 22:05 report goes to the night officer at once, not at 22:40.
    assert r["ack"].tolist() == [
        clock(20, 40),
        clock(20, 50),
        clock(21),
        clock(21, 40),
        clock(22, 5),
    ]
    assert r["triaged"].tolist() == [
        clock(21, 40),
        clock(21, 50),
        clock(22),
        clock(22, 40),
        clock(23, 5),
    ]


def test_an_outgoing_officer_takes_no_new_work_after_the_shift(timeline):
    # One day officer until 22:00 (busy 21:30-22:30); night officer from 22:00 busy
    # with the 22:00 report until 23:00; the 22:10 report must wait for the night
    # officer (23:00): the day officer who frees at 22:30 has left.
    shifts = [
        {"start": "06:00", "end": "22:00", "officers": 1},
        {"start": "22:00", "end": "06:00", "officers": 1},
    ]
    rep = ua_desk_case(timeline, [clock(21, 30), clock(22), clock(22, 10)], shifts)
    assert rep.reports["ack"].tolist() == [clock(21, 30), clock(22), clock(23)]


def test_new_work_goes_to_the_shift_that_stays_longest(timeline):
    # 06-14 and 10-18, one officer each: at 13:00 both are free; the 10-18 officer
    # takes the report (stays 5 h more, busy until 14:00); the 13:30 report goes
    # to the 06-14 officer, who finishes it at 14:30 in overtime. So the 14:10
    # report finds the 10-18 officer free (had the 06-14 officer taken the
    # 13:00 report and left at 14:00, it would wait for 14:30).
    shifts = [
        {"start": "06:00", "end": "14:00", "officers": 1},
        {"start": "10:00", "end": "18:00", "officers": 1},
        {"start": "18:00", "end": "06:00", "officers": 1},
    ]
    rep = ua_desk_case(timeline, [clock(13), clock(13, 30), clock(14, 10)], shifts)
    assert rep.reports["triage_shift"].tolist() == [1, 0, 1]
    assert rep.reports["ack"].tolist() == [clock(13), clock(13, 30), clock(14, 10)]
    assert rep.reports["triaged"].tolist() == [clock(14), clock(14, 30), clock(15, 10)]


def test_a_joint_reservation_passes_to_the_incoming_shift(timeline):
    # RU desk: one officer 06-22, one 22-06; UA and US one officer round the clock;
    # triage 60 min, assessment 30 min, joint work before intake, no teams.
    # 20:50 violation by UA (RU reports): RU triage 20:50-21:50, then its incident
    # waits for the joint assessment. 21:30 violation by RU (UA reports): UA busy
    # 21:30-22:30. So at 21:50 the RU day officer is reserved and waits for UA.
    # At 22:00 that officer leaves: the reservation passes to the RU night officer,
    # who therefore cannot take the RU report of 22:05. The assessment runs
    # 22:30-23:00, the UA incident's 23:00-23:30 (joint work first), and only then
    # is the 22:05 report taken in.
    scripted = [
        {"time": "1250min", "node": "S2", "type": "artillery", "perpetrator": "UA"},
        {"time": "1290min", "node": "S4", "type": "artillery", "perpetrator": "RU"},
        {"time": "1325min", "node": "S0", "type": "artillery", "perpetrator": "UA"},
    ]
    rep = run_replication(
        timeline(
            {
                "horizon": "2d",
                "violations": {"scripted": scripted},
                "reporting": {"channels": {"affected": {"delay": "0min"}}},
                "center": {
                    "desks": {
                        "RU": {
                            "shifts": [
                                {"start": "06:00", "end": "22:00", "officers": 1},
                                {"start": "22:00", "end": "06:00", "officers": 1},
                            ]
                        }
                    },
                    "triage": {"time": "60min"},
                    "merging": {"enabled": False},
                    "assessment": {"enabled": True, "time": "30min"},
                },
                "teams": {"enabled": False},
            }
        )
    )
    r = rep.reports
    assert r["arrival"].tolist() == [clock(20, 50), clock(21, 30), clock(22, 5)]
    assert r["ack"].tolist() == [clock(20, 50), clock(21, 30), clock(23, 30)]
    assert rep.incidents["finding"].tolist()[:2] == [clock(23), clock(23, 30)]


def test_per_shift_and_per_hour_utilisation_are_exact(timeline):
    # Day shift (06-22, 3 officers): reports at 10:00 and 10:30, 60 min each.
    # Night (22-06, 1 officer): one report at 23:00. Measured: 2 days, no warm-up.
    rep = ua_desk_case(timeline, [clock(10), clock(10, 30), clock(23)], DAY_NIGHT)
    rows = {r["shift"]: r for r in shift_stats(rep, 0.0, 60.0)["UA"]}
    # day: 120 busy officer-minutes over 2 days x 16 h x 3 officers on duty
    assert rows["day"]["utilisation"] == pytest.approx(120 / (2 * 960 * 3))
    assert rows["day"]["officers"] == pytest.approx(3.0)
    assert rows["night"]["utilisation"] == pytest.approx(60 / (2 * 480 * 1))
    assert rows["day"]["reports"] == 2 and rows["night"]["reports"] == 1
    assert rows["day"]["p_wait"] == 0 and rows["day"]["within_acknowledge"] == 1.0
    hours = hour_stats(rep, 0.0, 60.0)["UA"]
    # 10:00-11:00: officer A all hour, officer B half of it; 11:00-12:00: B half
    assert hours[10]["utilisation"] == pytest.approx(90 / (2 * 60 * 3))
    assert hours[11]["utilisation"] == pytest.approx(30 / (2 * 60 * 3))
    assert hours[23]["utilisation"] == pytest.approx(60 / (2 * 60 * 1))
    assert sum(h["reports"] for h in hours) == 3


def test_shift_groups_cover_their_hours():
    night = ShiftGroup("night", 1320, 360, 1)
    assert night.covers(1400) and night.covers(100) and not night.covers(700)
    assert night.left(1380) == 420 and night.left(300) == 60
    always = ShiftGroup("round the clock", 0, 0, 2)
    assert always.covers(0) and always.covers(1439) and always.left(5) == np.inf


def test_staffing_change_points_at_and_just_after_midnight():
    # One officer 00:00-00:01, two from 00:01 to midnight: the level at minute 0
    # is 1 (not the level of minute 1), the change at 00:01 is listed, and
    # midnight, where the plan wraps from 2 back to 1, is not a second entry.
    desk = DeskSpec.model_validate(
        {
            "shifts": [
                {"start": "00:00", "end": "00:01", "officers": 1},
                {"start": "00:01", "end": "00:00", "officers": 2},
            ]
        }
    )
    assert change_points(desk.staffing()) == [(0, 1), (1, 2)]


def test_between_shifts_that_stay_equally_long_the_first_in_the_plan_takes_the_work(timeline):
    # 06-22 and 14-22 both end at 22:00: at 15:00 the first in the plan takes the
    # report; the 15:10 report goes to the other shift's officer.
    shifts = [
        {"start": "06:00", "end": "22:00", "officers": 1},
        {"start": "14:00", "end": "22:00", "officers": 1},
        {"start": "22:00", "end": "06:00", "officers": 1},
    ]
    rep = ua_desk_case(timeline, [clock(15), clock(15, 10)], shifts)
    assert rep.reports["triage_shift"].tolist() == [0, 1]
    assert rep.reports["ack"].tolist() == [clock(15), clock(15, 10)]
    # every report triaged is counted once, at the desk that triaged it
    assert [rep.totals["desks"][p]["served"] for p in ("RU", "UA", "US")] == [0, 2, 0]


def test_a_report_taken_in_the_last_minute_of_a_shift_goes_to_that_shift(timeline):
    # Half a minute before 22:00 the day officer is the only one on duty: they take
    # the report (and finish it in overtime); the night shift is not yet there.
    rep = ua_desk_case(timeline, [clock(21, 59.5)], DAY_NIGHT)
    assert rep.reports["ack"].tolist() == [clock(21, 59.5)]
    assert rep.reports["triage_shift"].tolist() == [0]
    assert rep.reports["triaged"].tolist() == [clock(22, 59.5)]


def test_a_shift_starting_after_midnight_is_not_on_duty_before_it_starts(timeline):
    # The only UA shift runs 00:01-23:00: a report arriving at 00:00:30 waits for
    # 00:01, and the desk has 1379 officer-minutes on duty a day.
    shifts = [{"start": "00:01", "end": "23:00", "officers": 1}]
    rep = ua_desk_case(timeline, [0.5], shifts)
    assert rep.reports["ack"].tolist() == [1.0]
    assert rep.totals["desks"]["UA"]["on_duty"] == 2 * 1379.0
