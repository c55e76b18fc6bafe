"""The center's rules (docs/model.md, "Center") on scripted timelines with exact times.

In the timeline world (tests/conftest.py) a violation's affected side reports it
30 min later to its own desk (a violation by RU reaches the UA desk), triage
takes 20 min and a joint assessment 30 min unless a test says otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import records as R
from sim.engine import run_replication
from sim.engine.incidents import INCIDENT_SCHEMA, rows_table

from .timelines import PLENTY, TYPES, at, column, names, only

NO_TEAMS = {"enabled": False}


def test_a_free_officer_takes_the_next_report_first_come_first_served(timeline):
    # One UA officer, busy 90-110 with the first report; four more arrive at
    # 95, 96, 97, 98 (severities 1, 2, 3, 1) and are taken in arrival order.
    scripted = [
        at(60, "S0"),
        at(65, "S1", kind="small_arms"),
        at(66, "S2", kind="drone"),
        at(67, "S3"),
        at(68, "S4", kind="small_arms"),
    ]
    over = {
        "violations": {"types": TYPES, "scripted": scripted},
        "center": {"merging": {"enabled": False}, "assessment": {"enabled": False}},
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert column(r, "arrival") == [90.0, 95.0, 96.0, 97.0, 98.0]
    assert column(r, "ack") == [90.0, 110.0, 130.0, 150.0, 170.0]
    assert column(r, "triaged") == [110.0, 130.0, 150.0, 170.0, 190.0]


def test_severity_first_takes_the_most_severe_report_and_ties_in_arrival_order(timeline):
    # The same reports with the severity rule: at 110 the severity-3 report of
    # 97 goes first, then severity 2 (96), then the two severity-1 reports in
    # their arrival order (95 before 98).
    scripted = [
        at(60, "S0"),
        at(65, "S1", kind="small_arms"),
        at(66, "S2", kind="drone"),
        at(67, "S3"),
        at(68, "S4", kind="small_arms"),
    ]
    over = {
        "violations": {"types": TYPES, "scripted": scripted},
        "center": {
            "priority": "severity",
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert column(r, "severity") == [3, 1, 2, 3, 1]
    assert column(r, "ack") == [90.0, 150.0, 130.0, 110.0, 170.0]


def test_triage_takes_the_reports_own_draw(timeline):
    # Random triage times: every report is triaged for exactly its own draw
    # (the triage_time column), and the draw is the same in a configuration
    # where the report waits (one officer instead of ten).
    over = {
        "horizon": "4d",
        "violations": {"rate_per_day": 60, "scripted": []},
        "center": {
            "triage": {"time": {"dist": "exponential", "mean": "30min"}},
            "desks": {"UA": {"officers": 10}},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    many = run_replication(timeline(over)).reports
    over["center"]["desks"]["UA"]["officers"] = 1
    one = run_replication(timeline(over)).reports
    for r in (many, one):
        taken = np.isfinite(r["triaged"])
        assert taken.sum() > 150
        assert np.allclose((r["triaged"] - r["ack"])[taken], r["triage_time"][taken], atol=1e-9)
    assert np.array_equal(many["triage_time"], one["triage_time"])
    assert len(set(column(many, "triage_time"))) == many["triage_time"].size  # random
    assert not np.array_equal(many["ack"], one["ack"])  # ... and the waits did change


def test_a_report_waiting_longer_than_max_wait_expires_at_its_deadline(timeline):
    # One UA officer busy 90-150 (triage 60 min). Reports arrive at 95 and 120,
    # max_wait 55 min: the first waited exactly 55 min at 150 and is taken (only
    # waiting *longer* expires), the second expires at its deadline 175, while
    # the officer triages the first.
    scripted = [at(60, "S0"), at(65, "S1"), at(90, "S3")]
    over = {
        "violations": {"scripted": scripted},
        "center": {
            "triage": {"time": "60min", "max_wait": "55min"},
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert column(r, "arrival") == [90.0, 95.0, 120.0]
    assert column(r, "ack")[:2] == [90.0, 150.0] and np.isnan(r["ack"][2])
    assert names(r, "state", R.REPORT_STATES) == ["led_to_finding", "led_to_finding", "expired"]
    assert r["state_time"][2] == 175.0
    # the UA queue (hourly samples): two waiting at 2:00, none at 3:00 (one taken in,
    # one expired)
    queue = dict(zip(column(rep.series, "time"), column(rep.series, "queue_UA")))
    assert (queue[120.0], queue[180.0]) == (2.0, 0.0)


def test_a_shift_change_comes_before_work_at_the_same_minute(timeline):
    # The UA desk is staffed 06:00-22:00 only. A report arriving at 22:00 sharp
    # finds the shift already gone and waits for 06:00 the next day.
    over = {
        "violations": {"scripted": [at(21 * 60 + 30, "S2")]},
        "center": {
            "desks": {"UA": only("06:00", "22:00")},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert column(r, "arrival") == [22 * 60.0]
    assert column(r, "ack") == [1440.0 + 6 * 60.0]


def test_a_shift_starting_now_takes_a_report_arriving_now(timeline):
    # ... and a report arriving at 06:00 sharp is taken at 06:00 by the new shift.
    over = {
        "violations": {"scripted": [at(5 * 60 + 30, "S2")]},
        "center": {
            "desks": {"UA": only("06:00", "22:00")},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert column(r, "ack") == [6 * 60.0]


def test_a_false_report_is_recognised_at_triage_by_its_own_draw(timeline):
    # False reports only; with false_detection 1 every one is recognised at the
    # end of its triage, with 0 none is, and each then opens an incident.
    over = {
        "horizon": "5d",
        "violations": {"scripted": []},
        "reporting": {"false_reports": {"rate_per_day": 10}},
        "center": {"triage": {"false_detection": 1.0}, "desks": PLENTY},
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert r["arrival"].size > 50 and r["false"].all()
    assert set(names(r, "state", R.REPORT_STATES)) == {"false_recognised"}
    assert np.array_equal(r["state_time"], r["triaged"])
    over["center"]["triage"]["false_detection"] = 0.0
    rep = run_replication(timeline(over))
    assert (rep.reports["incident"] >= 0).all()
    # each incident is unfounded only after a team found nothing; with teams off
    # the finding rests on the reports: not verified
    assert set(names(rep.incidents, "outcome", R.INCIDENT_OUTCOMES)) == {"not_verified"}


def test_joint_work_waits_for_one_officer_of_each_desk(timeline):
    # The single timeline violation: triage 90-110 at UA, team on site 150-210,
    # assessment 210-240 needs RU, UA and US at once: each desk is busy for
    # exactly those 30 min (plus UA's triage).
    rep = run_replication(timeline())
    assert column(rep.incidents, "finding") == [240.0]
    busy = {p: rep.totals["desks"][p]["busy"] for p in R.PARTIES}
    assert busy == {"RU": 30.0, "UA": 50.0, "US": 30.0}


def test_joint_work_goes_before_intake(timeline):
    # Team off; the assessment of the first incident is ready at 110, but the
    # US officer triages a civilian report 100-120. RU and UA are reserved from
    # 110; the RU report arriving at 115 must wait until the assessment (120-150)
    # is over although the RU officer sat idle: the reservation holds. The US
    # officer, too, takes the civilian report of 125 only after the assessment.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(85, "S4", perpetrator="UA")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "teams": NO_TEAMS,
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert column(r, "arrival") == [90.0, 100.0, 115.0, 125.0]
    assert column(r, "desk") == [1, 2, 0, 2]
    assert column(r, "ack") == [90.0, 100.0, 150.0, 150.0]
    assert column(rep.incidents, "finding")[0] == 150.0


def test_reservations_are_released_when_a_desk_goes_off_duty(timeline):
    # The US desk is staffed 00:00-02:35 only. The incident of the 100-min
    # violation (UA triage 130-150) waits for its assessment from 150; RU and
    # UA are reserved while the US officer triages a civilian report (140-160).
    # At 155 the US shift ends: nobody can assess until 00:00, so RU and UA are
    # released, and the RU report of 165 is taken at once. The assessment runs
    # at 00:00 the next day (1440-1470).
    us = only("00:00", "02:35")
    over = {
        "violations": {"scripted": [at(100, "S2"), at(135, "S4", perpetrator="UA")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {"desks": {"US": us}},
        "teams": NO_TEAMS,
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert column(r, "arrival") == [130.0, 140.0, 165.0, 175.0]
    assert column(r, "desk") == [1, 2, 0, 2]
    assert column(r, "ack") == [130.0, 140.0, 165.0, 1500.0]
    assert column(rep.incidents, "finding") == [1470.0, 1500.0, 1550.0]
    # RU: reserved 150-155, triage 165-185, three assessments
    assert rep.totals["desks"]["RU"]["busy"] == pytest.approx(5.0 + 20.0 + 3 * 30.0)


def test_a_withdrawn_assessment_releases_its_reserved_officers(timeline):
    # min_severity 2. A small-arms report (UA desk, 90-110) opens an incident
    # assessed without a team: RU and one UA officer are reserved at 110 while
    # the US officer triages a civilian report (100-120). At 115 an artillery
    # report merges into it (second UA officer, 95-115): the assessment is
    # withdrawn, a team is sent, and RU and UA are free again, so the RU report
    # of 116 is taken at once.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S2", kind="small_arms"),
                at(65, "S2"),
                at(86, "S4", perpetrator="UA", kind="small_arms"),
            ],
        },
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {"desks": {"UA": {"officers": 2}}},
        "teams": {"min_severity": 2},
    }
    rep = run_replication(timeline(over))
    r, i = rep.reports, rep.incidents
    assert column(r, "arrival") == [90.0, 95.0, 100.0, 105.0, 116.0, 126.0]
    assert column(r, "ack")[4] == 116.0
    assert column(i, "dispatch")[0] == 115.0 and column(i, "severity")[0] == 3
    # RU: reserved 110-115, triage 116-136, reserved 136-140 waiting for US, and
    # three assessments
    assert rep.totals["desks"]["RU"]["busy"] == pytest.approx(5.0 + 20.0 + 4.0 + 3 * 30.0)


def test_the_joint_queue_is_first_come_first_served(timeline):
    # Three UA officers, triage 10 min, assessment 60 min. The first incident is
    # assessed 100-160; incidents of severity 1 (ready 120) and 3 (ready 125)
    # wait and are assessed in that order.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [at(60, "S0"), at(80, "S2", kind="small_arms"), at(85, "S4")],
        },
        "center": {
            "desks": {"UA": {"officers": 3}},
            "triage": {"time": "10min"},
            "merging": {"enabled": False},
            "assessment": {"time": "60min"},
        },
        "teams": NO_TEAMS,
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "created") == [100.0, 120.0, 125.0]
    assert column(i, "finding") == [160.0, 220.0, 280.0]


def test_severity_first_assesses_the_most_severe_waiting_incident_first(timeline):
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [at(60, "S0"), at(80, "S2", kind="small_arms"), at(85, "S4")],
        },
        "center": {
            "priority": "severity",
            "desks": {"UA": {"officers": 3}},
            "triage": {"time": "10min"},
            "merging": {"enabled": False},
            "assessment": {"time": "60min"},
        },
        "teams": NO_TEAMS,
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "severity") == [3, 1, 3]
    assert column(i, "finding") == [160.0, 280.0, 220.0]


def test_assessment_takes_the_incidents_own_draw(timeline):
    # Thirty officers per desk, no teams: each finding comes exactly its own
    # assessment draw after the incident opened.
    over = {
        "horizon": "4d",
        "violations": {"rate_per_day": 40, "scripted": []},
        "center": {
            "desks": {p: {"officers": 30} for p in R.PARTIES},
            "merging": {"enabled": False},
            "assessment": {"time": {"dist": "exponential", "mean": "30min"}},
        },
        "teams": NO_TEAMS,
    }
    i = run_replication(timeline(over)).incidents
    done = np.isfinite(i["finding"])
    assert done.sum() > 100
    assert np.allclose((i["finding"] - i["created"])[done], i["assessment_time"][done])
    assert len(set(column(i, "assessment_time"))) == i["assessment_time"].size


def test_without_joint_assessment_the_finding_is_made_when_the_team_is_done(timeline):
    rep = run_replication(timeline({"center": {"assessment": {"enabled": False}}}))
    i = rep.incidents
    assert column(i, "finding") == [210.0]  # on site 150 + 60 min, no assessment
    assert rep.totals["desks"]["RU"]["busy"] == 0.0


def test_a_free_officer_takes_a_report_that_arrives_long_after_the_desk_last_acted(timeline):
    # One UA officer, triage 60 min: free at 60.1, the next report arrives at 124.2.
    # 60.1 + (124.2 - 60.1) rounds to just below 124.2: a wake-up set that way came
    # before the report and the desk never woke again (the report was never taken).
    over = {
        "violations": {"types": TYPES, "scripted": [at(0.1, "S2"), at(124.2, "S2")]},
        "reporting": {"channels": {"affected": {"delay": "0min"}}},
        "center": {
            "desks": {"UA": {"officers": 1}},
            "triage": {"time": "60min"},
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    assert column(r, "arrival") == [0.1, 124.2]
    # no delay from 60.1 lands on 124.2 exactly: the wake-up comes one rounding step later
    assert column(r, "ack") == pytest.approx([0.1, 124.2], abs=1e-12)
    assert column(r, "triaged") == pytest.approx([60.1, 184.2], abs=1e-12)
    assert (r["ack"] >= r["arrival"]).all()


def test_withdrawing_one_of_two_waiting_assessments_keeps_the_other(timeline):
    # min_severity 2, merging only at the same node; the US desk (one officer)
    # is on duty from 05:00, so assessments wait until 300. Small-arms incidents
    # at S0 (110) and S4 (112) wait for theirs. At 140 an artillery report merges
    # into the S0 incident: its assessment is withdrawn and the team goes (on
    # site 160-220), then it queues again at 220. The S4 assessment stays
    # queued and goes first at 300 (300-330), the S0 one follows (330-360).
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S0", kind="small_arms"),
                at(62, "S4", kind="small_arms"),
                at(90, "S0"),
            ],
        },
        "center": {
            "desks": {**PLENTY, "US": only("05:00", "23:00")},
            "merging": {"max_distance_km": 5},
        },
        "teams": {"min_severity": 2},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert column(i, "created") == [110.0, 112.0]
    assert column(i, "dispatch")[0] == 140.0 and np.isnan(i["dispatch"][1])
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", "below_min_severity"]
    assert column(i, "finding") == [360.0, 330.0]
    # assessments waiting (hourly samples): S0 and S4 at 2:00, S4 alone at 3:00
    # after the withdrawal, both again at 4:00, none at 7:00
    waiting = dict(zip(column(rep.series, "time"), column(rep.series, "joint_waiting")))
    assert [waiting[t] for t in (120.0, 180.0, 240.0, 420.0)] == [2.0, 1.0, 2.0, 0.0]


def test_a_severe_report_merging_during_the_assessment_sends_no_team(timeline):
    # min_severity 2. The small-arms incident at S0 opens at 110 and is assessed
    # at once (110-140, every desk has free officers). The artillery report of
    # the same place merges at 135, while the assessment runs: too late to
    # withdraw it, so no team goes and the finding stays the assessment's.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [at(60, "S0", kind="small_arms"), at(85, "S0")],
        },
        "center": {"desks": PLENTY},
        "teams": {"min_severity": 2},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert column(i, "n_reports") == [2] and column(i, "severity") == [3]
    assert np.isnan(i["dispatch"][0])
    assert names(i, "reason", R.INCIDENT_REASONS) == ["below_min_severity"]
    assert column(i, "finding") == [140.0]
    assert rep.totals["teams"]["busy"] == 0.0


def test_an_empty_incident_table_has_every_column_and_no_row():
    # A block of no incidents (a run in which no report opened one) is a table
    # with the schema's columns and types, each of length 0.
    table = rows_table([])
    assert list(table) == list(INCIDENT_SCHEMA)
    assert all(col.shape == (0,) for col in table.values())
    assert all(table[c].dtype == np.dtype(d) for c, d in INCIDENT_SCHEMA.items())


def test_a_report_claiming_exactly_the_merge_window_away_merges(timeline):
    # Merge window 3 h. The first incident (S2, claimed 60) is open until its
    # finding (a 6 h assessment, 110-470); the report of the violation at 240
    # claims exactly 3 h later and merges into it.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(240, "S2")]},
        "center": {"desks": PLENTY, "assessment": {"time": "6h"}},
        "teams": NO_TEAMS,
    }
    rep = run_replication(timeline(over))
    assert column(rep.reports, "incident") == [0, 0]
    assert names(rep.reports, "state", R.REPORT_STATES) == ["led_to_finding", "merged"]
    assert column(rep.incidents, "n_reports") == [2]


def test_a_report_matching_two_open_incidents_merges_into_the_earliest_opened(timeline):
    # Window 3 h, teams off, 6 h assessments keep incidents open. S2 incidents:
    # claimed 60 (opened 110) and claimed 250 (opened 300; 190 min after the first,
    # so apart). Reports of violations against RU come 2 h late: the one claiming
    # 200 reaches the RU desk at 320, matches both, and joins the first.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(250, "S2"), at(200, "S2", perpetrator="UA")]},
        "reporting": {"channels": {"affected": {"by_party": {"RU": {"delay": "2h"}}}}},
        "center": {"desks": PLENTY, "assessment": {"time": "6h"}},
        "teams": NO_TEAMS,
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert column(r, "arrival") == [90.0, 280.0, 320.0]
    assert column(r, "incident") == [0, 1, 0]
    assert column(rep.incidents, "created") == [110.0, 300.0]
    assert column(rep.incidents, "n_reports") == [2, 1]


def test_a_report_arriving_as_an_officer_frees_up_is_considered_at_once(timeline):
    # Severity first, one UA officer. Artillery and small-arms reports arrive at 90:
    # the artillery one is triaged 90-110, the small-arms one waits. Another
    # artillery report arrives at 110, the instant the officer is free: it is in
    # the queue before the officer picks, so it goes first (110-130), then the
    # small-arms report (130-150).
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [at(60, "S0"), at(60, "S1", kind="small_arms"), at(80, "S2")],
        },
        "center": {
            "priority": "severity",
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    cols = [column(r, c) for c in ("node", "arrival", "severity", "ack")]
    # node: [arrival, severity, ack] for S0 (artillery), S1 (small arms), S2 (artillery)
    by_node = {n: rest for n, *rest in zip(*cols)}
    assert by_node == {0: [90.0, 3, 90.0], 1: [90.0, 1, 130.0], 2: [110.0, 3, 110.0]}


def test_a_desk_back_on_duty_reviews_only_when_an_officer_is_there(timeline):
    # Emergency quorum. The US desk's plan has a shift of no officers 06:00-08:00
    # and one officer 08:00-16:00. RU and UA assess the incident 110-140 without
    # the US desk, which reviews the finding when its officer comes at 08:00, not
    # when the empty shift starts at 06:00.
    us = {
        "officers": None,
        "shifts": [
            {"start": "06:00", "end": "08:00", "officers": 0},
            {"start": "08:00", "end": "16:00", "officers": 1},
        ],
    }
    over = {
        "center": {"desks": {"US": us}},
        "findings": {"quorum": "two_of_three"},
        "teams": NO_TEAMS,
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "finding") == [140.0] and column(i, "quorum") == [2]
    assert column(i, "review") == [480.0]


def test_without_the_quorum_rule_an_assessment_waits_for_every_desk(timeline):
    # The UA desk is staffed 00:00-01:00 only. A violation by UA is reported to the
    # RU desk at 90 and opens an incident at 110; RU and US are free, but the
    # assessment needs a UA officer too: it runs at 00:00 the next day.
    over = {
        "violations": {"scripted": [at(60, "S2", perpetrator="UA")]},
        "center": {"desks": {"UA": only("00:00", "01:00")}},
        "teams": NO_TEAMS,
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "created") == [110.0]
    assert column(i, "finding") == [1440.0 + 30.0]
    assert column(i, "quorum") == [3]


def test_no_report_is_taken_after_waiting_longer_than_max_wait(timeline):
    # Busy desks (triage 60 min, about 60 reports a day at each of the three) and
    # max_wait 15 min: a report still waiting past its deadline expires there. When
    # one catch-up queued reports at several desks, their deadlines once went into the
    # deadline queue desk by desk, out of time order, and an earlier deadline behind
    # a later one was missed: its report was then taken after waiting too long.
    over = {
        "horizon": "3d",
        "violations": {"rate_per_day": 120, "scripted": []},
        "center": {
            "triage": {"time": "60min", "max_wait": "15min"},
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": NO_TEAMS,
    }
    r = run_replication(timeline(over)).reports
    taken = np.isfinite(r["ack"])
    assert taken.sum() > 20 and (~taken).sum() > 20
    assert (r["ack"][taken] - r["arrival"][taken] <= 15.0).all()
    expired = np.array(names(r, "state", R.REPORT_STATES)) == "expired"
    assert np.array_equal(r["state_time"][expired], r["arrival"][expired] + 15.0)
