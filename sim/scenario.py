"""The scenario description: an inert, validated, frozen configuration.

A scenario file (YAML) describes one configuration of the coordination
center and its environment. This module holds the schema (nested pydantic
models, ``extra="forbid"``, ``frozen=True``; each attribute docstring is the
single source for ``docs/scenarios.md``), the loader (``extends`` and
overrides) and the checks that need the network (a base that is not a node,
a disconnected graph). Every problem becomes a :class:`ScenarioError` that
names the file, the key path and what was expected.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import networkx as nx
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import network as netmod
from .distributions import Distribution, Duration
from .units import format_clock, format_duration, parse_clock

PARTIES = ("RU", "UA", "US")
SIDES = ("RU", "UA")

Party = Literal["RU", "UA", "US"]
Side = Literal["RU", "UA"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Clock = Annotated[
    float, BeforeValidator(parse_clock), PlainSerializer(format_clock, when_used="json")
]


class ScenarioError(Exception):
    """A scenario file is not valid; the message is meant for the user.

    Parameters
    ----------
    file : str or None
        The file the problem is in.
    path : str
        Dotted key path, e.g. ``teams.bases[1].node`` (empty for the whole file).
    message : str
        What was wrong and what was expected.
    line : int or None
        1-based line in ``file`` where the key is, when known.
    """

    def __init__(self, file: str | None, path: str, message: str, line: int | None = None):
        self.file = file
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class _Strict(BaseModel):
    # strict: no silent conversions (true -> 1 officer, "3" -> 3, 2.5 -> error not 2)
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        strict=True,
    )


# --------------------------------------------------------------------------- network


class SyntheticNetwork(_Strict):
    """A generated straight line of contact with rear rows behind it."""

    sectors: int = Field(12, ge=2, le=5000)
    """Number of sector nodes along the line."""
    depth: int = Field(2, ge=1, le=50)
    """Rows of rear nodes behind the line (row 1 holds the bases)."""
    spacing_km: float = Field(15.0, gt=0)
    """Distance between neighbouring sectors and between rows, km."""
    bases_every: int = Field(4, ge=1)
    """A base in row 1 behind every n-th sector."""


class NetworkSpec(_Strict):
    """Where the line-of-contact graph comes from: exactly one of builtin, file, synthetic."""

    builtin: str | None = None
    """Name of a network shipped with the package (``donbas_south``)."""
    file: str | None = None
    """Path to a GraphML, node-link JSON or GeoJSON file, relative to the scenario file."""
    format: Literal["graphml", "node-link", "geojson"] | None = None
    """File format; guessed from the extension (.graphml, .json, .geojson) when omitted."""
    synthetic: SyntheticNetwork | None = None
    """Parameters of a generated line of contact."""

    @model_validator(mode="after")
    def _one_source(self) -> "NetworkSpec":
        given = [k for k in ("builtin", "file", "synthetic") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(
                f"give exactly one of builtin, file, synthetic (got {', '.join(given)})"
            )
        if self.format is not None and self.file is None:
            raise ValueError("format applies only together with file")
        return self

    @property
    def source(self) -> str:
        if self.file is not None:
            return "file"
        if self.synthetic is not None:
            return "synthetic"
        return "builtin"


# --------------------------------------------------------------------------- violations

UNIFORM_DAY = [1.0] * 24


def _profile(v: list[float]) -> list[float]:
    if len(v) != 24:
        raise ValueError(f"expected 24 hourly weights (00-01h ... 23-24h), got {len(v)}")
    if any(x < 0 for x in v):
        raise ValueError("hourly weights must be >= 0")
    if sum(v) <= 0:
        raise ValueError("at least one hourly weight must be > 0")
    return v


class ViolationType(_Strict):
    """One kind of ceasefire violation on the line."""

    share: Probability
    """Share of line violations of this type; shares of all types sum to 1."""
    severity: int = Field(ge=1, le=5)
    """Severity 1 (least) to 5 (most); orders work under ``center.priority: severity``."""
    evidence_half_life: Duration
    """Time after which the chance of verifying on site has halved."""
    attributable: Probability = 0.5
    """Chance that a verified violation of this type can be attributed to a side."""


class EscalationSpec(_Strict):
    """Self-excitation: each violation may trigger further ones nearby (a Hawkes process)."""

    branching_ratio: float = Field(0.0, ge=0.0)
    """Mean number of violations each violation triggers; must be < 1."""
    decay: Duration = "2h"
    """Mean delay from a violation to one it triggers (exponential kernel)."""
    neighbour_share: Probability = 0.5
    """Chance that a triggered violation is at a neighbouring sector rather than the same one."""
    retaliation: Probability = 0.5
    """Chance that a triggered violation is committed by the other side."""

    @field_validator("branching_ratio")
    @classmethod
    def _stable(cls, v: float) -> float:
        if v >= 1.0:
            raise ValueError(
                f"branching ratio {v} makes escalation explosive; expected a value below 1 "
                "(mean cluster size is 1/(1 - ratio))"
            )
        return v


class LongRangeSpec(_Strict):
    """Long-range strikes on rear targets (city and energy nodes with ``strike_weight`` > 0)."""

    rate_per_day: float = Field(0.0, ge=0.0)
    """Mean strikes per day over all rear targets."""
    time_of_day: Annotated[list[float], BeforeValidator(_profile)] = UNIFORM_DAY
    """24 relative hourly weights of when strikes happen (local time)."""
    severity: int = Field(5, ge=1, le=5)
    """Severity of a strike."""
    evidence_half_life: Duration = "3d"
    """Half-life of the evidence of a strike."""
    attributable: Probability = 0.8
    """Chance that a verified strike can be attributed."""


class ScriptedViolation(_Strict):
    """A violation that happens at a given time and place, on top of the random ones."""

    time: Duration
    """When it happens, counted from the start of the replication."""
    node: str
    """Where: a sector node, or a strike target for ``type: long_range_strike``."""
    type: str
    """A type from ``violations.types``, or ``long_range_strike``."""
    perpetrator: Side
    """Who commits it."""


class ViolationsSpec(_Strict):
    """Ground-truth violations (known only to the simulator)."""

    rate_per_day: float = Field(20.0, ge=0.0)
    """Background rate of line violations per day over all sectors, before escalation."""
    time_of_day: Annotated[list[float], BeforeValidator(_profile)] = UNIFORM_DAY
    """24 relative hourly weights of when violations happen (local time)."""
    hotspots: dict[str, Annotated[float, Field(ge=0.0)]] = {}
    """Relative weights by sector node, replacing the network's ``weight`` attribute."""
    perpetrator: dict[Side, Probability] = {"RU": 0.5, "UA": 0.5}
    """Share of (background) line violations committed by each side; sums to 1."""
    types: dict[str, ViolationType] = {
        "small_arms": ViolationType(share=0.5, severity=1, evidence_half_life="6h"),
        "artillery": ViolationType(share=0.35, severity=3, evidence_half_life="2d"),
        "drone": ViolationType(share=0.15, severity=2, evidence_half_life="1d"),
    }
    """Violation types by name (``long_range_strike`` is reserved)."""
    escalation: EscalationSpec = EscalationSpec()
    """Self-exciting escalation."""
    long_range_strikes: LongRangeSpec = LongRangeSpec()
    """Strikes on rear targets."""
    scripted: list[ScriptedViolation] = []
    """Violations at fixed times and places (e.g. to replay known events or for tests);
    they can trigger escalation like any other."""

    @field_validator("types")
    @classmethod
    def _types(cls, v: dict[str, ViolationType]) -> dict[str, ViolationType]:
        if not v:
            raise ValueError("at least one violation type is needed")
        if "long_range_strike" in v:
            raise ValueError("'long_range_strike' is reserved for violations.long_range_strikes")
        total = sum(t.share for t in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"the shares must sum to 1, they sum to {total:g} "
                f"({', '.join(f'{k} {t.share:g}' for k, t in v.items())})"
            )
        return v

    @field_validator("perpetrator")
    @classmethod
    def _perpetrator(cls, v: dict[str, float]) -> dict[str, float]:
        p = sum(v.values())
        if abs(p - 1.0) > 1e-6:
            raise ValueError(f"the shares must sum to 1, they sum to {p:g}")
        return v


# --------------------------------------------------------------------------- reporting

DeskRule = Literal["affected", "accused", "RU", "UA", "US"]


class ChannelSpec(_Strict):
    """One reporting channel: who reports a violation, how often, how late, to which desk."""

    detection: Probability = 0.0
    """Chance that this channel reports a given violation (0 switches the channel off)."""
    by_type: dict[str, Probability] = {}
    """Detection chance by violation type, replacing ``detection`` for those types."""
    delay: Distribution = "1h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "affected"
    """Desk that takes the report in: the affected or accused party's desk, or a fixed desk."""


class AffectedChannel(ChannelSpec):
    """The side that was hit reports it to its own desk."""

    detection: Probability = 0.8
    """Chance that this channel reports a given violation (0 switches the channel off)."""
    delay: Distribution = "1h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "affected"
    """Desk that takes the report in: the affected or accused party's desk, or a fixed desk."""


class AccusedChannel(ChannelSpec):
    """The accused side reports it (e.g. as a provocation by the other side)."""

    detection: Probability = 0.05
    """Chance that this channel reports a given violation (0 switches the channel off)."""
    delay: Distribution = "4h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "accused"
    """Desk that takes the report in: the affected or accused party's desk, or a fixed desk."""


class CivilianChannel(ChannelSpec):
    """Civilians and media."""

    detection: Probability = 0.2
    """Chance that this channel reports a given violation (0 switches the channel off)."""
    delay: Distribution = "3h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "US"
    """Desk that takes the report in: the affected or accused party's desk, or a fixed desk."""


class TechnicalChannel(ChannelSpec):
    """Technical means (UAV, cameras, acoustic sensors): detection times coverage of the node."""

    detection: Probability = 0.0
    """Chance that a covered violation is reported (0 switches the channel off)."""
    delay: Distribution = "1h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "US"
    """Desk that takes the report in (technical means report to the US desk)."""
    default_coverage: Probability = 1.0
    """Sensor coverage of nodes not listed in ``coverage``."""
    coverage: dict[str, Probability] = {}
    """Sensor coverage by node (0 = not covered, 1 = fully covered)."""


class ChannelsSpec(_Strict):
    """The four reporting channels."""

    affected: AffectedChannel = AffectedChannel()
    """The side that was hit reports to its own desk."""
    accused: AccusedChannel = AccusedChannel()
    """The accused side reports it."""
    technical: TechnicalChannel = TechnicalChannel()
    """Technical means of the monitoring mission (off by default)."""
    civilian: CivilianChannel = CivilianChannel()
    """Civilians and media."""


class FalseReportsSpec(_Strict):
    """Reports of violations that did not happen, sent by a party to its own desk."""

    rate_per_day: dict[Side, Annotated[float, Field(ge=0.0)]] = {"RU": 0.0, "UA": 0.0}
    """False reports per day sent by each party."""
    lag: Distribution = "1h"
    """How long before its arrival the false report claims the violation happened."""


class ReportingSpec(_Strict):
    """How violations become reports at the center."""

    channels: ChannelsSpec = ChannelsSpec()
    """Reporting channels."""
    false_reports: FalseReportsSpec = FalseReportsSpec()
    """False reports."""


# --------------------------------------------------------------------------- center


class Shift(_Strict):
    """Officers on duty every day from ``start`` to ``end`` (may cross midnight)."""

    start: Clock
    """Start of the shift, ``HH:MM`` local time."""
    end: Clock
    """End of the shift, ``HH:MM``; earlier than start means the next day."""
    officers: int = Field(ge=0)
    """Duty officers on this shift; start == end means a 24-hour shift."""


class DeskSpec(_Strict):
    """A national desk: either a fixed number of officers or a daily shift plan."""

    officers: int | None = Field(None, ge=0)
    """Officers on duty round the clock (instead of shifts)."""
    shifts: list[Shift] | None = None
    """Daily shift plan; overlapping shifts add up."""

    @model_validator(mode="after")
    def _one(self) -> "DeskSpec":
        if (self.officers is None) == (self.shifts is None):
            raise ValueError("give exactly one of officers (round the clock) or shifts")
        return self

    def staffing(self) -> list[int]:
        """Officers on duty in each minute-of-day bucket of 1440 minutes, as 1440 ints."""
        if self.officers is not None:
            return [self.officers] * 1440
        level = [0] * 1440
        for sh in self.shifts or []:
            a, b = int(sh.start) % 1440, int(sh.end) % 1440
            if a == b:  # a 24-hour shift
                rng = range(1440)
            elif a < b:
                rng = range(a, b)
            else:
                rng = list(range(a, 1440)) + list(range(0, b))
            for m in rng:
                level[m] += sh.officers
        return level


class DesksSpec(_Strict):
    """The three national desks."""

    RU: DeskSpec = DeskSpec(officers=2)
    """Russian desk."""
    UA: DeskSpec = DeskSpec(officers=2)
    """Ukrainian desk."""
    US: DeskSpec = DeskSpec(officers=2)
    """United States desk."""


class TriageSpec(_Strict):
    """Intake and triage of one report by one officer of the receiving desk."""

    time: Distribution = {"dist": "lognormal", "mean": "20min", "sd": "10min"}
    """Officer time to take in and triage a report."""
    false_detection: Probability = 0.3
    """Chance that triage recognises a false report as false."""
    max_wait: Duration | None = "2d"
    """Reports waiting longer than this for triage expire (null: never)."""


class MergingSpec(_Strict):
    """Merging reports that describe one incident."""

    enabled: bool = True
    """Merge reports into open incidents."""
    window: Duration = "6h"
    """Largest difference between reported violation times that still merges."""
    max_distance_km: float = Field(20.0, ge=0.0)
    """Largest road distance between reported places that still merges, km."""


class AssessmentSpec(_Strict):
    """The joint assessment that turns an incident into a finding."""

    enabled: bool = True
    """Require a joint assessment (one officer of each desk at once) for every finding."""
    time: Distribution = {"dist": "lognormal", "mean": "30min", "sd": "15min"}
    """Duration of a joint assessment."""


class CenterSpec(_Strict):
    """The coordination center."""

    desks: DesksSpec = DesksSpec()
    """National desks and their staffing."""
    triage: TriageSpec = TriageSpec()
    """Intake and triage."""
    merging: MergingSpec = MergingSpec()
    """Incident merging."""
    priority: Literal["fifo", "severity"] = "fifo"
    """Order of waiting work: first come first served, or most severe first (ties FIFO)."""
    assessment: AssessmentSpec = AssessmentSpec()
    """Joint assessment."""


# --------------------------------------------------------------------------- teams


class BaseSpec(_Strict):
    """Joint monitoring teams stationed at one node."""

    node: str
    """Node id of the base."""
    count: int = Field(ge=0)
    """Number of teams at this base."""


class PatrolHours(_Strict):
    """Hours in which teams may travel."""

    start: Clock = "07:00"
    """Earliest departure, ``HH:MM``."""
    end: Clock = "19:00"
    """Latest arrival, ``HH:MM``; travel that would end later waits for the next day."""

    @model_validator(mode="after")
    def _order(self) -> "PatrolHours":
        if not self.start < self.end:
            raise ValueError("patrol hours need start < end within one day")
        return self


class VerificationSpec(_Strict):
    """Work on site."""

    time: Distribution = {"dist": "triangular", "low": "30min", "mode": "1h", "high": "3h"}
    """Time spent on site."""
    base_probability: Probability = 0.9
    """Chance of verifying fresh evidence; it halves with every evidence half-life of age."""
    attribution_accuracy: Probability = 0.9
    """Chance that an attribution made on site names the right side."""


class TeamsSpec(_Strict):
    """Joint monitoring teams."""

    enabled: bool = True
    """Send teams to verify (false: findings rest on reports alone)."""
    bases: list[BaseSpec] = []
    """Team bases."""
    speed_kmh: float = Field(40.0, gt=0.0)
    """Average road speed, km/h."""
    prepare: Distribution = "30min"
    """Time from dispatch to departure."""
    dispatch: Literal["nearest"] = "nearest"
    """Dispatch rule: the available team with the shortest travel time."""
    max_travel_km: float | None = Field(None, gt=0.0)
    """Teams are not sent further than this road distance, km (null: no limit). An
    incident out of every team's range is assessed unvisited (reason out_of_range)."""
    patrol_hours: PatrolHours | None = PatrolHours()
    """Hours in which teams may travel; null means round the clock."""
    access_denial: dict[Side, Probability] = {"RU": 0.1, "UA": 0.05}
    """Chance that the party controlling the site (the affected side) denies access."""
    verification: VerificationSpec = VerificationSpec()
    """Verification on site."""
    give_up_after: Duration | None = "3d"
    """Incidents still waiting for a team this long after creation are closed unverified."""
    min_severity: int = Field(1, ge=1, le=5)
    """Incidents below this severity are assessed without a team visit."""

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bases)


# --------------------------------------------------------------------------- rest


class TargetsSpec(_Strict):
    """Service targets: the share of incidents within each is reported."""

    acknowledge: Duration | None = "1h"
    """Report arrival to start of triage."""
    response: Duration | None = "12h"
    """First report to a team on site."""
    finding: Duration | None = "1d"
    """First report to the joint finding."""


class OutputSpec(_Strict):
    """What a run records."""

    sample_interval: Duration = "1h"
    """Interval of the queue-length and utilisation time series."""

    @field_validator("sample_interval")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be greater than zero")
        return v


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Scenario(_Strict):
    """One configuration of the coordination center and its environment."""

    name: str
    """Short name (letters, digits, ``_.-``); results go to ``results/<name>/``."""
    description: str = ""
    """What this scenario represents."""
    seed: int = Field(0, ge=0)
    """Root seed of every random stream."""
    replications: int = Field(1, ge=1, le=100000)
    """Independent replications to run."""
    horizon: Duration
    """Simulated time of one replication, warm-up included."""
    warmup: Duration = "0min"
    """Initial period excluded from statistics."""
    network: NetworkSpec = NetworkSpec()
    """The line-of-contact graph (default: ``builtin: donbas_south``)."""
    violations: ViolationsSpec = ViolationsSpec()
    """Ground-truth violations."""
    reporting: ReportingSpec = ReportingSpec()
    """Reporting channels and false reports."""
    center: CenterSpec = CenterSpec()
    """The coordination center."""
    teams: TeamsSpec = TeamsSpec()
    """Joint monitoring teams."""
    targets: TargetsSpec = TargetsSpec()
    """Service targets."""
    output: OutputSpec = OutputSpec()
    """Recording options."""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("use letters, digits and _ . - only (it becomes a folder name)")
        return v

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be greater than zero")
        return v

    @field_validator("warmup")
    @classmethod
    def _warmup(cls, v: float, info: ValidationInfo) -> float:
        horizon = info.data.get("horizon")
        if horizon is not None and v >= horizon:
            raise ValueError(
                f"warm-up {format_duration(v)} is not shorter than the horizon "
                f"{format_duration(horizon)}; expected a shorter warm-up or a longer horizon"
            )
        return v

    def resolved(self) -> dict[str, Any]:
        """The fully resolved scenario as plain data that loads back to an equal scenario."""
        return self.model_dump(mode="json", by_alias=True)


# --------------------------------------------------------------------------- loading


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
