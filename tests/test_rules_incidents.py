"""Merging and outcome rules (docs/model.md, "Center" and "Outcome states") on
scripted timelines with exact times and counts."""

from __future__ import annotations

import numpy as np

from sim import records as R
from sim.analysis.metrics import check_conservation
from sim.engine import run_replication

from .timelines import PLENTY, TYPES, at, column, names, only

# Three UA officers (triage in parallel), one RU and one US officer, no teams
# and a 10-hour assessment: incidents stay open long enough to merge into.
OPEN_LONG = {
    "center": {"desks": {"UA": {"officers": 3}}, "assessment": {"time": "10h"}},
    "teams": {"enabled": False},
}


def test_a_report_merges_into_the_earliest_matching_open_incident(timeline, merge):
    # S1 (ready 110) and S3 (ready 111) are 20 km apart: two incidents. The S2
    # report (ready 112) is 10 km from both and merges into the earlier one.
    scripted = [at(60, "S1"), at(61, "S3"), at(62, "S2")]
    over = merge(OPEN_LONG, {"violations": {"scripted": scripted}})
    rep = run_replication(timeline(over))
    assert column(rep.reports, "incident") == [0, 1, 0]
    assert names(rep.reports, "state", R.REPORT_STATES) == ["led_to_finding"] * 2 + ["merged"]
    assert column(rep.incidents, "n_reports") == [2, 1]
    assert column(rep.incidents, "n_violations") == [2, 1]


def test_the_merge_window_includes_its_end(timeline, merge):
    # window 3 h: claimed times 180 min apart merge, 181 min apart do not
    for gap, counts in ((180, [2]), (181, [1, 1])):
        over = merge(OPEN_LONG, {"violations": {"scripted": [at(60, "S2"), at(60 + gap, "S2")]}})
        assert column(run_replication(timeline(over)).incidents, "n_reports") == counts


def test_the_merge_distance_includes_its_end(timeline, merge):
    # S1 and S2 are 10 road km apart
    for km, counts in ((10.0, [2]), (9.99, [1, 1])):
        over = merge(
            OPEN_LONG,
            {
                "violations": {"scripted": [at(60, "S1"), at(70, "S2")]},
                "center": {"merging": {"max_distance_km": km}},
            },
        )
        assert column(run_replication(timeline(over)).incidents, "n_reports") == counts


def test_an_incident_is_open_for_merging_until_its_finding(timeline):
    # One UA officer, 30 min assessment: the first incident's finding is at 140.
    # A report triaged at 130 merges; one triaged at 160 opens a new incident.
    over = {
        "violations": {"scripted": [at(60, "S2"), at(70, "S2"), at(110, "S2")]},
        "center": {"desks": {"UA": {"officers": 2}}},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    assert column(rep.reports, "triaged") == [110.0, 120.0, 160.0]
    assert column(rep.incidents, "finding") == [140.0, 190.0]
    assert column(rep.reports, "incident") == [0, 0, 1]


def test_the_first_report_of_an_incident_is_its_earliest_arrival(timeline):
    # The civilian report (US desk) arrives first, at 70, but the US desk opens
    # only at 02:00; the UA report (90) opens the incident at 110 and the
    # civilian one merges at 140: the incident's first report is at 70.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "10min", "desk": "US"}}},
        "center": {"desks": {"US": only("02:00", "00:00")}},
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert column(r, "arrival") == [70.0, 90.0]
    assert column(r, "ack") == [120.0, 90.0]
    assert names(r, "state", R.REPORT_STATES) == ["merged", "led_to_finding"]
    assert column(rep.incidents, "created") == [110.0]
    assert column(rep.incidents, "first_report") == [70.0]


def test_a_report_merged_after_the_visit_leaves_its_violation_unverified(timeline):
    # The team is on site 150-210. The second violation's report merges at 200
    # (checked on site), the third's at 220 (after the team left): it is
    # "visited before report".
    over = {
        "violations": {"scripted": [at(60, "S2"), at(150, "S2"), at(170, "S2")]},
        "center": {"desks": PLENTY},
    }
    rep = run_replication(timeline(over))
    assert column(rep.reports, "triaged") == [110.0, 200.0, 220.0]
    assert column(rep.incidents, "n_reports") == [3]
    assert column(rep.incidents, "n_verified") == [2]
    v = rep.violations
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["attributed_correct"] * 2 + [
        "reported_unverified"
    ]
    assert names(v, "reason", R.UNVERIFIED_REASONS)[2] == "visited_before_report"
    assert column(v, "attributed_to") == [0, 0, -1]  # RU did it; nobody named for the third
    assert check_conservation(rep) == []


def _two_incidents_of_one_violation(timeline, patrol: bool, give_up: str, half_life: str):
    """One violation at S2 (16:30 with patrol hours, else 1:00) reported by the
    affected side (UA desk) and by civilians 40 min later (US desk), merging off:
    two incidents. One team: the first incident gets it, the second waits and
    gives up."""
    t = 16 * 60 + 30 if patrol else 60
    over = {
        "violations": {
            "scripted": [at(t, "S2")],
            "types": {
                "artillery": {
                    "share": 1.0,
                    "severity": 3,
                    "evidence_half_life": half_life,
                    "attributable": 1.0,
                }
            },
        },
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {"merging": {"enabled": False}},
        "teams": {
            "give_up_after": give_up,
            "patrol_hours": {"start": "07:00", "end": "19:00"} if patrol else None,
        },
    }
    return run_replication(timeline(over))


def test_an_attributed_finding_outranks_an_earlier_unverified_one(timeline):
    # The waiting incident gives up at 180 (finding 210); the team's incident is
    # attributed at 240: the violation ends attributed, at 240.
    rep = _two_incidents_of_one_violation(timeline, False, "1h", "2d")
    i, v = rep.incidents, rep.violations
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", "no_team_in_time"]
    assert column(i, "finding") == [240.0, 210.0]
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["attributed_correct"]
    assert column(v, "outcome_time") == [240.0] and column(v, "reason") == [0]


def test_a_later_unverified_finding_does_not_replace_an_attribution(timeline):
    # With patrol hours the team is on site 18:00-19:00 and back only the next
    # morning; the finding is at 19:30. The waiting incident (opened 17:30)
    # gives up at 20:30 and is assessed 20:30-21:00: the attribution stands.
    rep = _two_incidents_of_one_violation(timeline, True, "3h", "2d")
    i, v = rep.incidents, rep.violations
    assert column(i, "finding") == [19 * 60 + 30.0, 21 * 60.0]
    assert names(i, "reason", R.INCIDENT_REASONS) == ["", "no_team_in_time"]
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["attributed_correct"]
    assert column(v, "outcome_time") == [19 * 60 + 30.0]


def test_between_two_unverified_findings_the_first_stands(timeline):
    # Evidence gone in seconds: the visit finds nothing. Without patrol hours the
    # given-up incident's finding (210) comes first, with them the visit's (19:30).
    early = _two_incidents_of_one_violation(timeline, False, "1h", "1s").violations
    assert names(early, "reason", R.UNVERIFIED_REASONS) == ["no_team_in_time"]
    assert column(early, "outcome_time") == [210.0]
    late = _two_incidents_of_one_violation(timeline, True, "3h", "1s").violations
    assert names(late, "reason", R.UNVERIFIED_REASONS) == ["evidence_decayed"]
    assert column(late, "outcome_time") == [19 * 60 + 30.0]


def test_an_incident_of_false_reports_only_is_unfounded_after_a_visit(timeline):
    over = {
        "horizon": "4d",
        "violations": {"scripted": []},
        "reporting": {"false_reports": {"rate_per_day": 3}},
        "center": {"triage": {"false_detection": 0.0}, "desks": PLENTY},
        "teams": {"bases": [{"node": "B0", "count": 5}]},
    }
    rep = run_replication(timeline(over))
    i, r = rep.incidents, rep.reports
    done = np.isfinite(i["finding"])
    assert done.sum() >= 5
    assert set(names(i, "outcome", R.INCIDENT_OUTCOMES)[k] for k in np.flatnonzero(done)) == {
        "unfounded"
    }
    lead = r["report"][np.isin(r["report"], i["lead_report"][done])]
    assert set(names(r, "state", R.REPORT_STATES)[k] for k in lead) == {"false_recognised"}
    assert check_conservation(rep) == []


def test_an_incident_with_any_real_violation_is_never_unfounded(timeline):
    # Real and false reports mixed by a wide merge window: an incident is
    # unfounded exactly when all its reports are false and a team visited it.
    over = {
        "horizon": "4d",
        "violations": {"rate_per_day": 15, "scripted": []},
        "reporting": {"false_reports": {"rate_per_day": 15}},
        "center": {
            "triage": {"false_detection": 0.0},
            "desks": PLENTY,
            "merging": {"window": "12h", "max_distance_km": 30},
        },
        "teams": {"bases": [{"node": "B0", "count": 20}]},
    }
    rep = run_replication(timeline(over))
    i, r = rep.incidents, rep.reports
    has_false = np.zeros(i["incident"].size, dtype=bool)
    np.logical_or.at(has_false, r["incident"][r["incident"] >= 0], r["false"][r["incident"] >= 0])
    mixed = has_false & (i["n_violations"] > 0)
    assert mixed.sum() >= 3  # false reports did merge with real ones
    unfounded = i["outcome"] == R.INCIDENT_OUTCOMES.index("unfounded")
    visited = np.isfinite(i["on_site"]) & np.isfinite(i["finding"])
    assert unfounded.sum() >= 3
    assert np.array_equal(unfounded, visited & (i["n_violations"] == 0))


def test_a_violation_whose_every_report_expired_is_unverified_expired(timeline):
    # UA desk staffed 10:00-11:00 only; two reports of the violation, both to UA
    # (affected and civilians), expire after 2 h.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "UA"}}},
        "center": {
            "desks": {"UA": only("10:00", "11:00")},
            "triage": {"max_wait": "2h"},
        },
    }
    rep = run_replication(timeline(over))
    assert names(rep.reports, "state", R.REPORT_STATES) == ["expired", "expired"]
    assert column(rep.reports, "state_time") == [210.0, 220.0]
    assert names(rep.violations, "reason", R.UNVERIFIED_REASONS) == ["expired"]


def test_one_expired_report_does_not_make_its_violation_expired(timeline):
    # The civilian report to the US desk expires (US staffed 10:00-11:00), the
    # affected side's report leads to a finding: the violation is attributed.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {
            "desks": {"US": only("00:00", "01:00")},
            "triage": {"max_wait": "2h"},
            "assessment": {"enabled": False},
        },
    }
    rep = run_replication(timeline(over))
    assert names(rep.reports, "state", R.REPORT_STATES) == ["led_to_finding", "expired"]
    assert names(rep.violations, "outcome", R.VIOLATION_OUTCOMES) == ["attributed_correct"]


def test_what_is_unfinished_at_the_horizon_is_open_at_end(timeline):
    # Horizon 3 h: the team is on site 150-210, so the incident has no finding;
    # a second report (arrival 170) is still in triage at 180.
    over = {
        "horizon": "3h",
        "violations": {"scripted": [at(60, "S2"), at(140, "S4")]},
        "center": {"triage": {"time": "20min"}, "desks": {"UA": {"officers": 1}}},
    }
    rep = run_replication(timeline(over))
    assert names(rep.reports, "state", R.REPORT_STATES) == ["open_at_end", "open_at_end"]
    assert names(rep.incidents, "outcome", R.INCIDENT_OUTCOMES) == ["open_at_end"]
    assert names(rep.incidents, "reason", R.INCIDENT_REASONS) == ["open_at_end"]
    assert names(rep.violations, "reason", R.UNVERIFIED_REASONS) == ["open_at_end"] * 2
    assert check_conservation(rep) == []


def test_an_incident_open_at_the_horizon_keeps_its_reason(timeline):
    # Below min_severity, waiting for an assessment the US desk (off duty from
    # 01:00) never makes: open_at_end, reason below_min_severity.
    over = {
        "horizon": "5h",
        "violations": {"scripted": [at(60, "S2")]},
        "center": {"desks": {"US": only("00:00", "01:00")}},
        "teams": {"min_severity": 4},
    }
    rep = run_replication(timeline(over))
    assert names(rep.incidents, "outcome", R.INCIDENT_OUTCOMES) == ["open_at_end"]
    assert names(rep.incidents, "reason", R.INCIDENT_REASONS) == ["below_min_severity"]


def test_a_finding_made_as_the_incident_opens_fills_the_whole_row(timeline):
    # Teams off, no joint assessment: each incident's finding is made the moment
    # triage opens it (the shortcut path), with the same row as the general path.
    over = {
        "violations": {
            "types": TYPES,
            "scripted": [
                at(60, "S0"),
                at(200, "S3", perpetrator="UA", kind="small_arms"),
                at(300, "S1"),
            ],
        },
        "center": {"merging": {"enabled": False}, "assessment": {"enabled": False}},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    i, r, v = rep.incidents, rep.reports, rep.violations
    assert column(i, "incident") == [0, 1, 2]
    assert column(i, "node") == [0, 3, 1]
    assert column(i, "event_time") == [60.0, 200.0, 300.0]
    assert column(i, "first_report") == [90.0, 230.0, 330.0]
    assert column(i, "created") == column(i, "finding") == [110.0, 250.0, 350.0]
    assert column(i, "lead_report") == [0, 1, 2]
    assert column(i, "key") == column(r, "key")
    assert column(i, "n_reports") == column(i, "n_violations") == [1, 1, 1]
    assert column(i, "severity") == [3, 1, 3]
    assert column(i, "team") == column(i, "base") == [-1] * 3
    assert column(i, "access_denied") == [False] * 3
    assert column(i, "n_verified") == [0] * 3
    for c in ("travel_km", "dispatch", "depart", "on_site", "returned", "unserved"):
        assert np.isnan(i[c]).all(), c
    assert names(i, "outcome", R.INCIDENT_OUTCOMES) == ["not_verified"] * 3
    assert names(i, "reason", R.INCIDENT_REASONS) == ["teams_off"] * 3
    assert column(i, "attribution") == column(i, "attribution_correct") == [-1] * 3
    # nothing confirmed, nobody assessed it, nothing to dispute
    assert names(i, "grade", R.FINDING_GRADES) == ["not_confirmed"] * 3
    assert names(i, "final_grade", R.FINDING_GRADES) == ["not_confirmed"] * 3
    assert column(i, "direction") == column(i, "dispute_level") == [-1] * 3
    for c in ("dissent_RU", "dissent_UA", "dissent_US"):
        assert column(i, c) == [False] * 3, c
    assert column(i, "quorum") == [0] * 3
    for c in ("review", "disputed", "dispute_closed"):
        assert np.isnan(i[c]).all(), c
    # the lead report and the violation end with it
    assert names(r, "state", R.REPORT_STATES) == ["led_to_finding"] * 3
    assert column(r, "incident") == [0, 1, 2]
    assert column(r, "state_time") == [110.0, 250.0, 350.0]
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["reported_unverified"] * 3
    assert names(v, "reason", R.UNVERIFIED_REASONS) == ["teams_off"] * 3
    assert column(v, "outcome_time") == [110.0, 250.0, 350.0]


def test_a_finding_made_as_an_out_of_range_incident_opens_censors_it_there(timeline):
    # No team base within 20 km of S2 (30 km from B0), no joint assessment: the
    # finding is made as triage opens the incident (110), which stopped waiting
    # for a team then.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "center": {"assessment": {"enabled": False}},
        "teams": {"max_travel_km": 20},
    }
    rep = run_replication(timeline(over))
    i, v = rep.incidents, rep.violations
    assert names(i, "reason", R.INCIDENT_REASONS) == ["out_of_range"]
    assert column(i, "created") == column(i, "finding") == column(i, "unserved") == [110.0]
    assert np.isnan(i["dispatch"]).all() and column(i, "team") == [-1]
    assert names(v, "reason", R.UNVERIFIED_REASONS) == ["out_of_range"]
    assert check_conservation(rep) == []


def test_an_incident_opened_by_a_false_report_concerns_no_violation(timeline):
    # False reports only, none recognised, teams off and no joint assessment:
    # each opens an incident whose finding is made at once; none has a violation.
    over = {
        "horizon": "2d",
        "violations": {"scripted": []},
        "reporting": {"false_reports": {"rate_per_day": 4}},
        "center": {
            "triage": {"false_detection": 0.0},
            "desks": PLENTY,
            "merging": {"enabled": False},
            "assessment": {"enabled": False},
        },
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    i, r = rep.incidents, rep.reports
    assert i["incident"].size >= 3
    assert column(i, "n_reports") == [1] * i["incident"].size
    assert column(i, "n_violations") == [0] * i["incident"].size
    assert column(i, "lead_report") == column(r, "report")
    assert set(names(i, "reason", R.INCIDENT_REASONS)) == {"teams_off"}
    assert check_conservation(rep) == []


def test_between_two_findings_made_as_incidents_open_the_first_stands(timeline):
    # One violation reported by the affected side (UA desk, 90) and by civilians
    # (US desk, 100), merging off, teams off, no joint assessment: two incidents,
    # findings at 110 and 120, equally advanced; the violation keeps the first.
    over = {
        "violations": {"scripted": [at(60, "S2")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {"merging": {"enabled": False}, "assessment": {"enabled": False}},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    assert column(rep.incidents, "finding") == [110.0, 120.0]
    v = rep.violations
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["reported_unverified"]
    assert names(v, "reason", R.UNVERIFIED_REASONS) == ["teams_off"]
    assert column(v, "outcome_time") == [110.0]


def test_a_violation_with_one_report_expired_and_one_in_process_is_open_at_end(timeline):
    # The civilian report to the US desk (staffed 00:00-01:00) expires at 220; the
    # affected side's report opened an incident whose joint assessment waits for
    # the US desk past the horizon (5 h): the violation is open at the end, not
    # expired.
    over = {
        "horizon": "5h",
        "violations": {"scripted": [at(60, "S2")]},
        "reporting": {"channels": {"civilian": {"detection": 1.0, "delay": "40min", "desk": "US"}}},
        "center": {"desks": {"US": only("00:00", "01:00")}, "triage": {"max_wait": "2h"}},
    }
    rep = run_replication(timeline(over))
    assert names(rep.reports, "state", R.REPORT_STATES) == ["open_at_end", "expired"]
    assert column(rep.reports, "state_time")[1] == 220.0
    assert names(rep.incidents, "outcome", R.INCIDENT_OUTCOMES) == ["open_at_end"]
    v = rep.violations
    assert names(v, "outcome", R.VIOLATION_OUTCOMES) == ["reported_unverified"]
    assert names(v, "reason", R.UNVERIFIED_REASONS) == ["open_at_end"]
    assert check_conservation(rep) == []


def test_a_team_checks_every_real_violation_of_an_incident_a_false_report_opened(timeline):
    # False and real reports mixed by a wide merge window; evidence that hardly
    # decays (chance 0.5 ** (age / 1000 d) ~ 1). A team checks every violation
    # whose report is in the incident when it is done on site, whatever report
    # opened the incident: each such violation is verified.
    over = {
        "horizon": "4d",
        "violations": {
            "rate_per_day": 15,
            "scripted": [],
            "types": {
                "artillery": {
                    "share": 1.0,
                    "severity": 3,
                    "evidence_half_life": "1000d",
                    "attributable": 1.0,
                }
            },
        },
        "reporting": {"false_reports": {"rate_per_day": 15}},
        "center": {
            "triage": {"false_detection": 0.0},
            "desks": PLENTY,
            "merging": {"window": "12h", "max_distance_km": 30},
        },
        "teams": {"bases": [{"node": "B0", "count": 20}]},
    }
    rep = run_replication(timeline(over))
    i, r, v = rep.incidents, rep.reports, rep.violations
    done_on_site = i["on_site"] + i["on_site_time"]
    visited = np.isfinite(i["finding"]) & np.isfinite(i["on_site"]) & ~i["access_denied"]
    false_lead = r["false"][i["lead_report"]]
    inc = r["incident"]
    real = (r["violation"] >= 0) & (inc >= 0)
    checked = real & visited[inc] & false_lead[inc] & (r["triaged"] < done_on_site[inc])
    assert checked.sum() >= 3
    outcome = names(v, "outcome", R.VIOLATION_OUTCOMES)
    assert {outcome[k] for k in r["violation"][checked]} == {"attributed_correct"}
    assert (i["n_verified"][np.unique(inc[checked])] >= 1).all()


def test_a_report_merged_into_an_incident_open_at_the_horizon_stays_merged(timeline):
    # Horizon 3 h: the second report (triaged 110-130) merges into the incident the
    # first opened; the team is on site 150-210, so there is no finding: the lead
    # report is open at the end, the merged one keeps its state.
    over = {
        "horizon": "3h",
        "violations": {"scripted": [at(60, "S2"), at(70, "S2")]},
        "center": {"desks": {"UA": {"officers": 1}}},
    }
    rep = run_replication(timeline(over))
    assert names(rep.reports, "state", R.REPORT_STATES) == ["open_at_end", "merged"]
    assert column(rep.reports, "state_time")[1] == 130.0
    assert names(rep.incidents, "outcome", R.INCIDENT_OUTCOMES) == ["open_at_end"]
    assert check_conservation(rep) == []


def test_an_incident_waits_for_the_review_of_whichever_desk_was_absent(timeline):
    # Emergency quorum with the RU desk (the first desk) off duty until 08:00: UA
    # and US assess 110-140, RU reviews the finding at 08:00; only then is the
    # incident finished, with its review time.
    over = {
        "center": {"desks": {"RU": only("08:00", "16:00")}},
        "findings": {"quorum": "two_of_three"},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    i = rep.incidents
    assert column(i, "finding") == [140.0]
    assert column(i, "quorum") == [2]
    assert column(i, "review") == [480.0]
    assert check_conservation(rep) == []


def test_a_merged_technical_report_lets_the_incident_be_confirmed_remotely(timeline):
    # The affected side's report (UA desk, 90) opens the incident; the technical
    # means' report (US desk, 100) merges into it at 130. With remote confirmation
    # certain and no team, the finding is confirmed on the technical evidence.
    over = {
        "reporting": {
            "channels": {
                "technical": {
                    "detection": 1.0,
                    "default_coverage": 1.0,
                    "delay": "40min",
                    "desk": "US",
                }
            }
        },
        "findings": {"remote": {"confirm": 1.0}},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    assert names(r, "channel", R.CHANNELS) == ["affected", "technical"]
    assert names(r, "state", R.REPORT_STATES) == ["led_to_finding", "merged"]
    i = rep.incidents
    assert names(i, "grade", R.FINDING_GRADES) == ["confirmed_unattributed"]
    # without the merged technical report nothing confirms it
    over["reporting"]["channels"]["technical"]["detection"] = 0.0
    rep = run_replication(timeline(over))
    assert names(rep.incidents, "grade", R.FINDING_GRADES) == ["not_confirmed"]


def _walkout(start: str, duration: str, **more) -> dict:
    return {"walkouts": [{"party": "UA", "start": start, "duration": duration, **more}]}


def test_a_walkout_sends_reports_arriving_from_its_start_until_before_its_end_away(timeline):
    # The UA desk's report arrives at 90; during the walkout [start, end) it goes to
    # the US desk instead.
    def desk(start: str, duration: str) -> str:
        over = {**_walkout(start, duration, reports="US"), "teams": {"enabled": False}}
        return names(run_replication(timeline(over)).reports, "desk", R.PARTIES)[0]

    assert desk("90min", "1h") == "US"  # arrives as the walkout starts
    assert desk("0min", "90min") == "UA"  # arrives as it ends
    assert desk("0min", "91min") == "US"


def test_a_withdrawn_side_denies_access_from_the_walkouts_start_until_before_its_end(timeline):
    # The team arrives at the UA-held site at 150 (reports go to the US desk, so the
    # timeline is the same whatever the walkout).
    def denied(start: str, duration: str) -> bool:
        over = _walkout(start, duration, reports="US", access="withdrawn")
        return bool(run_replication(timeline(over)).incidents["access_denied"][0])

    assert denied("150min", "10min")  # arrives as the walkout starts
    assert not denied("0min", "150min")  # arrives as it ends
    assert denied("0min", "151min")
