"""Whole messages of the checks made against the network when a scenario is loaded.

A bad scenario must say the file, the line, the key path, what is wrong and
what was expected. Each case below is a small scenario file with one mistake
that only the network can reveal (a node, region or type it does not have, a
desk nobody staffs, a network teams cannot cross), and the exact message
``cfsim validate`` prints for it.
"""

from __future__ import annotations

import json

import networkx as nx
import pytest

from sim.scenario import ScenarioError
from sim.world import load_scenario

HEAD = "name: pf\nhorizon: 1d\n"
BUILTIN = HEAD + "network: {builtin: donbas_south}\n"

CASES = {
    "desk_without_officers": (
        BUILTIN + "center:\n  desks:\n    RU:\n      shifts:\n"
        '        - {start: "06:00", end: "14:00", officers: 0}\n',
        "8: center.desks.RU.shifts: the RU desk has no officer on duty at any hour; "
        "expected at least one shift with officers > 0",
    ),
    "desk_without_officers_given_as_a_number": (
        BUILTIN + "center:\n  desks:\n    UA:\n      officers: 0\n",
        "7: center.desks.UA.officers: the UA desk has no officer on duty at any hour; "
        "expected at least one shift with officers > 0",
    ),
    "unknown_region": (
        BUILTIN + "violations:\n  schedule:\n    - {at: 1d, multiplier: 2, regions: [Donetskk]}\n",
        "6: violations.schedule[0].regions[0]: no sector of the network is in region "
        "'Donetskk'; did you mean 'Donetsk'? the regions are 'Dnipropetrovsk', 'Donetsk', "
        "'Kharkiv', 'Kherson', 'Mykolaiv', 'Zaporizhzhia'",
    ),
    "region_on_a_network_without_regions": (
        HEAD + "network: {synthetic: {sectors: 5, depth: 1}}\nteams: {enabled: false}\n"
        "violations:\n  schedule:\n    - {at: 1d, multiplier: 2, regions: [North]}\n",
        "7: violations.schedule[0].regions[0]: no sector of the network is in region "
        "'North'; the regions are none (no region attribute)",
    ),
    "unknown_type_for_one_party": (
        BUILTIN + "reporting:\n  channels:\n    affected:\n      by_party:\n"
        "        UA: {by_type: {mortar: 0.5}}\n",
        "8: reporting.channels.affected.by_party.UA.by_type.mortar: unknown violation type "
        "'mortar'; expected one of artillery, drone, long_range_strike, small_arms",
    ),
    "technical_coverage_of_an_unknown_node": (
        BUILTIN + "reporting:\n  channels:\n    technical:\n      coverage: {Nowhere: 0.5}\n",
        "7: reporting.channels.technical.coverage.Nowhere: 'Nowhere' is not a node of the "
        "network; known nodes: Antonivka, Belgorod, Beryslav, Bilozerka, Borova, Chasiv Yar, "
        "Chernihiv, Dachne, Dnipro, Dnipro HPP, Dobropillia, Donetsk ...",
    ),
    "scripted_violation_of_an_unknown_type": (
        BUILTIN + "violations:\n  scripted:\n"
        "    - {time: 5h, node: Toretsk, type: mortar, perpetrator: RU}\n",
        "6: violations.scripted[0].type: unknown violation type 'mortar'; expected one of "
        "artillery, drone, long_range_strike, small_arms",
    ),
    "protected_site_at_an_unknown_node": (
        BUILTIN + "moratorium:\n  start: 0min\n  duration: 1d\n  sites:\n"
        "    - {node: Toretskk, class: substation}\n",
        "8: moratorium.sites[0].node: 'Toretskk' is not a node of the network; "
        "did you mean 'Toretsk', 'Donetsk'?",
    ),
    "teams_on_a_disconnected_network": (
        HEAD + "network: {file: split.json}\nteams:\n  bases:\n    - {node: A0, count: 1}\n",
        "3: network: the network is disconnected (2 parts): teams cannot travel to B0, B1, "
        "B2, B3, B4, B5, B6, B7 ...; expected a connected graph when teams are used (add "
        "roads, or set teams.enabled: false)",
    ),
}


def _split_network(path) -> None:
    """Two lines of contact with no road between them: 12 nodes and 10."""
    g = nx.Graph()
    for name, n, y in (("A", 12, 0.0), ("B", 10, 50.0)):
        for i in range(n):
            g.add_node(f"{name}{i}", kind="sector", side="line", x_km=5.0 * i, y_km=y)
        nx.add_path(g, [f"{name}{i}" for i in range(n)])
    path.write_text(json.dumps(nx.node_link_data(g, edges="edges")))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_check_against_the_network_names_file_line_key_and_what_was_expected(tmp_path, case):
    text, message = CASES[case]
    _split_network(tmp_path / "split.json")
    path = tmp_path / "pf.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value) == f"{path}:{message}"
