"""Loading scenario files: YAML, ``extends``, validation, checks against the network.

Every problem becomes a :class:`~sim.scenario.ScenarioError` that names the
file, the line, the key path and what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from pydantic import BaseModel, ValidationError

from . import network as netmod
from .scenario import PARTIES, Scenario, ScenarioError


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = str(part)
            if part in {d for d in _DIST_TAGS}:
                continue  # discriminated-union tag, not a key the user wrote
            if part.startswith("function-") or part.startswith("constrained-"):
                continue
            out += ("." if out else "") + part
    return out


_DIST_TAGS = ("fixed", "exponential", "uniform", "triangular", "lognormal", "gamma", "empirical")


def _friendly(err: dict[str, Any]) -> str:
    typ = err.get("type", "")
    msg = err.get("msg", "invalid value")
    inp = err.get("input")
    if typ == "extra_forbidden":
        loc = tuple(err.get("loc", ()))
        keys = _allowed_keys(loc[:-1]) if loc else None
        if keys:
            import difflib

            close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown key{hint}; the keys allowed here are: {', '.join(keys)}"
        return "unknown key (check the spelling; see docs/scenarios.md for the keys allowed here)"
    if typ == "missing":
        return "required key is missing"
    if typ == "union_tag_invalid" or typ == "union_tag_not_found":
        return (
            "expected a distribution: a duration such as '10min' or a mapping with "
            f"dist: one of {', '.join(_DIST_TAGS)}; got {inp!r}"
        )
    if typ == "literal_error":
        return f"{msg}; got {inp!r}"
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value pairs), got {_kind(inp)}"
    if typ == "list_type":
        return f"expected a list (items starting with '- '), got {_kind(inp)}"
    msg = msg.removeprefix("Value error, ")
    if inp is not None and not isinstance(inp, (dict, list)) and "got " not in msg:
        return f"{msg}; got {inp!r}"
    return msg


def _allowed_keys(loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> list[str] | None:
    """The keys a mapping at ``loc`` may hold, following the schema (None if unknown)."""
    import types as _types
    import typing

    model: Any = root or Scenario
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        ann = field.annotation
        while True:
            origin = typing.get_origin(ann)
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if origin in (typing.Union, _types.UnionType) and len(args) == 1:
                ann = args[0]
            elif origin in (list, dict) and args:
                if parts:
                    parts.pop(0)  # the list index or the mapping's own key
                ann = args[-1]
            else:
                break
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return [f.alias or name for name, f in model.model_fields.items()]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _compose_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            _compose_lines(v, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _compose_lines(v, path + (i,), out)


def _no_duplicate_keys(node: yaml.Node | None, file: str, path: tuple[Any, ...] = ()) -> None:
    """Refuse a mapping that repeats a key (YAML would silently keep the last one)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for k, v in node.value:
            key = k.value
            if key in seen:
                raise ScenarioError(
                    file,
                    _loc_to_path(path + (key,)),
                    f"the key appears twice (first on line {seen[key]}); YAML would silently "
                    "keep only the last one, so merge the two",
                    k.start_mark.line + 1,
                )
            seen[key] = k.start_mark.line + 1
            _no_duplicate_keys(v, file, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _no_duplicate_keys(v, file, path + (i,))


class _Doc:
    """A parsed YAML file with the line of every key path."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(str(path), "", "file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(path), "", f"cannot read the file: {exc}") from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            _no_duplicate_keys(node, str(path))
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise ScenarioError(
                str(path),
                "",
                f"not valid YAML: {problem} (check the indentation and the ':' and '-' on this "
                "line and the one before)",
                line,
            ) from None
        if self.data is None:
            raise ScenarioError(
                str(path), "", "the file is empty; expected a mapping of scenario keys"
            )
        if not isinstance(self.data, dict):
            raise ScenarioError(
                str(path), "", "expected a mapping of scenario keys at the top level"
            )
        self.lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            _compose_lines(node, (), self.lines)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; lists and scalars in ``over`` replace those in ``base``."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _read_chain(
    path: Path, seen: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], dict[tuple[Any, ...], tuple[str, int]]]:
    path = path.resolve() if path.is_absolute() else path
    key = path.resolve()
    if key in seen:
        chain = " -> ".join(str(p) for p in seen + (key,))
        raise ScenarioError(str(path), "extends", f"circular extends: {chain}")
    doc = _Doc(path)
    data = dict(doc.data)
    origin: dict[tuple[Any, ...], tuple[str, int]] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str):
            raise ScenarioError(
                str(path),
                "extends",
                f"expected a file name such as baseline.yaml, got {parent!r}",
                doc.lines.get(("extends",)),
            )
        ppath = Path(os.path.normpath(path.parent / parent))
        if not ppath.exists():
            raise ScenarioError(
                str(path),
                "extends",
                f"the scenario it extends, {ppath}, does not exist",
                doc.lines.get(("extends",)),
            )
        pdata, porigin = _read_chain(ppath, seen + (key,))
        # Where this file replaces a list or a scalar, lines of the parent below it
        # no longer describe what is loaded.
        replaced = [p for p in doc.lines if p and not isinstance(_get(data, p), dict)]
        for p in replaced:
            for q in [q for q in porigin if len(q) > len(p) and q[: len(p)] == p]:
                del porigin[q]
        data = _merge(pdata, data)
        origin.update(porigin)
    origin.update({p: (str(doc.path), line) for p, line in doc.lines.items()})
    return data, origin


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class LoadedScenario:
    """A validated scenario with its network and where it came from.

    Attributes
    ----------
    scenario : Scenario
        The frozen description.
    graph : networkx.Graph
        The line-of-contact graph the scenario names, with node and edge
        attributes normalised by :mod:`sim.network`.
    path : pathlib.Path or None
        The scenario file.
    base_dir : pathlib.Path
        Directory that relative paths in the scenario (``network.file``) are
        resolved against.
    """

    def __init__(
        self, scenario: Scenario, graph: nx.Graph, path: Path | None, base_dir: Path | None = None
    ):
        self.scenario = scenario
        self.graph = graph
        self.path = path
        self.base_dir = (
            Path(base_dir)
            if base_dir is not None
            else (path.parent if path is not None else Path.cwd())
        )

    def __repr__(self) -> str:
        return f"LoadedScenario({self.scenario.name!r}, nodes={self.graph.number_of_nodes()})"


def _fail_at(file: str, origin, path: tuple[Any, ...], message: str) -> ScenarioError:
    probe = path
    while probe and probe not in origin:
        probe = probe[:-1]
    f, line = origin.get(probe, (file, None))
    return ScenarioError(f, _loc_to_path(path), message, line)


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
    data, origin = _read_chain(path)
    if overrides:
        data = _merge(data, overrides)
    return _validate(data, origin, path)


def scenario_from_dict(data: dict[str, Any], base_dir: str | Path = ".") -> LoadedScenario:
    """Validate a scenario given as a mapping (e.g. built in a notebook)."""
    return _validate(dict(data), {}, Path(base_dir) / "<dict>")


def _validate(data: dict[str, Any], origin, path: Path) -> LoadedScenario:
    file = str(path)
    try:
        scen = Scenario.model_validate(data)
    except ValidationError as exc:
        # An unknown key usually explains a "missing" one next to it: report it first.
        errs = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        first = errs[0]
        err = _fail_at(file, origin, tuple(first["loc"]), _friendly(first))
        if len(errs) > 1:
            more = [f"  {_loc_to_path(tuple(e['loc']))}: {_friendly(e)}" for e in errs[1:6]]
            err.message += "\nalso:\n" + "\n".join(more)
        raise err from None
    graph = _build_network(scen, file, origin, path.parent)
    _check_against_network(scen, graph, file, origin)
    return LoadedScenario(scen, graph, path if path.name != "<dict>" else None, path.parent)


def _build_network(scen: Scenario, file: str, origin, base_dir: Path) -> nx.Graph:
    spec = scen.network
    try:
        if spec.source == "file":
            f = Path(spec.file)
            if not f.is_absolute():
                f = base_dir / f
            return netmod.load_graph(f, spec.format)
        if spec.source == "synthetic":
            s = spec.synthetic
            return netmod.synthetic_line(
                s.sectors, depth=s.depth, spacing_km=s.spacing_km, bases_every=s.bases_every
            )
        return netmod.builtin(spec.builtin or netmod.DEFAULT_NETWORK)
    except netmod.NetworkError as exc:
        key = ("network", spec.source)
        raise _fail_at(file, origin, key, str(exc)) from None


def _node_hint(graph: nx.Graph, name: str, kinds: tuple[str, ...] | None = None) -> str:
    import difflib

    nodes = [str(n) for n, k in graph.nodes(data="kind") if kinds is None or k in kinds]
    close = difflib.get_close_matches(str(name), nodes, n=3)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    shown = ", ".join(sorted(nodes)[:12])
    more = " ..." if len(nodes) > 12 else ""
    return f"known nodes: {shown}{more}"


def _check_against_network(scen: Scenario, graph: nx.Graph, file: str, origin) -> None:
    sectors = [n for n, k in graph.nodes(data="kind") if k == "sector"]
    if not sectors:
        raise _fail_at(file, origin, ("network",), "the network has no node of kind 'sector'")

    def need_node(path: tuple[Any, ...], name: str, kinds: tuple[str, ...] | None = None) -> None:
        if name not in graph:
            raise _fail_at(
                file,
                origin,
                path,
                f"{name!r} is not a node of the network; {_node_hint(graph, name, kinds)}",
            )
        if kinds is not None and graph.nodes[name]["kind"] not in kinds:
            raise _fail_at(
                file,
                origin,
                path,
                f"{name!r} is a {graph.nodes[name]['kind']} node; expected a node of kind "
                f"{' or '.join(kinds)}",
            )

    for name in scen.violations.hotspots:
        need_node(("violations", "hotspots", name), name, ("sector",))
    v = scen.violations
    weights = [v.hotspots.get(n, graph.nodes[n]["weight"]) for n in sectors]
    if v.rate_per_day > 0 and sum(weights) <= 0:
        raise _fail_at(
            file,
            origin,
            ("violations", "hotspots"),
            "all sector weights are zero, so no violation can happen; "
            "expected at least one sector with weight > 0",
        )
    if v.long_range_strikes.rate_per_day > 0:
        if not any(w > 0 for _, w in graph.nodes(data="strike_weight")):
            raise _fail_at(
                file,
                origin,
                ("violations", "long_range_strikes", "rate_per_day"),
                "strikes are configured but no node has strike_weight > 0",
            )
    known_types = set(v.types)
    for i, sv in enumerate(v.scripted):
        if sv.type not in known_types and sv.type != "long_range_strike":
            raise _fail_at(
                file,
                origin,
                ("violations", "scripted", i, "type"),
                f"unknown violation type {sv.type!r}; expected one of "
                f"{', '.join(sorted(known_types | {'long_range_strike'}))}",
            )
        need_node(("violations", "scripted", i, "node"), sv.node)
        if sv.time >= scen.horizon:
            raise _fail_at(
                file,
                origin,
                ("violations", "scripted", i, "time"),
                "is at or after the horizon; expected a time within the run",
            )
    for ch in ("affected", "accused", "technical", "civilian"):
        spec = getattr(scen.reporting.channels, ch)
        for t in spec.by_type:
            if t not in known_types and t != "long_range_strike":
                raise _fail_at(
                    file,
                    origin,
                    ("reporting", "channels", ch, "by_type", t),
                    f"unknown violation type {t!r}; expected one of "
                    f"{', '.join(sorted(known_types | {'long_range_strike'}))}",
                )
    for name in scen.reporting.channels.technical.coverage:
        need_node(("reporting", "channels", "technical", "coverage", name), name)

    for party in PARTIES:
        desk = getattr(scen.center.desks, party)
        if max(desk.staffing()) == 0:
            what = "shifts" if desk.shifts is not None else "officers"
            raise _fail_at(
                file,
                origin,
                ("center", "desks", party, what),
                f"the {party} desk has no officer on duty at any hour; expected at least one "
                "shift with officers > 0",
            )

    t = scen.teams
    for i, b in enumerate(t.bases):
        need_node(("teams", "bases", i, "node"), b.node)
    if t.enabled and t.total > 0:
        comps = list(nx.connected_components(graph))
        if len(comps) > 1:
            main = max(comps, key=len)
            cut = sorted(n for c in comps if c is not main for n in c)
            raise _fail_at(
                file,
                origin,
                ("network",),
                f"the network is disconnected ({len(comps)} parts): teams cannot travel to "
                f"{', '.join(cut[:8])}{' ...' if len(cut) > 8 else ''}; expected a connected graph "
                "when teams are used (add roads, or set teams.enabled: false)",
            )
