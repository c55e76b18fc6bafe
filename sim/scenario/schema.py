"""The scenario schema: an inert, validated, frozen configuration.

A scenario file (YAML) describes one configuration of the coordination
center and its environment. This module holds the schema: nested pydantic
models, ``extra="forbid"``, ``frozen=True``, strict types. Each attribute
docstring is the single source for ``docs/scenarios.md``. Reading files and
``extends`` chains is :mod:`sim.scenario.loader`; the checks that need the
network are in :mod:`sim.world.loaded`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .distributions import Distribution, Duration
from .findings import FindingsSpec, MoratoriumSpec, Walkout
from .units import format_clock, format_duration, parse_clock

Side = Literal["RU", "UA"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Clock = Annotated[
    float, BeforeValidator(parse_clock), PlainSerializer(format_clock, when_used="json")
]


class _Strict(BaseModel):
    # strict: no silent conversions (true -> 1 officer, "3" -> 3, 2.5 -> error not 2)
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
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


DEFAULT_NETWORK = "donbas_south"
NETWORK_SOURCES = ("builtin", "file", "synthetic")


class NetworkSpec(_Strict):
    """Where the line-of-contact graph comes from: exactly one of builtin, file, synthetic."""

    builtin: str | None = None
    """Name of a network shipped with the package; the default when neither file nor
    synthetic is given."""
    file: str | None = None
    """Path to a GraphML, node-link JSON or GeoJSON file, relative to the scenario file."""
    format: Literal["graphml", "node-link", "geojson"] | None = None
    """File format; guessed from the extension (.graphml, .json, .geojson) when omitted."""
    synthetic: SyntheticNetwork | None = None
    """Parameters of a generated line of contact."""
    front_line: str | None = None
    """A GeoJSON file of the front line (LineString or MultiLineString, longitude and
    latitude), relative to the scenario file; maps draw it. Without it, maps draw the
    line through the sectors."""

    @model_validator(mode="before")
    @classmethod
    def _default_source(cls, data: Any) -> Any:
        # No source given means the shipped network: say so in the resolved scenario.
        if isinstance(data, dict) and all(data.get(k) is None for k in NETWORK_SOURCES):
            return {**data, "builtin": DEFAULT_NETWORK}
        return data

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


def _detection_shorthand(value: Any) -> Any:
    """``small_arms: 0.6`` under ``by_type`` means ``small_arms: {detection: 0.6}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"detection": float(value)}
    return value


class ChannelOverride(_Strict):
    """Settings of a channel for one violation type or one party; a key left out is
    inherited (see ``ChannelSpec``)."""

    detection: Probability | None = None
    """Chance that the channel reports a given violation."""
    delay: Distribution | None = None
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule | None = None
    """Desk that takes the report in."""


TypeOverride = Annotated[ChannelOverride, BeforeValidator(_detection_shorthand)]


class PartyOverride(ChannelOverride):
    """Settings of a channel for the reports about one party (see ``by_party``)."""

    by_type: dict[str, TypeOverride] = {}
    """Settings for this party and one violation type (a number is the detection chance)."""


class ChannelSpec(_Strict):
    """One reporting channel: who reports a violation, how often, how late, to which desk.

    Every setting can be given per violation type (``by_type``), per party
    (``by_party``) and per party and type (``by_party.<party>.by_type``). For
    a report of a violation of type *t* concerning party *p*, each key comes
    from the most specific place that gives it, in this order: the channel,
    ``by_type.t``, ``by_party.p``, ``by_party.p.by_type.t``.
    """

    detection: Probability = 0.0
    """Chance that this channel reports a given violation (0 switches the channel off)."""
    delay: Distribution = "1h"
    """Delay from the violation to the report reaching the center."""
    desk: DeskRule = "affected"
    """Desk that takes the report in: the affected or accused party's desk, or a fixed desk."""
    by_type: dict[str, TypeOverride] = {}
    """Settings by violation type, e.g. ``small_arms: {detection: 0.6, delay: 3h}``; a
    number is the detection chance (``small_arms: 0.6``)."""
    by_party: dict[Side, PartyOverride] = {}
    """Settings by party: the party that reports (affected and accused channels) or,
    for technical means and civilians, the side where the violation happened; e.g.
    ``UA: {delay: 4h}``."""

    def resolve(self, party: str, type_name: str) -> tuple[float, Any, str]:
        """``(detection, delay, desk)`` for reports of a violation of ``type_name``
        concerning ``party``."""
        out = {"detection": self.detection, "delay": self.delay, "desk": self.desk}
        po = self.by_party.get(party)
        for layer in (self.by_type.get(type_name), po, po.by_type.get(type_name) if po else None):
            if layer is None:
                continue
            for key in out:
                value = getattr(layer, key)
                if value is not None:
                    out[key] = value
        return out["detection"], out["delay"], out["desk"]


class TechnicalChannel(ChannelSpec):
    """Technical means (UAV, cameras, acoustic sensors): detection times coverage of the node."""

    default_coverage: Probability = 1.0
    """Sensor coverage of nodes not listed in ``coverage``."""
    coverage: dict[str, Probability] = {}
    """Sensor coverage by node (0 = not covered, 1 = fully covered)."""


class ChannelsSpec(_Strict):
    """The four reporting channels. A channel's keys not given in the file keep that
    channel's own defaults (shown in each row)."""

    affected: ChannelSpec = ChannelSpec(detection=0.8, delay="1h", desk="affected")
    """The side that was hit reports to its own desk."""
    accused: ChannelSpec = ChannelSpec(detection=0.05, delay="4h", desk="accused")
    """The accused side reports it (e.g. as a provocation by the other side)."""
    technical: TechnicalChannel = TechnicalChannel(detection=0.0, delay="1h", desk="US")
    """Technical means of the monitoring mission (UAV, cameras, acoustic sensors;
    off by default); they report to the US desk."""
    civilian: ChannelSpec = ChannelSpec(detection=0.2, delay="3h", desk="US")
    """Civilians and media."""

    @model_validator(mode="before")
    @classmethod
    def _channel_defaults(cls, data: Any) -> Any:
        # A channel written partly keeps its own defaults, not the generic ones.
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, given in data.items():
            field = cls.model_fields.get(name)
            if field is not None and isinstance(given, dict):
                default = field.default
                own = {k: getattr(default, k) for k in default.model_fields_set}
                out[name] = {**own, **given}
        return out


class FalseParty(_Strict):
    """False reports of one party; a key left out is inherited from ``false_reports``."""

    rate_per_day: float | None = Field(None, ge=0.0)
    """False reports per day sent by this party."""
    lag: Distribution | None = None
    """How long before its arrival the false report claims the violation happened."""


class FalseReportsSpec(_Strict):
    """Reports of violations that did not happen, sent by a party to its own desk."""

    rate_per_day: float = Field(0.0, ge=0.0)
    """False reports per day sent by each party (RU and UA each)."""
    lag: Distribution = "1h"
    """How long before its arrival the false report claims the violation happened."""
    by_party: dict[Side, FalseParty] = {}
    """Settings for one party, e.g. ``UA: {rate_per_day: 3}``."""

    @field_validator("rate_per_day", mode="before")
    @classmethod
    def _one_rate(cls, v: Any) -> Any:
        if isinstance(v, dict):
            raise ValueError(
                "give one rate for every party, e.g. rate_per_day: 1.5, and a different one "
                "for a party under by_party, e.g. by_party: {UA: {rate_per_day: 3}}"
            )
        return v

    def resolve(self, party: str) -> tuple[float, Any]:
        """``(rate_per_day, lag)`` of ``party``."""
        po = self.by_party.get(party)
        rate = po.rate_per_day if po is not None and po.rate_per_day is not None else None
        lag = po.lag if po is not None and po.lag is not None else None
        return (self.rate_per_day if rate is None else rate), (self.lag if lag is None else lag)


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
    name: str | None = None
    """Name shown in per-shift results (default: its hours, e.g. ``22:00-06:00``)."""

    @property
    def label(self) -> str:
        return self.name or f"{format_clock(self.start)}-{format_clock(self.end)}"


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

    def plan(self) -> list[Shift]:
        """The shifts, with ``officers`` given as one 24-hour shift named ``round the clock``."""
        if self.officers is not None:
            return [
                Shift(start="00:00", end="00:00", officers=self.officers, name="round the clock")
            ]
        return list(self.shifts or [])

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
    daily_cutoff: Clock = "19:30"
    """Cut-off of the daily report (``cfsim daily``): each day's report covers the 24
    hours up to this time of day (the OSCE SMM used 19:30)."""

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
    findings: FindingsSpec = FindingsSpec()
    """Graded findings, dissent, the quorum rule and the dispute ladder."""
    walkouts: list[Walkout] = []
    """Parties suspending or withdrawing their desk."""
    moratorium: MoratoriumSpec | None = None
    """A strike moratorium on protected sites (null: none)."""

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
