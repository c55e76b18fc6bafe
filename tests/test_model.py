"""The model on scripted timelines with exact answers, and its invariants."""

from __future__ import annotations

import numpy as np
import pytest

from sim import records as R
from sim.analysis.metrics import check_conservation
from sim.engine import run_replication
from .timelines import at


def _one(tab, row=0):
    return {k: (v[row].item() if hasattr(v[row], "item") else v[row]) for k, v in tab.items()}


def test_single_violation_exact_timeline(timeline):
    rep = run_replication(timeline())
    v, r, i = rep.violations, rep.reports, rep.incidents
    assert v["time"].tolist() == [60.0]
    assert r["arrival"].size == 1 and i["incident"].size == 1
    rr, ii = _one(r), _one(i)
    # report 60 + 30 = 90, taken at once, triaged 20 min
    assert (rr["arrival"], rr["ack"], rr["triaged"]) == (90.0, 90.0, 110.0)
    assert rr["desk"] == R.PARTIES.index("UA")  # the affected side's desk
    # dispatch at triage end, 10 min prepare, 30 km at 60 km/h, 1 h on site, 30 min assessment
    assert (ii["created"], ii["dispatch"], ii["depart"], ii["on_site"], ii["finding"]) == (
        110.0,
        110.0,
        120.0,
        150.0,
        240.0,
    )
    assert ii["travel_km"] == pytest.approx(30.0)
    assert R.INCIDENT_OUTCOMES[ii["outcome"]] == "verified"
    assert (ii["attribution"], ii["attribution_correct"]) == (0, 1)  # RU, rightly
    assert R.REPORT_STATES[rr["state"]] == "led_to_finding"
    vv = _one(v)
    assert R.VIOLATION_OUTCOMES[vv["outcome"]] == "attributed_correct"
    assert vv["outcome_time"] == 240.0 and vv["attributed_to"] == 0  # RU
    assert check_conservation(rep) == []


def test_patrol_hours_hold_departure_until_morning(timeline):
    loaded = timeline(
        {
            "violations": {
                "scripted": [
                    {"time": "18h30min", "node": "S2", "type": "artillery", "perpetrator": "UA"}
                ]
            },
            "teams": {"patrol_hours": {"start": "07:00", "end": "19:00"}},
        }
    )
    rep = run_replication(loaded)
    i = _one(rep.incidents)
    assert i["dispatch"] == 1110 + 30 + 20  # 19:40
    assert i["depart"] == 1440 + 420  # next day 07:00
    assert i["on_site"] == 1440 + 450
    assert i["finding"] == 1440 + 450 + 60 + 30


def test_joint_assessment_waits_for_all_three_desks(timeline):
    loaded = timeline(
        {
            "center": {
                "desks": {
                    "US": {
                        "officers": None,
                        "shifts": [{"start": "08:00", "end": "16:00", "officers": 1}],
                    }
                }
            },
            "teams": {"enabled": False},
        }
    )
    rep = run_replication(loaded)
    i = _one(rep.incidents)
    assert i["created"] == 110.0
    # RU and UA are reserved at 110, the US officer comes on duty at 08:00
    assert i["finding"] == 480.0 + 30.0
    assert R.INCIDENT_REASONS[i["reason"]] == "teams_off"
    v = _one(rep.violations)
    assert R.VIOLATION_OUTCOMES[v["outcome"]] == "reported_unverified"
    assert R.UNVERIFIED_REASONS[v["reason"]] == "teams_off"
    # nobody is reserved while the US desk is off duty: the UA officer was busy
    # triaging 90-110 and assessing 480-510 only
    ua = rep.totals["desks"]["UA"]
    assert ua["busy"] == pytest.approx(20.0 + 30.0)


def test_access_denied_team_returns_without_verifying(timeline):
    rep = run_replication(timeline({"teams": {"access_denial": {"UA": 1.0}}}))
    i = _one(rep.incidents)
    assert bool(i["access_denied"])
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "not_verified"
    assert R.INCIDENT_REASONS[i["reason"]] == "access_denied"
    # no time on site: finding right after arrival plus the assessment
    assert i["finding"] == i["on_site"] + 30.0
    v = _one(rep.violations)
    assert R.UNVERIFIED_REASONS[v["reason"]] == "access_denied"


def test_evidence_decay_makes_verification_fail(timeline):
    loaded = timeline(
        {
            "violations": {
                "types": {
                    "artillery": {
                        "share": 1.0,
                        "severity": 3,
                        "evidence_half_life": "1s",
                        "attributable": 1.0,
                    }
                }
            }
        }
    )
    rep = run_replication(loaded)
    v = _one(rep.violations)
    assert R.UNVERIFIED_REASONS[v["reason"]] == "evidence_decayed"
    i = _one(rep.incidents)
    assert R.INCIDENT_REASONS[i["reason"]] == "no_evidence"
    # a real violation not verified: the incident is not verified, not unfounded
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "not_verified"
    assert i["n_verified"] == 0 and i["attribution"] == -1


def test_second_report_merges_into_open_incident(timeline):
    loaded = timeline(
        {
            "violations": {
                "scripted": [
                    {"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "RU"},
                    {"time": "1h10min", "node": "S3", "type": "artillery", "perpetrator": "RU"},
                ]
            }
        }
    )
    rep = run_replication(loaded)
    states = [R.REPORT_STATES[s] for s in rep.reports["state"]]
    assert states == ["led_to_finding", "merged"]
    assert rep.incidents["incident"].size == 1
    assert rep.incidents["n_reports"].tolist() == [2]
    # the team checks both violations on site
    assert rep.incidents["n_verified"].tolist() == [2]
    assert check_conservation(rep) == []


def test_merging_disabled_gives_two_incidents(timeline):
    loaded = timeline(
        {
            "violations": {
                "scripted": [
                    {"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "RU"},
                    {"time": "1h10min", "node": "S3", "type": "artillery", "perpetrator": "RU"},
                ]
            },
            "center": {"merging": {"enabled": False}},
        }
    )
    rep = run_replication(loaded)
    assert rep.incidents["incident"].size == 2


def test_report_expires_when_no_officer_comes(timeline):
    loaded = timeline(
        {
            "center": {
                "desks": {
                    "UA": {
                        "officers": None,
                        "shifts": [{"start": "10:00", "end": "11:00", "officers": 1}],
                    }
                },
                "triage": {"max_wait": "2h"},
            }
        }
    )
    rep = run_replication(loaded)
    r = _one(rep.reports)
    assert R.REPORT_STATES[r["state"]] == "expired"
    assert r["state_time"] == 90.0 + 120.0
    assert np.isnan(r["ack"])
    v = _one(rep.violations)
    assert R.UNVERIFIED_REASONS[v["reason"]] == "expired"
    assert check_conservation(rep) == []


def test_no_violations_gives_empty_tables(timeline):
    rep = run_replication(timeline({"violations": {"scripted": []}}))
    assert rep.violations["time"].size == 0
    assert rep.reports["arrival"].size == 0
    assert rep.incidents["incident"].size == 0
    assert check_conservation(rep) == []


def test_unlimited_staff_means_no_wait(timeline):
    loaded = timeline(
        {
            "horizon": "20d",
            "violations": {"rate_per_day": 40, "scripted": []},
            "center": {"desks": {p: {"officers": 200} for p in ("RU", "UA", "US")}},
        }
    )
    rep = run_replication(loaded)
    assert rep.reports["arrival"].size > 500
    wait = rep.reports["ack"] - rep.reports["arrival"]
    assert np.nanmax(wait) == 0.0


def test_triage_never_starts_beyond_officers_on_duty(timeline):
    shifts = [
        {"start": "06:00", "end": "18:00", "officers": 2},
        {"start": "18:00", "end": "06:00", "officers": 1},
    ]
    loaded = timeline(
        {
            "horizon": "10d",
            "violations": {"rate_per_day": 80, "scripted": []},
            "center": {
                "desks": {"UA": {"officers": None, "shifts": shifts}},
                "assessment": {"enabled": False},
            },
            "teams": {"enabled": False},
        }
    )
    rep = run_replication(loaded)
    r = rep.reports
    ua = (r["desk"] == R.PARTIES.index("UA")) & np.isfinite(r["ack"])
    ack, done = r["ack"][ua], r["triaged"][ua]
    assert ack.size > 300
    assert np.nanmax(r["ack"][ua] - r["arrival"][ua]) > 0  # the desk was saturated at times
    staff = loaded.scenario.center.desks.UA.staffing()
    overtime = 0
    for t in ack:
        # the shift on duty began at the last 06:00 or 18:00; officers of the shift
        # before finish what they hold (Ciw's handover) but take nothing new
        day, minute = divmod(t, 1440.0)
        began = day * 1440.0 + (360.0 if 360.0 <= minute < 1080.0 else 1080.0)
        if minute < 360.0:
            began -= 1440.0
        in_service = (ack <= t) & (done > t)
        assert int((in_service & (ack >= began)).sum()) <= staff[int(minute)], t
        overtime += int((in_service & (ack < began)).sum())
    assert overtime > 0  # handovers with work in hand happened


def test_same_seed_same_tables_and_other_seed_differs(timeline):
    loaded = timeline(
        {
            "horizon": "15d",
            "violations": {
                "rate_per_day": 30,
                "scripted": [],
                "escalation": {"branching_ratio": 0.3},
            },
        }
    )
    a = run_replication(loaded, 0, seed=11)
    b = run_replication(loaded, 0, seed=11)
    c = run_replication(loaded, 0, seed=12)
    for name in ("violations", "reports", "incidents"):
        ta, tb = getattr(a, name), getattr(b, name)
        for k in ta:
            assert np.array_equal(ta[k], tb[k], equal_nan=True), (name, k)
    assert not np.array_equal(a.violations["time"], c.violations["time"])


def test_replications_draw_different_streams(timeline):
    loaded = timeline({"horizon": "5d", "violations": {"rate_per_day": 30, "scripted": []}})
    a = run_replication(loaded, 0)
    b = run_replication(loaded, 1)
    assert not np.array_equal(a.violations["time"], b.violations["time"])


@pytest.mark.parametrize("min_severity", [2, 3])  # raised above it, or exactly to it
def test_more_severe_merged_report_brings_a_team(timeline, min_severity):
    types = {
        "small_arms": {"share": 0.5, "severity": 1, "evidence_half_life": "1d"},
        "artillery": {"share": 0.5, "severity": 3, "evidence_half_life": "2d", "attributable": 1.0},
    }
    us_day_only = {"officers": None, "shifts": [{"start": "08:00", "end": "16:00", "officers": 1}]}
    loaded = timeline(
        {
            "violations": {
                "types": types,
                "scripted": [
                    {"time": "1h", "node": "S2", "type": "small_arms", "perpetrator": "RU"},
                    {"time": "2h", "node": "S2", "type": "artillery", "perpetrator": "RU"},
                ],
            },
            "center": {"desks": {"US": us_day_only}},
            "teams": {"min_severity": min_severity},
        }
    )
    rep = run_replication(loaded)
    i = _one(rep.incidents)
    assert rep.incidents["incident"].size == 1 and i["n_reports"] == 2
    # first report (severity 1) waits for the US desk; the artillery report at
    # 150 + 20 min triage raises the severity, so a team is sent at 170
    assert i["dispatch"] == 170.0 and i["severity"] == 3
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "verified"
    assert check_conservation(rep) == []
    # no officer stays reserved for the withdrawn assessment
    assert rep.totals["desks"]["RU"]["busy"] == pytest.approx(30.0)  # only the final assessment


def test_officers_are_reserved_for_a_joint_assessment_while_a_colleague_is_busy(timeline):
    loaded = timeline(
        {
            "reporting": {
                "channels": {"civilian": {"detection": 1.0, "delay": "140min", "desk": "US"}}
            }
        }
    )
    rep = run_replication(loaded)
    i = _one(rep.incidents)
    # verification ends at 210; the US officer triages the civilian report 200-220;
    # RU and UA are reserved from 210, the assessment runs 220-250
    assert i["finding"] == 250.0 and i["n_reports"] == 2
    assert rep.totals["desks"]["RU"]["busy"] == pytest.approx(40.0)
    assert rep.totals["desks"]["US"]["busy"] == pytest.approx(20.0 + 30.0)
    assert [R.REPORT_STATES[s] for s in rep.reports["state"]] == ["led_to_finding", "merged"]


def test_reports_expire_when_an_officer_frees_up_not_later(timeline):
    loaded = timeline(
        {
            "violations": {
                "scripted": [
                    {"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "RU"},
                    {"time": "1h", "node": "S4", "type": "artillery", "perpetrator": "RU"},
                ]
            },
            "center": {"triage": {"time": "60min", "max_wait": "30min"}},
            "output": {"sample_interval": "1d"},
        }
    )
    rep = run_replication(loaded)
    states = [R.REPORT_STATES[s] for s in rep.reports["state"]]
    assert states == ["led_to_finding", "expired"]
    assert rep.reports["state_time"][1] == 120.0 and np.isnan(rep.reports["ack"][1])


def test_sampling_interval_does_not_change_the_simulation(timeline):
    over = {
        "horizon": "6d",
        "violations": {"rate_per_day": 120, "scripted": []},
        "center": {"triage": {"time": "30min", "max_wait": "4h"}},
    }
    a = run_replication(timeline({**over, "output": {"sample_interval": "1h"}}))
    b = run_replication(timeline({**over, "output": {"sample_interval": "1d"}}))
    assert (a.reports["state"] == R.REPORT_STATES.index("expired")).sum() > 10
    for name in ("reports", "incidents", "violations"):
        for k, col in getattr(a, name).items():
            assert np.array_equal(col, getattr(b, name)[k], equal_nan=True), (name, k)


def test_time_series_stops_before_the_horizon(timeline):
    rep = run_replication(timeline({"output": {"sample_interval": "7h"}}))
    t = rep.series["time"]
    assert t[0] == 0 and t[-1] < 3 * 1440 and t[-1] + 7 * 60 >= 3 * 1440
    assert (rep.series["on_duty_RU"] == 1).all()


def test_all_waiting_assessments_start_as_soon_as_officers_are_free():
    import simpy

    from sim.engine.center import Center, CenterConfig, Desk, ShiftGroup

    env = simpy.Environment()
    desks = [Desk(i, [ShiftGroup("all day", 0, 0, 2)], 0.0, 1e9) for i in range(3)]
    found = []

    class Sink:
        def incident_assessed(self, i):
            found.append((i, env.now))

    center = Center(env, desks, CenterConfig(False, None, True), Sink())
    desks[2].take(0.0)  # both US officers busy until 300
    desks[2].take(0.0)

    def us_finishes():
        yield env.timeout(300)
        desks[2].release(0, env.now)
        desks[2].release(0, env.now)
        center.dispatch(desks[2])

    def queue_three():
        yield env.timeout(60)
        for i in range(3):
            center.assess(i, 1, 30.0)

    env.process(us_finishes())
    env.process(queue_three())
    env.run(until=1000)
    # two officers per desk: two assessments start at 300, the third at 330
    assert found == [(0, 330.0), (1, 330.0), (2, 360.0)]


def test_response_target_is_undefined_when_no_incident_asks_for_a_team(timeline):
    from sim.analysis.metrics import target_shares

    loaded = timeline(
        {
            "horizon": "5d",
            "teams": {"enabled": False},
            "violations": {"rate_per_day": 20, "scripted": []},
        }
    )
    rep = run_replication(loaded)
    shares = target_shares(rep, 0.0, loaded.scenario.targets)
    assert np.isnan(shares["response"]) and shares["finding"] > 0.9


def test_littles_law_per_desk_on_a_busy_center(timeline):
    from sim.analysis.metrics import desk_stats

    loaded = timeline(
        {
            "horizon": "40d",
            "warmup": "2d",
            "violations": {"rate_per_day": 90, "scripted": []},
            "center": {
                "triage": {"time": {"dist": "exponential", "mean": "25min"}, "max_wait": "3h"}
            },
            "teams": {"enabled": False},
        }
    )
    rep = run_replication(loaded)
    for p, s in desk_stats(rep, 2880.0).items():
        if s["reports"] < 100:
            continue
        little = s["reports_per_minute"] * s["mean_time_in_queue"]
        # boundary effects at the window edges are a few reports' worth
        assert s["mean_queue"] == pytest.approx(little, rel=0.03), p


def test_desks_follow_the_shift_plan_and_never_idle_while_reports_wait(timeline):
    shifts = [
        {"start": "06:00", "end": "14:00", "officers": 3},
        {"start": "14:00", "end": "22:00", "officers": 2},
        {"start": "22:00", "end": "06:00", "officers": 1},
    ]
    loaded = timeline(
        {
            "horizon": "8d",
            "violations": {"rate_per_day": 100, "scripted": []},
            "center": {
                "desks": {"UA": {"officers": None, "shifts": shifts}},
                "assessment": {"enabled": False},
                "triage": {"max_wait": None},
            },
            "teams": {"enabled": False},
            "output": {"sample_interval": "13min"},
        }
    )
    rep = run_replication(loaded)
    s = rep.series
    staff = loaded.scenario.center.desks.UA.staffing()
    minute = (s["time"] % 1440).astype(int)
    assert np.array_equal(s["on_duty_UA"], np.array(staff)[minute])
    waiting = s["queue_UA"] > 0
    assert waiting.sum() > 50
    # work conservation: with reports waiting, every officer on duty is busy
    assert (s["busy_UA"][waiting] >= s["on_duty_UA"][waiting]).all()


@pytest.mark.parametrize("warmup", [0.0, 120.0])
def test_busy_team_time_and_open_incident_time_are_exact_integrals(timeline, warmup):
    # Two teams at B0, two UA officers. Violation at S0 (60): triaged 90-110, team
    # busy 110-200 (10 min prepare, 10 km, 1 h on site, 10 km back), assessed
    # 190-220. Violation at S4 (61): triaged 91-111, team busy 111-281 (50 km each
    # way), assessed 231-261. The integrals add up overlapping intervals from the
    # end of the warm-up.
    from sim.analysis.desks import team_utilisation

    over = {
        "warmup": f"{warmup:g}min",
        "violations": {"scripted": [at(60, "S0"), at(61, "S4")]},
        "center": {"desks": {"UA": {"officers": 2}}},
        "teams": {"bases": [{"node": "B0", "count": 2}]},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert i["dispatch"].tolist() == [110.0, 111.0]
    assert i["returned"].tolist() == [200.0, 281.0]
    assert i["finding"].tolist() == [220.0, 261.0]
    busy = (200.0 - max(110.0, warmup)) + (281.0 - max(111.0, warmup))
    assert rep.totals["teams"] == {"busy": busy, "count": 2}
    assert rep.totals["measured_minutes"] == 3 * 1440.0 - warmup
    assert team_utilisation(rep) == busy / (2 * (3 * 1440.0 - warmup))
    open_time = (220.0 - max(110.0, warmup)) + (261.0 - max(111.0, warmup))
    assert rep.totals["incidents_open"] == open_time


def test_a_replication_hands_its_rows_to_the_recorder_it_is_given(timeline):
    from sim.records.recorders import MemoryRecorder

    loaded = timeline({"violations": {"scripted": [at(60, "S0"), at(300, "S3")]}})
    recorder = MemoryRecorder()
    rep = run_replication(loaded, recorder=recorder)
    for name in ("violations", "reports", "incidents", "series"):
        rows = sum(len(part[next(iter(part))]) for part in recorder.parts.get(name, []))
        assert rows == len(getattr(rep, name)[next(iter(getattr(rep, name)))]) > 0, name


def test_time_in_intervals_is_integrated_exactly_whatever_the_chunk_size():
    from sim.engine.monitor import interval_integrals

    # [300, 1800): 60 + 360 before 06:00 and 1080 after; [0, 30): 30 before;
    # [1400, 1500): 40 after, then 60 before (next day); [100, 200): 100 before;
    # [2000, 2100): 100 after (09:20-11:00 of day 2)
    lo = np.array([300.0, 0.0, 1400.0, 100.0, 2000.0])
    hi = np.array([1800.0, 30.0, 1500.0, 200.0, 2100.0])
    for chunk in (1, 2, 3, 16384):
        total, by_bin = interval_integrals(lo, hi, 0.0, 3000.0, [0, 360, 1440], chunk=chunk)
        assert total == 1830.0, chunk
        assert by_bin == [610.0, 1220.0], chunk
    # half a minute past midnight counts in the next day's first bin
    one = interval_integrals(np.array([0.0]), np.array([1440.5]), 0.0, 3000.0, [0, 360, 1440])
    assert one == (1440.5, [360.5, 1080.0])


def test_with_no_team_at_any_base_findings_rest_on_the_reports(timeline):
    # teams enabled but none configured (count 0): as with teams off
    rep = run_replication(timeline({"teams": {"bases": [{"node": "B0", "count": 0}]}}))
    i = _one(rep.incidents)
    assert R.INCIDENT_REASONS[i["reason"]] == "teams_off"
    assert (i["team"], i["finding"]) == (-1, 140.0)  # assessed 110-140
    assert R.UNVERIFIED_REASONS[_one(rep.violations)["reason"]] == "teams_off"


def test_violations_follow_the_day_of_the_week_of_the_calendar(timeline):
    # 1 Jan 2024 was a Monday; with weight only on Wednesdays every background
    # violation falls on day 2 or day 9 of the run
    loaded = timeline(
        {
            "start": "2024-01-01",
            "horizon": "14d",
            "violations": {
                "rate_per_day": 10,
                "scripted": [],
                "day_of_week": [0, 0, 1, 0, 0, 0, 0],
            },
            "teams": {"enabled": False},
        }
    )
    days = run_replication(loaded).violations["time"] // 1440
    assert days.size > 50
    assert set(days.tolist()) == {2.0, 9.0}


def test_type_codes_of_the_tables_index_the_results_type_names(timeline):
    from .timelines import TYPES

    scripted = [at(60, "S0", kind="drone"), at(120, "S2", kind="small_arms"), at(180, "S4")]
    rep = run_replication(timeline({"violations": {"types": TYPES, "scripted": scripted}}))
    assert set(TYPES) <= set(rep.types)
    assert [rep.types[k] for k in rep.violations["type"]] == ["drone", "small_arms", "artillery"]
    assert [rep.types[k] for k in rep.reports["type"]] == ["drone", "small_arms", "artillery"]


def test_progress_is_reported_once_per_simulated_day(timeline):
    # samples every hour: the first sample at or after each day's end reports the time
    calls = []
    run_replication(timeline({"output": {"sample_interval": "1h"}}), progress=calls.append)
    assert calls == [1440.0, 2880.0]  # the 3-day horizon itself is not sampled
    # samples every 7 h: 1680 is the first at or after 1440, then 3360 after 3120
    calls = []
    run_replication(timeline({"output": {"sample_interval": "7h"}}), progress=calls.append)
    assert calls == [1680.0, 3360.0]


def test_officers_on_duty_are_integrated_from_the_end_of_the_warm_up(timeline):
    # UA: 2 officers 06:00-18:00, 1 officer 18:00-06:00; warm-up 1 day of 3. Over
    # the two measured days each hour of the day holds 2 x 60 officer-minutes at
    # night and 2 x 2 x 60 by day (the changes during the warm-up count for nothing).
    shifts = [
        {"start": "06:00", "end": "18:00", "officers": 2},
        {"start": "18:00", "end": "06:00", "officers": 1},
    ]
    over = {
        "warmup": "1d",
        "center": {"desks": {"UA": {"officers": None, "shifts": shifts}}},
        "teams": {"enabled": False},
    }
    ua = run_replication(timeline(over)).totals["desks"]["UA"]
    assert ua["bin_edges"] == list(range(0, 1441, 60))
    assert ua["on_duty_by_bin"] == [120.0] * 6 + [240.0] * 12 + [120.0] * 6
    assert ua["on_duty"] == 4320.0


def test_a_shift_may_start_or_end_at_24_00(timeline):
    # "24:00" is midnight at the end of the day, the same minute of the day as
    # 00:00: the desk has 2 officers 16:00-24:00, 1 officer 24:00-08:00, nobody
    # 08:00-16:00, and its plan reads in minutes of the day
    shifts = [
        {"start": "16:00", "end": "24:00", "officers": 2},
        {"start": "24:00", "end": "08:00", "officers": 1},
    ]
    loaded = timeline(
        {
            "violations": {"scripted": []},
            "center": {"desks": {"UA": {"officers": None, "shifts": shifts}}},
            "teams": {"enabled": False},
            "output": {"sample_interval": "1h"},
        }
    )
    rep = run_replication(loaded)
    s = rep.series
    hour = (s["time"] % 1440 // 60).astype(int)
    assert np.array_equal(s["on_duty_UA"], np.select([hour >= 16, hour < 8], [2.0, 1.0], 0.0))
    plan = rep.totals["desks"]["UA"]["shifts"]
    assert [(g["name"], g["start"], g["end"]) for g in plan] == [
        ("16:00-24:00", 960, 0),
        ("24:00-08:00", 0, 480),
    ]


def test_the_time_series_sample_incidents_teams_and_joint_queue(timeline):
    # One team, two UA officers, the US desk off duty until 04:00. Incident 0 (S0)
    # opens at 110 and gets the team (back at 200); incident 1 (S4) opens at 111 and
    # waits for it until 200 (back at 370). Incident 0's assessment waits for the US
    # desk from 190 to 240 (finding 270); incident 1 is assessed 320-350.
    from .timelines import only

    over = {
        "violations": {"scripted": [at(60, "S0"), at(61, "S4")]},
        "center": {"desks": {"UA": {"officers": 2}, "US": only("04:00", "00:00")}},
        "output": {"sample_interval": "30min"},
    }
    rep = run_replication(timeline(over))
    assert rep.incidents["finding"].tolist() == [270.0, 350.0]
    s = rep.series
    at_t = {t: k for k, t in enumerate(s["time"].tolist())}
    rows = [at_t[t] for t in (120.0, 210.0, 300.0, 360.0, 390.0)]
    assert s["incidents_open"][rows].tolist() == [2, 2, 1, 0, 0]
    assert s["teams_busy"][rows].tolist() == [1, 1, 1, 1, 0]
    assert s["teams_queue"][rows].tolist() == [1, 0, 0, 0, 0]
    assert s["joint_waiting"][rows].tolist() == [0, 1, 0, 0, 0]
    assert {s[c].dtype for c in s} == {np.dtype(np.float64)}


def test_a_long_time_series_comes_out_whole(timeline):
    # more samples than one block of rows: every minute of two days, in order
    loaded = timeline(
        {
            "horizon": "2d",
            "violations": {"scripted": []},
            "teams": {"enabled": False},
            "output": {"sample_interval": "1min"},
        }
    )
    assert run_replication(loaded).series["time"].tolist() == [float(t) for t in range(2880)]
