"""Event-log replay: reading logs, placing events at nodes, scaling, and keyed draws.

The logs here are written by the tests (small synthetic tables in the layout
of UCDP GED and of the minimal format), never the real data files.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import networkx as nx
import numpy as np
import pytest

from sim.engine.replication import Prepared, run_replication
from sim.scenario import ScenarioError
from sim.scenario.eventlog import EventLogSpec
from sim.world import scenario_from_dict
from sim.world.eventlog import EventLogError, parse_event_time, read_events
from sim.world.network import builtin, haversine_km, normalise, synthetic_line
from sim.world.streams import REPLAYED, child_key
from sim.world.violations import ViolationSource


def drawn(loaded, replication: int, seed: int) -> dict[str, np.ndarray]:
    """The violations of one replication over the whole horizon, as the engine gets them."""
    horizon = loaded.scenario.horizon
    return ViolationSource(Prepared(loaded).violations, seed, replication, horizon).until(horizon)


DAY = 1440.0
# (lat, lon) near sectors of the built-in network: Toretsk, Chasiv Yar, Kherson
TORETSK = (48.40, 37.85)
CHASIV_YAR = (48.59, 37.86)
FAR = (50.45, 30.52)  # Kyiv: far from every sector
MINIMAL = "time,lat,lon,type,perpetrator,size\n"


def minimal_log(tmp_path, rows: list[str], name: str = "events.csv"):
    p = tmp_path / name
    p.write_text(MINIMAL + "".join(r + "\n" for r in rows))
    return p


def scenario(tmp_path, replay: dict, **violations):
    data = {
        "name": "replay",
        "start": "2019-01-01",
        "timezone": "Europe/Kyiv",
        "horizon": "30d",
        "violations": {
            "rate_per_day": 0,
            "replay": {"file": "events.csv", **replay},
            **violations,
        },
        "teams": {"bases": [{"node": "Kramatorsk", "count": 2}]},
    }
    return scenario_from_dict(data, tmp_path)


def test_minimal_log_events_go_to_the_nearest_sector_at_their_time(tmp_path):
    minimal_log(
        tmp_path,
        [
            f"2019-01-02T06:30,{TORETSK[0]},{TORETSK[1]},artillery,RU,40",
            f"2019-01-03 21:00,{CHASIV_YAR[0]},{CHASIV_YAR[1]},small_arms,UA,",
            f"2019-01-04T10:00,{FAR[0]},{FAR[1]},artillery,RU,3",
        ],
    )
    ld = scenario(
        tmp_path,
        {},
        types={
            "artillery": {"share": 0.5, "severity": 3, "evidence_half_life": "2d", "size": 9},
            "small_arms": {"share": 0.5, "severity": 1, "evidence_half_life": "6h"},
        },
    )
    assert ld.replay.summary() == "2 of 3 rows kept (left out: 1 distance)"
    v = drawn(ld, 0, 1)
    nodes = list(ld.graph.nodes)
    assert [nodes[j] for j in v["node"]] == ["Toretsk", "Chasiv Yar"]
    assert v["time"].tolist() == [DAY + 390.0, 2 * DAY + 21 * 60.0]
    assert v["perpetrator"].tolist() == [0, 1]  # RU, UA
    # a size in the log is kept; a missing one is drawn from the type (small arms: 1)
    assert v["size"].tolist() == [40, 1]
    assert v["key"].tolist() == [int(child_key(child_key(REPLAYED, k), 0)) for k in (2, 3)]


def test_bad_rows_are_refused_with_their_lines(tmp_path):
    minimal_log(
        tmp_path,
        [
            f"2019-01-02,{TORETSK[0]},{TORETSK[1]},artillery,RU,",
            f"2019-13-02,{TORETSK[0]},{TORETSK[1]},artillery,RU,",
            f"2019-01-02,north,{TORETSK[1]},artillery,RU,",
            f"2019-01-02,{TORETSK[0]},{TORETSK[1]},mortar,RU,",
            f"2019-01-02,{TORETSK[0]},{TORETSK[1]},artillery,DPR,",
            f"2019-01-02,{TORETSK[0]},{TORETSK[1]},artillery,RU,0",
        ],
    )
    with pytest.raises(ScenarioError) as err:
        scenario(tmp_path, {})
    msg = err.value.message
    assert err.value.path == "violations.replay.file"
    assert "5 bad row(s)" in msg
    for needle in (
        "line 3, column 'time'",
        "line 4, column 'lat': expected a number, got 'north'",
        "line 5, column 'type'",
        "line 6, column 'perpetrator': expected RU or UA, or a value listed in "
        "perpetrator_map, got 'DPR'",
        "line 7, column 'size': expected a whole number of at least 1, got '0'",
    ):
        assert needle in msg


def test_a_missing_column_is_named_with_the_columns_there_are(tmp_path):
    (tmp_path / "events.csv").write_text("date,lat,lon\n2019-01-02,48.4,37.8\n")
    with pytest.raises(ScenarioError, match="no column 'time'.*date, lat, lon.*columns.time"):
        scenario(tmp_path, {})
    ld = scenario(tmp_path, {"columns": {"time": "date"}})
    assert len(ld.replay) == 1


UCDP_HEADER = "id,date_start,latitude,longitude,where_prec,date_prec,best\n"


def ucdp_log(tmp_path) -> None:
    rows = [
        f"1,1/2/2019 12:00:00 AM,{TORETSK[0]},{TORETSK[1]},1,1,2",  # kept
        f"2,01/05/2019 00:00,{CHASIV_YAR[0]},{CHASIV_YAR[1]},2,1,1",  # kept
        "3,01/06/2019 00:00,48.14,37.74,4,1,1",  # an oblast's centroid: too imprecise
        f"4,01/07/2019 00:00,{TORETSK[0]},{TORETSK[1]},1,3,1",  # only the week is known
        f"5,12/30/2018 00:00,{TORETSK[0]},{TORETSK[1]},1,1,1",  # before the window
    ]
    (tmp_path / "events.csv").write_bytes((UCDP_HEADER + "\n".join(rows) + "\n").encode("cp1252"))


def test_ucdp_layout_keeps_precise_events_in_the_window_and_spreads_them_over_the_day(tmp_path):
    ucdp_log(tmp_path)
    replay = {"format": "ucdp", "window_start": "2019-01-01", "scale": 40.0}
    ld = scenario(tmp_path, replay, time_of_day=[0] * 6 + [1] * 12 + [0] * 6)
    assert ld.replay.summary() == "2 of 5 rows kept (left out: 1 window, 2 precision)"
    v = drawn(ld, 0, 3)
    assert v["time"].size == 80  # 40 violations per event
    day = np.floor(v["time"] / DAY)
    assert sorted(set(day.tolist())) == [1.0, 4.0]  # 2 and 5 January
    hour = (v["time"] % DAY) / 60
    assert hour.min() >= 6 and hour.max() < 18  # drawn from the hourly profile
    assert np.unique(v["time"]).size == 80


@pytest.mark.parametrize("scale", [0.3, 2.6])
def test_scale_thins_or_multiplies_events(tmp_path, scale):
    rows = [
        f"2019-01-{1 + k % 28:02d}T12:00,{TORETSK[0]},{TORETSK[1]},artillery,RU,"
        for k in range(2000)
    ]
    minimal_log(tmp_path, rows)
    v = drawn(scenario(tmp_path, {"scale": scale}), 0, 5)
    # floor(scale) each, plus one more with chance frac(scale): binomial spread
    frac = scale - math.floor(scale)
    expected = 2000 * scale
    assert abs(v["time"].size - expected) <= 4 * math.sqrt(2000 * frac * (1 - frac))


def test_align_start_moves_the_window_to_the_start_of_the_run(tmp_path):
    minimal_log(tmp_path, [f"2017-06-03T08:00,{TORETSK[0]},{TORETSK[1]},artillery,RU,"])
    replay = {"align": "start", "window_start": "2017-06-01"}
    v = drawn(scenario(tmp_path, replay), 0, 1)
    assert v["time"].tolist() == [2 * DAY + 480.0]


def test_replayed_violations_shift_no_draw_of_any_other_violation(tmp_path):
    """Background, escalation and strikes, and their reports, are the same with and
    without a replayed log (matched by key)."""
    rows = [
        f"2019-01-{1 + k % 28:02d}T{k % 24:02d}:00,{TORETSK[0]},{TORETSK[1]},artillery,RU,"
        for k in range(300)
    ]
    minimal_log(tmp_path, rows)
    busy = {
        "rate_per_day": 40,
        "escalation": {"branching_ratio": 0.4},
        "long_range_strikes": {"rate_per_day": 2},
    }
    logged = scenario(tmp_path, {"escalate": True}, **busy)
    with_log = drawn(logged, 0, 9)
    data = {
        "name": "replay",
        "start": "2019-01-01",
        "timezone": "Europe/Kyiv",
        "horizon": "30d",
        "violations": busy,
        "teams": {"bases": [{"node": "Kramatorsk", "count": 2}]},
    }
    plain = scenario_from_dict(data, tmp_path)
    without = drawn(plain, 0, 9)
    a, b = without, with_log
    replayed = ~np.isin(b["key"], a["key"])
    assert replayed.sum() >= 300  # the log and what it triggered
    assert np.array_equal(np.sort(b["key"][~replayed]), np.sort(a["key"]))
    ia, ib = np.argsort(a["key"]), np.argsort(b["key"][~replayed])
    for col in ("time", "node", "type", "perpetrator"):
        assert np.array_equal(a[col][ia], b[col][~replayed][ib]), col
    ra = run_replication(Prepared(plain), 0, 9).reports
    rb = run_replication(Prepared(logged), 0, 9).reports
    shared, ja, jb = np.intersect1d(ra["key"], rb["key"], return_indices=True)
    assert shared.size == ra["key"].size  # every report of the other violations is still there
    assert np.array_equal(ra["arrival"][ja], rb["arrival"][jb])
    assert np.array_equal(ra["triage_time"][ja], rb["triage_time"][jb])


def test_read_events_places_strikes_on_strike_targets(tmp_path):
    p = minimal_log(tmp_path, [f"2019-01-02T03:00,{FAR[0] + 0.01},{FAR[1]},long_range_strike,RU,"])
    g = builtin()
    nodes = list(g.nodes)
    spec = EventLogSpec(file=str(p), max_distance_km=5)
    t = read_events(spec, p, g, nodes, ["artillery", "long_range_strike"])
    assert [nodes[j] for j in t.node] == ["Kyiv"] and t.type.tolist() == [1]
    with pytest.raises(EventLogError, match="does not exist"):
        read_events(spec, tmp_path / "nope.csv", g, nodes, ["artillery"])


def test_acled_layout_maps_types_and_sides(tmp_path):
    header = "event_date,latitude,longitude,sub_event_type,actor1,geo_precision,time_precision\n"
    rows = [
        f"02 January 2019,{TORETSK[0]},{TORETSK[1]},Shelling/artillery/missile attack,"
        "Military Forces of Russia,1,1",
        f"03 January 2019,{TORETSK[0]},{TORETSK[1]},Armed clash,Military Forces of Ukraine,1,1",
        f"04 January 2019,{TORETSK[0]},{TORETSK[1]},Peaceful protest,Protesters,1,1",
        f"05 January 2019,{TORETSK[0]},{TORETSK[1]},Armed clash,Military Forces of Ukraine,3,1",
    ]
    (tmp_path / "events.csv").write_text(header + "\n".join(rows) + "\n")
    replay = {
        "format": "acled",
        "type_map": {
            "Shelling/artillery/missile attack": "artillery",
            "Armed clash": "small_arms",
            "Peaceful protest": None,
        },
        "perpetrator_map": {"Military Forces of Russia": "RU", "Military Forces of Ukraine": "UA"},
    }
    types = {
        "artillery": {"share": 0.5, "severity": 3, "evidence_half_life": "2d"},
        "small_arms": {"share": 0.5, "severity": 1, "evidence_half_life": "6h"},
    }
    ld = scenario(tmp_path, replay, types=types)
    assert ld.replay.summary() == "2 of 4 rows kept (left out: 1 precision, 1 type)"
    v = drawn(ld, 0, 1)
    names = ["artillery", "small_arms", "long_range_strike"]
    assert [names[t] for t in v["type"]] == ["artillery", "small_arms"]
    assert v["perpetrator"].tolist() == [0, 1]
    assert (v["time"] // DAY).tolist() == [1.0, 2.0]


def test_the_replayed_log_is_part_of_what_a_sweep_point_depends_on(tmp_path):
    """Its digest is among the scenario's inputs, which sweep fingerprints cover."""
    row = f"2019-01-02T06:30,{TORETSK[0]},{TORETSK[1]},artillery,RU,40"
    log = minimal_log(tmp_path, [row])
    before = scenario(tmp_path, {}).inputs
    minimal_log(tmp_path, [row, f"2019-01-03 21:00,{CHASIV_YAR[0]},{CHASIV_YAR[1]},drone,UA,"])
    after = scenario(tmp_path, {}).inputs
    key = str(log.resolve())
    assert key in before and key in after and before[key] != after[key]


def test_a_log_that_is_a_named_pipe_or_a_directory_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "events.csv")
    with pytest.raises(
        ScenarioError,
        match=r"violations.replay.file.*not a regular file; expected an event log \(CSV\)",
    ):
        scenario(tmp_path, {})
    (tmp_path / "events.csv").unlink()
    (tmp_path / "events.csv").mkdir()
    with pytest.raises(ScenarioError, match="violations.replay.file.*directory"):
        scenario(tmp_path, {})


def test_read_events_gives_each_kept_row_as_the_log_has_it(tmp_path):
    # The documented columns of the table: what the log gives, -1 (type, side) or
    # 0 (size) where it gives nothing, a date alone as its midnight and not timed,
    # and the distance to the node the event is placed at.
    kyiv = (FAR[0] + 0.01, FAR[1])
    p = minimal_log(
        tmp_path,
        [
            f"2019-01-02T06:30,{TORETSK[0]},{TORETSK[1]},artillery,RU,40",
            f"2019-01-03,{CHASIV_YAR[0]},{CHASIV_YAR[1]},,,",
            f"2019-01-04T10:00,{kyiv[0]},{kyiv[1]},long_range_strike,UA,1",
        ],
    )
    g = builtin()
    nodes = list(g.nodes)
    spec = EventLogSpec(file=str(p), max_distance_km=30)
    t = read_events(spec, p, g, nodes, ["artillery", "long_range_strike"])
    assert t.summary() == "3 of 3 rows kept"
    assert t.line.tolist() == [2, 3, 4]
    assert t.when.tolist() == [
        dt.datetime(2019, 1, 2, 6, 30),
        dt.datetime(2019, 1, 3),
        dt.datetime(2019, 1, 4, 10, 0),
    ]
    assert t.timed.tolist() == [True, False, True]
    placed = [nodes[j] for j in t.node]
    assert placed == ["Toretsk", "Chasiv Yar", "Kyiv"]
    assert t.type.tolist() == [0, -1, 1]
    assert t.perpetrator.tolist() == [0, -1, 1]
    assert t.size.tolist() == [40, 0, 1]
    at = [(g.nodes[n]["lat"], g.nodes[n]["lon"]) for n in placed]
    expected = [haversine_km(*e, *n) for e, n in zip([TORETSK, CHASIV_YAR, kyiv], at)]
    assert t.km == pytest.approx(expected, rel=1e-9)
    # Without type names (as `cfsim fit` reads a log) every event goes to a sector.
    t = read_events(spec, p, g, nodes)
    assert [nodes[j] for j in t.node] == ["Toretsk", "Chasiv Yar"]
    assert t.type.tolist() == [-1, -1] and t.dropped["distance"] == 1


def test_a_strike_without_any_strike_target_is_left_out_as_too_far(tmp_path):
    g = nx.Graph()
    g.add_node("S", lat=TORETSK[0], lon=TORETSK[1])  # a sector, no strike target anywhere
    g = normalise(g)
    p = minimal_log(tmp_path, [f"2019-01-04T10:00,{TORETSK[0]},{TORETSK[1]},long_range_strike,RU,"])
    t = read_events(EventLogSpec(file=str(p)), p, g, ["S"], ["artillery", "long_range_strike"])
    assert len(t) == 0 and t.summary() == "0 of 1 rows kept (left out: 1 distance)"


def test_events_cannot_be_placed_on_a_network_without_coordinates(tmp_path):
    g = synthetic_line(6, depth=1)
    p = minimal_log(tmp_path, [f"2019-01-04T10:00,{TORETSK[0]},{TORETSK[1]},artillery,RU,"])
    with pytest.raises(EventLogError) as info:
        read_events(EventLogSpec(file=str(p)), p, g, list(g.nodes), ["artillery"])
    assert str(info.value) == (
        "the network's nodes need lat/lon to place events; S0, S1, S2, S3, S4 have none"
    )


def test_many_bad_rows_list_the_first_ten_and_count_the_rest(tmp_path):
    p = minimal_log(tmp_path, [f"2019-01-02,48.4,{200 + k},artillery,RU," for k in range(12)])
    with pytest.raises(EventLogError) as info:
        read_events(EventLogSpec(file=str(p)), p, builtin(), list(builtin().nodes), ["artillery"])
    listed = "".join(
        f"\n  line {k + 2}, column 'lon': expected a number from -180 to 180, got '{200 + k}'"
        for k in range(10)
    )
    assert str(info.value) == f"{p}: 12 bad row(s):{listed}\n  ... and 2 more"


def test_an_empty_log_is_refused(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text("")
    with pytest.raises(EventLogError) as info:
        read_events(EventLogSpec(file=str(p)), p, builtin(), list(builtin().nodes))
    assert str(info.value) == f"{p} is empty; expected a header line of column names"


def test_precision_codes_may_be_left_empty_but_must_be_numbers(tmp_path):
    rows = [f"1,1/2/2019 12:00:00 AM,{TORETSK[0]},{TORETSK[1]},,1,2"]
    (tmp_path / "events.csv").write_text(UCDP_HEADER + "\n".join(rows) + "\n")
    spec = EventLogSpec(file="events.csv", format="ucdp")
    g = builtin()
    assert len(read_events(spec, tmp_path / "events.csv", g, list(g.nodes))) == 1
    rows.append(f"2,1/2/2019 12:00:00 AM,{TORETSK[0]},{TORETSK[1]},1,x,2")
    (tmp_path / "events.csv").write_text(UCDP_HEADER + "\n".join(rows) + "\n")
    with pytest.raises(EventLogError, match=r"1 bad row\(s\):\n  line 3, column 'date_prec': "):
        read_events(spec, tmp_path / "events.csv", g, list(g.nodes))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9/4/2019", (dt.datetime(2019, 9, 4), False)),
        ("09/04/2019 14:30", (dt.datetime(2019, 9, 4, 14, 30), True)),
        ("9/4/2019 2:30:15 PM", (dt.datetime(2019, 9, 4, 14, 30, 15), True)),
        ("9/4/2019 12:00:00 AM", (dt.datetime(2019, 9, 4), False)),
        ("04 September 2019", (dt.datetime(2019, 9, 4), False)),
    ],
)
def test_us_and_acled_dates_are_read_with_their_time_of_day(text, expected):
    assert parse_event_time(text) == expected


def test_align_start_without_a_window_starts_the_run_at_the_first_event_s_midnight(tmp_path):
    minimal_log(
        tmp_path,
        [
            f"2017-06-05T10:00,{CHASIV_YAR[0]},{CHASIV_YAR[1]},artillery,UA,",
            f"2017-06-03T06:30,{TORETSK[0]},{TORETSK[1]},artillery,RU,",
        ],
    )
    v = drawn(scenario(tmp_path, {"align": "start"}), 0, 1)
    assert sorted(v["time"].tolist()) == [390.0, 2 * DAY + 600.0]
