"""Benchmark: start-up and big networks.

1. ``cfsim validate scenarios/baseline.yaml`` as a whole process (median of
   ``--repeat``, after one run that compiles the bytecode). Target: at most 0.4 s.
2. Loading a line-of-contact graph of ``--nodes`` nodes (a synthetic line with
   rear rows, positioned in lat/lon) from GeoJSON, whose line ends are snapped
   to the nearest point, and from node-link JSON. Target: GeoJSON at most 2 s
   for 5,000 nodes.

Usage::

    python benchmarks/bench_startup.py [--repeat 7] [--nodes 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_peers import measure  # noqa: E402

TARGET_VALIDATE = 0.4
TARGET_GEOJSON = 2.0


def big_network(nodes: int):
    """A synthetic line of contact of about ``nodes`` nodes placed near 48 N 37 E."""
    from sim.world.network import synthetic_line

    depth = 4
    g = synthetic_line(max(2, nodes // (depth + 1)), depth=depth, spacing_km=2.0)
    for _, d in g.nodes(data=True):
        d["lat"] = 48.0 + d.pop("y_km") / 111.2
        d["lon"] = 37.0 + d.pop("x_km") / 74.4
    return g


def as_geojson(graph) -> dict:
    """Points for nodes and two-vertex lines for edges, without source/target ids
    (so every line end is snapped to its nearest point)."""
    feats = []
    for n, d in graph.nodes(data=True):
        props = {k: v for k, v in d.items() if k not in ("lat", "lon")}
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [d["lon"], d["lat"]]},
                "properties": {"id": n, **props},
            }
        )
    for u, v in graph.edges():
        a, b = graph.nodes[u], graph.nodes[v]
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[a["lon"], a["lat"]], [b["lon"], b["lat"]]],
                },
                "properties": {},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--nodes", type=int, default=5000)
    args = ap.parse_args(argv)

    cfsim = str(Path(sys.executable).with_name("cfsim"))
    cmd = [cfsim, "validate", str(ROOT / "scenarios" / "baseline.yaml")]
    # As installed: with the package's compiled bytecode (a container that sets
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module of sim at each start).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    measure(cmd)  # writes the bytecode; not counted
    times = [measure(cmd)[0] for _ in range(args.repeat)]
    med = statistics.median(times)
    print(
        f"cfsim validate scenarios/baseline.yaml: median {med:.2f} s, best {min(times):.2f} s "
        f"({args.repeat} runs); target <= {TARGET_VALIDATE} s: "
        f"{'met' if med <= TARGET_VALIDATE else 'not met'}"
    )

    import networkx as nx

    from sim.world.network import load_graph

    g = big_network(args.nodes)
    with tempfile.TemporaryDirectory() as tmp:
        geo, link = Path(tmp) / "big.geojson", Path(tmp) / "big.json"
        geo.write_text(json.dumps(as_geojson(g)))
        link.write_text(json.dumps(nx.node_link_data(g, edges="edges")))
        t = time.perf_counter()
        from_geo = load_graph(geo)
        t_geo = time.perf_counter() - t
        t = time.perf_counter()
        load_graph(link)
        t_link = time.perf_counter() - t
    same = sorted(map(sorted, from_geo.edges())) == sorted(map(sorted, g.edges()))
    print(
        f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges: GeoJSON {t_geo:.2f} s "
        f"(every line end snapped; {'same edges' if same else 'EDGES DIFFER'}), node-link "
        f"{t_link:.2f} s; target GeoJSON <= {TARGET_GEOJSON} s: "
        f"{'met' if t_geo <= TARGET_GEOJSON else 'not met'}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
