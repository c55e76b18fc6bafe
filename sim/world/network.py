"""The line-of-contact graph: loaders, a synthetic generator and travel distances.

Every graph the simulator uses is an undirected :class:`networkx.Graph` whose
nodes carry

``kind``
    ``sector`` (on the line of contact), ``base``, ``city``, ``energy`` or
    ``crossing``;
``side``
    ``UA``, ``RU`` or ``line``;
``weight``
    relative violation rate (sectors);
``strike_weight``
    relative chance of being the target of a long-range strike;
``lat``/``lon`` or ``x_km``/``y_km``
    position, for maps and for edge lengths that a file leaves out;

and whose edges carry ``length_km``. Loaders fill defaults and reject what
cannot be repaired with a :class:`NetworkError` that says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import networkx as nx
from xml.etree import ElementTree

from ..records.storage import InputFileError, read_input

if TYPE_CHECKING:
    import numpy as np

KINDS = ("sector", "base", "city", "energy", "crossing")
DEFAULT_NETWORK = "donbas_south"
EARTH_RADIUS_KM = 6371.0088


class NetworkError(ValueError):
    """A network file or specification cannot be used."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km.

    Examples
    --------
    >>> round(haversine_km(48.0, 37.8053, 48.1453, 37.7450))
    17
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _coord_distance(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    if all(k in a and k in b for k in ("lat", "lon")):
        return haversine_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
    if all(k in a and k in b for k in ("x_km", "y_km")):
        return math.hypot(float(a["x_km"]) - float(b["x_km"]), float(a["y_km"]) - float(b["y_km"]))
    return None


def _num(value: Any, what: str, high: float = 1e12) -> float:
    if isinstance(value, bool):
        raise NetworkError(f"{what}: expected a number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise NetworkError(f"{what}: expected a number, got {value!r}") from None
    if not math.isfinite(x):
        raise NetworkError(f"{what}: expected a finite number, got {value!r}")
    if abs(x) > high:
        raise NetworkError(f"{what} is {value!r}; expected at most {high:g} in size")
    return x


# Largest values that make sense: coordinates in degrees and km, a road, a weight.
LIMITS = {"lat": 90.0, "lon": 180.0, "x_km": 40_000.0, "y_km": 40_000.0}
MAX_ROAD_KM = 20_000.0


def normalise(graph: nx.Graph, source: str = "network") -> nx.Graph:
    """Return a clean simple undirected copy with every attribute the model needs.

    Missing ``kind`` becomes ``sector``; missing ``weight`` is 1 for sectors
    and 0 otherwise; missing ``strike_weight`` is 0; missing ``side`` is
    ``line`` for sectors and ``UA`` otherwise; a missing ``length_km`` is
    computed from node coordinates (great-circle for lat/lon).

    Raises
    ------
    NetworkError
        On an unknown kind, a negative or non-numeric attribute, or an edge
        with neither a length nor coordinates at both ends.
    """
    if graph.is_directed():
        graph = graph.to_undirected()
    out = nx.Graph(name=graph.graph.get("name", source))
    for key in ("name", "description", "crs"):
        if key in graph.graph:
            out.graph[key] = graph.graph[key]
    for n, d in graph.nodes(data=True):
        nid = str(n)
        if nid in out:
            raise NetworkError(
                f"{source}: node {nid!r} is given twice; expected each node once (a repeated "
                "node would silently replace the first)"
            )
        kind = str(d.get("kind", "sector"))
        if kind not in KINDS:
            raise NetworkError(
                f"{source}: node {nid!r} has kind {kind!r}; expected one of {', '.join(KINDS)}"
            )
        attrs: dict[str, Any] = {"kind": kind}
        side = str(d.get("side", "line" if kind == "sector" else "UA"))
        if side not in ("UA", "RU", "line"):
            raise NetworkError(f"{source}: node {nid!r} has side {side!r}; expected UA, RU or line")
        attrs["side"] = side
        for key, default in (("weight", 1.0 if kind == "sector" else 0.0), ("strike_weight", 0.0)):
            val = _num(d.get(key, default), f"{source}: node {nid!r} attribute {key}", 1e6)
            if val < 0:
                raise NetworkError(f"{source}: node {nid!r} has {key} {val}; expected >= 0")
            attrs[key] = val
        for key, high in LIMITS.items():
            if key in d:
                attrs[key] = _num(d[key], f"{source}: node {nid!r} attribute {key}", high)
        for key in ("region", "label"):
            if key in d:
                attrs[key] = str(d[key])
        out.add_node(nid, **attrs)
    for u, v, d in graph.edges(data=True):
        a, b = str(u), str(v)
        if a == b:
            continue
        if "length_km" in d:
            length = _num(d["length_km"], f"{source}: edge {a!r}-{b!r} length_km", MAX_ROAD_KM)
        else:
            length = _coord_distance(out.nodes[a], out.nodes[b])
            if length is None:
                raise NetworkError(
                    f"{source}: edge {a!r}-{b!r} has no length_km and its nodes have no "
                    "coordinates (lat/lon or x_km/y_km) to compute it from"
                )
        if length < 0:
            raise NetworkError(f"{source}: edge {a!r}-{b!r} has length_km {length}; expected >= 0")
        if out.has_edge(a, b):
            length = min(length, out.edges[a, b]["length_km"])
        out.add_edge(a, b, length_km=length)
    if out.number_of_nodes() == 0:
        raise NetworkError(f"{source}: the network has no nodes")
    return out


MAX_FILE_BYTES = 64 * 2**20
"""The largest network file read (bytes)."""
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
FORMATS = {".graphml": "graphml", ".xml": "graphml", ".json": "node-link", ".geojson": "geojson"}


def load_graph(path: str | Path, fmt: str | None = None) -> nx.Graph:
    """Load a line-of-contact graph from GraphML, node-link JSON or GeoJSON.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : {"graphml", "node-link", "geojson"}, optional
        Format; guessed from the extension when omitted.

    Raises
    ------
    NetworkError
        When the file is missing, not a regular file, larger than
        :data:`MAX_FILE_BYTES`, malformed, or holds a node twice, an edge to
        a node it does not declare, an empty or null geometry or a bad
        attribute; the message names the feature, node or edge by its index.
    """
    return read_graph_file(path, fmt)[0]


def read_graph_file(path: str | Path, fmt: str | None = None) -> tuple[nx.Graph, str]:
    """:func:`load_graph` and the SHA-256 digest of the bytes it read."""
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    if fmt is None:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise NetworkError(
                f"cannot tell the format of {path.name} from its extension; set network.format "
                "to graphml, node-link or geojson"
            )
    try:
        raw = read_input(path, MAX_FILE_BYTES, f"a network file ({fmt})")
    except InputFileError as exc:
        raise NetworkError(str(exc)) from None
    source = str(path)
    if fmt == "graphml":
        graph = graphml(raw, source)
    else:
        data = _json(raw, source, fmt)
        graph = node_link(data, source) if fmt == "node-link" else geojson(data, source)
    return normalise(graph, source), hashlib.sha256(raw).hexdigest()


def _json(raw: bytes, source: str, fmt: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise NetworkError(f"cannot read {source} as {fmt}: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise NetworkError(
            f"cannot read {source} as {fmt}: not valid JSON at line {exc.lineno}, column "
            f"{exc.colno} ({exc.msg})"
        ) from None
    except (RecursionError, ValueError) as exc:
        why = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        if "integer string conversion" in why:
            why = "a number in it has thousands of digits; expected ordinary numbers"
        raise NetworkError(f"cannot read {source} as {fmt}: {why}") from None


def _kind(value: Any) -> str:
    """What a JSON value is, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"the number {value!r}"


def _node_id(value: Any, where: str, source: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise NetworkError(f"{source}: {where} has id {_kind(value)}; expected a name or a number")
    return str(value)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def graphml(raw: bytes, source: str = "GraphML") -> nx.Graph:
    """Build a graph from GraphML bytes, checking its structure first.

    Every node needs an id, given once; every edge must join declared nodes
    (a reader would otherwise create the missing node, a phantom sector).
    """
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        line, col = exc.position
        why = str(exc).split(":")[0]
        raise NetworkError(
            f"{source}: not valid XML at line {line}, column {col + 1} ({why}); expected a "
            "GraphML file"
        ) from None
    if _local(root.tag) != "graphml" or not root.tag.startswith(GRAPHML_NS):
        raise NetworkError(
            f"{source}: the top element is <{_local(root.tag)}>; expected a GraphML file, "
            f'whose top element is <graphml xmlns="{GRAPHML_NS[1:-1]}">'
        )
    graphs = root.findall(f"{GRAPHML_NS}graph")
    if len(graphs) != 1:
        raise NetworkError(
            f"{source}: expected one <graph> in the GraphML file, found {len(graphs)}"
        )
    declared: dict[str, int] = {}
    for i, el in enumerate(graphs[0].findall(f"{GRAPHML_NS}node")):
        nid = el.get("id")
        if nid is None:
            raise NetworkError(f"{source}: node {i} has no id attribute")
        if nid in declared:
            raise NetworkError(_repeated(source, f"node {i}", nid, f"node {declared[nid]}"))
        declared[nid] = i
    for j, el in enumerate(graphs[0].findall(f"{GRAPHML_NS}edge")):
        for end in ("source", "target"):
            _declared(source, f"edge {j}", end, el.get(end), declared)
    try:
        return nx.parse_graphml(raw)
    except Exception as exc:  # noqa: BLE001 - a third-party parser: any failure is the file's
        raise NetworkError(f"cannot read {source} as graphml: {exc}") from None


def _repeated(source: str, what: str, nid: str, first: str) -> str:
    return (
        f"{source}: {what} has the id {nid!r} of {first}; expected each node once (a repeated "
        "node would silently replace the first)"
    )


def _declared(source: str, where: str, end: str, nid: Any, declared: dict[str, int]) -> str:
    if nid is None:
        raise NetworkError(f"{source}: {where} has no {end}; expected a source and a target node")
    nid = _node_id(nid, f"{where} {end}", source)
    if nid not in declared:
        raise NetworkError(
            f"{source}: {where} has {end} {nid!r}, which is not a declared node; expected every "
            "edge to join nodes the file lists"
        )
    return nid


def node_link(data: Any, source: str = "node-link JSON") -> nx.Graph:
    """Build a graph from node-link data (``links`` or ``edges`` as the edge key).

    Every node must be an object with an ``id`` given once; every edge an
    object whose ``source`` and ``target`` are declared nodes.
    """
    if not isinstance(data, dict) or "nodes" not in data:
        raise NetworkError(f"{source}: expected a node-link object with 'nodes' and 'edges'")
    nodes = data["nodes"]
    if not isinstance(nodes, list):
        raise NetworkError(f"{source}: 'nodes' is {_kind(nodes)}; expected a list of node objects")
    key = "edges" if "edges" in data else "links"
    edges = data.get(key, [])
    if not isinstance(edges, list):
        raise NetworkError(f"{source}: '{key}' is {_kind(edges)}; expected a list of edge objects")
    graph = nx.MultiGraph()
    if isinstance(data.get("graph"), dict):
        graph.graph.update(data["graph"])
    declared: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or "id" not in node:
            raise NetworkError(
                f"{source}: node {i} is {_kind(node)}"
                + (" without an id" if isinstance(node, dict) else "")
                + '; expected an object such as {"id": "S1", "kind": "sector"}'
            )
        nid = _node_id(node["id"], f"node {i}", source)
        if nid in declared:
            raise NetworkError(_repeated(source, f"node {i}", nid, f"node {declared[nid]}"))
        declared[nid] = i
        graph.add_node(nid, **{k: v for k, v in node.items() if k != "id"})
    for j, edge in enumerate(edges):
        if not isinstance(edge, dict):
            raise NetworkError(
                f"{source}: edge {j} is {_kind(edge)}; expected an object with source and target"
            )
        a = _declared(source, f"edge {j}", "source", edge.get("source"), declared)
        b = _declared(source, f"edge {j}", "target", edge.get("target"), declared)
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target", "key")}
        graph.add_edge(a, b, **attrs)  # parallel roads: normalise keeps the shortest
    return graph


def _position(value: Any, where: str, source: str) -> tuple[float, float]:
    """A GeoJSON position ``[lon, lat, ...]`` as ``(lon, lat)``, checked."""
    ok = (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value[:2])
    )
    if not ok:
        raise NetworkError(
            f"{source}: {where} is {_kind(value)}; expected a position [longitude, latitude]"
        )
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and -180 <= lon <= 180 and math.isfinite(lat) and -90 <= lat <= 90):
        raise NetworkError(
            f"{source}: {where} is [{value[0]}, {value[1]}]; expected a longitude between -180 "
            "and 180 and a latitude between -90 and 90"
        )
    return lon, lat


def _feature(feat: Any, i: int, source: str) -> tuple[str, Any, dict[str, Any]]:
    """``(geometry type, coordinates, properties)`` of feature ``i``, checked."""
    if not isinstance(feat, dict):
        raise NetworkError(f"{source}: feature {i} is {_kind(feat)}; expected a Feature object")
    geom = feat.get("geometry")
    if not isinstance(geom, dict):
        raise NetworkError(
            f"{source}: feature {i} has geometry {_kind(geom)}; expected a Point (a node) or "
            "a LineString (a road)"
        )
    props = feat.get("properties")
    if props is not None and not isinstance(props, dict):
        raise NetworkError(
            f"{source}: feature {i} has properties {_kind(props)}; expected an object"
        )
    gtype = geom.get("type")
    if gtype not in ("Point", "LineString"):
        raise NetworkError(
            f"{source}: feature {i} has geometry type {_kind(gtype)}; expected Point (a node) "
            "or LineString (a road)"
        )
    coords = geom.get("coordinates")
    if gtype == "Point":
        return gtype, _position(coords, f"feature {i}'s point", source), dict(props or {})
    if not isinstance(coords, list) or len(coords) < 2:
        n = len(coords) if isinstance(coords, list) else 0
        raise NetworkError(
            f"{source}: feature {i} is a LineString with {n} position(s); expected at least two"
        )
    pts = [_position(c, f"feature {i}'s position {k}", source) for k, c in enumerate(coords)]
    return gtype, pts, dict(props or {})


def geojson(data: Any, source: str = "GeoJSON", snap_km: float = 0.5) -> nx.Graph:
    """Build a graph from GeoJSON: Point features are nodes, LineStrings are edges.

    A node's id is its ``id`` property (else ``name``). A line joins the
    nodes named by its ``source``/``target`` properties, or else the nodes
    within ``snap_km`` of its first and last vertex; its length is its
    ``length_km`` property or the great-circle length along its vertices.
    Every feature must be a Point or a LineString with valid positions.
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise NetworkError(f"{source}: expected a GeoJSON FeatureCollection")
    features = data.get("features", [])
    if not isinstance(features, list):
        raise NetworkError(
            f"{source}: 'features' is {_kind(features)}; expected a list of Feature objects"
        )
    graph = nx.MultiGraph()
    lines = []
    declared: dict[str, int] = {}
    for i, feat in enumerate(features):
        gtype, coords, props = _feature(feat, i, source)
        if gtype == "LineString":
            lines.append((i, coords, props))
            continue
        nid = None
        for key in ("id", "name"):
            if props.get(key) is not None:
                nid = props.pop(key)
                break
        if nid is None:
            nid = feat.get("id")
        if nid is None:
            raise NetworkError(f"{source}: point feature {i} has no id or name property")
        nid = _node_id(nid, f"point feature {i}", source)
        if nid in declared:
            raise NetworkError(_repeated(source, f"feature {i}", nid, f"feature {declared[nid]}"))
        declared[nid] = i
        props.pop("lat", None)  # the geometry is authoritative for position
        props.pop("lon", None)
        graph.add_node(nid, **props, lat=coords[1], lon=coords[0])
    _add_lines(graph, lines, source, snap_km)
    return graph


def _add_lines(graph: nx.MultiGraph, lines: list, source: str, snap_km: float) -> None:
    index = _PointIndex(graph, snap_km)

    def snap(lon: float, lat: float, i: int) -> str:
        best = index.nearest(lat, lon)
        if best is None:
            raise NetworkError(
                f"{source}: line feature {i} ends at ({lat:.4f}, {lon:.4f}), which is not within "
                f"{snap_km} km of any point feature; add source/target properties or a point there"
            )
        return best

    for i, coords, props in lines:
        a = props.pop("source", None)
        b = props.pop("target", None)
        a = (
            _node_id(a, f"line feature {i} source", source)
            if a is not None
            else snap(*coords[0], i)
        )
        b = (
            _node_id(b, f"line feature {i} target", source)
            if b is not None
            else snap(*coords[-1], i)
        )
        for end in (a, b):
            if end not in graph:
                raise NetworkError(f"{source}: line feature {i} names unknown node {end!r}")
        if "length_km" not in props:
            props["length_km"] = sum(
                haversine_km(p[1], p[0], q[1], q[0]) for p, q in zip(coords, coords[1:])
            )
        graph.add_edge(a, b, **props)


class _PointIndex:
    """Nearest point within ``radius_km`` by great-circle distance, in constant time.

    Points go into cubic cells of side ``radius_km`` by their position on the
    sphere (3-D, km), so every point within the radius of a query lies in the
    query's cell or one of its 26 neighbours (the chord is never longer than
    the arc); only those are measured. Ties go to the point added first.
    """

    def __init__(self, graph: nx.Graph, radius_km: float):
        self.radius = float(radius_km)
        self.cell = max(self.radius, 1e-9)
        self.cells: dict[tuple[int, int, int], list[tuple[int, str, float, float]]] = {}
        for order, (n, d) in enumerate(graph.nodes(data=True)):
            key = self._key(d["lat"], d["lon"])
            self.cells.setdefault(key, []).append((order, n, d["lat"], d["lon"]))

    def _key(self, lat: float, lon: float) -> tuple[int, int, int]:
        p, q = math.radians(lat), math.radians(lon)
        x = EARTH_RADIUS_KM * math.cos(p) * math.cos(q)
        y = EARTH_RADIUS_KM * math.cos(p) * math.sin(q)
        z = EARTH_RADIUS_KM * math.sin(p)
        return (math.floor(x / self.cell), math.floor(y / self.cell), math.floor(z / self.cell))

    def nearest(self, lat: float, lon: float) -> str | None:
        """The id of the nearest point within the radius (None if there is none)."""
        i, j, k = self._key(lat, lon)
        best: tuple[float, int, str] | None = None
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for dk in (-1, 0, 1):
                    for order, n, la, lo in self.cells.get((i + di, j + dj, k + dk), ()):
                        cand = (haversine_km(lat, lon, la, lo), order, n)
                        if best is None or cand < best:
                            best = cand
        if best is None or best[0] > self.radius:
            return None
        return best[2]


def to_node_link_json(graph: nx.Graph) -> str:
    """A built network as node-link JSON text (for handing to worker processes)."""
    return json.dumps(nx.node_link_data(graph, edges="edges"), default=_json_number)


def from_node_link_json(text: str) -> nx.Graph:
    """The graph :func:`to_node_link_json` wrote, node and edge order kept."""
    return nx.node_link_graph(json.loads(text), directed=False, multigraph=False, edges="edges")


def _json_number(value: Any) -> Any:
    np = sys.modules.get("numpy")  # a numpy scalar exists only if numpy is loaded
    if np is not None and isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to node-link JSON")


def builtin(name: str = DEFAULT_NETWORK) -> nx.Graph:
    """Load a network shipped with the package (``donbas_south``)."""
    available = sorted(
        p.name.removesuffix(".json")
        for p in resources.files("sim.world.data").iterdir()
        if p.name.endswith(".json")
    )
    if name not in available:
        raise NetworkError(
            f"no built-in network called {name!r}; available: {', '.join(available)}"
        )
    text = resources.files("sim.world.data").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return normalise(node_link(json.loads(text), f"builtin:{name}"), f"builtin:{name}")


def synthetic_line(
    sectors: int, *, depth: int = 2, spacing_km: float = 15.0, bases_every: int = 4
) -> nx.Graph:
    """Generate a straight line of contact with rear rows behind it.

    Sectors ``S0 .. S{n-1}`` lie on the line (``y = 0``) joined in a chain.
    Behind each sector, rows ``1 .. depth`` hold rear nodes ``R{row}_{i}``
    joined along their row and to the node in front. Row 1 nodes behind
    every ``bases_every``-th sector (and the last) are bases ``B{i}``; the
    node at the far end of the middle of the last row is a rear city
    ``C0`` with ``strike_weight`` 1.

    Parameters
    ----------
    sectors : int
        Number of sectors, >= 2.
    depth : int
        Rows behind the line, >= 1.
    spacing_km : float
        Distance between neighbouring nodes, km.
    bases_every : int
        Base spacing in sectors.

    Examples
    --------
    >>> g = synthetic_line(5, depth=1, spacing_km=10, bases_every=2)
    >>> sorted(n for n, k in g.nodes(data="kind") if k == "base")
    ['B0', 'B2', 'B4']
    >>> g.edges["S0", "S1"]["length_km"]
    10.0
    """
    if sectors < 2 or depth < 1 or spacing_km <= 0 or bases_every < 1:
        raise NetworkError("synthetic network needs sectors >= 2, depth >= 1, spacing_km > 0")
    g = nx.Graph(name=f"synthetic-{sectors}x{depth}")
    for i in range(sectors):
        g.add_node(
            f"S{i}",
            kind="sector",
            side="line",
            weight=1.0,
            strike_weight=0.0,
            x_km=i * spacing_km,
            y_km=0.0,
        )
    base_cols = set(range(0, sectors, bases_every)) | {sectors - 1}
    city_col = sectors // 2
    names: dict[tuple[int, int], str] = {}
    for row in range(1, depth + 1):
        for i in range(sectors):
            if row == 1 and i in base_cols:
                nid, kind, sw = f"B{i}", "base", 0.0
            elif row == depth and i == city_col and depth > 1:
                nid, kind, sw = "C0", "city", 1.0
            else:
                nid, kind, sw = f"R{row}_{i}", "city", 0.0
            names[(row, i)] = nid
            g.add_node(
                nid,
                kind=kind,
                side="UA",
                weight=0.0,
                strike_weight=sw,
                x_km=i * spacing_km,
                y_km=-row * spacing_km,
            )
    for i in range(sectors - 1):
        g.add_edge(f"S{i}", f"S{i + 1}", length_km=float(spacing_km))
    for row in range(1, depth + 1):
        for i in range(sectors):
            front = f"S{i}" if row == 1 else names[(row - 1, i)]
            g.add_edge(names[(row, i)], front, length_km=float(spacing_km))
            if i + 1 < sectors:
                g.add_edge(names[(row, i)], names[(row, i + 1)], length_km=float(spacing_km))
    return g


class Distances:
    """Road distances the model needs, precomputed once per scenario.

    Attributes
    ----------
    nodes : list of str
        Node ids; a node's index in this list is its integer id in records.
    index : dict
        Node id to index.
    from_bases : numpy.ndarray
        ``from_bases[b, j]`` is the shortest road distance in km from the
        ``b``-th base of ``base_nodes`` to node ``j`` (``inf`` if unreachable).
    base_nodes : list of str
    near : list of numpy.ndarray
        ``near[j]`` holds the indices of the nodes within the merge radius
        of node ``j`` (including ``j``).
    """

    def __init__(self, graph: nx.Graph, base_nodes: Iterable[str], merge_km: float):
        import numpy as np

        self.nodes = list(graph.nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.base_nodes = list(dict.fromkeys(base_nodes))
        self.from_bases = np.full((len(self.base_nodes), len(self.nodes)), np.inf)
        for b, node in enumerate(self.base_nodes):
            for target, km in nx.single_source_dijkstra_path_length(
                graph, node, weight="length_km"
            ).items():
                self.from_bases[b, self.index[target]] = km
        self.near: list[np.ndarray] = []
        for node in self.nodes:
            reach = nx.single_source_dijkstra_path_length(
                graph, node, cutoff=merge_km, weight="length_km"
            )
            self.near.append(np.array(sorted(self.index[t] for t in reach), dtype=np.int64))
