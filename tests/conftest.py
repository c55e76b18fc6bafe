"""Shared fixtures: small scenarios built as dicts, with exact timelines."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.scenario.loader import merge as deep_merge
from sim.world import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

# Tests that draw every figure of whole result directories or build HTML reports:
# minutes of matplotlib rendering, so they run behind the ``figures`` marker
# (CI runs them; the quick suite keeps the plotting tests on small inputs).
RENDERING_FIXTURES = {"small", "comparison", "sweeps", "no_teams", "figures"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        heavy_plot = name == "test_plotting.py" and RENDERING_FIXTURES & set(item.fixturenames)
        if heavy_plot or name == "test_report.py":
            item.add_marker(pytest.mark.figures)


def _merge(base: dict, over: dict) -> dict:
    return deep_merge(copy.deepcopy(base), copy.deepcopy(over))


# A tiny deterministic world: five sectors S0..S4 10 km apart, one base B0
# 10 km behind S0, one team driving at 60 km/h (1 km per minute), every
# duration fixed, every channel but the affected side's switched off.
TIMELINE = {
    "name": "timeline",
    "seed": 7,
    "horizon": "3d",
    "network": {"synthetic": {"sectors": 5, "depth": 1, "spacing_km": 10, "bases_every": 10}},
    "violations": {
        "rate_per_day": 0,
        "types": {
            "artillery": {
                "share": 1.0,
                "severity": 3,
                "evidence_half_life": "2d",
                "attributable": 1.0,
            },
        },
        "scripted": [{"time": "1h", "node": "S2", "type": "artillery", "perpetrator": "RU"}],
    },
    "reporting": {
        "channels": {
            "affected": {"detection": 1.0, "delay": "30min", "desk": "affected"},
            "accused": {"detection": 0.0},
            "technical": {"detection": 0.0},
            "civilian": {"detection": 0.0},
        },
        "false_reports": {"rate_per_day": 0},
    },
    "center": {
        "desks": {"RU": {"officers": 1}, "UA": {"officers": 1}, "US": {"officers": 1}},
        "triage": {"time": "20min", "false_detection": 0.0, "max_wait": None},
        "merging": {"enabled": True, "window": "3h", "max_distance_km": 15},
        "assessment": {"enabled": True, "time": "30min"},
    },
    "teams": {
        "bases": [{"node": "B0", "count": 1}],
        "speed_kmh": 60,
        "prepare": "10min",
        "patrol_hours": None,
        "access_denial": {"RU": 0.0, "UA": 0.0},
        "verification": {"time": "1h", "base_probability": 1.0, "attribution_accuracy": 1.0},
        "give_up_after": None,
    },
}


@pytest.fixture
def timeline():
    """Build the timeline scenario with overrides: ``timeline({...})``."""

    def make(over: dict | None = None):
        return scenario_from_dict(_merge(TIMELINE, over or {}))

    return make


@pytest.fixture
def merge():
    return _merge


def same_data(a, b) -> bool:
    """Equal plain data, NaN equal to NaN (``==`` on dicts holding NaN is False)."""
    from sim.records.storage import same_data as same

    return same(a, b)
