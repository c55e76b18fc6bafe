"""Inheritance through ``extends``: a child's choice replaces the parent's, ``null`` removes."""

from __future__ import annotations

import json
import textwrap

import networkx as nx
import pytest

from sim.scenario import ScenarioError
from sim.scenario.errors import SourceMap
from sim.scenario.inheritance import merge, removable
from sim.scenario.loader import parse_scenario, read_scenario

from .conftest import SCENARIOS


def write(tmp_path, text, name="child.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_officers_in_a_child_replace_the_parent_s_shifts(tmp_path):
    p = write(
        tmp_path,
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: c\n"
        "center: {desks: {RU: {officers: 3}}}\n",
    )
    s, _ = read_scenario(p)
    assert s.center.desks.RU.officers == 3 and s.center.desks.RU.shifts is None
    assert s.center.desks.UA.shifts is not None  # the other desks keep the parent's plan


def test_a_network_file_in_a_child_replaces_the_parent_s_builtin(tmp_path):
    g = nx.path_graph(3)
    nx.set_edge_attributes(g, 5.0, "length_km")
    (tmp_path / "line.json").write_text(json.dumps(nx.node_link_data(g, edges="edges")))
    write(tmp_path, "name: base\nhorizon: 1d\nnetwork: {builtin: donbas_south}\n", "base.yaml")
    p = write(tmp_path, "extends: base.yaml\nname: c\nnetwork: {file: line.json}\n")
    s, _ = read_scenario(p)
    assert s.network.builtin is None and s.network.file == "line.json"


def test_null_removes_an_inherited_violation_type(tmp_path):
    p = write(
        tmp_path,
        f"""\
        extends: {SCENARIOS / "baseline.yaml"}
        name: no_drones
        violations:
          types:
            drone: null
            small_arms: {{share: 0.59}}
        """,
    )
    s, _ = read_scenario(p)
    assert "drone" not in s.violations.types
    assert set(s.violations.types) == {"small_arms", "artillery", "heavy_weapons"}


def test_null_for_a_schema_key_stays_a_value():
    # patrol_hours: null means round the clock, not "back to the 07:00-19:00 default"
    assert not removable(("teams",), "patrol_hours")
    out = merge({"teams": {"patrol_hours": {"start": "07:00"}}}, {"teams": {"patrol_hours": None}})
    assert out == {"teams": {"patrol_hours": None}}


def test_null_clears_an_inherited_alternative(tmp_path):
    p = write(
        tmp_path,
        f"""\
        extends: {SCENARIOS / "baseline.yaml"}
        name: c
        center:
          desks:
            RU: {{shifts: null}}
        """,
    )
    with pytest.raises(ScenarioError) as exc:
        read_scenario(p)
    # nothing is left: the desk must now be given one of the two
    assert exc.value.path == "center.desks.RU" and "give exactly one of" in exc.value.message


def test_a_clash_in_one_file_says_so(tmp_path):
    p = write(
        tmp_path,
        f"""\
        extends: {SCENARIOS / "baseline.yaml"}
        name: c
        center:
          desks:
            RU: {{officers: 3, shifts: [{{start: "06:00", end: "14:00", officers: 4}}]}}
        """,
    )
    with pytest.raises(ScenarioError) as exc:
        read_scenario(p)
    msg = exc.value.message
    assert f"officers is set in {p} line 5" in msg and "delete all but one" in msg


def test_a_clash_with_an_inherited_key_names_its_file_and_the_fix():
    data = {
        "name": "c",
        "horizon": "1d",
        "center": {"desks": {"RU": {"officers": 3, "shifts": []}}},
    }
    lines = {
        ("center", "desks", "RU", "officers"): ("child.yaml", 4),
        ("center", "desks", "RU", "shifts"): ("baseline.yaml", 77),
    }
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, SourceMap("child.yaml", lines))
    msg = exc.value.message
    assert "shifts is set in baseline.yaml line 77" in msg
    assert "write `shifts: null` beside the other in child.yaml" in msg


def test_the_resolved_scenario_names_the_default_network():
    from sim.scenario import Scenario

    resolved = Scenario(name="a", horizon="1d").resolved()
    assert resolved["network"]["builtin"] == "donbas_south"
    assert "`network.builtin` | string or null |  | `donbas_south` |" in (
        (SCENARIOS.parent / "docs" / "scenarios.md").read_text()
    )


def test_a_sweep_may_choose_the_other_alternative(tmp_path):
    from sim.analysis.sweepfile import expand, load_sweep

    (tmp_path / "base.yaml").write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: b\nhorizon: 2d\nwarmup: 1d\n"
    )
    (tmp_path / "s.yaml").write_text(
        "name: s\nbase: base.yaml\nreplications: 2\ngrid:\n  center.desks.RU.officers: [3]\n"
    )
    spec, path = load_sweep(tmp_path / "s.yaml")
    (point,) = expand(spec, path)
    desk = point.loaded.scenario.center.desks.RU
    assert desk.officers == 3 and desk.shifts is None
