"""The teams' rules (docs/model.md, "Teams") on scripted timelines with exact times.

The timeline world: sectors S0..S4 10 km apart, bases B0 (10 km behind S0) and
B4 (10 km behind S4), teams driving 1 km per minute, 10 min to prepare, 1 h
on site; the UA desk triages each report (30 min after its violation) in
20 min, so an incident opens 50 min after its violation when nothing waits.
"""

from __future__ import annotations

import numpy as np

from sim import records as R
from sim.engine import run_replication

from .timelines import PLENTY, TYPES, at, column, names, only

ONE_BY_ONE = {"desks": PLENTY, "merging": {"enabled": False}}
TWO_BASES = [{"node": "B0", "count": 1}, {"node": "B4", "count": 1}]


def test_the_free_team_with_the_shortest_trip_goes(timeline):
    # Teams at B0 and B4. S3 (ready 110) is 20 km from B4 and 40 km from B0:
    # B4's team goes. S2 (ready 130) is 30 km from both; only B0's is free.
    over = {
        "violations": {"scripted": [at(60, "S3"), at(80, "S2")]},
        "center": ONE_BY_ONE,
        "teams": {"bases": TWO_BASES},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "team") == [1, 0]
    assert column(i, "travel_km") == [20.0, 30.0]
    assert column(i, "on_site") == [110.0 + 10 + 20, 130.0 + 10 + 30]


def test_between_equally_near_teams_the_lowest_numbered_goes(timeline):
    # S2 is 30 km from B0 and from B4; teams are numbered in the order of the
    # bases, so the team listed first goes, whichever base it is at.
    for bases in (["B0", "B4"], ["B4", "B0"]):
        over = {
            "violations": {"scripted": [at(60, "S2")]},
            "teams": {"bases": [{"node": n, "count": 1} for n in bases]},
        }
        rep = run_replication(timeline(over))
        assert column(rep.incidents, "team") == [0]
        assert rep.nodes[rep.incidents["base"][0]] == bases[0]


def test_an_incident_out_of_every_teams_range_is_assessed_unvisited(timeline):
    # max_travel_km 35 from B0: S4 (50 km) is out of range, S2 (30 km) is not.
    over = {
        "violations": {"scripted": [at(60, "S4"), at(80, "S2")]},
        "center": ONE_BY_ONE,
        "teams": {"max_travel_km": 35},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert names(i, "reason", R.INCIDENT_REASONS) == ["out_of_range", ""]
    assert np.isnan(i["dispatch"][0]) and i["unserved"][0] == 110.0
    assert column(i, "finding")[0] == 140.0  # assessed at once
    assert column(i, "dispatch")[1] == 130.0
    v = rep.violations
    assert names(v, "reason", R.UNVERIFIED_REASONS)[0] == "out_of_range"


def test_a_freed_team_takes_the_first_waiting_incident_in_its_range(timeline):
    # Teams at B0 and B4 with a 35 km range: B0 reaches S0-S2, B4 reaches S2-S4.
    # S0 (ready 110) takes B0's team (back at 200), S4 (ready 130) B4's (back at
    # 220). S3 (ready 150) and S1 (ready 170) wait in that order. At 200 B0's
    # team skips S3, out of its range, and takes S1; B4's takes S3 at 220.
    over = {
        "violations": {"scripted": [at(60, "S0"), at(61, "S4"), at(62, "S3"), at(63, "S1")]},
        "center": {"merging": {"enabled": False}},
        "teams": {"bases": TWO_BASES, "max_travel_km": 35},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "created") == [110.0, 130.0, 150.0, 170.0]
    assert column(i, "team") == [0, 1, 1, 0]
    assert column(i, "returned")[:2] == [200.0, 220.0]
    assert column(i, "dispatch") == [110.0, 130.0, 220.0, 200.0]


def test_waiting_incidents_get_the_freed_team_first_come_first_served(timeline):
    # One team, busy 110-240 with S2. S0 (severity 2, ready 120), S4 (severity 1,
    # 125) and S1 (severity 3, 130) wait and are served in that order.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S2"),
                at(70, "S0", kind="drone"),
                at(75, "S4", kind="small_arms"),
                at(80, "S1"),
            ],
        },
        "center": ONE_BY_ONE,
    }
    i = run_replication(timeline(over)).incidents
    # each mission: 10 min prepare, there and back, 60 min on site
    assert column(i, "dispatch") == [110.0, 240.0, 330.0, 500.0]
    assert column(i, "returned") == [240.0, 330.0, 500.0, 610.0]


def test_severity_first_sends_the_freed_team_to_the_most_severe_incident(timeline):
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S2"),
                at(70, "S0", kind="drone"),
                at(75, "S4", kind="small_arms"),
                at(80, "S1"),
            ],
        },
        "center": {**ONE_BY_ONE, "priority": "severity"},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "severity") == [3, 2, 1, 3]
    # S1 (severity 3) at 240, back 240 + 10 + 2 x 20 + 60 = 350; S0 then S4
    assert column(i, "dispatch") == [110.0, 350.0, 440.0, 240.0]


def test_an_incident_waiting_give_up_after_is_closed_unvisited(timeline):
    # One team busy 110-240; the S4 incident opens at 130 and gives up at 190,
    # is assessed 190-220, and the team, back at 240, finds nothing waiting.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(80, "S4")]},
        "center": ONE_BY_ONE,
        "teams": {"give_up_after": "1h"},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", "no_team_in_time"]
    assert np.isnan(i["dispatch"][1]) and i["unserved"][1] == 190.0
    assert column(i, "finding") == [240.0, 220.0]
    assert names(rep.violations, "reason", R.UNVERIFIED_REASONS)[1] == "no_team_in_time"
    assert rep.totals["teams"]["busy"] == 240.0 - 110.0  # no second mission


def test_an_incident_served_before_give_up_after_is_not_closed(timeline):
    # The same with give_up_after 2h10: the team is back at 240, before 130 +
    # 130 = 260, and goes.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(80, "S4")]},
        "center": ONE_BY_ONE,
        "teams": {"give_up_after": "130min"},
    }
    i = run_replication(timeline(over)).incidents
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", ""]
    assert column(i, "dispatch") == [110.0, 240.0]
    assert np.isnan(i["unserved"]).all()


def test_giving_up_takes_only_that_incident_out_of_the_team_queue(timeline):
    # One team busy 110-240. S4 opens at 130 and S1 at 150; with give_up_after
    # 100 min, S4 gives up at 230 and S1 (until 250) is still waiting when the
    # team is back at 240, so it goes to S1.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(80, "S4"), at(100, "S1")]},
        "center": ONE_BY_ONE,
        "teams": {"give_up_after": "100min"},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "created") == [110.0, 130.0, 150.0]
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", "no_team_in_time", ""]
    assert column(i, "dispatch")[0::2] == [110.0, 240.0] and np.isnan(i["dispatch"][1])
    assert i["unserved"][1] == 230.0 and np.isnan(i["unserved"][0::2]).all()


def test_a_dispatched_team_waiting_for_patrol_hours_is_not_given_up(timeline):
    # Dispatched at 19:20, the team waits for 07:00 (11 h 40) although
    # give_up_after is 1 h: only waiting for a team counts.
    over = {
        "violations": {"scripted": [at(18 * 60 + 30, "S2")]},
        "teams": {"patrol_hours": {"start": "07:00", "end": "19:00"}, "give_up_after": "1h"},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "dispatch") == [19 * 60 + 20.0]
    assert column(i, "depart") == [1440 + 7 * 60.0]
    assert names(i, "outcome", R.INCIDENT_OUTCOMES) == ["verified"]


def test_a_team_leaves_only_if_it_arrives_by_the_end_of_patrol_hours(timeline):
    # Ready to leave at 18:40 (triage ends 18:30), 30 min to S2: arrives 19:10,
    # after 19:00, so it leaves at 07:00 the next day. Ready at 18:20, it goes.
    for violation, depart in ((17 * 60 + 40, 1440 + 7 * 60.0), (17 * 60 + 20, 18 * 60 + 20.0)):
        over = {
            "violations": {"scripted": [at(violation, "S2")]},
            "teams": {"patrol_hours": {"start": "07:00", "end": "19:00"}},
        }
        i = run_replication(timeline(over)).incidents
        assert column(i, "depart") == [depart]
        assert column(i, "on_site") == [depart + 30.0]


def test_a_trip_longer_than_the_patrol_window_leaves_at_its_start(timeline):
    # Patrol hours 07:00-08:00, 100 min to S4 at 30 km/h: a trip that can never
    # fit leaves at 07:00 (ready at 06:00 or at 07:30 the day before).
    for violation, depart in ((5 * 60, 7 * 60.0), (6 * 60 + 50, 1440 + 7 * 60.0)):
        over = {
            "violations": {"scripted": [at(violation, "S4")]},
            "teams": {"patrol_hours": {"start": "07:00", "end": "08:00"}, "speed_kmh": 30},
        }
        i = run_replication(timeline(over)).incidents
        assert column(i, "depart") == [depart]
        assert column(i, "on_site") == [depart + 100.0]


def test_the_way_back_keeps_patrol_hours_and_the_team_is_busy_until_back(timeline):
    # On site at S2 18:00-19:00; driving back 30 min would end at 19:30, so the
    # team waits on site for 07:00 and is back at 07:30. Another incident
    # (S0, ready 19:40) waits for it until then.
    over = {
        "violations": {"scripted": [at(16 * 60 + 30, "S2"), at(18 * 60 + 50, "S0")]},
        "center": ONE_BY_ONE,
        "teams": {"patrol_hours": {"start": "07:00", "end": "19:00"}},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert column(i, "on_site")[0] == 18 * 60.0
    assert column(i, "returned")[0] == 1440 + 7 * 60 + 30.0
    assert column(i, "dispatch")[1] == 1440 + 7 * 60 + 30.0
    # the finding does not wait for the team's return
    assert column(i, "finding")[0] == 19 * 60 + 30.0


def test_the_affected_side_decides_on_access(timeline):
    # UA denies every visit, RU none: a violation by RU (site held by UA) is
    # denied, one by UA (site held by RU) at the same sector is not.
    for perpetrator, denied in (("RU", True), ("UA", False)):
        over = {
            "violations": {"scripted": [at(60, "S2", perpetrator=perpetrator)]},
            "teams": {"access_denial": {"UA": 1.0, "RU": 0.0}},
        }
        i = run_replication(timeline(over)).incidents
        assert column(i, "access_denied") == [denied]
        # denied: back at once from the site; else 1 h on site first
        assert column(i, "returned") == [150.0 + 30.0 + (0.0 if denied else 60.0)]
        outcome = "not_verified" if denied else "verified"
        assert names(i, "outcome", R.INCIDENT_OUTCOMES) == [outcome]


def test_incidents_below_min_severity_get_no_team(timeline):
    over = {
        "violations": {"types": TYPES, "scripted": [at(60, "S2", kind="drone"), at(80, "S4")]},
        "center": ONE_BY_ONE,
        "teams": {"min_severity": 3},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert names(i, "reason", R.INCIDENT_REASONS) == ["below_min_severity", ""]
    assert np.isnan(i["dispatch"][0]) and np.isnan(i["unserved"][0])
    assert column(i, "finding")[0] == 110.0 + 30.0
    assert names(rep.violations, "reason", R.UNVERIFIED_REASONS)[0] == "below_min_severity"


def test_with_teams_off_every_finding_rests_on_the_reports(timeline):
    rep = run_replication(timeline({"teams": {"enabled": False}}))
    assert names(rep.incidents, "reason", R.INCIDENT_REASONS) == ["teams_off"]
    assert column(rep.incidents, "finding") == [110.0 + 30.0]
    assert rep.totals["teams"] == {"busy": 0.0, "count": 0}


def test_a_site_exactly_max_travel_km_away_is_in_range(timeline):
    # One team at B0, max_travel_km 30: S2 is exactly 30 km away, so it is in
    # range whether the team is free when asked (the third incident, ready 350)
    # or comes back to find the incident waiting (the second, ready 130, while
    # the team is at S0 110-200).
    over = {
        "violations": {"scripted": [at(60, "S0"), at(80, "S2"), at(300, "S2")]},
        "center": ONE_BY_ONE,
        "teams": {"max_travel_km": 30},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "created") == [110.0, 130.0, 350.0]
    assert column(i, "travel_km") == [10.0, 30.0, 30.0]
    # S0: 10 + 10 + 60 + 10 = 90 min away; S2: 10 + 30 + 60 + 30 = 130 min
    assert column(i, "dispatch") == [110.0, 200.0, 350.0]
    assert column(i, "returned") == [200.0, 330.0, 480.0]


def test_a_free_team_out_of_range_is_not_sent(timeline):
    # Teams at B0 and B4, range 35 km. B0's team goes to S0 (110-200). S1 (ready
    # 130) is 20 km from B0 but 40 km from B4: the free B4 team is out of range,
    # so S1 waits for B0's team to come back at 200.
    over = {
        "violations": {"scripted": [at(60, "S0"), at(80, "S1")]},
        "center": ONE_BY_ONE,
        "teams": {"bases": TWO_BASES, "max_travel_km": 35},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "team") == [0, 0]
    assert column(i, "dispatch") == [110.0, 200.0]
    assert column(i, "travel_km") == [10.0, 20.0]


def test_an_incident_needing_a_team_after_a_merge_queues_behind_earlier_requests(timeline):
    # min_severity 2; merging only at the same node (5 km); the US desk is off
    # duty until 05:00, so no assessment starts before then. One team, busy with
    # S2 110-240. The small-arms incident at S0 (opened 111) waits for its
    # assessment; S4 (112) and S3 (120) wait for the team. At 140 an artillery
    # report merges into the S0 incident, which now needs a team: it asks last,
    # so it goes after S4 and S3 although it was opened before them.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S2"),
                at(61, "S0", kind="small_arms"),
                at(62, "S4"),
                at(70, "S3"),
                at(90, "S0"),
            ],
        },
        "center": {
            "desks": {**PLENTY, "US": only("05:00", "23:00")},
            "merging": {"max_distance_km": 5},
        },
        "teams": {"min_severity": 2},
    }
    i = run_replication(timeline(over)).incidents
    assert column(i, "node") == [2, 0, 4, 3]
    assert column(i, "created") == [110.0, 111.0, 112.0, 120.0]
    assert column(i, "severity") == [3, 3, 3, 3]
    # back at 240; S4: 10 + 50 + 60 + 50 = 170 (back 410); S3: 10 + 40 + 60 + 40 = 150
    # (back 560); then S0
    assert column(i, "dispatch") == [110.0, 560.0, 240.0, 410.0]


def test_a_site_just_beyond_max_travel_km_is_out_of_range(timeline):
    # max_travel_km 29.9 from B0: S2, 30 km away, gets no team (assessed at once,
    # out of range) although the team is free.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "teams": {"max_travel_km": 29.9},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert names(i, "reason", R.INCIDENT_REASONS) == ["out_of_range"]
    assert np.isnan(i["dispatch"][0]) and i["unserved"][0] == 110.0
    assert rep.totals["teams"]["busy"] == 0.0
