"""The line-of-contact graph (sim.network): loaders, generator, distances."""

from __future__ import annotations

import functools
import json
import math
import os
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioError
from sim.world import scenario_from_dict
from sim.world import network as network_module
from sim.world.network import (
    KINDS,
    Distances,
    NetworkError,
    builtin,
    from_node_link_json,
    geojson,
    haversine_km,
    load_graph,
    normalise,
    synthetic_line,
    to_node_link_json,
)

DONETSK = (48.0, 37.8053)
AVDIIVKA = (48.1453, 37.7450)
YASYNUVATA = (48.1297, 37.8589)


# --------------------------------------------------------------------------- haversine


def test_haversine_hand_checked_donetsk_avdiivka():
    # By hand (equirectangular, good to ~0.1% at 17 km): one degree of latitude
    # is 6371.0088 * pi / 180 = 111.195 km, so
    #   north: 0.1453 deg * 111.195        = 16.157 km
    #   east:  0.0603 deg * 111.195 * cos(48.07 deg) = 4.481 km
    #   distance = sqrt(16.157^2 + 4.481^2) = 16.77 km   ("about 17 km")
    d = haversine_km(*DONETSK, *AVDIIVKA)
    assert d == pytest.approx(16.77, abs=0.02)
    assert haversine_km(*AVDIIVKA, *DONETSK) == pytest.approx(d)
    assert haversine_km(*DONETSK, *DONETSK) == 0.0


def test_haversine_quarter_meridian():
    # Equator to pole along a meridian: a quarter of the circumference.
    assert haversine_km(0.0, 10.0, 90.0, 10.0) == pytest.approx(math.pi * 6371.0088 / 2)


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize(
    ("sectors", "depth", "spacing", "every"),
    [(5, 1, 10.0, 2), (12, 2, 15.0, 4), (7, 3, 2.5, 3), (2, 1, 1.0, 1), (9, 4, 20.0, 100)],
)
def test_synthetic_line_structure(sectors, depth, spacing, every):
    g = synthetic_line(sectors, depth=depth, spacing_km=spacing, bases_every=every)
    kinds = Counter(k for _, k in g.nodes(data="kind"))
    base_cols = sorted(set(range(0, sectors, every)) | {sectors - 1})
    assert kinds["sector"] == sectors
    assert kinds["base"] == len(base_cols)
    assert kinds["city"] == sectors * depth - len(base_cols)
    assert g.number_of_nodes() == sectors * (depth + 1)
    assert sorted(n for n, k in g.nodes(data="kind") if k == "base") == sorted(
        f"B{i}" for i in base_cols
    )
    # The sector chain, one edge up per rear node, and a chain along each row.
    assert g.number_of_edges() == (sectors - 1) + depth * (2 * sectors - 1)
    assert all(d == spacing for _, _, d in g.edges(data="length_km"))
    for i in range(sectors - 1):
        assert g.has_edge(f"S{i}", f"S{i + 1}")
    assert nx.is_connected(g)
    # Sectors are on the line; the rear belongs to UA.
    for _, d in g.nodes(data=True):
        assert d["side"] == ("line" if d["kind"] == "sector" else "UA")
        assert d["weight"] == (1.0 if d["kind"] == "sector" else 0.0)
    # A strike target exists exactly when there is more than one rear row.
    targets = [n for n, sw in g.nodes(data="strike_weight") if sw > 0]
    assert targets == (["C0"] if depth > 1 else [])
    # Positions match the lengths: neighbours are spacing apart on the grid.
    for u, v in g.edges:
        a, b = g.nodes[u], g.nodes[v]
        assert math.hypot(a["x_km"] - b["x_km"], a["y_km"] - b["y_km"]) == pytest.approx(spacing)


def test_synthetic_line_survives_normalise():
    g = synthetic_line(6, depth=2)
    h = normalise(g)
    assert dict(h.nodes(data="kind")) == dict(g.nodes(data="kind"))
    assert nx.utils.edges_equal(h.edges(data="length_km"), g.edges(data="length_km"))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(sectors=1),
        dict(sectors=5, depth=0),
        dict(sectors=5, spacing_km=0.0),
        dict(sectors=5, spacing_km=-1.0),
        dict(sectors=5, bases_every=0),
    ],
)
def test_synthetic_line_rejects_bad_parameters(kwargs):
    with pytest.raises(NetworkError):
        synthetic_line(**kwargs)


# --------------------------------------------------------------------------- normalise


def test_normalise_defaults():
    g = nx.Graph()
    g.add_node("D", lat=DONETSK[0], lon=DONETSK[1])  # no kind at all
    g.add_node("A", kind="base", lat=AVDIIVKA[0], lon=AVDIIVKA[1])
    g.add_node("X", kind="city", x_km=0.0, y_km=0.0, strike_weight=2)
    g.add_node("Y", kind="energy", x_km=3.0, y_km=4.0, side="RU", weight="0.5")
    g.add_edge("D", "A")  # length from lat/lon
    g.add_edge("X", "Y")  # length from x/y
    g.add_edge("D", "X", length_km="12.5")  # given (as text, as GraphML may give it)
    h = normalise(g)
    assert h.nodes["D"] == {
        "kind": "sector",
        "side": "line",
        "weight": 1.0,
        "strike_weight": 0.0,
        "lat": DONETSK[0],
        "lon": DONETSK[1],
    }
    assert h.nodes["A"]["side"] == "UA" and h.nodes["A"]["weight"] == 0.0
    assert h.nodes["X"]["strike_weight"] == 2.0 and h.nodes["X"]["weight"] == 0.0
    assert h.nodes["Y"]["side"] == "RU" and h.nodes["Y"]["weight"] == 0.5
    assert h.edges["D", "A"]["length_km"] == pytest.approx(16.77, abs=0.02)
    assert h.edges["X", "Y"]["length_km"] == pytest.approx(5.0)
    assert h.edges["D", "X"]["length_km"] == 12.5


def test_normalise_road_length_from_plane_coordinates_needs_both_ends():
    # (1, -2) to (4, 2): a 3-4-5 triangle away from the origin.
    g = nx.Graph()
    g.add_node("P", x_km=1.0, y_km=-2.0)
    g.add_node("Q", x_km=4.0, y_km=2.0)
    g.add_node("R", lat=48.0, lon=37.8)  # coordinates of another kind
    g.add_edge("P", "Q")
    assert normalise(g).edges["P", "Q"]["length_km"] == 5.0
    g.add_edge("Q", "R")
    with pytest.raises(NetworkError, match=r"edge 'Q'-'R' has no length_km and its nodes have no"):
        normalise(g)


def test_normalise_makes_a_simple_undirected_graph():
    g = nx.MultiDiGraph()
    g.add_node(1, kind="sector")
    g.add_node(2, kind="sector")
    g.add_edge(1, 2, length_km=9.0)
    g.add_edge(2, 1, length_km=4.0)
    g.add_edge(1, 2, length_km=7.0)
    g.add_edge(1, 1, length_km=1.0)  # self-loop: dropped
    h = normalise(g)
    assert type(h) is nx.Graph
    assert sorted(h.nodes) == ["1", "2"]  # ids become strings
    assert list(h.edges(data="length_km")) == [("1", "2", 4.0)]  # the shortest parallel road


@pytest.mark.parametrize(
    ("node", "edge", "match"),
    [
        (dict(kind="bunker"), {}, r"kind 'bunker'; expected one of sector, base"),
        (dict(side="EU"), {}, r"side 'EU'"),
        (dict(weight=-1.0), {}, r"weight -1.0; expected >= 0"),
        (dict(strike_weight="lots"), {}, r"strike_weight: expected a number"),
        (dict(lat=float("nan")), {}, r"lat: expected a finite number"),
        ({}, dict(length_km=-3.0), r"length_km -3.0; expected >= 0"),
        ({}, dict(length_km="far"), r"length_km: expected a number"),
        ({}, {}, r"has no length_km and its nodes have no coordinates"),
    ],
)
def test_normalise_errors(node, edge, match):
    g = nx.Graph()
    g.add_node("a", **node)
    g.add_node("b")
    g.add_edge("a", "b", **edge)
    with pytest.raises(NetworkError, match=match) as info:
        normalise(g, "my.graphml")
    assert str(info.value).startswith("my.graphml: ")


def test_normalise_rejects_empty_graph():
    with pytest.raises(NetworkError, match="no nodes"):
        normalise(nx.Graph())


# --------------------------------------------------------------------------- loaders


def _example_graph() -> nx.Graph:
    g = nx.Graph(name="example")
    g.add_node("Donetsk", kind="base", side="RU", lat=DONETSK[0], lon=DONETSK[1], strike_weight=0.4)
    g.add_node("Avdiivka", kind="sector", side="line", lat=AVDIIVKA[0], lon=AVDIIVKA[1], weight=2.5)
    g.add_node("Yasynuvata", kind="sector", lat=YASYNUVATA[0], lon=YASYNUVATA[1])
    g.add_edge("Donetsk", "Avdiivka")  # from coordinates
    g.add_edge("Avdiivka", "Yasynuvata", length_km=12.5)
    return g


def _assert_example(h: nx.Graph) -> None:
    assert sorted(h.nodes) == ["Avdiivka", "Donetsk", "Yasynuvata"]
    assert h.nodes["Donetsk"]["kind"] == "base" and h.nodes["Donetsk"]["side"] == "RU"
    assert h.nodes["Donetsk"]["strike_weight"] == 0.4
    assert h.nodes["Avdiivka"]["weight"] == 2.5
    assert h.nodes["Yasynuvata"]["kind"] == "sector" and h.nodes["Yasynuvata"]["weight"] == 1.0
    assert h.nodes["Avdiivka"]["lat"] == AVDIIVKA[0]
    assert h.number_of_edges() == 2
    assert h.edges["Donetsk", "Avdiivka"]["length_km"] == pytest.approx(
        haversine_km(*DONETSK, *AVDIIVKA)
    )
    assert h.edges["Avdiivka", "Yasynuvata"]["length_km"] == 12.5


def test_load_graphml_round_trip(tmp_path):
    g = _example_graph()
    path = tmp_path / "net.graphml"
    nx.write_graphml(g, path)
    h = load_graph(path)
    _assert_example(h)
    assert nx.utils.graphs_equal(h, normalise(g))


def test_load_graphml_xml_extension_and_explicit_format(tmp_path):
    g = _example_graph()
    nx.write_graphml(g, tmp_path / "net.xml")
    _assert_example(load_graph(tmp_path / "net.xml"))
    nx.write_graphml(g, tmp_path / "net.data")
    _assert_example(load_graph(tmp_path / "net.data", "graphml"))


@pytest.mark.parametrize("key", ["edges", "links"])
def test_load_node_link_round_trip(tmp_path, key):
    data = nx.node_link_data(_example_graph(), edges=key)
    assert key in data
    path = tmp_path / "net.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    h = load_graph(path)
    _assert_example(h)
    assert nx.utils.graphs_equal(h, normalise(_example_graph()))


def test_network_handed_to_workers_keeps_numpy_numbers_and_refuses_other_objects():
    # A network built with numpy values (np.int64 and np.float32 are no Python
    # int or float) travels to worker processes as node-link JSON: as plain
    # numbers, the same values after the round trip.
    g = nx.Graph()
    g.add_node("S1", weight=np.float32(1.5), rank=np.int64(3), line=np.bool_(True))
    g.add_edge("S1", "B1", length_km=np.float32(12.25))
    text = to_node_link_json(g)
    data = json.loads(text)
    assert data["nodes"][0] == {"id": "S1", "weight": 1.5, "rank": 3, "line": True}
    assert data["edges"][0]["length_km"] == 12.25
    h = from_node_link_json(text)
    assert list(h.nodes) == ["S1", "B1"]
    assert h.nodes["S1"] == {"weight": 1.5, "rank": 3, "line": True}
    assert h.edges["S1", "B1"]["length_km"] == 12.25
    # Anything else cannot be written, and the error names its type.
    g.nodes["S1"]["sides"] = {"UA", "RU"}
    with pytest.raises(TypeError, match="cannot write set to node-link JSON"):
        to_node_link_json(g)


def test_load_node_link_minimal_without_edges(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"nodes": [{"id": "S1"}, {"id": "S2"}]}), encoding="utf-8")
    h = load_graph(path)
    assert sorted(h.nodes) == ["S1", "S2"] and h.number_of_edges() == 0


def _point(name, latlon, **props):
    return {
        "type": "Feature",
        "properties": {"id": name, **props},
        "geometry": {"type": "Point", "coordinates": [latlon[1], latlon[0]]},
    }


def _line(coords_latlon, **props):
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {
            "type": "LineString",
            "coordinates": [[lon, lat] for lat, lon in coords_latlon],
        },
    }


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_load_geojson_snaps_line_ends_to_points(tmp_path):
    via = (48.07, 37.79)
    # Ends ~100 m away from the points: within the 0.5 km snap radius.
    start = (DONETSK[0] + 0.0009, DONETSK[1])
    end = (AVDIIVKA[0], AVDIIVKA[1] - 0.001)
    data = _collection(
        _point("Donetsk", DONETSK, kind="base", side="RU", strike_weight=0.4),
        _point("Avdiivka", AVDIIVKA, kind="sector", side="line", weight=2.5),
        _point("Yasynuvata", YASYNUVATA, kind="sector"),
        _line([start, via, end]),  # length along the vertices
        _line([AVDIIVKA, YASYNUVATA], length_km=12.5),  # given length wins
    )
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    h = load_graph(path)
    assert sorted(h.nodes) == ["Avdiivka", "Donetsk", "Yasynuvata"]
    assert h.nodes["Donetsk"]["lat"] == DONETSK[0] and h.nodes["Donetsk"]["lon"] == DONETSK[1]
    assert h.nodes["Donetsk"]["kind"] == "base" and h.nodes["Avdiivka"]["weight"] == 2.5
    along = haversine_km(*start, *via) + haversine_km(*via, *end)
    assert h.edges["Donetsk", "Avdiivka"]["length_km"] == pytest.approx(along)
    assert along > haversine_km(*DONETSK, *AVDIIVKA)  # really along the bend
    assert h.edges["Avdiivka", "Yasynuvata"]["length_km"] == 12.5


def test_load_geojson_with_source_target_properties(tmp_path):
    # The line's geometry is far from everything: source/target decide the ends.
    data = _collection(
        _point("Donetsk", DONETSK, kind="base"),
        {
            "type": "Feature",
            "properties": {"name": "Avdiivka"},  # name instead of id
            "geometry": {"type": "Point", "coordinates": [AVDIIVKA[1], AVDIIVKA[0]]},
        },
        _line([(10.0, 10.0), (11.0, 11.0)], source="Donetsk", target="Avdiivka", length_km=20.0),
    )
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    h = load_graph(path)
    assert list(h.edges(data="length_km")) in (
        [("Donetsk", "Avdiivka", 20.0)],
        [("Avdiivka", "Donetsk", 20.0)],
    )
    assert h.nodes["Avdiivka"]["kind"] == "sector"


def test_load_geojson_numeric_point_ids_including_zero(tmp_path):
    # Numeric ids counted from 0 (as GIS exports write them). Line ends given
    # by source/target accept 0, so a point must accept id 0 as well.
    data = _collection(
        _point(0, DONETSK, kind="base"),
        _point(1, AVDIIVKA),
        _point(2, YASYNUVATA),
        _line([DONETSK, AVDIIVKA], source=0, target=1),
        _line([AVDIIVKA, YASYNUVATA], source=1, target=2),
    )
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    h = load_graph(path)
    assert sorted(h.nodes) == ["0", "1", "2"]
    assert h.nodes["0"]["kind"] == "base"
    assert h.edges["0", "1"]["length_km"] == pytest.approx(haversine_km(*DONETSK, *AVDIIVKA))
    assert h.has_edge("1", "2")


def test_load_geojson_line_far_from_points(tmp_path):
    data = _collection(
        _point("Donetsk", DONETSK),
        _point("Avdiivka", AVDIIVKA),
        # Starts at Donetsk, ends ~2 km past Avdiivka.
        _line([DONETSK, (AVDIIVKA[0] + 0.018, AVDIIVKA[1])]),
    )
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(NetworkError, match=r"line feature 2 ends at .*not within 0.5 km"):
        load_graph(path)


def test_load_geojson_unknown_source_node(tmp_path):
    data = _collection(
        _point("Donetsk", DONETSK), _line([DONETSK, AVDIIVKA], source="Donetsk", target="Avdiivka")
    )
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(NetworkError, match="unknown node 'Avdiivka'"):
        load_graph(path)


def test_load_geojson_not_a_feature_collection(tmp_path):
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    with pytest.raises(NetworkError, match="FeatureCollection"):
        load_graph(path)


def test_load_errors_name_the_file_and_the_problem(tmp_path):
    bad_kind = tmp_path / "kind.json"
    bad_kind.write_text(json.dumps({"nodes": [{"id": "a", "kind": "bunker"}], "edges": []}))
    with pytest.raises(NetworkError, match=r"kind\.json: node 'a' has kind 'bunker'"):
        load_graph(bad_kind)

    neg = tmp_path / "neg.json"
    neg.write_text(
        json.dumps(
            {
                "nodes": [{"id": "a"}, {"id": "b"}],
                "edges": [{"source": "a", "target": "b", "length_km": -1}],
            }
        )
    )
    with pytest.raises(NetworkError, match=r"edge 'a'-'b' has length_km -1.0; expected >= 0"):
        load_graph(neg)

    nolen = tmp_path / "nolen.json"
    nolen.write_text(
        json.dumps(
            {
                "nodes": [{"id": "a"}, {"id": "b", "lat": 1, "lon": 2}],
                "edges": [{"source": "a", "target": "b"}],
            }
        )
    )
    with pytest.raises(NetworkError, match="no length_km and its nodes have no coordinates"):
        load_graph(nolen)

    other = tmp_path / "net.csv"
    other.write_text("a,b\n")
    with pytest.raises(NetworkError, match=r"cannot tell the format of net\.csv.*graphml"):
        load_graph(other)

    with pytest.raises(NetworkError, match="does not exist"):
        load_graph(tmp_path / "missing.graphml")

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(NetworkError, match=r"cannot read .*broken\.json as node-link"):
        load_graph(broken)

    notnl = tmp_path / "list.json"
    notnl.write_text("[1, 2]")
    with pytest.raises(NetworkError, match="node-link object"):
        load_graph(notnl)


# --------------------------------------------------------------------------- builtin


@functools.lru_cache(maxsize=None)
def _donbas() -> nx.Graph:
    return builtin("donbas_south")


def test_builtin_donbas_south():
    g = _donbas()
    assert g is not None and g.number_of_nodes() > 40
    assert nx.is_connected(g)
    kinds = set(k for _, k in g.nodes(data="kind"))
    assert {"sector", "base", "city", "energy"} <= kinds <= set(KINDS)
    for town in ("Kyiv", "Kharkiv", "Sumy", "Chernihiv"):
        assert town in g
    assert all(d >= 0 for _, _, d in g.edges(data="length_km"))
    assert builtin().number_of_nodes() == g.number_of_nodes()  # the default network


def test_builtin_unknown_lists_available():
    with pytest.raises(
        NetworkError, match=r"no built-in network called 'nope'; available: .*donbas_south"
    ):
        builtin("nope")


# --------------------------------------------------------------------------- distances


@functools.lru_cache(maxsize=None)
def _all_pairs() -> dict:
    return dict(nx.all_pairs_dijkstra_path_length(_donbas(), weight="length_km"))


def _bases(g):
    return [n for n, k in g.nodes(data="kind") if k == "base"]


def test_from_bases_equals_shortest_paths_on_builtin():
    g = _donbas()
    bases = _bases(g)
    d = Distances(g, bases, merge_km=30.0)
    assert d.base_nodes == bases
    assert d.from_bases.shape == (len(bases), g.number_of_nodes())
    for b, base in enumerate(bases):
        for node in g.nodes:
            expected = nx.shortest_path_length(g, base, node, weight="length_km")
            assert d.from_bases[b, d.index[node]] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _check_near(d: Distances, lengths: dict, radius: float) -> None:
    for j, node in enumerate(d.nodes):
        got = set(d.nodes[i] for i in d.near[j])
        inside = {m for m, km in lengths[node].items() if km <= radius - 1e-9}
        outside = set(d.nodes) - {m for m, km in lengths[node].items() if km <= radius + 1e-9}
        assert node in got
        assert inside <= got, (node, radius, inside - got)
        assert not (got & outside), (node, radius, got & outside)
        assert list(d.near[j]) == sorted(d.near[j])


@settings(database=None, max_examples=25, deadline=None)
@given(
    radius=st.floats(min_value=0.0, max_value=400.0),
    picks=st.lists(st.integers(0, 10), min_size=1, max_size=4),
)
def test_distances_property_on_builtin(radius, picks):
    g = _donbas()
    all_bases = _bases(g)
    bases = [all_bases[i % len(all_bases)] for i in picks]  # duplicates allowed
    d = Distances(g, bases, merge_km=radius)
    assert d.base_nodes == list(dict.fromkeys(bases))
    lengths = _all_pairs()
    for b, base in enumerate(d.base_nodes):
        row = np.array([lengths[base][n] for n in d.nodes])
        np.testing.assert_allclose(d.from_bases[b], row, rtol=1e-12)
    _check_near(d, lengths, radius)


def test_near_includes_nodes_exactly_at_the_radius():
    g = synthetic_line(4, depth=1, spacing_km=15.0, bases_every=2)
    d = Distances(g, ["B0"], merge_km=15.0)
    near = {n: sorted(d.nodes[i] for i in d.near[d.index[n]]) for n in g.nodes}
    assert near["S0"] == ["B0", "S0", "S1"]
    assert near["S1"] == ["R1_1", "S0", "S1", "S2"]
    d0 = Distances(g, ["B0"], merge_km=0.0)
    assert all(list(d0.near[j]) == [j] for j in range(len(d0.nodes)))


def test_unreachable_nodes_are_infinitely_far():
    g = synthetic_line(4, depth=1)
    g.add_node("island", kind="sector", side="line", weight=1.0, strike_weight=0.0)
    d = Distances(g, ["B0", "B3"], merge_km=100.0)
    j = d.index["island"]
    assert np.all(np.isinf(d.from_bases[:, j]))
    assert list(d.near[j]) == [j]
    assert np.all(np.isfinite(np.delete(d.from_bases, j, axis=1)))
    assert d.from_bases[0, d.index["S3"]] == 15.0 + 3 * 15.0


def test_load_geojson_geometry_wins_over_lat_lon_properties(tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "A", "lat": 1.0, "lon": 1.0},
                "geometry": {"type": "Point", "coordinates": [37.8053, 48.0]},
            },
            {
                "type": "Feature",
                "properties": {"id": "B"},
                "geometry": {"type": "Point", "coordinates": [37.7450, 48.1453]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[37.8053, 48.0], [37.7450, 48.1453]],
                },
            },
        ],
    }
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps(data))
    g = load_graph(path)
    assert g.nodes["A"]["lat"] == 48.0 and g.nodes["A"]["lon"] == 37.8053
    assert g.edges["A", "B"]["length_km"] == pytest.approx(16.77, abs=0.01)


# --------------------------------------------------------------------------- structure


def _write(tmp_path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"nodes": "abc"}, r"'nodes' is the text 'abc'; expected a list of node objects"),
        ({"nodes": [{"id": "a"}, None]}, r"node 1 is null; expected an object"),
        (
            {"nodes": [{"id": "a"}, {"id": "a", "kind": "base"}]},
            r"net\.json: node 1 has the id 'a' of node 0; expected each node once "
            r"\(a repeated node would silently replace the first\)$",
        ),
        ({"nodes": [{"id": 1}, {"id": "1"}]}, r"node 1 has the id '1' of node 0"),
        (
            {"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "ghost"}]},
            r"edge 0 has target 'ghost', which is not a declared node",
        ),
        ({"nodes": [{"id": "a"}], "links": [5]}, r"edge 0 is the number 5"),
    ],
)
def test_node_link_structure_is_checked_with_the_index(tmp_path, data, match):
    with pytest.raises(NetworkError, match=match):
        load_graph(_write(tmp_path, "net.json", data))


def _feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


@pytest.mark.parametrize(
    ("features", "match"),
    [
        ([5, None], r"feature 0 is the number 5; expected a Feature object$"),
        ([None, 5], r"feature 0 is null; expected a Feature object$"),
        ([_feature(None, id="a")], r"feature 0 has geometry null; expected a Point"),
        (
            [_feature("abc", id="a")],
            r"feature 0 has geometry the text 'abc'; expected a Point \(a node\) or a "
            r"LineString \(a road\)$",
        ),
        (
            [_feature({"type": "LineString", "coordinates": []})],
            r"feature 0 is a LineString with 0 position\(s\); expected at least two$",
        ),
        (
            [_feature({"type": "LineString", "coordinates": None})],
            r"feature 0 is a LineString with 0 position\(s\); expected at least two$",
        ),
        (
            [_feature({"type": "LineString", "coordinates": [[37.5, 48.0], [500, 0]]})],
            r"feature 0's position 1 is \[500, 0\]; expected a longitude between -180 and 180 "
            r"and a latitude between -90 and 90$",
        ),
        (
            [_feature({"type": "Polygon", "coordinates": []})],
            r"feature 0 has geometry type the text 'Polygon'; expected Point \(a node\) or "
            r"LineString \(a road\)$",
        ),
        (
            [_feature({"type": "Point", "coordinates": [500, 0]}, id="a")],
            r"feature 0's point is \[500, 0\]; expected a longitude between",
        ),
        (
            [_feature({"type": "Point", "coordinates": [37.5, 48.0]}, id=[1])],
            r"point feature 0 has id a list; expected a name or a number$",
        ),
        (
            [_feature({"type": "Point", "coordinates": [37.5, 48.0]}, kind="base")],
            r"point feature 0 has no id or name property$",
        ),
        (
            [
                _feature({"type": "Point", "coordinates": [37.5, 48.0]}, id="a"),
                _feature({"type": "Point", "coordinates": [37.6, 48.0]}, id="a", kind="base"),
            ],
            r"feature 1 has the id 'a' of feature 0",
        ),
    ],
)
def test_geojson_structure_is_checked_with_the_index(tmp_path, features, match):
    # Every message starts with the file's name.
    data = {"type": "FeatureCollection", "features": features}
    with pytest.raises(NetworkError, match=r"^\S*net\.geojson: " + match):
        load_graph(_write(tmp_path, "net.geojson", data))


def test_geojson_point_ids_come_from_properties_or_the_feature():
    # The id property, else the name property, else the Feature's own id.
    data = _collection(
        {**_point("x", DONETSK), "properties": {"id": "A", "name": "Donetsk"}},
        {**_point("x", AVDIIVKA), "properties": {"name": "Avdiivka"}},
        {**_point("x", YASYNUVATA), "properties": {}, "id": 7},
    )
    assert list(geojson(data).nodes) == ["A", "Avdiivka", "7"]


def test_geojson_without_features_is_an_empty_network(tmp_path):
    assert geojson({"type": "FeatureCollection"}).number_of_nodes() == 0
    path = _write(tmp_path, "net.geojson", {"type": "FeatureCollection"})
    with pytest.raises(NetworkError, match=r"net\.geojson: the network has no nodes"):
        load_graph(path)


NS = 'xmlns="http://graphml.graphdrawing.org/xmlns"'


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f"<graphml {NS}><graph><node id='a'></graph>", r"not valid XML at line 1"),
        ('{"nodes": []}', r"not valid XML"),
        ("<svg/>", r"the top element is <svg>; expected a GraphML file"),
        (
            f"<graphml {NS}><graph><node id='a'/><node id='a'/></graph></graphml>",
            r"node 1 has the id 'a' of node 0",
        ),
        (
            f"<graphml {NS}><graph><node id='a'/><edge source='a' target='b'/></graph></graphml>",
            r"edge 0 has target 'b', which is not a declared node",
        ),
    ],
)
def test_graphml_structure_is_checked_with_the_index(tmp_path, text, match):
    with pytest.raises(NetworkError, match=r"^\S*net\.graphml: " + match):
        load_graph(_write(tmp_path, "net.graphml", text))


def test_graphml_bytes_without_a_file_are_named_graphml():
    with pytest.raises(NetworkError) as info:
        network_module.graphml(b"<svg/>")
    assert str(info.value) == (
        "GraphML: the top element is <svg>; expected a GraphML file, whose top element is "
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    )


def test_json_network_with_a_huge_number_is_refused_in_plain_words(tmp_path):
    path = _write(tmp_path, "net.json", '{"nodes": [{"id": "a", "weight": 1' + "0" * 5000 + "}]}")
    with pytest.raises(NetworkError) as info:
        load_graph(path)
    assert str(info.value) == (
        f"cannot read {path} as node-link: a number in it has thousands of digits; "
        "expected ordinary numbers"
    )


def test_long_texts_are_cut_to_forty_characters_in_messages(tmp_path):
    name = "MultiPolygonWithAVeryLongNameFromSomeGISTool"  # 44 characters
    data = {"type": "FeatureCollection", "features": [_feature({"type": name})]}
    with pytest.raises(NetworkError, match=f"geometry type the text '{name[:40]}'; expected"):
        load_graph(_write(tmp_path, "net.geojson", data))


def test_network_files_must_be_regular_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(NetworkError, match=r"named pipe \(FIFO\), not a regular file"):
        load_graph(tmp_path / "pipe.json")  # at once: a FIFO is never opened for reading


# --------------------------------------------------------------------------- semantics


def _synthetic(**over):
    data = {
        "name": "sem",
        "horizon": "2d",
        "network": {"synthetic": {"sectors": 6, "depth": 2, "bases_every": 4}},
        "teams": {"bases": [{"node": "B0", "count": 1}]},
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("node", "kind", "match"),
    [
        ("R2_1", "artillery", r"'R2_1' is a city node; expected a sector node"),
        ("S3", "long_range_strike", r"'S3' is a sector node with strike_weight 0"),
        ("R1_1", "long_range_strike", r"'R1_1' is a city node with strike_weight 0"),
    ],
)
def test_scripted_violations_must_fit_the_kind_of_node(node, kind, match):
    scripted = [{"time": "1h", "node": node, "type": kind, "perpetrator": "RU"}]
    types = {"artillery": {"share": 1.0, "severity": 3, "evidence_half_life": "1d"}}
    with pytest.raises(ScenarioError, match=match) as info:
        scenario_from_dict(_synthetic(violations={"types": types, "scripted": scripted}))
    assert info.value.path == "violations.scripted[0].node"


def test_scripted_violations_at_the_right_kind_of_node_are_accepted():
    scripted = [
        {"time": "1h", "node": "S2", "type": "drone", "perpetrator": "RU"},
        {"time": "2h", "node": "C0", "type": "long_range_strike", "perpetrator": "UA"},
    ]
    assert scenario_from_dict(_synthetic(violations={"scripted": scripted})).warnings == []


def test_sectors_no_team_can_reach_are_named_in_a_warning():
    loaded = scenario_from_dict(
        _synthetic(teams={"bases": [{"node": "B0", "count": 1}], "max_travel_km": 40})
    )
    (warning,) = loaded.warnings
    assert "teams.max_travel_km: 4 of 6 sectors are out of every team's range" in warning
    assert "(40 km by road from the nearest base with a team): S2, S3, S4, S5;" in warning
    none = scenario_from_dict(_synthetic(teams={"bases": [{"node": "B0", "count": 0}]}))
    assert "no base has a team" in none.warnings[0]


def _misnamed_node(data, tmp_path=None):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, base_dir=tmp_path or ".")
    return str(info.value).split(": ", 2)[-1]


def test_a_misspelt_node_gets_the_closest_names_of_the_right_kind():
    # difflib's ratio 2M/T (cut-off 0.6) of 'S12' against the 12 sectors S0..S11:
    # S2 and S1 share 2 of 5 characters (0.8), S11 and S10 2 of 6 (0.67), the rest
    # at most 0.4; the three best, best first (ties: the larger name first). The
    # rear nodes (R1_2: 0.57) are not sectors, so a hotspot cannot mean them.
    data = _synthetic(network={"synthetic": {"sectors": 12, "depth": 2, "bases_every": 4}})
    data["violations"] = {"hotspots": {"S12": 2.0}}
    assert _misnamed_node(data) == (
        "'S12' is not a node of the network; did you mean 'S2', 'S1', 'S11'?"
    )


@pytest.mark.parametrize("count", [12, 13])
def test_a_node_name_like_no_other_lists_the_first_twelve_known_nodes(tmp_path, count):
    # Nodes without a kind are sectors; a scripted violation may name any node.
    names = ["S1"] + [f"C{i:02d}" for i in range(1, count)]
    data = {
        "nodes": [{"id": n} for n in names],
        "edges": [{"source": a, "target": b, "length_km": 5} for a, b in zip(names, names[1:])],
    }
    (tmp_path / "net.json").write_text(json.dumps(data), encoding="utf-8")
    scripted = [{"time": "1h", "node": "Zzz", "type": "drone", "perpetrator": "RU"}]
    scen = _synthetic(network={"file": "net.json"}, teams={"bases": []})
    scen["violations"] = {"scripted": scripted}
    shown = sorted(names)[:12]
    expected = f"'Zzz' is not a node of the network; known nodes: {', '.join(shown)}"
    assert _misnamed_node(scen, tmp_path) == expected + (" ..." if count > 12 else "")


# --------------------------------------------------------------------------- GeoJSON snapping


def _brute_nearest(points, lat, lon, radius):
    """The nearest point within the radius by great-circle distance, first on ties."""
    best = min(
        ((haversine_km(lat, lon, la, lo), order, n) for order, (n, la, lo) in enumerate(points)),
        default=None,
    )
    return best[2] if best is not None and best[0] <= radius else None


@pytest.mark.parametrize("snap_km", [0.3, 2.0, 40.0])
def test_geojson_line_ends_snap_to_the_nearest_point_anywhere_on_the_globe(snap_km):
    # Clusters of points all over the sphere (near the poles, the equator, the
    # meridians 0, 90, -90 and the antimeridian too), line starts scattered up to
    # 1.2 snap radii around them: each start snaps to the point a brute-force
    # search over all points names (the grid of cells must not miss any).
    rng = np.random.default_rng(20261201)
    centres = [(89.9, 10.0), (-89.9, -170.0), (0.0, 0.0), (0.01, 90.0), (-0.01, -90.0)]
    centres += [(30.0, 180.0), (-45.0, -179.99), (48.0, 37.8)]
    centres += [
        (math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)) for _ in range(30)
    ]

    def around(lat, lon, km):
        d, a = km * math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi)
        la = min(90.0, max(-90.0, lat + d * math.cos(a) / 111.2))
        lo = lon + d * math.sin(a) / (111.2 * max(math.cos(math.radians(la)), 1e-3))
        return la, (lo + 180.0) % 360.0 - 180.0

    points, starts = [], []
    for c, (lat, lon) in enumerate(centres):
        points += [(f"P{c}_{k}", *around(lat, lon, 2 * snap_km)) for k in range(5)]
        starts += [around(lat, lon, 1.2 * snap_km) for _ in range(8)]
    expected = [_brute_nearest(points, la, lo, snap_km) for la, lo in starts]
    kept = [(q, s) for q, s in enumerate(starts) if expected[q] is not None]
    assert len(kept) > 150
    hub = (-30.0, 60.0)  # a point far from every cluster: the end of every line
    features = [_point(n, (la, lo)) for n, la, lo in points] + [_point("HUB", hub)]
    features += [_line([s, hub], q=q, target="HUB") for q, s in kept]
    g = geojson(_collection(*features), snap_km=snap_km)
    snapped = {d["q"]: (u if v == "HUB" else v) for u, v, d in g.edges(data=True)}
    assert snapped == {q: expected[q] for q, _ in kept}


def test_geojson_line_end_exactly_at_the_snap_radius_snaps():
    start = (DONETSK[0] + 0.004, DONETSK[1])
    radius = haversine_km(*start, *DONETSK)
    data = _collection(
        _point("Donetsk", DONETSK),
        _point("Avdiivka", AVDIIVKA),
        _line([start, AVDIIVKA]),
    )
    g = geojson(data, snap_km=radius)
    assert list(g.edges) == [("Donetsk", "Avdiivka", 0)]
    with pytest.raises(
        NetworkError, match=r"^GeoJSON: line feature 2 ends at \(48\.0040, 37\.8053\)"
    ):
        geojson(data, snap_km=radius * (1 - 1e-9))


@pytest.mark.parametrize(
    ("props", "match"),
    [
        ({"source": True}, r"net\.geojson: line feature 2 source has id the boolean true; "),
        ({"target": [1]}, r"net\.geojson: line feature 2 target has id a list; "),
    ],
)
def test_geojson_line_source_and_target_must_be_names(tmp_path, props, match):
    data = _collection(
        _point("A", DONETSK), _point("B", AVDIIVKA), _line([DONETSK, AVDIIVKA], **props)
    )
    with pytest.raises(NetworkError, match=match + "expected a name or a number"):
        load_graph(_write(tmp_path, "net.geojson", data))


def test_geojson_positions_may_lie_on_the_edges_of_the_map(tmp_path):
    # Longitudes -180..180 and latitudes -90..90 inclusive; a third member of a
    # position (the elevation) is not read.
    corners = [(-90.0, -180.0), (90.0, 180.0), (-90.0, 180.0), (90.0, -180.0)]
    data = _collection(*(_point(f"N{i}", c) for i, c in enumerate(corners)))
    data["features"][0]["geometry"]["coordinates"].append(None)
    g = load_graph(_write(tmp_path, "net.geojson", data))
    assert [(d["lat"], d["lon"]) for _, d in g.nodes(data=True)] == corners
    for lat, lon in [(-90.001, 0.0), (90.001, 0.0), (0.0, -180.001), (0.0, 180.001)]:
        with pytest.raises(NetworkError, match=r"expected a longitude between -180 and 180"):
            load_graph(_write(tmp_path, "bad.geojson", _collection(_point("X", (lat, lon)))))


def test_a_new_protected_site_is_joined_to_its_nearest_node_at_that_distance():
    """A moratorium site given by coordinates becomes an energy node with one edge,
    to the nearest node with coordinates, as long as the great-circle distance."""
    from sim.world import scenario_from_dict
    from sim.world.network import builtin, haversine_km

    # Sumy is 131 km from any other node of the built-in network; the site is 5.6 km
    # north of it, so Sumy is its nearest node (and last by name: not the first
    # candidate in any order)
    sumy = builtin("donbas_south").nodes["Sumy"]
    site = {"id": "SumyTPP", "class": "power_plant", "lat": sumy["lat"] + 0.05}
    site.update(lon=sumy["lon"], side="UA")
    loaded = scenario_from_dict(
        {
            "name": "site",
            "horizon": "1d",
            "network": {"builtin": "donbas_south"},
            "moratorium": {"start": "0min", "duration": "1d", "sites": [site]},
        }
    )
    g = loaded.graph
    assert list(g.neighbors("SumyTPP")) == ["Sumy"]
    expected = haversine_km(site["lat"], site["lon"], sumy["lat"], sumy["lon"])
    assert g.edges["SumyTPP", "Sumy"]["length_km"] == pytest.approx(expected, rel=1e-12)
    assert 5.0 < expected < 6.0
    node = g.nodes["SumyTPP"]
    assert (node["kind"], node["site_class"], node["region"]) == (
        "energy",
        "power_plant",
        g.nodes["Sumy"]["region"],
    )


def test_a_new_protected_site_on_a_network_without_regions_gets_an_empty_region(tmp_path):
    """As every node without a region: ``""`` (a None would reach the saved network
    as null and the results as a region named "None")."""
    from sim.world import scenario_from_dict

    path = tmp_path / "net.json"
    path.write_text(json.dumps(nx.node_link_data(_example_graph(), edges="edges")))
    site = {"id": "DonetskTPP", "class": "power_plant", "side": "RU"}
    site.update(lat=DONETSK[0] + 0.02, lon=DONETSK[1])
    loaded = scenario_from_dict(
        {
            "name": "no_regions",
            "horizon": "1d",
            "network": {"file": str(path)},
            "teams": {"enabled": False},
            "moratorium": {"start": "0min", "duration": "1d", "sites": [site]},
        }
    )
    g = loaded.graph
    assert list(g.neighbors("DonetskTPP")) == ["Donetsk"]
    assert g.nodes["DonetskTPP"]["region"] == ""


def test_a_synthetic_network_has_the_bases_it_asks_for():
    """``network.synthetic.bases_every`` reaches the generator: bases behind every
    third sector (and the last) of 12 are B0, B3, B6, B9 and B11, not the default's
    every fourth."""
    from sim.world import scenario_from_dict

    spec = {"sectors": 12, "depth": 1, "spacing_km": 5.0, "bases_every": 3}
    loaded = scenario_from_dict(
        {
            "name": "line",
            "horizon": "1d",
            "network": {"synthetic": spec},
            "teams": {"enabled": False},
        }
    )
    bases = sorted(n for n, d in loaded.graph.nodes(data=True) if d["kind"] == "base")
    assert bases == ["B0", "B11", "B3", "B6", "B9"]
    assert nx.utils.graphs_equal(
        loaded.graph, synthetic_line(12, depth=1, spacing_km=5.0, bases_every=3)
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]},
            "net.json: edge 0 has target 'b', which is not a declared node; expected every "
            "edge to join nodes the file lists",
        ),
        (
            {"nodes": [{"id": [1]}], "edges": []},
            "net.json: node 0 has id a list; expected a name or a number",
        ),
    ],
)
def test_node_link_structure_errors_are_whole_sentences_naming_the_file(data, message):
    with pytest.raises(NetworkError) as err:
        network_module.node_link(data, "net.json")
    assert str(err.value) == message


def test_a_networks_name_description_and_crs_are_kept():
    g = nx.Graph(name="line", description="a test line", crs="EPSG:4326", other="dropped")
    g.add_node("a", kind="sector", side="line", x_km=0.0, y_km=0.0)
    assert normalise(g).graph == {"name": "line", "description": "a test line", "crs": "EPSG:4326"}
