"""Result tables on disk and the streaming that writes them.

Tables go to Parquet (default) or CSV and load back to exactly the numbers
the engine produced; a pandas user reads one in a line; writing rows as
they finish, and drawing the world window by window, change no result; the
big-network and start-up shortcuts give the same answers as the slow way.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.analysis.experiment import make_jobs, run, run_job
from sim.engine import Prepared, run_replication
from sim.engine import replication as engine
from sim.output.results import load_run, run_data
from sim.output.rundir import write_run
from sim.records.files import read_table
from sim.records.recorders import ParquetRecorder
from sim.world import feed, load_scenario
from sim.world.network import _PointIndex, haversine_km, load_graph

from .conftest import SCENARIOS, same_data

SHORT = {"horizon": "9d", "warmup": "1d"}
STEMS = {"violations": "violations", "reports": "reports", "incidents": "incidents"}


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(SCENARIOS / "baseline.yaml", overrides=SHORT), replications=2)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tables_load_back_exactly(result, tmp_path, fmt):
    out = write_run(result, tmp_path / "run", table_format=fmt)
    assert sorted(p.name for p in out.glob(f"*.{fmt}")) == [
        f"{t}.{fmt}" for t in ("claims", "incidents", "reports", "timeseries", "violations")
    ]
    loaded = load_run(out)
    memory = run_data(result)
    for table, cols in memory.tables.items():
        assert list(loaded.tables[table]) == list(cols), table
        for col, values in cols.items():
            assert _same(loaded.tables[table][col], values), (table, col)
    # every float exactly as the engine made it (three decimals would not survive this)
    for stem, name in STEMS.items():
        for col, values in result.table(name).items():
            if values.dtype.kind == "f":
                assert _same(loaded.tables[stem][col], values), (stem, col)
    arrival = loaded.tables["reports"]["arrival"]
    assert np.any(arrival * 1000 != np.round(arrival * 1000)), "times look rounded"


def test_a_pandas_user_reads_a_table_in_one_line(result, tmp_path):
    pq_dir = write_run(result, tmp_path / "p")
    csv_dir = write_run(result, tmp_path / "c", table_format="csv")
    incidents = pd.read_parquet(pq_dir / "incidents.parquet")
    from_csv = pd.read_csv(csv_dir / "incidents.csv")
    ours = read_table(pq_dir / "incidents.parquet")
    assert len(incidents) == len(from_csv) == ours["incident"].size > 50
    assert list(incidents.columns) == list(ours) == list(from_csv.columns)
    assert set(incidents["outcome"].astype(str)) <= {
        "verified",
        "not_verified",
        "unfounded",
        "open_at_end",
    }
    for col in ("created", "finding", "on_site", "travel_km"):
        a = incidents[col].to_numpy(dtype=float, na_value=np.nan)
        assert _same(a, from_csv[col].to_numpy(dtype=float)), col
        assert _same(a, ours[col]), col


def test_rows_written_as_they_finish_equal_rows_kept_in_memory(tmp_path):
    prep = Prepared(load_scenario(SCENARIOS / "baseline.yaml", overrides={"horizon": "20d"}))
    kept = run_replication(prep, 1)
    # a small row group size, so the file gets many row groups
    streamed = run_replication(prep, 1, recorder=ParquetRecorder(tmp_path / "parts", rows=500))
    for table in ("violations", "reports", "incidents", "series"):
        a, b = getattr(kept, table), getattr(streamed, table)
        assert list(a) == list(b), table
        for col in a:
            assert b[col].dtype == a[col].dtype and _same(a[col], b[col]), (table, col)
    assert kept.totals == streamed.totals


@pytest.mark.parametrize("days", [0.5, 1, 30, 1000])
def test_the_window_the_world_is_drawn_in_changes_nothing(monkeypatch, days):
    loaded = load_scenario(SCENARIOS / "baseline.yaml", overrides={"horizon": "16d"})
    weekly = run_replication(loaded, 0)
    monkeypatch.setattr(engine, "WorldFeed", functools.partial(feed.WorldFeed, window=days * 1440))
    other = run_replication(loaded, 0)
    for table in ("violations", "reports", "incidents", "series"):
        a, b = getattr(weekly, table), getattr(other, table)
        for col in a:
            assert _same(a[col], b[col]), (table, col)
    assert weekly.totals == other.totals


def test_snapping_through_the_index_finds_what_a_search_of_every_point_finds():
    rng = np.random.default_rng(5)
    g = nx.Graph()
    for k in range(400):  # clustered points: many within the radius of each other
        g.add_node(f"P{k}", lat=48 + rng.normal(0, 0.01), lon=37 + rng.normal(0, 0.01))
    g.add_node("pole", lat=89.9999, lon=10.0)  # where longitude cells are meaningless
    g.add_node("dup", lat=g.nodes["P7"]["lat"], lon=g.nodes["P7"]["lon"])  # tie: P7 first
    pos = [(n, d["lat"], d["lon"]) for n, d in g.nodes(data=True)]
    for radius in (0.05, 0.5, 3.0):
        index = _PointIndex(g, radius)
        queries = [(48 + rng.normal(0, 0.02), 37 + rng.normal(0, 0.02)) for _ in range(300)]
        queries += [(89.9995, -170.0), (g.nodes["P7"]["lat"], g.nodes["P7"]["lon"])]
        for lat, lon in queries:
            best, dist = None, math.inf
            for n, la, lo in pos:
                d = haversine_km(lat, lon, la, lo)
                if d < dist:
                    best, dist = n, d
            expected = best if dist <= radius else None
            assert index.nearest(lat, lon) == expected, (radius, lat, lon)


def test_a_geojson_line_of_contact_loads_with_its_ends_snapped(tmp_path):
    points = [("A", 48.0, 37.0), ("B", 48.05, 37.0), ("C", 48.05, 37.1)]
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": n},
        }
        for n, lat, lon in points
    ]
    for (_, la, lo), (_, lb, lob) in zip(points, points[1:]):
        line = [[lo + 0.001, la + 0.001], [lob - 0.001, lb]]  # ends ~100 m off the points
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}})
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    g = load_graph(path)
    assert sorted(map(sorted, g.edges())) == [["A", "B"], ["B", "C"]]


def test_workers_get_the_built_network_and_never_read_the_file(tmp_path):
    net = tmp_path / "net.json"
    net.write_text((SCENARIOS.parent / "sim" / "world" / "data" / "donbas_south.json").read_text())
    scen = tmp_path / "s.yaml"
    scen.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nhorizon: 5d\nwarmup: 1d\n"
        "network: {file: net.json, builtin: null}\n"
    )
    loaded = load_scenario(scen)
    jobs = make_jobs(loaded, 3, [0])
    expected = run_job(jobs[0])
    net.unlink()  # a worker that re-read the file would fail now
    engine_cache = sys.modules["sim.analysis.experiment"]._prepared
    engine_cache.cache_clear()
    assert same_data(run_job(jobs[0]), expected)


def test_validating_a_scenario_loads_neither_the_engine_nor_the_writers():
    """validate projects memory and queue loads from the violation model (numpy), but
    needs neither SimPy, the engine, scipy, the table writers nor the plots."""
    code = (
        "import sys; from sim.cli import main; "
        f"code = main(['validate', {str(SCENARIOS / 'baseline.yaml')!r}]); "
        "heavy = [m for m in ('simpy', 'scipy', 'pyarrow', 'matplotlib', 'sim.engine') "
        "if m in sys.modules]; print(heavy); sys.exit(code or bool(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
