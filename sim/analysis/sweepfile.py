"""Sweep and optimize files: a base scenario and the points to run.

A sweep file names a base scenario and either a grid of parameters (by key
path, e.g. ``teams.bases[0].count: [2, 4, 6]``) or a list of explicit
variants; :func:`expand` turns it into points, each a validated scenario.
An optimize file adds service targets and costs (see :mod:`sim.analysis.optimize`).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..scenario.bounds import NAME_MAX, check_name
from ..scenario.errors import ScenarioError, allowed_keys, friendly_message, key_path
from ..scenario.inheritance import choose_alternative
from ..scenario.schema import Scenario
from ..scenario.yamlfile import YamlDoc
from ..world import LoadedScenario, load_scenario, scenario_from_dict

# --------------------------------------------------------------------------- files


class _Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", frozen=True)


SWEEP_NAME_MAX = NAME_MAX - 8
"""A sweep's points are scenarios named ``<sweep>-<k>``, which must stay valid names."""


class LinkedParameter(_Strict):
    """One parameter that sets several key paths to the same value."""

    paths: list[str] = Field(min_length=1)
    """Key paths set together, e.g. the night shift of all three desks."""
    values: list[Any] = Field(min_length=1)
    """Values to try."""


class Variant(_Strict):
    """An explicit point: a name and the key paths it sets."""

    name: str
    """Short name of the variant."""
    set: dict[str, Any] = Field(min_length=1)
    """Key path -> value."""


class SweepSpec(_Strict):
    """A sweep file."""

    name: str
    """Name (letters, digits, ``_.-``); results go to ``results/sweeps/<name>/``."""
    description: str = ""
    """What the sweep asks."""
    base: str
    """Base scenario file, relative to the sweep file."""
    replications: int = Field(10, ge=2, le=100_000)
    """Replications per point (the same for every point)."""
    seed: int | None = Field(None, ge=0)
    """Root seed (default: the base scenario's)."""
    grid: dict[str, list[Any] | LinkedParameter] = {}
    """Parameters to vary: key path -> values, or a name -> {paths, values}; every
    combination is a point."""
    variants: list[Variant] = []
    """Explicit points instead of a grid."""
    metrics: list[str] = []
    """Metrics the printed table, figures and report show (default: those the swept
    keys affect; the CSV always holds every metric)."""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        check_name(v)
        if len(v) > SWEEP_NAME_MAX:
            raise ValueError(f"is {len(v)} characters long; expected at most {SWEEP_NAME_MAX}")
        return v

    @model_validator(mode="after")
    def _one(self) -> "SweepSpec":
        if bool(self.grid) == bool(self.variants):
            raise ValueError("give exactly one of grid or variants")
        names = [v.name for v in self.variants]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"variant names must differ; repeated: {', '.join(dup)}")
        for key, vals in self.grid.items():
            if isinstance(vals, list) and not vals:
                raise ValueError(f"grid.{key}: give at least one value")
        return self


class Constraint(_Strict):
    """A service target a configuration must meet with 95% confidence."""

    max: float | str | None = None
    """Upper limit (a duration for time metrics, a fraction for shares)."""
    min: float | str | None = None
    """Lower limit."""

    @model_validator(mode="after")
    def _one(self) -> "Constraint":
        if (self.max is None) == (self.min is None):
            raise ValueError("give exactly one of max or min")
        return self


class Costs(_Strict):
    """Relative cost of one desk officer position and one team member."""

    officer: float = Field(1.0, ge=0)
    """Cost of one officer position on a daily shift plan."""
    team_member: float = Field(1.0, ge=0)
    """Cost of one team member."""


class OptimizeSpec(SweepSpec):
    """A staffing search: a sweep grid plus targets and costs."""

    constraints: dict[str, Constraint] = Field(min_length=1)
    """Metric -> limit, e.g. ``response_p90: {max: 6h}``, ``verification_rate: {min: 0.7}``."""
    costs: Costs = Costs()
    """Costs used to rank configurations."""
    team_size: int = Field(6, ge=1, le=1000)
    """Members per joint team."""
    max_points: int = Field(200, ge=1)
    """Stop after evaluating this many points."""


# --------------------------------------------------------------------------- key paths

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """Split ``a.b[1].c`` into ``["a", "b", 1, "c"]``.

    Examples
    --------
    >>> parse_path("teams.bases[0].count")
    ['teams', 'bases', 0, 'count']
    """
    out: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        gap = path[pos : m.start()]
        if gap not in ("", "."):
            raise ValueError(f"cannot read the key path {path!r}")
        out.append(int(m.group(2)) if m.group(2) is not None else m.group(1))
        pos = m.end()
    if not out or path[pos:] not in ("",):
        raise ValueError(f"cannot read the key path {path!r}")
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a key path inside nested dicts and lists (in place).

    Every step but the last must exist, except keys of open mappings (whose
    keys are names, such as ``by_party`` or ``hotspots``), which are created;
    the last may add a new key to a mapping (the scenario check then says
    whether it is allowed).
    """
    parts = parse_path(path)
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = key_path(tuple(parts[:i])) or "the scenario"
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ValueError(f"{where} is not a list")
            if part >= len(node):
                raise ValueError(f"{where} has only {len(node)} item(s) (indices start at 0)")
        else:
            if not isinstance(node, dict):
                raise ValueError(f"{where} is not a mapping")
            if part not in node and not last:
                if allowed_keys(tuple(parts[: i + 1]), Scenario) is not None:
                    node[part] = {}  # a new entry of a mapping of names
                else:
                    keys = ", ".join(sorted(map(str, node)))
                    raise ValueError(f"{part!r} is not a key of {where} (keys: {keys})")
        if last:
            if isinstance(part, str) and value is not None:
                choose_alternative(node, part)  # officers replaces shifts, file builtin
            node[part] = value
        else:
            node = node[part]


# --------------------------------------------------------------------------- points


class Point:
    """One configuration of a sweep: its parameters and validated scenario.

    ``inputs`` maps every file the point is made from (the base scenario and
    the files it extends, the network file) to the SHA-256 digest of its
    content, so that a stored result can tell when one of them changed.
    """

    def __init__(
        self,
        index: int,
        label: str,
        params: dict[str, Any],
        loaded: LoadedScenario,
        inputs: dict[str, str] | None = None,
    ):
        self.index = index
        self.label = label
        self.params = params
        self.loaded = loaded
        self.inputs = {**(inputs or {}), **loaded.inputs}


# Keys only a scenario file has (a sweep file has base, grid or variants instead).
SCENARIO_KEYS = frozenset(
    {"extends", "horizon", "warmup", "network", "violations", "reporting", "center", "teams"}
)


def load_sweep(path: str | Path, kind: type[SweepSpec] = SweepSpec) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep (or optimize) file."""
    path = Path(path)
    doc = YamlDoc(path)
    what = "optimize" if issubclass(kind, OptimizeSpec) else "sweep"
    if "base" not in doc.data and SCENARIO_KEYS & set(doc.data):
        raise ScenarioError(
            str(path),
            "",
            f"this is a scenario file; use cfsim run {path} (a {what} file names a base "
            "scenario and a grid or variants: see docs/experiments.md)",
        )
    try:
        spec = kind.model_validate(doc.data)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = tuple(e["loc"])
        probe = loc
        while probe and probe not in doc.lines:
            probe = probe[:-1]
        raise ScenarioError(
            str(path), key_path(loc), friendly_message(e, kind), doc.lines.get(probe)
        ) from None
    check_parameters(spec, str(path), doc.lines)
    return spec, path


def check_parameters(spec: SweepSpec, file: str, lines: dict[tuple[Any, ...], int]) -> None:
    """Refuse parameters that would make points repeat: two that set the same key path
    (or one inside the other), and a value given twice."""
    sets: list[tuple[tuple[Any, ...], list[str | int], str]] = []  # (where, path, shown)
    for name, p in spec.grid.items():
        values = p.values if isinstance(p, LinkedParameter) else p
        where: tuple[Any, ...] = ("grid", name) + (
            ("values",) if isinstance(p, LinkedParameter) else ()
        )
        seen: dict[str, int] = {}
        for k, v in enumerate(values):
            text = json.dumps(v, sort_keys=True, default=str)
            if text in seen:
                raise ScenarioError(
                    file,
                    key_path(where + (k,)),
                    f"the value {v!r} is given twice (also item {seen[text]}); expected "
                    "distinct values, or the points they make are the same",
                    lines.get(where + (k,)) or lines.get(where),
                )
            seen[text] = k
        for path in p.paths if isinstance(p, LinkedParameter) else [name]:
            sets.append((("grid", name), _parts(path, file, ("grid", name), lines), path))
    _no_overlap(sets, file, lines)
    for k, v in enumerate(spec.variants):
        where = ("variants", k, "set")
        _no_overlap(
            [(where + (path,), _parts(path, file, where, lines), path) for path in v.set],
            file,
            lines,
        )


def _parts(path: str, file: str, where: tuple[Any, ...], lines) -> list[str | int]:
    try:
        return parse_path(path)
    except ValueError as exc:
        raise ScenarioError(file, key_path(where), str(exc), lines.get(where)) from None


def _no_overlap(sets, file: str, lines) -> None:
    for i, (where, parts, shown) in enumerate(sets):
        for where2, parts2, shown2 in sets[:i]:
            n = min(len(parts), len(parts2))
            if parts[:n] != parts2[:n]:
                continue
            same = "the same key path" if len(parts) == len(parts2) else "overlapping key paths"
            raise ScenarioError(
                file,
                key_path(where),
                f"sets {shown}, and {key_path(where2)} sets {shown2}: {same}; expected each "
                "key path set by one parameter, or the points would silently repeat",
                lines.get(where),
            )


def expand(spec: SweepSpec, sweep_path: Path) -> list[Point]:
    """The points of a sweep, each a validated scenario."""
    base_path = Path(os.path.normpath(sweep_path.parent / spec.base))
    if not base_path.exists():
        raise ScenarioError(
            str(sweep_path), "base", f"the base scenario {base_path} does not exist"
        )
    if not base_path.is_file():
        raise ScenarioError(
            str(sweep_path),
            "base",
            f"the base scenario {base_path} is not a regular file (a directory or a named "
            "pipe); expected a scenario file",
        )
    base = load_scenario(base_path)
    resolved = base.scenario.resolved()
    combos: list[tuple[str, dict[str, Any], dict[str, tuple[str, Any]]]] = []
    if spec.grid:
        names = list(spec.grid)
        value_lists = [
            v.values if isinstance(v, LinkedParameter) else v for v in spec.grid.values()
        ]
        for values in itertools.product(*value_lists):
            params = dict(zip(names, values))
            sets: dict[str, tuple[str, Any]] = {}  # path -> (sweep key, value)
            for name, value in params.items():
                p = spec.grid[name]
                for path in p.paths if isinstance(p, LinkedParameter) else [name]:
                    sets[path] = (f"grid.{name}", value)
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            combos.append((label, params, sets))
    else:
        for k, v in enumerate(spec.variants):
            sets = {path: (f"variants[{k}].set.{path}", val) for path, val in v.set.items()}
            combos.append((v.name, {"variant": v.name, **v.set}, sets))
    points = []
    for k, (label, params, sets) in enumerate(combos):
        data = copy.deepcopy(resolved)
        for path, (key, value) in sets.items():
            try:
                set_path(data, path, value)
            except ValueError as exc:
                where = key if key.endswith(path) else f"{key} ({path})"
                raise ScenarioError(str(sweep_path), where, str(exc)) from None
        data["name"] = f"{spec.name}-{k:03d}"
        data["replications"] = spec.replications
        if spec.seed is not None:
            data["seed"] = spec.seed
        try:
            loaded = scenario_from_dict(data, base_path.parent, label=f"point {k}")
        except ScenarioError as exc:
            raise ScenarioError(
                str(sweep_path),
                exc.path,
                f"point {k} ({label}) is not a valid scenario: {exc.message}",
            ) from None
        points.append(Point(k, label, params, loaded, base.inputs))
    return points
