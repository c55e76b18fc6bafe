"""Property-based tests: the loader on random scenarios, and the model's invariants
on random configurations (every record ends in one state, no time goes
backwards, no team is in two places at once, no desk serves more reports at
once than it has officers on duty)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import records as R
from sim.analysis.metrics import check_conservation
from sim.engine import run_replication
from sim.scenario import ScenarioError
from sim.world import load_scenario, scenario_from_dict
from sim.scenario.units import format_duration

DURATION = st.integers(min_value=1, max_value=600).map(lambda m: f"{m}min")
PROB = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def distributions(draw):
    kind = draw(
        st.sampled_from(
            ["fixed", "exponential", "uniform", "triangular", "lognormal", "gamma", "empirical"]
        )
    )
    a = draw(st.integers(1, 120))
    b = a + draw(st.integers(0, 120))
    if kind == "fixed":
        return f"{a}min"
    if kind == "exponential":
        return {"dist": "exponential", "mean": f"{a}min"}
    if kind == "uniform":
        return {"dist": "uniform", "low": f"{a}min", "high": f"{b}min"}
    if kind == "triangular":
        return {"dist": "triangular", "low": f"{a}min", "mode": f"{a}min", "high": f"{b + 1}min"}
    if kind == "empirical":
        return {"dist": "empirical", "values": [f"{a}min", f"{b}min"]}
    return {"dist": kind, "mean": f"{a}min", "sd": f"{draw(st.integers(0, 90))}min"}


@st.composite
def desks(draw):
    if draw(st.booleans()):
        return {"officers": draw(st.integers(1, 3))}
    cut = sorted(draw(st.lists(st.integers(1, 23), min_size=1, max_size=3, unique=True)))
    bounds = [0] + cut + [24]
    shifts = [
        {
            "start": f"{a:02d}:00",
            "end": f"{b:02d}:00" if b < 24 else "24:00",
            "officers": draw(st.integers(0, 3)),
        }
        for a, b in zip(bounds, bounds[1:])
    ]
    if all(s["officers"] == 0 for s in shifts):
        shifts[0]["officers"] = 1
    return {"shifts": shifts}


@st.composite
def scenarios(draw):
    sectors = draw(st.integers(2, 8))
    depth = draw(st.integers(1, 2))  # a rear city (strike target) exists from depth 2
    use_teams = draw(st.booleans())
    bases = []
    if use_teams:
        bases = [{"node": "B0", "count": draw(st.integers(0, 3))}]
    return {
        "name": "prop",
        "seed": draw(st.integers(0, 10_000)),
        "horizon": f"{draw(st.integers(1, 6))}d",
        "network": {
            "synthetic": {
                "sectors": sectors,
                "depth": depth,
                "spacing_km": draw(st.integers(5, 40)),
                "bases_every": 3,
            }
        },
        "violations": {
            "rate_per_day": draw(st.integers(0, 60)),
            "escalation": {"branching_ratio": draw(st.floats(0, 0.8)), "decay": draw(DURATION)},
            "long_range_strikes": {"rate_per_day": draw(st.integers(0, 3)) if depth > 1 else 0},
            "types": {
                "a": {"share": 0.5, "severity": 1, "evidence_half_life": draw(DURATION)},
                "b": {
                    "share": 0.5,
                    "severity": draw(st.integers(1, 5)),
                    "evidence_half_life": draw(DURATION),
                },
            },
        },
        "reporting": {
            "channels": {
                "affected": {
                    "detection": draw(PROB),
                    "delay": draw(distributions()),
                    "by_party": {"UA": {"delay": draw(distributions())}},
                    "by_type": {"a": {"detection": draw(PROB)}},
                },
                "accused": {"detection": draw(PROB), "delay": draw(distributions())},
                "technical": {
                    "detection": draw(PROB),
                    "delay": draw(distributions()),
                    "default_coverage": draw(PROB),
                },
                "civilian": {
                    "detection": draw(PROB),
                    "delay": draw(distributions()),
                    "desk": draw(st.sampled_from(["RU", "UA", "US", "affected"])),
                },
            },
            "false_reports": {
                "rate_per_day": draw(st.integers(0, 5)),
                "by_party": {"UA": {"rate_per_day": draw(st.integers(0, 5))}},
            },
        },
        "center": {
            "desks": {"RU": draw(desks()), "UA": draw(desks()), "US": draw(desks())},
            "triage": {
                "time": draw(distributions()),
                "false_detection": draw(PROB),
                "max_wait": draw(st.sampled_from([None, "2h", "1d"])),
            },
            "merging": {
                "enabled": draw(st.booleans()),
                "window": draw(DURATION),
                "max_distance_km": draw(st.integers(0, 50)),
            },
            "priority": draw(st.sampled_from(["fifo", "severity"])),
            "assessment": {"enabled": draw(st.booleans()), "time": draw(distributions())},
        },
        "teams": {
            "enabled": use_teams,
            "bases": bases,
            "speed_kmh": draw(st.integers(10, 90)),
            "prepare": draw(distributions()),
            "patrol_hours": draw(st.sampled_from([None, {"start": "07:00", "end": "19:00"}])),
            "access_denial": {"RU": draw(PROB), "UA": draw(PROB)},
            "verification": {"time": draw(distributions()), "base_probability": draw(PROB)},
            "give_up_after": draw(st.sampled_from([None, "6h", "2d"])),
            "min_severity": draw(st.integers(1, 5)),
            "max_travel_km": draw(st.sampled_from([None, 30, 200])),
        },
    }


SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(scenarios())
def test_loader_round_trips_random_scenarios(tmp_path_factory, data):
    loaded = scenario_from_dict(data)
    text = yaml.safe_dump(loaded.scenario.resolved(), sort_keys=False)
    path = tmp_path_factory.mktemp("rt") / "s.yaml"
    path.write_text(text)
    assert load_scenario(path).scenario == loaded.scenario


@SETTINGS
@given(
    scenarios(),
    st.sampled_from(
        [
            "horizon",
            "violations.rate_per_day",
            "reporting.channels.affected.detection",
            "center.desks.RU",
            "teams.speed_kmh",
        ]
    ),
    st.sampled_from([-1, "soon", 2.5, [], {"x": 1}]),
)
def test_loader_names_the_key_of_any_bad_value(data, path, bad):
    parts = path.split(".")
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = bad
    if bad == 2.5 and path in ("violations.rate_per_day", "teams.speed_kmh"):
        scenario_from_dict(data)  # valid there (2.5 officers or 2.5 minutes are not)
        return
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert info.value.path.startswith(path), (info.value.path, path)
    assert info.value.message


def _team_overlaps(inc) -> int:
    bad = 0
    for team in np.unique(inc["team"][inc["team"] >= 0]):
        m = inc["team"] == team
        start = inc["dispatch"][m]
        end = np.where(np.isfinite(inc["returned"][m]), inc["returned"][m], np.inf)
        order = np.argsort(start)
        bad += int((start[order][1:] < end[order][:-1]).sum())
    return bad


def _desk_overload(rep, scen) -> int:
    """Triage starts that break the shift plan: an officer of a shift that is not on
    duty, or more of a shift's officers busy at once than it has. (An officer may
    finish a triage after their shift ends: Ciw's handover.)"""
    r = rep.reports
    bad = 0
    for k, p in enumerate(R.PARTIES):
        plan = getattr(scen.center.desks, p).plan()
        m = (r["desk"] == k) & np.isfinite(r["ack"])
        ack, done, shift = r["ack"][m], r["triaged"][m], r["triage_shift"][m]
        done = np.where(np.isfinite(done), done, np.inf)
        for t, g in zip(ack, shift):
            sh = plan[g]
            a, b, minute = int(sh.start) % 1440, int(sh.end) % 1440, t % 1440
            on = a == b or (a <= minute < b if a < b else (minute >= a or minute < b))
            busy = int(((ack <= t) & (done > t) & (shift == g)).sum())
            if not on or busy > sh.officers:
                bad += 1
    return bad


@SETTINGS
@given(scenarios())
def test_invariants_hold_on_random_configurations(data):
    loaded = scenario_from_dict(data)
    rep = run_replication(loaded)
    assert check_conservation(rep) == []
    assert _team_overlaps(rep.incidents) == 0
    assert _desk_overload(rep, loaded.scenario) == 0
    i = rep.incidents
    visited = np.isfinite(i["on_site"])
    assert (
        i["returned"][visited & np.isfinite(i["returned"])]
        >= i["on_site"][visited & np.isfinite(i["returned"])]
    ).all()
    # durations print and parse back
    assert format_duration(loaded.scenario.horizon).endswith("d")
