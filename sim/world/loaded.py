"""A scenario with its network: loading and the checks that need the graph.

:func:`load_scenario` reads a scenario file (:mod:`sim.scenario.loader`),
builds the line-of-contact graph it names (:mod:`sim.world.network`) and
checks every node, type and staffing reference against it. Every problem
becomes a :class:`~sim.scenario.ScenarioError` that names the file, the line,
the key path and what was expected.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

import networkx as nx

from ..records import PARTIES
from ..scenario.errors import SourceMap
from ..scenario.loader import merge, parse_scenario, read_chain
from ..scenario.schema import Scenario
from . import network as netmod
from .eventlog import EventLogError, EventTable, minutes_since, read_events
from .violations import TypeTable
from .frontline import read_front_line


class LoadedScenario:
    """A validated scenario with its network and where it came from.

    Attributes
    ----------
    scenario : Scenario
        The frozen description.
    graph : networkx.Graph
        The line-of-contact graph the scenario names, with node and edge
        attributes normalised by :mod:`sim.world.network`.
    path : pathlib.Path or None
        The scenario file.
    base_dir : pathlib.Path
        Directory that relative paths in the scenario (``network.file``,
        ``violations.replay.file``) are resolved against.
    inputs : dict
        Every file read to make it (each file of the ``extends`` chain, the
        network file): absolute path to the SHA-256 digest of its content.
    warnings : list of str
        What is allowed but probably not meant (e.g. sectors no team can
        reach), each naming the file and key; the CLI prints them.
    sources : SourceMap or None
        Where each key was written, for later checks' messages.
    replay : EventTable or None
        The events ``violations.replay`` names, read and placed on the graph.
    replay_minutes : numpy.ndarray or None
        Their times (or the start of their day) in minutes since the start of the run.
    """

    def __init__(
        self,
        scenario: Scenario,
        graph: nx.Graph,
        path: Path | None,
        base_dir: Path | None = None,
        inputs: dict[str, str] | None = None,
        warnings: list[str] | None = None,
        sources: SourceMap | None = None,
    ):
        self.scenario = scenario
        self.sources = sources
        self.graph = graph
        self.inputs = dict(inputs or {})
        self.warnings = list(warnings or [])
        self.path = path
        self.base_dir = (
            Path(base_dir)
            if base_dir is not None
            else (path.parent if path is not None else Path.cwd())
        )
        self.replay: EventTable | None = None
        self.replay_minutes = None

    @property
    def network_sha256(self) -> str | None:
        """The digest of the network file's content as read (None: no file)."""
        spec = self.scenario.network
        if spec.file is None:
            return None
        return self.inputs.get(str((self.base_dir / spec.file).resolve()))

    def __repr__(self) -> str:
        return f"LoadedScenario({self.scenario.name!r}, nodes={self.graph.number_of_nodes()})"


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> LoadedScenario:
    """Read, merge (``extends``), validate and check a scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    overrides : dict, optional
        Extra values deep-merged over the file, as if written in it.

    Returns
    -------
    LoadedScenario

    Raises
    ------
    ScenarioError
        Naming the file, the key path and what was expected.
    """
    path = Path(path)
    files: dict[str, str] = {}
    data, origin = read_chain(path, files=files)
    if overrides:
        data = merge(data, overrides)
    return _with_network(data, SourceMap(str(path), origin), path, files)


def scenario_from_dict(
    data: dict[str, Any], base_dir: str | Path = ".", label: str | None = None
) -> LoadedScenario:
    """Validate a scenario given as a mapping (e.g. built in a notebook).

    ``label`` names it in messages instead of ``<base_dir>/<dict>``.
    """
    path = Path(base_dir) / "<dict>"
    return _with_network(dict(data), SourceMap(label or str(path)), path)


def _with_network(
    data: dict[str, Any], sources: SourceMap, path: Path, files: dict[str, str] | None = None
) -> LoadedScenario:
    scen = parse_scenario(data, sources)
    inputs = dict(files or {})
    graph = build_network(scen, sources, path.parent, inputs)
    add_front_line(scen, graph, sources, path.parent)
    add_protected_sites(scen, graph, sources)
    warnings = check_against_network(scen, graph, sources)
    real = path if path.name != "<dict>" else None
    loaded = LoadedScenario(scen, graph, real, path.parent, inputs, warnings, sources)
    if scen.violations.replay is not None:
        loaded.replay, loaded.replay_minutes = read_replay(scen, graph, sources, path.parent)
        log = Path(scen.violations.replay.file)
        log = log if log.is_absolute() else path.parent / log
        # the log's content is part of what a sweep point depends on (its fingerprint)
        loaded.inputs[str(log.resolve())] = hashlib.sha256(log.read_bytes()).hexdigest()
    return loaded


def read_replay(
    scen: Scenario, graph: nx.Graph, sources: SourceMap, base_dir: Path
) -> tuple[EventTable, object]:
    """The events of ``violations.replay``, placed on the graph, and their times in
    minutes since the start of the run (see :mod:`sim.world.eventlog`)."""
    spec = scen.violations.replay
    f = Path(spec.file)
    if not f.is_absolute():
        f = base_dir / f
    cal = scen.calendar
    offset = cal.offset if cal is not None else None
    names = TypeTable.from_spec(scen.violations).names
    try:
        kwargs = {} if offset is None else {"offset": offset}
        table = read_events(spec, f, graph, list(graph.nodes), names, **kwargs)
    except EventLogError as exc:
        raise sources.error(("violations", "replay", "file"), str(exc)) from None
    if spec.align == "calendar":
        anchor = cal.start if cal is not None else None
    else:
        anchor = spec.window_start
    return table, minutes_since(table, anchor)


def build_network(
    scen: Scenario, sources: SourceMap, base_dir: Path, inputs: dict[str, str] | None = None
) -> nx.Graph:
    """The graph ``scen.network`` names (a file is relative to ``base_dir``); a file
    read is added to ``inputs`` (path to SHA-256 digest)."""
    spec = scen.network
    try:
        if spec.source == "file":
            f = Path(spec.file)
            if not f.is_absolute():
                f = base_dir / f
            graph, digest = netmod.read_graph_file(f, spec.format)
            if inputs is not None:
                inputs[str(f.resolve())] = digest
            return graph
        if spec.source == "synthetic":
            s = spec.synthetic
            return netmod.synthetic_line(
                s.sectors, depth=s.depth, spacing_km=s.spacing_km, bases_every=s.bases_every
            )
        return netmod.builtin(spec.builtin or netmod.DEFAULT_NETWORK)
    except netmod.NetworkError as exc:
        raise sources.error(("network", spec.source), str(exc)) from None


def add_front_line(scen: Scenario, graph: nx.Graph, sources: SourceMap, base_dir: Path) -> None:
    """Keep the lines of ``network.front_line`` and ``network.borders`` with the graph
    (``graph.graph``), so that the run's network.json, and the maps drawn from it,
    carry them."""
    for key, what, polygons in (("front_line", "front-line", False), ("borders", "borders", True)):
        name = getattr(scen.network, key)
        if name is None:
            continue
        f = Path(name)
        try:
            graph.graph[key] = read_front_line(
                f if f.is_absolute() else base_dir / f, what, polygons
            )
        except ValueError as exc:
            raise sources.error(("network", key), str(exc)) from None


def add_protected_sites(scen: Scenario, graph: nx.Graph, sources: SourceMap) -> None:
    """Mark the moratorium's sites on the graph (``site_class``); a new site becomes an
    energy node joined to the nearest node with coordinates."""
    if scen.moratorium is None:
        return
    placed = [(n, d["lat"], d["lon"]) for n, d in graph.nodes(data=True) if "lat" in d]
    for i, site in enumerate(scen.moratorium.sites):
        path = ("moratorium", "sites", i)
        if site.node is not None:
            if site.node not in graph:
                raise sources.error(
                    (*path, "node"),
                    f"{site.node!r} is not a node of the network; {node_hint(graph, site.node)}",
                )
            graph.nodes[site.node]["site_class"] = site.site_class
            continue
        if site.id in graph:
            raise sources.error(
                (*path, "id"), f"{site.id!r} is already a node; use node: {site.id!r} instead"
            )
        if not placed:
            raise sources.error(
                (*path, "id"),
                "a new site needs a network with lat/lon coordinates to be joined to; "
                "expected an existing node (node:) on this network",
            )
        near, km = min(
            ((n, netmod.haversine_km(site.lat, site.lon, la, lo)) for n, la, lo in placed),
            key=lambda x: x[1],
        )
        graph.add_node(
            site.id,
            kind="energy",
            side=site.side,
            weight=0.0,
            strike_weight=site.strike_weight,
            lat=site.lat,
            lon=site.lon,
            region=site.region or graph.nodes[near].get("region", ""),
            site_class=site.site_class,
        )
        graph.add_edge(site.id, near, length_km=km)


def node_hint(graph: nx.Graph, name: str, kinds: tuple[str, ...] | None = None) -> str:
    """A hint for a node name that is not in ``graph``: close names, or some known ones."""
    nodes = [str(n) for n, k in graph.nodes(data="kind") if kinds is None or k in kinds]
    close = difflib.get_close_matches(str(name), nodes, n=3)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    shown = ", ".join(sorted(nodes)[:12])
    more = " ..." if len(nodes) > 12 else ""
    return f"known nodes: {shown}{more}"


class _NodeCheck:
    """Checks that a name is a node of the graph, of the right kind."""

    def __init__(self, graph: nx.Graph, sources: SourceMap):
        self.graph = graph
        self.sources = sources

    def __call__(
        self, path: tuple[Any, ...], name: str, kinds: tuple[str, ...] | None = None
    ) -> None:
        graph = self.graph
        if name not in graph:
            raise self.sources.error(
                path, f"{name!r} is not a node of the network; {node_hint(graph, name, kinds)}"
            )
        if kinds is not None and graph.nodes[name]["kind"] not in kinds:
            raise self.sources.error(
                path,
                f"{name!r} is a {graph.nodes[name]['kind']} node; expected a node of kind "
                f"{' or '.join(kinds)}",
            )


def check_against_network(scen: Scenario, graph: nx.Graph, sources: SourceMap) -> list[str]:
    """Refuse a scenario whose references do not fit its network (see docs/scenarios.md);
    return the warnings (what is allowed but probably not meant)."""
    need_node = _NodeCheck(graph, sources)
    _check_violations(scen, graph, sources, need_node)
    _check_scripted(scen, graph, sources, need_node)
    _check_regions(scen, graph, sources)
    _check_reporting(scen, sources, need_node)
    _check_desks(scen, sources)
    _check_teams(scen, graph, sources, need_node)
    _check_findings(scen, sources)
    return team_reach_warnings(scen, graph, sources)


def _check_findings(scen: Scenario, sources: SourceMap) -> None:
    types = [*scen.violations.types, "long_range_strike"]
    for name in scen.findings.direction_by_type:
        if name not in types:
            raise sources.error(
                ("findings", "direction_by_type", name),
                f"{name!r} is not a violation type; expected one of {', '.join(types)}",
            )


def _check_violations(scen: Scenario, graph: nx.Graph, sources: SourceMap, need_node) -> None:
    sectors = [n for n, k in graph.nodes(data="kind") if k == "sector"]
    if not sectors:
        raise sources.error(("network",), "the network has no node of kind 'sector'")
    v = scen.violations
    for name in v.hotspots:
        need_node(("violations", "hotspots", name), name, ("sector",))
    weights = [v.hotspots.get(n, graph.nodes[n]["weight"]) for n in sectors]
    if v.rate_per_day > 0 and sum(weights) <= 0:
        raise sources.error(
            ("violations", "hotspots"),
            "all sector weights are zero, so no violation can happen; "
            "expected at least one sector with weight > 0",
        )
    if v.long_range_strikes.rate_per_day > 0:
        if not any(w > 0 for _, w in graph.nodes(data="strike_weight")):
            raise sources.error(
                ("violations", "long_range_strikes", "rate_per_day"),
                "strikes are configured but no node has strike_weight > 0",
            )


STRIKE_TARGETS = ("city", "energy")


def _check_scripted(scen: Scenario, graph: nx.Graph, sources: SourceMap, need_node) -> None:
    """A scripted violation of a line type happens at a sector; a scripted strike at a
    rear target (a city or energy node with ``strike_weight`` > 0)."""
    v = scen.violations
    known_types = set(v.types)
    for i, sv in enumerate(v.scripted):
        where = ("violations", "scripted", i)
        if sv.type not in known_types and sv.type != "long_range_strike":
            raise sources.error(
                (*where, "type"),
                f"unknown violation type {sv.type!r}; expected one of "
                f"{', '.join(sorted(known_types | {'long_range_strike'}))}",
            )
        need_node((*where, "node"), sv.node)
        kind = graph.nodes[sv.node]["kind"]
        if sv.type != "long_range_strike" and kind != "sector":
            raise sources.error(
                (*where, "node"),
                f"a violation of type {sv.type} happens on the line of contact, but "
                f"{sv.node!r} is a {kind} node; expected a sector node (or type: "
                "long_range_strike for a strike on a rear target)",
            )
        if sv.type == "long_range_strike" and (
            kind not in STRIKE_TARGETS or graph.nodes[sv.node]["strike_weight"] <= 0
        ):
            raise sources.error(
                (*where, "node"),
                f"a long-range strike hits a rear target, but {sv.node!r} is a {kind} node with "
                f"strike_weight {graph.nodes[sv.node]['strike_weight']:g}; expected a city or "
                "energy node with strike_weight > 0 (or a line type such as "
                f"{sorted(known_types)[0]} for a violation at a sector)",
            )
        if sv.time >= scen.horizon:
            raise sources.error(
                (*where, "time"),
                "is at or after the horizon; expected a time within the run",
            )


def _check_regions(scen: Scenario, graph: nx.Graph, sources: SourceMap) -> None:
    """Scheduled changes name regions the network's sectors have."""
    regions = sorted(
        {str(d.get("region", "")) for _, d in graph.nodes(data=True) if d["kind"] == "sector"}
    )
    for i, change in enumerate(scen.violations.schedule):
        for j, name in enumerate(change.regions):
            if name not in regions:
                close = difflib.get_close_matches(name, regions, n=2)
                hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
                raise sources.error(
                    ("violations", "schedule", i, "regions", j),
                    f"no sector of the network is in region {name!r}; {hint}the regions are "
                    f"{', '.join(repr(r) for r in regions if r) or 'none (no region attribute)'}",
                )


def _check_reporting(scen: Scenario, sources: SourceMap, need_node) -> None:
    known_types = set(scen.violations.types) | {"long_range_strike"}
    for ch in ("affected", "accused", "technical", "civilian"):
        spec = getattr(scen.reporting.channels, ch)
        places = [(("by_type",), spec.by_type)]
        places += [(("by_party", p, "by_type"), po.by_type) for p, po in spec.by_party.items()]
        for where, by_type in places:
            for t in by_type:
                if t not in known_types:
                    raise sources.error(
                        ("reporting", "channels", ch, *where, t),
                        f"unknown violation type {t!r}; expected one of "
                        f"{', '.join(sorted(known_types))}",
                    )
    for name in scen.reporting.channels.technical.coverage:
        need_node(("reporting", "channels", "technical", "coverage", name), name)


def _check_desks(scen: Scenario, sources: SourceMap) -> None:
    for party in PARTIES:
        desk = getattr(scen.center.desks, party)
        if max(desk.staffing()) == 0:
            what = "shifts" if desk.shifts is not None else "officers"
            raise sources.error(
                ("center", "desks", party, what),
                f"the {party} desk has no officer on duty at any hour; expected at least one "
                "shift with officers > 0",
            )


def _check_teams(scen: Scenario, graph: nx.Graph, sources: SourceMap, need_node) -> None:
    t = scen.teams
    for i, b in enumerate(t.bases):
        need_node(("teams", "bases", i, "node"), b.node)
    if t.enabled and t.total > 0:
        comps = list(nx.connected_components(graph))
        if len(comps) > 1:
            main = max(comps, key=len)
            cut = sorted(n for c in comps if c is not main for n in c)
            raise sources.error(
                ("network",),
                f"the network is disconnected ({len(comps)} parts): teams cannot travel to "
                f"{', '.join(cut[:8])}{' ...' if len(cut) > 8 else ''}; expected a connected graph "
                "when teams are used (add roads, or set teams.enabled: false)",
            )


def team_reach_warnings(scen: Scenario, graph: nx.Graph, sources: SourceMap) -> list[str]:
    """A warning naming the sectors no team can reach: beyond every base's
    ``teams.max_travel_km`` (or no road to them), or no team at all."""
    t = scen.teams
    if not t.enabled:
        return []
    sectors = sorted(str(n) for n, k in graph.nodes(data="kind") if k == "sector")
    bases = [b.node for b in t.bases if b.count > 0]
    if not bases:
        return [
            str(
                sources.error(
                    ("teams", "bases"),
                    "teams are enabled but no base has a team, so no incident will be visited; "
                    "expected a base with count > 0 (or teams.enabled: false)",
                )
            )
        ]
    dist = nx.multi_source_dijkstra_path_length(graph, bases, weight="length_km")
    limit = t.max_travel_km if t.max_travel_km is not None else float("inf")
    far = [n for n in sectors if dist.get(n, float("inf")) > limit]
    if not far:
        return []
    shown = ", ".join(far[:10]) + (" ..." if len(far) > 10 else "")
    key = ("teams", "max_travel_km") if t.max_travel_km is not None else ("teams", "bases")
    return [
        str(
            sources.error(
                key,
                f"{len(far)} of {len(sectors)} sectors are out of every team's range "
                f"({limit:g} km by road from the nearest base with a team): {shown}; incidents "
                "there are assessed without a visit (reason out_of_range). Move or add bases, "
                "or raise teams.max_travel_km, if that is not meant",
            )
        )
    ]
