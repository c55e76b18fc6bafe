"""Graded findings, dissent, the dispute ladder, the quorum rule and walkouts, on exact
timelines (the ``timeline`` fixture: one artillery violation by RU at S2 at 01:00, the
UA desk's report at 01:30, 20-minute triage, a 30-minute joint assessment, one team)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from sim import records as R
from sim.analysis.findings import agreed_time, grade_counts
from sim.analysis.metrics import check_conservation
from sim.engine.claims import CLAIM_SCHEMA
from sim.engine import run_replication
from sim.scenario import ScenarioError
from sim.scenario.findings import meeting_times, parse_cadence

G = {g: k for k, g in enumerate(R.FINDING_GRADES)}
TEAMS_OFF = {"teams": {"enabled": False}}
TWO = [  # two violations far apart (no merging), both reported to the UA desk at 01:30
    {"time": "1h", "node": "S0", "type": "artillery", "perpetrator": "RU"},
    {"time": "1h", "node": "S4", "type": "artillery", "perpetrator": "RU"},
]


def one(table: dict) -> dict:
    (n,) = {len(v) for v in table.values()}
    assert n == 1, n
    return {k: v[0] for k, v in table.items()}


def findings(over: dict) -> dict:
    return {"findings": over}


def test_a_verified_and_attributed_violation_is_confirmed_and_attributed(timeline):
    rep = run_replication(timeline())
    i = one(rep.incidents)
    assert i["grade"] == i["final_grade"] == G["confirmed_attributed"]
    assert i["direction"] == R.SIDES.index("RU") and i["quorum"] == 3
    assert not (i["dissent_RU"] or i["dissent_UA"] or i["dissent_US"])
    assert math.isnan(i["disputed"]) and i["dispute_level"] == -1
    assert agreed_time(rep).tolist() == [240.0]  # agreed when made: nobody dissented
    assert check_conservation(rep) == []


@pytest.mark.parametrize(
    "direction, grade", [(0.0, "confirmed_unattributed"), (1.0, "confirmed_direction")]
)
def test_an_unattributable_violation_gets_its_direction_of_fire_or_not(timeline, direction, grade):
    rep = run_replication(
        timeline(
            {
                "violations": {"types": {"artillery": {"attributable": 0.0}}},
                **findings({"direction_of_fire": direction}),
            }
        )
    )
    i = one(rep.incidents)
    assert i["grade"] == G[grade]
    assert i["direction"] == (R.SIDES.index("RU") if direction else -1)
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "verified" and i["attribution"] == -1


def test_the_direction_of_fire_can_be_set_per_type(timeline):
    over = {
        "violations": {"types": {"artillery": {"attributable": 0.0}}},
        **findings({"direction_of_fire": 0.0, "direction_by_type": {"artillery": 1.0}}),
    }
    assert one(run_replication(timeline(over)).incidents)["grade"] == G["confirmed_direction"]


def test_a_direction_for_an_unknown_type_is_refused(timeline):
    with pytest.raises(ScenarioError, match="'mortar' is not a violation type"):
        timeline(findings({"direction_by_type": {"mortar": 0.5}}))


def test_the_accused_desk_dissents_and_without_a_ladder_the_finding_stays_disputed(timeline):
    rep = run_replication(timeline(findings({"dissent": {"accused": 1.0}})))
    i = one(rep.incidents)
    assert i["grade"] == G["confirmed_attributed"] and i["final_grade"] == G["disputed"]
    assert (bool(i["dissent_RU"]), bool(i["dissent_UA"]), bool(i["dissent_US"])) == (
        True,
        False,
        False,
    )
    assert i["disputed"] == 240.0 and math.isnan(i["dispute_closed"])
    assert np.isnan(agreed_time(rep)).all()
    c = grade_counts(rep, 0.0)
    assert c["final_grades"]["disputed"] == 1 and c["dissent_by_desk"]["RU"] == 1


def test_strong_evidence_calms_the_accused_desk(timeline):
    # verification probability ~1 at the visit (evidence that lasts 1000 days): the chance
    # of dissent 1 x (1 - 1 x strength) is about 2e-5; with no weight it is 1
    over = {"violations": {"types": {"artillery": {"evidence_half_life": "1000d"}}}}
    calm = findings({"dissent": {"accused": 1.0, "evidence_weight": 1.0}})
    heated = findings({"dissent": {"accused": 1.0, "evidence_weight": 0.0}})
    assert not one(run_replication(timeline({**over, **calm})).incidents)["dissent_RU"]
    assert one(run_replication(timeline({**over, **heated})).incidents)["dissent_RU"]


def test_the_affected_side_dissents_from_a_finding_that_does_not_confirm(timeline):
    rep = run_replication(timeline({**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0}})}))
    i = one(rep.incidents)
    assert i["grade"] == G["not_confirmed"]
    assert (bool(i["dissent_RU"]), bool(i["dissent_UA"]), bool(i["dissent_US"])) == (
        False,
        True,
        False,
    )
    # no team: finding at triage end 110 + assessment 30
    assert i["disputed"] == 140.0


def test_the_us_desk_is_always_neutral(timeline):
    rep = run_replication(timeline(findings({"dissent": {"neutral": 1.0}})))
    i = one(rep.incidents)
    # RU is accused, UA is neither accused nor accuser of an attributed finding: neutral
    assert (bool(i["dissent_RU"]), bool(i["dissent_UA"]), bool(i["dissent_US"])) == (
        False,
        True,
        True,
    )


LADDER = [
    {"name": "area", "meets": "daily at 18:00", "capacity": 1, "resolves": 1.0},
]


def test_a_level_takes_up_the_oldest_disputes_up_to_its_capacity(timeline):
    over = {
        **TEAMS_OFF,
        "violations": {"scripted": TWO},
        **findings({"dissent": {"accuser": 1.0}, "ladder": LADDER}),
    }
    rep = run_replication(timeline(over))
    inc = rep.incidents
    # UA triages 90-110 and assesses 110-140 (joint work first), triages the second
    # report 140-160 and assesses it 160-190
    assert inc["finding"].tolist() == [140.0, 190.0]
    assert inc["disputed"].tolist() == [140.0, 190.0]
    # one dispute per meeting, oldest first: 18:00 on day 0, then 18:00 on day 1
    assert inc["dispute_closed"].tolist() == [1080.0, 2520.0]
    assert inc["dispute_level"].tolist() == [0, 0]
    assert inc["final_grade"].tolist() == [G["not_confirmed"]] * 2
    assert agreed_time(rep).tolist() == [1080.0, 2520.0]
    (level,) = rep.totals["ladder"]
    assert level["meetings"] == 3 and level["taken_up"] == 2 and level["backlog_at_end"] == 0
    # backlog: 2 from 190 (1 from 140) until 1080, then 1 until 2520
    expected = (190 - 140) * 1 + (1080 - 190) * 2 + (2520 - 1080) * 1
    assert level["mean_backlog"] == pytest.approx(expected / 4320.0)


@pytest.mark.parametrize(
    "calendar, day",
    [({}, 2), ({"start": "2016-01-01"}, 5)],  # day 0 a Monday; 1 Jan 2016 was a Friday
)
def test_a_weekly_level_meets_on_its_weekday_of_the_calendar(timeline, calendar, day):
    weekly = [{"name": "jmc", "meets": "weekly on Wednesday at 10:00", "capacity": 1,
               "resolves": 1.0}]  # fmt: skip
    over = {
        **TEAMS_OFF,
        **calendar,
        "horizon": "8d",
        "violations": {"scripted": TWO[:1]},
        **findings({"dissent": {"accuser": 1.0}, "ladder": weekly}),
    }
    inc = run_replication(timeline(over)).incidents
    assert inc["disputed"].tolist() == [140.0]
    assert inc["dispute_closed"].tolist() == [day * 1440.0 + 600.0]


def test_an_unsettled_dispute_goes_up_the_ladder_and_stays_disputed_after_the_last(timeline):
    ladder = [
        {"name": "area", "meets": "daily at 18:00", "capacity": 5, "resolves": 0.0},
        {"name": "jmc", "meets": "weekly on Wednesday at 10:00", "capacity": 5, "resolves": 0.0},
    ]
    over = {**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0}, "ladder": ladder})}
    i = one(run_replication(timeline(over)).incidents)
    # area committee at 18:00 on day 0 refers it up; the JMC meets on day 2 (a Wednesday,
    # day 0 being a Monday) at 10:00 and does not settle it either
    assert i["dispute_closed"] == 2 * 1440 + 600
    assert i["dispute_level"] == -1 and i["final_grade"] == G["disputed"]


def test_a_dispute_settled_higher_up_records_its_level(timeline):
    ladder = [
        {"name": "area", "meets": "daily at 18:00", "capacity": 5, "resolves": 0.0},
        {"name": "jmc", "meets": "weekly on Wednesday at 10:00", "capacity": 5, "resolves": 1.0},
    ]
    over = {**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0}, "ladder": ladder})}
    i = one(run_replication(timeline(over)).incidents)
    assert (i["dispute_level"], i["dispute_closed"]) == (1, 2 * 1440 + 600)
    assert i["final_grade"] == G["not_confirmed"]


def test_a_dispute_waiting_at_the_horizon_stays_disputed(timeline):
    ladder = [{"name": "pc", "meets": "every 7d at 01:00", "capacity": 5, "resolves": 1.0}]
    over = {**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0}, "ladder": ladder})}
    rep = run_replication(timeline({**over, "horizon": "3d"}))
    i = one(rep.incidents)
    # the first meeting (01:00 on day 0) came before the dispute; the next is on day 7
    assert i["disputed"] == 140.0 and math.isnan(i["dispute_closed"])
    assert i["final_grade"] == G["disputed"]
    assert rep.totals["ladder"][0]["backlog_at_end"] == 1


US_DAY_SHIFT = {
    "center": {
        "desks": {
            "US": {"officers": None, "shifts": [{"start": "08:00", "end": "16:00", "officers": 1}]}
        }
    }
}


def test_two_desks_assess_while_the_third_is_off_duty_and_it_reviews_later(timeline):
    over = {**US_DAY_SHIFT, **TEAMS_OFF, **findings({"quorum": "two_of_three"})}
    rep = run_replication(timeline(over))
    i = one(rep.incidents)
    # RU and UA assess 110-140 without waiting for 08:00; the US desk reviews at 08:00
    assert (i["finding"], i["quorum"], i["review"]) == (140.0, 2, 480.0)
    assert i["final_grade"] == i["grade"] and math.isnan(i["disputed"])
    # with the default quorum the assessment waits for the US desk (finding at 08:30)
    assert (
        one(run_replication(timeline({**US_DAY_SHIFT, **TEAMS_OFF})).incidents)["finding"] == 510.0
    )


def test_the_reviewing_desk_may_dissent(timeline):
    over = {
        **US_DAY_SHIFT,
        **TEAMS_OFF,
        **findings({"quorum": "two_of_three", "dissent": {"neutral": 1.0}}),
    }
    i = one(run_replication(timeline(over)).incidents)
    # RU is neutral towards an unconfirmed finding and dissents at once; UA is the
    # accuser (chance 0); the US desk dissents too when it reviews the finding
    assert bool(i["dissent_RU"]) and not i["dissent_UA"] and bool(i["dissent_US"])
    assert i["disputed"] == 140.0 and i["review"] == 480.0


def test_a_desk_that_walks_out_stops_the_center_when_all_three_are_needed(timeline):
    away = {"walkouts": [{"party": "RU", "start": "0min", "duration": "6h"}], **TEAMS_OFF}
    i = one(run_replication(timeline(away)).incidents)
    assert i["finding"] == 360.0 + 30.0  # RU back at 06:00
    gone = {"walkouts": [{"party": "RU", "start": "0min"}], **TEAMS_OFF}
    i = one(run_replication(timeline(gone)).incidents)
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "open_at_end" and math.isnan(i["finding"])
    quorum = {**gone, **findings({"quorum": "two_of_three"})}
    i = one(run_replication(timeline(quorum)).incidents)
    assert (i["finding"], i["quorum"]) == (140.0, 2) and math.isnan(i["review"])


def test_reports_to_an_absent_desk_wait_or_go_to_the_us_desk(timeline):
    ua_site = {
        "violations": {
            "scripted": [{"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "UA"}]
        }
    }
    wait = {
        **ua_site,
        **TEAMS_OFF,
        "walkouts": [{"party": "RU", "start": "0min", "duration": "2h"}],
    }
    r = one(run_replication(timeline(wait)).reports)
    assert r["desk"] == R.PARTIES.index("RU") and r["ack"] == 120.0  # RU back at 02:00
    us = {**wait, "walkouts": [{"party": "RU", "start": "0min", "duration": "2h", "reports": "US"}]}
    r = one(run_replication(timeline(us)).reports)
    assert r["desk"] == R.PARTIES.index("US") and r["ack"] == 90.0


def test_a_party_that_walks_out_may_deny_teams_access(timeline):
    walk = {"party": "UA", "start": "0min", "duration": "2h", "access": "withdrawn"}
    walk["reports"] = "US"  # triaged at once by the US desk: the timeline is unchanged
    # the team arrives at 150, after UA came back at 120: access granted
    assert not one(run_replication(timeline({"walkouts": [walk]})).incidents)["access_denied"]
    walk["duration"] = "3h"
    i = one(run_replication(timeline({"walkouts": [walk]})).incidents)
    assert bool(i["access_denied"]) and R.INCIDENT_REASONS[i["reason"]] == "access_denied"


@pytest.mark.parametrize(
    "direction, grade", [(0.0, "confirmed_unattributed"), (1.0, "confirmed_direction")]
)
def test_technical_means_alone_can_confirm(timeline, direction, grade):
    over = {
        **TEAMS_OFF,
        "reporting": {
            "channels": {
                "affected": {"detection": 0.0},
                "technical": {
                    "detection": 1.0,
                    "default_coverage": 1.0,
                    "delay": "30min",
                    "desk": "US",
                },
            }
        },
        **findings({"remote": {"confirm": 1.0}, "direction_of_fire": direction}),
    }
    i = one(run_replication(timeline(over)).incidents)
    assert R.INCIDENT_OUTCOMES[i["outcome"]] == "not_verified"
    assert i["grade"] == G[grade]
    # without remote confirmation the same incident is not confirmed
    over["findings"]["remote"]["confirm"] = 0.0
    assert one(run_replication(timeline(over)).incidents)["grade"] == G["not_confirmed"]


def test_cadences():
    assert parse_cadence("daily at 18:00") == (1440.0, None, 1080.0)
    assert parse_cadence("Weekly on Tuesday at 10:00") == (10080.0, 1, 600.0)
    assert meeting_times("weekly on Monday at 00:00", 15 * 1440, first_weekday=3) == [
        4 * 1440.0,
        11 * 1440.0,
    ]
    for bad in ("fortnightly at 10:00", "weekly on Funday at 10:00", "every 36h at 10:00"):
        with pytest.raises(ValueError):
            parse_cadence(bad)


def test_a_bad_cadence_is_refused_with_its_key(timeline):
    bad = {"name": "x", "meets": "sometimes", "capacity": 1, "resolves": 0.5}
    with pytest.raises(ScenarioError, match="findings.ladder"):
        timeline(findings({"ladder": [bad]}))


MORATORIUM = {
    "network": {"synthetic": {"depth": 2}},
    "violations": {
        "scripted": [{"time": "5h", "node": "C0", "type": "long_range_strike", "perpetrator": "RU"}]
    },
    "teams": {"enabled": False},
    "moratorium": {
        "start": "0min",
        "duration": "2d",
        "sites": [{"node": "C0", "class": "substation"}],
        "claims": {"every": "1d", "detection": 1.0, "counter_claims": 1.0, "false_per_batch": 0},
        "verification": {"delay": "6h", "confirm_true": 1.0, "confirm_false": 0.0},
        "release_after": 1,
    },
}


def test_a_strike_on_a_protected_site_is_claimed_answered_verified_and_releases(timeline):
    rep = run_replication(timeline(MORATORIUM))
    c = rep.claims
    kinds = [R.CLAIM_KINDS[k] for k in c["kind"]]
    assert kinds == ["real", "counter"]
    # UA (whose site was struck) claims it in the first daily batch; RU, accused there,
    # answers in the next one
    assert [R.SIDES[x] for x in c["claimant"]] == ["UA", "RU"]
    assert c["batch"].tolist() == [1440.0, 2880.0]
    assert c["event_time"][0] == 300.0 and np.isnan(c["event_time"][1])
    assert c["verdict"].tolist() == [1440.0 + 360, 2880.0 + 360]
    assert c["confirmed"].tolist() == [True, False]
    assert R.SITE_CLASSES[c["site_class"][0]] == "substation"
    # RU's violation confirmed at 1800 releases UA; nothing releases RU
    assert rep.totals["released"]["UA"] == 1800.0 and np.isnan(rep.totals["released"]["RU"])


def test_strikes_outside_the_moratorium_or_its_classes_draw_no_claims(timeline, merge):
    later = merge(MORATORIUM, {"moratorium": {"start": "6h"}})
    assert run_replication(timeline(later)).claims["claim"].size == 0
    other = merge(MORATORIUM, {"moratorium": {"classes": ["nuclear"]}})
    assert run_replication(timeline(other)).claims["claim"].size == 0


def test_false_claims_come_in_every_batch_with_the_mean_asked_for(timeline, merge):
    over = merge(
        MORATORIUM,
        {
            "horizon": "400d",
            "violations": {"scripted": []},
            "moratorium": {"duration": None, "claims": {"false_per_batch": 2.5}},
        },
    )
    c = run_replication(timeline(over)).claims
    per_batch = c["claim"].size / (2 * 399)  # two parties, batches on days 1..399
    assert set(R.CLAIM_KINDS[k] for k in c["kind"]) == {"false"}
    # Poisson: standard error of the mean over 798 batches is sqrt(2.5 / 798) = 0.056
    assert abs(per_batch - 2.5) < 4 * math.sqrt(2.5 / 798)


def test_a_walkout_and_a_moratorium_may_start_at_a_date_of_the_calendar():
    from sim.world import scenario_from_dict

    data = {
        "name": "dated",
        "horizon": "40d",
        "start": "2025-03-01",
        "walkouts": [{"party": "RU", "start": "2025-03-10"}],
        "moratorium": {"start": "2025-03-18", "duration": "30d"},
    }
    scen = scenario_from_dict(data).scenario
    assert scen.walkouts[0].start == 9 * 1440.0 and scen.moratorium.start == 17 * 1440.0
    del data["start"]
    with pytest.raises(ScenarioError, match=r"walkouts\[0\].start: 2025-03-10 is a date"):
        scenario_from_dict(data)


# ---------------------------------------------------------------- the claims, unit by unit
# A network of four nodes: P0 a UA substation, P1 a UA dam, P2 an RU refinery, N3 no
# protected site. Strikes (type code STRIKE) are given as violation columns.
STRIKE = 5
RU, UA = R.SIDES.index("RU"), R.SIDES.index("UA")
SITES = [("substation", "UA"), ("dam", "UA"), ("refinery", "RU"), (None, "UA")]
SPEC = {  # every chance 0 or 1, a fixed verification delay of 6 hours
    "start": "0min",
    "duration": "2d",
    "claims": {"every": "1d", "detection": 1.0, "counter_claims": 0.0, "false_per_batch": 0},
    "verification": {"delay": "6h", "confirm_true": 1.0, "confirm_false": 0.0},
}


def claims_of(over=None, sites=SITES, horizon=10 * 1440.0):
    import networkx as nx

    from sim.engine.claims import Claims
    from sim.scenario.findings import MoratoriumSpec
    from sim.scenario.loader import merge as deep_merge

    g = nx.Graph()
    for j, (cls, side) in enumerate(sites):
        g.add_node(
            f"N{j}", **({"site_class": cls} if cls else {}), **({"side": side} if side else {})
        )
    spec = MoratoriumSpec.model_validate(deep_merge(copy.deepcopy(SPEC), over or {}))
    nodes = [f"N{j}" for j in range(len(sites))]
    return Claims(spec, g, nodes, STRIKE, horizon, seed=7, rep=0)


KEY = 2**64 - 1000


def strikes(*rows) -> dict[str, np.ndarray]:
    """Violation columns from (time, node, type, perpetrator) rows; ids 10, 11, ...,
    keys KEY, KEY + 1, ... (near the top of the range, like the hashed keys of a run)."""
    n = len(rows)
    cols = dict(zip(("time", "node", "type", "perpetrator"), zip(*rows))) if rows else {}
    return {
        "violation": np.arange(10, 10 + n, dtype=np.int64),
        "key": np.arange(KEY, KEY + n, dtype=np.uint64),
        "time": np.array(cols.get("time", ()), dtype=np.float64),
        "node": np.array(cols.get("node", ()), dtype=np.int64),
        "type": np.array(cols.get("type", ()), dtype=np.int64),
        "perpetrator": np.array(cols.get("perpetrator", ()), dtype=np.int64),
    }


@pytest.mark.parametrize(
    "over, horizon, expected",
    [
        # a batch every day from the start, the last one a period after the end
        ({}, 10 * 1440.0, [1440.0, 2880.0, 4320.0]),
        # none at or after the horizon
        ({}, 4320.0, [1440.0, 2880.0]),
        ({}, 4320.5, [1440.0, 2880.0, 4320.0]),
        (
            {"start": "6h", "duration": "1d", "claims": {"every": "12h"}},
            10 * 1440.0,
            [1080.0, 1800.0, 2520.0],
        ),  # fmt: skip
        # a moratorium to the horizon: batches until the horizon
        ({"duration": None}, 3 * 1440.0 + 1, [1440.0, 2880.0, 4320.0]),
    ],
)
def test_the_parties_send_claims_every_period_until_one_period_after_the_end(
    over, horizon, expected
):
    assert claims_of(over, horizon=horizon).batches() == expected


def test_only_strikes_on_covered_protected_sites_during_the_moratorium_can_be_claimed():
    rows = [
        (60.0, 0, STRIKE, RU),  # at the start: in
        (59.0, 0, STRIKE, RU),  # before it
        (2939.0, 1, STRIKE, RU),  # just before the end: in
        (2940.0, 1, STRIKE, RU),  # at the end
        (100.0, 3, STRIKE, RU),  # not a protected site
        (100.0, 0, STRIKE - 1, RU),  # not a long-range strike
        (100.0, 2, STRIKE, UA),  # UA on an RU refinery: in
    ]
    c = claims_of({"start": "1h"}).candidates(strikes(*rows))
    assert set(c) == {"violation", "key", "time", "node", "perpetrator"}
    assert c["violation"].tolist() == [10, 12, 16] and c["key"].tolist() == [KEY, KEY + 2, KEY + 6]
    assert c["time"].tolist() == [60.0, 2939.0, 100.0] and c["node"].tolist() == [0, 1, 2]
    assert c["perpetrator"].tolist() == [RU, RU, UA]
    # a class the moratorium does not cover (the dam) is not protected
    c = claims_of({"start": "1h", "classes": ["substation", "refinery"]}).candidates(strikes(*rows))
    assert c["violation"].tolist() == [10, 16]


def claim_rows(c: dict) -> list[tuple]:
    """The claims as (claimant, accused, kind, batch, violation, node, site class, event
    time, verdict, confirmed), classes (-1: none) and kinds by name, NaN as None."""

    def num(x):
        return None if x != x else float(x)

    return [
        (
            R.SIDES[c["claimant"][n]],
            R.SIDES[c["accused"][n]],
            R.CLAIM_KINDS[c["kind"][n]],
            float(c["batch"][n]),
            int(c["violation"][n]),
            int(c["node"][n]),
            R.SITE_CLASSES[c["site_class"][n]]
            if c["site_class"][n] >= 0
            else int(c["site_class"][n]),
            num(c["event_time"][n]),
            num(c["verdict"][n]),
            bool(c["confirmed"][n]),
        )
        for n in range(c["claim"].size)
    ]


# RU strikes the UA substation at 05:00; UA strikes the RU refinery at the instant of the
# first batch (24:00); RU strikes the UA dam at 2000
STRUCK = [(300.0, 0, STRIKE, RU), (1440.0, 2, STRIKE, UA), (2000.0, 1, STRIKE, RU)]


def claims_table(over=None, rows=STRUCK, horizon=10 * 1440.0, sites=SITES):
    c = claims_of(over, sites=sites, horizon=horizon)
    return c.table([c.candidates(strikes(*rows))])


def test_each_side_claims_the_strikes_on_its_sites_in_the_next_batch_and_gets_a_verdict():
    c = claims_table()
    # numbered as sent: by batch, then claimant (RU, UA), then kind (real, counter, false)
    assert c["claim"].tolist() == [0, 1, 2]
    assert claim_rows(c) == [
        # the victim claims each strike in the first batch after it (a strike at the
        # instant of a batch is in the next one); verdict 6 hours after the batch
        ("UA", "RU", "real", 1440.0, 10, 0, "substation", 300.0, 1800.0, True),
        ("RU", "UA", "real", 2880.0, 11, 2, "refinery", 1440.0, 3240.0, True),
        ("UA", "RU", "real", 2880.0, 12, 1, "dam", 2000.0, 3240.0, True),
    ]
    # what is not claimed: nothing noticed, or a batch after the horizon
    none = claims_table({"claims": {"detection": 0.0}})
    assert {k: (v.size, v.dtype) for k, v in none.items()} == {
        k: (0, np.dtype(d)) for k, d in CLAIM_SCHEMA.items()
    }  # an empty table has the columns and types of a full one
    # horizon 2500: one batch (24:00); the strikes after it would be claimed at 48:00
    assert [r[4] for r in claim_rows(claims_table(horizon=2500.0))] == [10]
    # horizon 3000: the verdicts due at 3240 are not known by then
    rows = claim_rows(claims_table(horizon=3000.0))
    assert [(r[8], r[9]) for r in rows] == [(1800.0, True), (None, False), (None, False)]
    # nor one due at the horizon itself
    assert [(r[8], r[9]) for r in claim_rows(claims_table(horizon=1800.0))] == [(None, False)]


def test_an_accused_side_answers_with_a_counter_claim_in_its_next_batch():
    over = {
        "claims": {"counter_claims": 1.0},
        "verification": {"confirm_true": 0.0, "confirm_false": 1.0},
    }
    rows = claim_rows(claims_table(over, rows=STRUCK[:2]))
    # RU, accused in the first batch, answers in the second, naming its own (only)
    # protected site; UA, accused in the second, answers in the third, naming one of
    # its two; a counter-claim names no violation and no time, and is confirmed with
    # chance confirm_false (1 here), a real claim with confirm_true (0 here)
    # (in a batch, claims are listed by claimant, then kind, in the order of the codes)
    assert rows[:3] == [
        ("UA", "RU", "real", 1440.0, 10, 0, "substation", 300.0, 1800.0, False),
        ("RU", "UA", "real", 2880.0, 11, 2, "refinery", 1440.0, 3240.0, False),
        ("RU", "UA", "counter", 2880.0, -1, 2, "refinery", None, 3240.0, True),
    ]
    (last,) = rows[3:]
    assert last[:5] == ("UA", "RU", "counter", 4320.0, -1) and last[5] in (0, 1)
    assert last[7:] == (None, 4680.0, True)
    # nobody accused: no counter-claim
    assert claims_table(over, rows=[])["claim"].size == 0


def test_false_claims_name_a_protected_site_of_the_claimant_or_any_if_it_holds_none():
    over = {"claims": {"false_per_batch": 3.0}, "verification": {"confirm_false": 1.0}}
    rows = claim_rows(claims_table(over, rows=[]))
    assert rows and {r[2] for r in rows} == {"false"}
    assert {r[3] for r in rows} == {1440.0, 2880.0, 4320.0}
    for claimant, accused, _, batch, vid, node, cls, when, verdict, confirmed in rows:
        assert accused != claimant and vid == -1 and when is None
        assert verdict == batch + 360.0 and confirmed
        # UA holds the substation (node 0) and the dam (1), RU the refinery (2)
        assert (node, cls) in (
            {"UA": [(0, "substation"), (1, "dam")], "RU": [(2, "refinery")]}[claimant]
        )
    assert {r[5] for r in rows if r[0] == "UA"} == {0, 1}  # both of UA's sites get named
    # each party draws its own number per batch (keyed by party and batch)
    counts = {p: [sum(r[:1] == (p,) and r[3] == b for r in rows) for b in (1440, 2880, 4320)]
              for p in ("RU", "UA")}  # fmt: skip
    assert counts["RU"] != counts["UA"]
    # RU holds no protected site here: its false claims name any protected site
    held_by_ua = [("substation", "UA"), ("dam", "UA"), (None, "RU")]
    rows = claim_rows(claims_table(over, rows=[], sites=held_by_ua))
    assert {r[5] for r in rows if r[0] == "RU"} == {0, 1}
    # a mean of at most 1 still draws false claims (Poisson(1) is 0 only e^-1 of the time)
    assert claims_table({"claims": {"false_per_batch": 1.0}}, rows=[])["claim"].size > 0
    # with the real claims, every claim is numbered in the order of its batch
    c = claims_table(over)
    assert c["claim"].tolist() == list(range(c["claim"].size))
    assert np.all(np.diff(c["batch"]) >= 0) and (c["kind"] == 0).sum() == 3
    # and with no protected site at all, a false claim names none
    rows = claim_rows(claims_table(over, rows=[], sites=[(None, "UA")]))
    assert rows and {(r[5], r[6]) for r in rows} == {(-1, -1)}


def test_the_number_of_false_claims_is_the_poisson_quantile_of_its_draw():
    from sim.engine.claims import _poisson

    # Poisson(1): P(0) = e^-1 = 0.368, P(<=1) = 0.736, P(<=2) = 0.920, P(<=3) = 0.981
    u = [1e-9, 0.36, 0.37, 0.73, 0.74, 0.91, 0.93, 0.98, 0.99]
    assert [_poisson(x, 1.0) for x in u] == [0, 0, 1, 1, 2, 2, 3, 3, 4]
    # Poisson(2.5): P(0) = 0.082, P(<=1) = 0.287, P(<=2) = 0.544
    assert [_poisson(x, 2.5) for x in (0.08, 0.09, 0.28, 0.29, 0.54, 0.55)] == [0, 1, 1, 2, 2, 3]
    assert _poisson(0.999999, 0.0) == 0


def test_false_claims_follow_the_poisson_quantile_for_means_up_to_the_limit():
    # exp(-mean) underflows to 0 past a mean of about 745: the quantile must not
    # collapse to the loop's cap (it gave 10,000 claims for any draw at 746).
    from scipy.stats import poisson

    from sim.engine.claims import _poisson

    for mean in (30.0, 744.0, 745.0, 746.0, 1000.0):
        for u in (0.01, 0.3, 0.5, 0.77, 0.99):
            assert _poisson(u, mean) == int(poisson.ppf(u, mean)), (u, mean)


def test_a_side_is_released_by_the_confirmed_claims_against_the_other():
    from sim.engine.claims import release_times

    # RU is accused in claims 0-3 (confirmed at 500, 100 and 300; 50 not confirmed), UA
    # in claims 4-5 (confirmed at 200; 20 not confirmed)
    claims = {
        "accused": np.array([RU, RU, RU, RU, UA, UA]),
        "confirmed": np.array([True, True, True, False, True, False]),
        "verdict": np.array([500.0, 100.0, 300.0, 50.0, 200.0, 20.0]),
    }
    assert release_times(claims, 1) == {"RU": 200.0, "UA": 100.0}
    two = release_times(claims, 2)
    assert two["UA"] == 300.0 and math.isnan(two["RU"])
    three = release_times(claims, 3)
    assert three["UA"] == 500.0 and math.isnan(three["RU"])
    assert all(math.isnan(t) for t in release_times(claims, 4).values())


def test_each_claim_is_verified_after_its_own_delay_drawn_from_its_own_key():
    # random delays and verdicts: every claim draws its own (keyed, so a claim present in
    # two configurations gets the same delay and verdict in both)
    over = {
        "duration": "20d",
        "claims": {"false_per_batch": 2.0, "counter_claims": 1.0},
        "verification": {
            "delay": {"dist": "lognormal", "mean": "3d", "sd": "2d"},
            "confirm_true": 0.5,
            "confirm_false": 0.5,
        },
    }
    a = claim_rows(claims_table(over, rows=STRUCK[:1], horizon=60 * 1440.0))
    b = claim_rows(claims_table(over, rows=STRUCK, horizon=60 * 1440.0))
    assert len(a) > 60 and len(b) > len(a)
    delays = [r[8] - r[3] for r in b]
    assert len(set(delays)) == len(b) and min(delays) > 0
    assert {r[9] for r in b if r[2] == "false"} == {True, False}
    real = [r for r in a if r[2] == "real"]
    assert real == [r for r in b if r[4] == 10]
    assert sorted(r for r in a if r[2] == "false") == sorted(r for r in b if r[2] == "false")


def test_a_walkout_takes_only_its_desk_off_duty_and_only_while_it_lasts(timeline):
    # the US desk works 08:00-16:00; RU walks out on day 1 from 08:00:30 to 16:00:30, UA
    # on day 2 from 09:00 to 10:00 (times inside and at the edges of the US shift)
    walkouts = [
        {"party": "RU", "start": "1920.5min", "duration": "8h"},
        {"party": "UA", "start": "2d 9h", "duration": "1h"},
    ]
    rep = run_replication(timeline({**US_DAY_SHIFT, **TEAMS_OFF, "walkouts": walkouts}))
    on_duty = {d: rep.totals["desks"][d]["on_duty"] for d in R.PARTIES}
    # officer-minutes over the 3 days: the US shift untouched, each party's desk off
    # for its walkout only
    assert on_duty == {"US": 3 * 480.0, "RU": 3 * 1440.0 - 480.0, "UA": 3 * 1440.0 - 60.0}


# twelve violations at S2, four hours apart: twelve incidents
EVERY_4H = [
    {"time": f"{1 + 4 * k}h", "node": "S2", "type": "artillery", "perpetrator": "RU"}
    for k in range(12)
]
TECHNICAL_ONLY = {
    "channels": {
        "affected": {"detection": 0.0},
        "technical": {"detection": 1.0, "default_coverage": 1.0, "delay": "30min", "desk": "US"},
    }
}


def test_a_chance_between_0_and_1_gives_each_outcome_to_some_incidents(timeline):
    # the direction of fire with chance 1/2
    over = {
        "violations": {"scripted": EVERY_4H, "types": {"artillery": {"attributable": 0.0}}},
        **findings({"direction_of_fire": 0.5}),
    }
    inc = run_replication(timeline(over)).incidents
    verified = inc["outcome"] == R.INCIDENT_OUTCOMES.index("verified")
    assert verified.sum() >= 10
    assert set(inc["grade"][verified]) == {G["confirmed_direction"], G["confirmed_unattributed"]}
    # remote confirmation with chance 1/2, of incidents no team verified
    over = {
        **TEAMS_OFF,
        "violations": {"scripted": EVERY_4H},
        "reporting": TECHNICAL_ONLY,
        **findings({"remote": {"confirm": 0.5}}),
    }
    inc = run_replication(timeline(over)).incidents
    assert inc["grade"].size == 12
    assert set(inc["grade"]) == {G["confirmed_unattributed"], G["not_confirmed"]}


def test_only_a_technical_report_can_be_confirmed_remotely(timeline):
    # the affected side's report alone, no team: not confirmed whatever remote.confirm
    over = {**TEAMS_OFF, **findings({"remote": {"confirm": 1.0}})}
    i = one(run_replication(timeline(over)).incidents)
    assert i["grade"] == G["not_confirmed"]


def test_without_evidence_the_weight_of_evidence_does_not_calm_the_accuser(timeline):
    # strength 0 (nothing verified): the chance stays 1 x (1 - 1 x 0) = 1
    over = {**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0, "evidence_weight": 1.0}})}
    i = one(run_replication(timeline(over)).incidents)
    assert i["grade"] == G["not_confirmed"] and bool(i["dissent_UA"])
    assert i["final_grade"] == G["disputed"]


def test_a_desk_that_reviews_a_finding_nobody_disputed_may_dispute_it(timeline):
    # RU works 08:00-16:00: UA and the US desk assess at 03:30-04:00 without it; RU, the
    # accused side, reviews the finding at 08:00 and dissents: disputed from then on
    ru_day = {
        "center": {
            "desks": {
                "RU": {
                    "officers": None,
                    "shifts": [{"start": "08:00", "end": "16:00", "officers": 1}],
                }
            }
        }
    }
    over = {**ru_day, **findings({"quorum": "two_of_three", "dissent": {"accused": 1.0}})}
    i = one(run_replication(timeline(over)).incidents)
    assert (i["finding"], i["quorum"], i["review"]) == (240.0, 2, 480.0)
    assert bool(i["dissent_RU"]) and not (i["dissent_UA"] or i["dissent_US"])
    assert i["disputed"] == 480.0 and i["final_grade"] == G["disputed"]


def test_each_level_refers_what_it_does_not_settle_to_the_next_one_not_further(timeline):
    ladder = [
        {"name": "area", "meets": "daily at 18:00", "capacity": 5, "resolves": 0.0},
        {"name": "jmc", "meets": "weekly on Wednesday at 10:00", "capacity": 5, "resolves": 0.0},
        {"name": "pc", "meets": "daily at 20:00", "capacity": 5, "resolves": 1.0},
    ]
    over = {**TEAMS_OFF, **findings({"dissent": {"accuser": 1.0}, "ladder": ladder})}
    rep = run_replication(timeline(over))
    i = one(rep.incidents)
    # disputed at 140; area at 18:00 on day 0, the JMC on Wednesday (day 2) at 10:00, the
    # third level at its next meeting, 20:00 on day 2, settles it
    assert (i["disputed"], i["dispute_level"], i["dispute_closed"]) == (140.0, 2, 2 * 1440 + 1200)
    assert i["final_grade"] == G["not_confirmed"]
    totals = rep.totals["ladder"]
    assert [t["name"] for t in totals] == ["area", "jmc", "pc"]
    assert [t["meetings"] for t in totals] == [3, 1, 3]
    assert [t["taken_up"] for t in totals] == [1, 1, 1]
    assert [t["backlog_at_end"] for t in totals] == [0, 0, 0]
    waited = [1080 - 140, 3480 - 1080, 4080 - 3480]  # minutes at each level
    assert [t["mean_backlog"] for t in totals] == pytest.approx([w / 4320 for w in waited])


def test_the_mean_backlog_is_defined_over_a_measured_window_shorter_than_a_minute(timeline):
    ladder = [{"name": "area", "meets": "daily at 18:00", "capacity": 1, "resolves": 1.0}]
    over = {"horizon": "0.5min", "violations": {"scripted": []}, **findings({"ladder": ladder})}
    (level,) = run_replication(timeline(over)).totals["ladder"]
    assert level == {
        "name": "area",
        "mean_backlog": 0.0,
        "backlog_at_end": 0,
        "meetings": 0,
        "taken_up": 0,
    }
