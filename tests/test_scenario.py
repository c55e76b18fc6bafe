"""Scenario loading: extends, defaults, and one test per class of bad input."""

from __future__ import annotations

import json
import textwrap

import networkx as nx
import pytest
import yaml

from sim.cli import main
from sim.scenario import Scenario, ScenarioError
from sim.world import load_scenario

from .conftest import SCENARIOS

MINIMAL = """\
name: tiny
horizon: 2d
network:
  synthetic: {sectors: 6, depth: 1, spacing_km: 10}
teams:
  bases:
    - {node: B0, count: 1}
    - {node: B4, count: 1}
"""


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def error_of(path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value


def test_minimal_scenario_gets_defaults(tmp_path):
    loaded = load_scenario(write(tmp_path, MINIMAL))
    s = loaded.scenario
    assert s.horizon == 2880.0
    assert s.center.priority == "fifo"
    assert s.center.desks.RU.officers == 2
    assert s.teams.total == 2
    assert loaded.graph.number_of_nodes() == 12


def test_resolved_scenario_round_trips(tmp_path):
    loaded = load_scenario(SCENARIOS / "baseline.yaml")
    text = yaml.safe_dump(loaded.scenario.resolved(), sort_keys=False)
    again = load_scenario(write(tmp_path, text, "resolved.yaml"))
    assert again.scenario == loaded.scenario


def test_extends_merges_and_overrides(tmp_path):
    write(tmp_path, MINIMAL, "base.yaml")
    child = write(
        tmp_path,
        """\
        extends: base.yaml
        name: child
        center:
          priority: severity
        """,
        "child.yaml",
    )
    s = load_scenario(child).scenario
    assert s.name == "child"
    assert s.center.priority == "severity"
    assert s.teams.total == 2  # inherited
    assert s.horizon == 2880.0


def test_shipped_variants_extend_baseline():
    base = load_scenario(SCENARIOS / "baseline.yaml").scenario
    night = load_scenario(SCENARIOS / "thin_night_shift.yaml").scenario
    assert night.center.desks.RU.staffing()[23 * 60] == 1
    assert base.center.desks.RU.staffing()[23 * 60] == 2
    assert night.teams == base.teams and night.violations == base.violations


def test_circular_extends(tmp_path):
    write(tmp_path, "extends: b.yaml\nname: a\nhorizon: 1d\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\nhorizon: 1d\n", "b.yaml")
    err = error_of(tmp_path / "a.yaml")
    assert "circular extends" in err.message and err.path == "extends"


def test_extends_missing_file(tmp_path):
    err = error_of(write(tmp_path, "extends: nothere.yaml\nname: a\nhorizon: 1d\n"))
    assert err.path == "extends" and "does not exist" in err.message


def test_unknown_key_names_path_and_line(tmp_path):
    p = write(tmp_path, MINIMAL + "center:\n  triage:\n    tme: 10min\n")
    err = error_of(p)
    assert err.path == "center.triage.tme"
    assert "unknown key" in err.message
    assert err.file == str(p) and err.line == 11
    assert str(err).startswith(f"{p}:11: center.triage.tme:")


def test_wrong_type(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "replications: many\n"))
    assert err.path == "replications" and "whole number" in err.message


def test_duration_without_unit(tmp_path):
    err = error_of(write(tmp_path, MINIMAL.replace("horizon: 2d", "horizon: 48")))
    assert err.path == "horizon" and "units" in err.message


def test_negative_rate(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "violations:\n  rate_per_day: -3\n"))
    assert err.path == "violations.rate_per_day"
    assert "expected a value of at least 0; got -3" in err.message


def test_probability_above_one(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        reporting:
          channels:
            civilian: {detection: 1.5}
        """),
        )
    )
    assert err.path == "reporting.channels.civilian.detection"
    assert "expected a value of at most 1; got 1.5" in err.message


def test_negative_probability_in_mapping(tmp_path):
    err = error_of(
        write(tmp_path, MINIMAL.replace("teams:\n", "teams:\n  access_denial: {RU: -0.1}\n"))
    )
    assert err.path == "teams.access_denial.RU"


def test_duplicate_key_is_refused(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "teams:\n  speed_kmh: 60\n"))
    assert err.path == "teams" and err.line == 9
    assert "appears twice (first on line 5)" in err.message


def test_unquoted_clock_time_gets_a_hint(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL.replace("teams:\n", 'teams:\n  patrol_hours: {start: "07:00", end: 19:30}\n'),
        )
    )
    assert err.path == "teams.patrol_hours.end"
    assert 'in quotes, e.g. "19:30"' in err.message and "number 1170" in err.message


def test_list_given_where_a_mapping_is_expected(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "center:\n  merging: [3h, 15]\n"))
    assert err.path == "center.merging"
    assert err.message.startswith("expected a mapping (key: value pairs), got a list")


def test_typo_in_a_replaced_list_points_at_the_child_file(tmp_path):
    p = write(
        tmp_path,
        f"""\
        extends: {SCENARIOS / "baseline.yaml"}
        name: typo
        teams:
          bases:
            - {{nod: Kharkiv, count: 2}}
        """,
    )
    err = error_of(p)
    assert err.file == str(p) and err.line == 5
    assert err.path == "teams.bases[0].nod" and "unknown key" in err.message


def test_base_not_a_node(tmp_path):
    err = error_of(write(tmp_path, MINIMAL.replace("node: B4", "node: B3")))
    assert err.path == "teams.bases[1].node"
    assert "'B3' is not a node" in err.message and "known nodes: B0, B4, B5" in err.message
    assert err.line == 8


def test_misspelt_base_gets_a_suggestion(tmp_path):
    p = write(
        tmp_path,
        f"""\
        extends: {SCENARIOS / "baseline.yaml"}
        name: typo
        teams:
          bases: [{{node: Kramatorks, count: 2}}]
        """,
    )
    err = error_of(p)
    assert err.path == "teams.bases[0].node" and err.file == str(p) and err.line == 4
    assert "did you mean 'Kramatorsk'" in err.message


def test_shift_plan_with_no_hours(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        center:
          desks:
            US:
              shifts:
                - {start: "08:00", end: "16:00", officers: 0}
        """),
        )
    )
    assert err.path == "center.desks.US.shifts"
    assert "no officer on duty" in err.message


def test_desk_needs_officers_or_shifts_not_both(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        center:
          desks:
            UA: {officers: 2, shifts: [{start: "08:00", end: "16:00", officers: 1}]}
        """),
        )
    )
    assert err.path == "center.desks.UA" and "exactly one" in err.message


def test_bad_clock_time(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        center:
          desks:
            UA: {shifts: [{start: "25:00", end: "16:00", officers: 1}]}
        """),
        )
    )
    assert (
        err.path == "center.desks.UA.shifts[0].start"
        and "HH:MM" in err.message
        or "clock" in err.message
    )


def test_disconnected_graph_where_teams_travel(tmp_path):
    g = nx.Graph()
    g.add_node("A", kind="sector", x_km=0, y_km=0)
    g.add_node("B", kind="sector", x_km=10, y_km=0)
    g.add_node("Base", kind="base", x_km=0, y_km=-10)
    g.add_node("Island", kind="sector", x_km=500, y_km=0)
    g.add_edges_from([("A", "B"), ("A", "Base")])
    data = nx.node_link_data(g, edges="edges")
    (tmp_path / "net.json").write_text(json.dumps(data))
    p = write(
        tmp_path,
        """\
        name: disc
        horizon: 1d
        network: {file: net.json}
        teams:
          bases: [{node: Base, count: 1}]
        """,
    )
    err = error_of(p)
    assert err.path == "network"
    assert "disconnected" in err.message and "Island" in err.message
    # without teams the same graph is fine
    p2 = write(tmp_path, "name: disc2\nhorizon: 1d\nnetwork: {file: net.json}\n", "t2.yaml")
    assert load_scenario(p2).graph.number_of_nodes() == 4


def test_branching_ratio_must_be_below_one(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "violations:\n  escalation: {branching_ratio: 1.2}\n"))
    assert err.path == "violations.escalation.branching_ratio"
    assert "below 1" in err.message


def test_type_shares_must_sum_to_one(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        violations:
          types:
            a: {share: 0.5, severity: 1, evidence_half_life: 1h}
            b: {share: 0.4, severity: 2, evidence_half_life: 1h}
        """),
        )
    )
    assert (
        err.path == "violations.types" and "sum to 1, they sum to 0.9 (a 0.5, b 0.4)" in err.message
    )


def test_bad_distribution(tmp_path):
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        center:
          triage:
            time: {dist: weibull, mean: 10min}
        """),
        )
    )
    assert err.path == "center.triage.time" and "lognormal" in err.message
    err = error_of(
        write(
            tmp_path,
            MINIMAL
            + textwrap.dedent("""\
        center:
          triage:
            time: {dist: lognormal, mean: 10min}
        """),
        )
    )
    assert err.path == "center.triage.time.sd" and "missing" in err.message


def test_hotspot_must_be_a_sector(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "violations:\n  hotspots: {B0: 3}\n"))
    assert err.path == "violations.hotspots.B0" and "kind sector" in err.message


def test_yaml_syntax_error(tmp_path):
    err = error_of(write(tmp_path, "name: x\nhorizon: [1d\n"))
    assert "not valid YAML" in err.message and err.line is not None


def test_empty_file_and_missing_file(tmp_path):
    assert "empty" in error_of(write(tmp_path, "")).message
    assert "not found" in error_of(tmp_path / "none.yaml").message


def test_missing_required_key(tmp_path):
    err = error_of(write(tmp_path, "name: x\n"))
    assert err.path == "horizon" and "missing" in err.message


def test_warmup_not_shorter_than_horizon(tmp_path):
    err = error_of(write(tmp_path, MINIMAL + "warmup: 3d\n"))
    assert err.path == "warmup" and err.line == 9
    assert "warm-up 3d is not shorter than the horizon 2d" in err.message


def test_network_file_problems_name_the_key(tmp_path):
    err = error_of(write(tmp_path, "name: x\nhorizon: 1d\nnetwork: {file: missing.graphml}\n"))
    assert err.path == "network.file" and "does not exist" in err.message
    err = error_of(write(tmp_path, "name: x\nhorizon: 1d\nnetwork: {builtin: atlantis}\n"))
    assert err.path == "network.builtin" and "donbas_south" in err.message


def test_cli_validate_exit_codes(tmp_path, capsys):
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, MINIMAL.replace("node: B4", "node: Nowhere"), "bad.yaml")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:8: teams.bases[1].node: 'Nowhere' is not a node" in err
    assert "Traceback" not in err


def test_every_shipped_scenario_validates():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        s = load_scenario(f).scenario
        assert isinstance(s, Scenario)
        first = f.read_text().splitlines()[0]
        assert first.startswith("#"), f"{f.name} must start with a comment saying its question"


def test_extends_resolves_each_file_s_paths_against_its_own_folder(tmp_path):
    (tmp_path / "nets").mkdir()
    (tmp_path / "variants").mkdir()
    g = nx.path_graph(3)
    nx.set_edge_attributes(g, 5.0, "length_km")
    graph = nx.node_link_data(g, edges="edges")
    (tmp_path / "nets" / "line.json").write_text(json.dumps(graph))
    write(
        tmp_path,
        "name: base\nhorizon: 1d\nnetwork: {file: nets/line.json}\nteams: {enabled: false}\n",
        "base.yaml",
    )
    write(tmp_path, "extends: ../base.yaml\nname: child\n", "variants/child.yaml")
    loaded = load_scenario(tmp_path / "variants" / "child.yaml")
    assert loaded.graph.number_of_nodes() == 3
    assert loaded.scenario.network.file == "../nets/line.json"  # from the child's folder


def test_an_unknown_type_under_a_party_is_refused_too(tmp_path):
    text = (
        MINIMAL
        + "reporting:\n  channels:\n    affected:\n      by_party:\n"
        + "        UA: {by_type: {smal_arms: 0.3}}\n"
    )
    err = error_of(write(tmp_path, text))
    assert err.path == "reporting.channels.affected.by_party.UA.by_type.smal_arms"
    assert "unknown violation type 'smal_arms'" in err.message


def test_a_variant_s_choice_replaces_the_parent_s_alternative(tmp_path):
    write(tmp_path, MINIMAL, "base.yaml")
    child = write(
        tmp_path,
        "extends: base.yaml\nname: c\n"
        'center: {desks: {RU: {shifts: [{start: "08:00", end: "20:00", officers: 2}]}}}\n',
        "c.yaml",
    )
    s = load_scenario(child).scenario
    assert s.center.desks.RU.officers is None and len(s.center.desks.RU.shifts) == 1
