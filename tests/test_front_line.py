"""A front line given as GeoJSON (``network.front_line``) is checked, kept with the
run's network and drawn on its maps."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.output.plotting.maps import FRONT_LINE, plot_map
from sim.scenario import ScenarioError
from sim.world import load_scenario
from sim.world.frontline import lines_of

from .conftest import SCENARIOS

LINE = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
        {
            "type": "Feature",
            "properties": {"name": "front"},
            "geometry": {
                "type": "MultiLineString",
                "coordinates": [[[36.0, 50.0], [37.5, 48.6]], [[37.5, 48.6], [35.0, 47.5]]],
            },
        },
    ],
}


def scenario(tmp_path, front="front.geojson", folder="."):
    (tmp_path / folder).mkdir(exist_ok=True)
    p = tmp_path / folder / "s.yaml"
    p.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: front\nhorizon: 3d\nwarmup: 1d\n"
        f"network: {{builtin: donbas_south, front_line: {front}}}\n"
    )
    return p


def test_lines_are_read_from_features_and_other_geometries_skipped():
    assert lines_of(LINE) == [[[36.0, 50.0], [37.5, 48.6]], [[37.5, 48.6], [35.0, 47.5]]]
    with pytest.raises(ValueError, match="no LineString"):
        lines_of({"type": "Point", "coordinates": [1, 2]})
    with pytest.raises(ValueError, match="not a longitude and latitude"):
        lines_of({"type": "LineString", "coordinates": [[1, 2], [500, 2]]})


def test_a_missing_or_bad_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(scenario(tmp_path))
    assert exc.value.path == "network.front_line" and "does not exist" in exc.value.message
    (tmp_path / "front.geojson").write_text("{not json")
    with pytest.raises(ScenarioError, match="cannot read the front-line file"):
        load_scenario(scenario(tmp_path))


def test_the_run_keeps_the_line_and_its_map_draws_it(tmp_path):
    (tmp_path / "front.geojson").write_text(json.dumps(LINE))
    # a variant in a sub-folder: the parent's relative path still finds the file
    scenario(tmp_path)
    (tmp_path / "v").mkdir()
    child = tmp_path / "v" / "child.yaml"
    child.write_text("extends: ../s.yaml\nname: child\n")
    loaded = load_scenario(child)
    assert loaded.scenario.network.front_line == "../front.geojson"
    out = tmp_path / "run"
    assert main(["run", str(child), "-n", "1", "-q", "-j", "1", "--out", str(out)]) == 0
    network = json.loads((out / "network.json").read_text())
    assert network["graph"]["front_line"] == lines_of(LINE)
    panel = {"title": "t", "values": {}, "label": "v", "cmap": "YlOrRd"}
    fig = plot_map(network, [panel])
    drawn = [ln for ln in fig.axes[0].lines if ln.get_color() == FRONT_LINE["color"]]
    assert [list(map(list, ln.get_xydata())) for ln in drawn] == lines_of(LINE)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "front line (given in the scenario)" in labels


BORDERS = {
    "type": "FeatureCollection",
    "features": [
        {  # a country outline with a hole, and a second country as a MultiPolygon
            "type": "Feature",
            "properties": {"name": "A"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[30.0, 45.0], [40.0, 45.0], [40.0, 52.0], [30.0, 52.0], [30.0, 45.0]],
                    [[33.0, 47.0], [34.0, 47.0], [34.0, 48.0], [33.0, 47.0]],
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "B"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[40.0, 45.0], [45.0, 45.0], [45.0, 52.0], [40.0, 45.0]]]],
            },
        },
    ],
}


def test_borders_are_read_as_rings_kept_and_drawn_grey(tmp_path):
    import networkx as nx

    from sim.output.plotting.maps import BORDER

    (tmp_path / "borders.geojson").write_text(json.dumps(BORDERS))
    p = tmp_path / "b.yaml"
    p.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: b\nhorizon: 3d\nwarmup: 1d\n"
        "network: {builtin: donbas_south, borders: borders.geojson}\n"
    )
    graph = load_scenario(p).graph
    rings = graph.graph["borders"]
    assert len(rings) == 3 and rings[1][0] == [33.0, 47.0]  # the hole is a ring too
    network = nx.node_link_data(graph, edges="edges")
    fig = plot_map(network, [{"title": "t", "values": {}, "label": "v", "cmap": "YlOrRd"}])
    drawn = [ln for ln in fig.axes[0].lines if ln.get_color() == BORDER["color"]]
    assert [list(map(list, ln.get_xydata())) for ln in drawn] == rings
    assert "border (given in the scenario)" in [t.get_text() for t in fig.legends[0].get_texts()]
    # a front-line file must hold lines: a polygon is not taken as a front line
    with pytest.raises(ValueError, match="no LineString or MultiLineString"):
        lines_of(BORDERS)
    (tmp_path / "borders.geojson").write_text(json.dumps({"type": "Point", "coordinates": [1, 2]}))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert exc.value.path == "network.borders" and "Polygon or MultiPolygon" in exc.value.message


def test_a_single_feature_and_lines_on_the_edges_of_the_map_are_read():
    edge = [[180.0, -90.0], [-180.0, 90.0]]
    feature = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": edge}}
    assert lines_of(feature) == [edge]
    with pytest.raises(ValueError) as info:
        lines_of([edge])
    assert str(info.value) == "expected a GeoJSON object (a FeatureCollection, Feature or geometry)"


def test_a_front_line_that_is_not_a_regular_file_is_refused_at_once(tmp_path):
    import os

    from sim.world.frontline import read_front_line

    os.mkfifo(tmp_path / "front.geojson")
    with pytest.raises(ValueError) as info:
        read_front_line(tmp_path / "front.geojson")
    assert str(info.value) == (
        f"the front-line file {tmp_path / 'front.geojson'}: the file is a named pipe (FIFO), "
        "not a regular file; expected a GeoJSON file"
    )
