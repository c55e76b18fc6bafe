"""Rules that decide by a random draw, checked exactly against each entity's own draw.

Each chance in docs/model.md is decided by comparing an entity's uniform from
its named stream (docs/model.md, "Randomness") with the rule's probability, so
the test recomputes every uniform and checks every decision, not a rate.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import records as R
from sim.engine import run_replication
from sim.world.streams import Stream

from .timelines import PLENTY

SEED = 7  # the timeline scenario's seed
HALF_LIFE = 360.0
TYPES = {
    "artillery": {
        "share": 1.0,
        "severity": 3,
        "evidence_half_life": "6h",
        "attributable": 0.6,
    }
}


@pytest.fixture(scope="module")
def visited():
    """Violations at random times, each reported once after an exponential delay,
    visited by one of many teams: ages on arrival spread over several half-lives."""
    from sim.world import scenario_from_dict

    from .conftest import TIMELINE, _merge

    over = {
        "horizon": "8d",
        "violations": {"rate_per_day": 40, "scripted": [], "types": TYPES},
        "reporting": {"channels": {"affected": {"delay": {"dist": "exponential", "mean": "4h"}}}},
        "center": {"desks": PLENTY, "merging": {"enabled": False}},
        "teams": {
            "bases": [{"node": "B0", "count": 30}, {"node": "B4", "count": 30}],
            "access_denial": {"RU": 0.3, "UA": 0.1},
            "prepare": {"dist": "exponential", "mean": "30min"},
            "verification": {
                "time": {"dist": "uniform", "low": "30min", "high": "2h"},
                "base_probability": 0.9,
                "attribution_accuracy": 0.7,
            },
        },
    }
    loaded = scenario_from_dict(_merge(TIMELINE, over))
    return loaded, run_replication(loaded)


def _incident_of_each_violation(rep):
    r = rep.reports
    inc = np.full(rep.violations["time"].size, -1)
    inc[r["violation"]] = r["incident"]
    return inc


def test_verification_succeeds_exactly_when_the_draw_is_below_the_decayed_chance(visited):
    _, rep = visited
    v, i = rep.violations, rep.incidents
    inc = _incident_of_each_violation(rep)
    on_site = np.where(inc >= 0, i["on_site"][inc], np.nan)
    checked = np.isfinite(on_site) & ~i["access_denied"][inc] & np.isfinite(i["finding"][inc])
    assert checked.sum() > 150
    age = (on_site - v["time"])[checked]
    assert age.min() < 0.5 * HALF_LIFE and age.max() > 3 * HALF_LIFE
    chance = 0.9 * 0.5 ** (age / HALF_LIFE)
    u = Stream(SEED, 0, "teams.verify").uniform(v["key"][checked])
    outcome = np.array(R.VIOLATION_OUTCOMES)[v["outcome"][checked]]
    verified = outcome != "reported_unverified"
    assert np.array_equal(verified, u < chance)
    assert 0.2 < verified.mean() < 0.8
    reason = np.array(R.UNVERIFIED_REASONS)[v["reason"][checked]]
    assert set(reason[~verified]) == {"evidence_decayed"}


def test_attribution_follows_the_attributable_and_accuracy_draws(visited):
    _, rep = visited
    v = rep.violations
    outcome = np.array(R.VIOLATION_OUTCOMES)[v["outcome"]]
    verified = np.isin(outcome, ["verified", "attributed_correct", "attributed_incorrect"])
    keys = v["key"][verified]
    attributable = Stream(SEED, 0, "teams.attributable").uniform(keys) < 0.6
    correct = Stream(SEED, 0, "teams.attribution").uniform(keys) < 0.7
    want = np.where(
        attributable, np.where(correct, "attributed_correct", "attributed_incorrect"), "verified"
    )
    assert np.array_equal(outcome[verified], want)
    assert {"verified", "attributed_correct", "attributed_incorrect"} <= set(want)
    truth = v["perpetrator"][verified]
    to = np.where(attributable, np.where(correct, truth, 1 - truth), -1)
    assert np.array_equal(v["attributed_to"][verified], to)


def test_access_is_denied_exactly_when_the_incidents_draw_is_below_the_sides_chance(visited):
    _, rep = visited
    i = rep.incidents
    arrived = np.isfinite(i["on_site"])
    assert arrived.sum() > 150
    u = Stream(SEED, 0, "teams.access").uniform(i["key"][arrived])
    v = rep.violations
    affected = np.full(i["incident"].size, -1)
    r = rep.reports
    affected[r["incident"]] = v["affected"][r["violation"]]
    chance = np.where(affected[arrived] == R.SIDES.index("RU"), 0.3, 0.1)
    denied = i["access_denied"][arrived]
    assert np.array_equal(denied, u < chance)
    assert denied.sum() >= 10
    reasons = np.array(R.INCIDENT_REASONS)[i["reason"][arrived]]
    assert set(reasons[denied]) == {"access_denied"}


def test_missions_take_the_incidents_own_preparation_and_time_on_site(visited):
    loaded, rep = visited
    i = rep.incidents
    went = np.isfinite(i["returned"])
    assert went.sum() > 150
    lead_keys = i["key"][went]
    t = loaded.scenario.teams
    prepare = Stream(SEED, 0, "teams.prepare").sample(t.prepare, lead_keys)
    on_site = Stream(SEED, 0, "teams.on_site").sample(t.verification.time, lead_keys)
    assert np.allclose(i["prepare_time"][went], prepare)
    assert np.allclose(i["on_site_time"][went], on_site)
    # no patrol hours: leave when prepared; back after the time on site (none if
    # denied) and the drive
    assert np.allclose((i["depart"] - i["dispatch"])[went], prepare)
    drive = i["travel_km"][went]  # 60 km/h: one minute per km
    stay = np.where(i["access_denied"][went], 0.0, on_site)
    assert np.allclose((i["returned"] - i["on_site"])[went], stay + drive)
    assert np.allclose((i["on_site"] - i["depart"])[went], drive)


def test_false_reports_are_recognised_exactly_when_their_draw_is_below_the_chance(timeline):
    over = {
        "horizon": "6d",
        "violations": {"scripted": []},
        "reporting": {"false_reports": {"rate_per_day": 20}},
        "center": {"triage": {"false_detection": 0.4}, "desks": PLENTY},
        "teams": {"enabled": False},
    }
    rep = run_replication(timeline(over))
    r = rep.reports
    done = np.isfinite(r["triaged"])
    assert done.sum() > 100
    u = Stream(SEED, 0, "center.false_detection").uniform(r["key"][done])
    recognised = r["state"][done] == R.REPORT_STATES.index("false_recognised")
    assert np.array_equal(recognised, u < 0.4)


def test_triage_and_assessment_times_are_each_reports_own_draws(timeline):
    # Each report draws its triage time from "center.triage_time", and an incident
    # its assessment time from "center.assessment_time", by its first report's key;
    # triage takes exactly that long.
    over = {
        "horizon": "2d",
        "violations": {"rate_per_day": 20, "scripted": []},
        "center": {
            "desks": PLENTY,
            "triage": {"time": {"dist": "exponential", "mean": "15min"}},
            "assessment": {"time": {"dist": "uniform", "low": "10min", "high": "50min"}},
        },
        "teams": {"enabled": False},
    }
    loaded = timeline(over)
    rep = run_replication(loaded)
    c = loaded.scenario.center
    r, i = rep.reports, rep.incidents
    assert r["key"].size >= 20 and i["key"].size >= 10
    triage = Stream(SEED, 0, "center.triage_time").sample(c.triage.time, r["key"])
    assert np.allclose(r["triage_time"], triage)
    done = np.isfinite(r["triaged"])
    assert np.allclose((r["triaged"] - r["ack"])[done], triage[done])
    assess = Stream(SEED, 0, "center.assessment_time").sample(c.assessment.time, i["key"])
    assert np.allclose(i["assessment_time"], assess)


def test_durations_a_scenario_never_uses_are_not_drawn(timeline):
    # Teams off (bases still listed) and no joint assessment: incidents carry no
    # preparation, time on site or assessment time (NaN), and access is never
    # drawn; with teams and assessment on, every incident carries its draws, used
    # or not (an incident below min_severity gets no team but keeps them).
    over = {
        "horizon": "2d",
        "violations": {"rate_per_day": 10, "scripted": []},
        "center": {"desks": PLENTY, "assessment": {"enabled": False}},
        "teams": {"enabled": False},
    }
    i = run_replication(timeline(over)).incidents
    assert i["key"].size >= 5
    for c in ("assessment_time", "prepare_time", "on_site_time"):
        assert np.isnan(i[c]).all(), c
    over["center"]["assessment"]["enabled"] = True
    over["teams"] = {"enabled": True, "min_severity": 4}
    loaded = timeline(over)
    i = run_replication(loaded).incidents
    assert (i["team"] == -1).all()
    t = loaded.scenario.teams
    assert np.allclose(
        i["prepare_time"], Stream(SEED, 0, "teams.prepare").sample(t.prepare, i["key"])
    )
    assert np.isfinite(i["on_site_time"]).all() and np.isfinite(i["assessment_time"]).all()
