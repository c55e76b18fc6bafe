"""The scenario schema: an inert, validated, frozen configuration.

A scenario file (YAML) describes one configuration of the coordination
center and its environment. This module holds the schema: nested pydantic
models, ``extra="forbid"``, ``frozen=True``, strict types. Each attribute
docstring is the single source for ``docs/scenarios.md``. Reading files and
``extends`` chains is :mod:`sim.scenario.loader`; the checks that need the
network are in :mod:`sim.world.loaded`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .bounds import (
    Officers,
    RatePerDay,
    check_name,
)
from .base import Probability, Side, Strict
from .calendar import DEFAULT_TIMEZONE, Calendar, Instant, LocalDateTime, calendar_context
from .calendar import check_timezone, make_calendar
from .distributions import Distribution, Duration
from .findings import FindingsSpec, MoratoriumSpec, Walkout
from .units import format_clock, format_duration, parse_clock
from .violations import ViolationsSpec

Clock = Annotated[
    float, BeforeValidator(parse_clock), PlainSerializer(format_clock, when_used="json")
]


# --------------------------------------------------------------------------- network


class SyntheticNetwork(Strict):
    """A generated straight line of contact with rear rows behind it."""

    sectors: int = Field(12, ge=2, le=5000)
    """Number of sector nodes along the line."""
    depth: int = Field(2, ge=1, le=50)
    """Rows of rear nodes behind the line (row 1 holds the bases)."""
    spacing_km: float = Field(15.0, gt=0, le=1000)
    """Distance between neighbouring sectors and between rows, km."""
    bases_every: int = Field(4, ge=1, le=5000)
    """A base in row 1 behind every n-th sector."""


DEFAULT_NETWORK = "donbas_south"
NETWORK_SOURCES = ("builtin", "file", "synthetic")


class NetworkSpec(Strict):
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
    borders: str | None = None
    """A GeoJSON file of country or regional borders (Polygons, MultiPolygons or lines,
    longitude and latitude), relative to the scenario file; maps draw it thin and grey
    so that a reader can place the sectors. No borders are shipped."""

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


# --------------------------------------------------------------------------- reporting

DeskRule = Literal["affected", "accused", "RU", "UA", "US"]


def _detection_shorthand(value: Any) -> Any:
    """``small_arms: 0.6`` under ``by_type`` means ``small_arms: {detection: 0.6}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"detection": float(value)}
    return value


class ChannelOverride(Strict):
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


class ChannelSpec(Strict):
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


class ChannelsSpec(Strict):
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


class FalseParty(Strict):
    """False reports of one party; a key left out is inherited from ``false_reports``."""

    rate_per_day: RatePerDay | None = None
    """False reports per day sent by this party."""
    lag: Distribution | None = None
    """How long before its arrival the false report claims the violation happened."""


class FalseReportsSpec(Strict):
    """Reports of violations that did not happen, sent by a party to its own desk."""

    rate_per_day: RatePerDay = 0.0
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


class ReportingSpec(Strict):
    """How violations become reports at the center."""

    channels: ChannelsSpec = ChannelsSpec()
    """Reporting channels."""
    false_reports: FalseReportsSpec = FalseReportsSpec()
    """False reports."""


# --------------------------------------------------------------------------- center


class Shift(Strict):
    """Officers on duty every day from ``start`` to ``end`` (may cross midnight)."""

    start: Clock
    """Start of the shift, ``HH:MM`` local time."""
    end: Clock
    """End of the shift, ``HH:MM``; earlier than start means the next day."""
    officers: Officers
    """Duty officers on this shift; start == end means a 24-hour shift."""
    name: str | None = None
    """Name shown in per-shift results (default: its hours, e.g. ``22:00-06:00``)."""

    @property
    def label(self) -> str:
        return self.name or f"{format_clock(self.start)}-{format_clock(self.end)}"


class DeskSpec(Strict):
    """A national desk: either a fixed number of officers or a daily shift plan."""

    officers: Officers | None = None
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


class DesksSpec(Strict):
    """The three national desks."""

    RU: DeskSpec = DeskSpec(officers=2)
    """Russian desk."""
    UA: DeskSpec = DeskSpec(officers=2)
    """Ukrainian desk."""
    US: DeskSpec = DeskSpec(officers=2)
    """United States desk."""


class TriageSpec(Strict):
    """Intake and triage of one report by one officer of the receiving desk."""

    time: Distribution = {"dist": "lognormal", "mean": "20min", "sd": "10min"}
    """Officer time to take in and triage a report."""
    false_detection: Probability = 0.3
    """Chance that triage recognises a false report as false."""
    max_wait: Duration | None = "2d"
    """Reports waiting longer than this for triage expire (null: never)."""


class MergingSpec(Strict):
    """Merging reports that describe one incident."""

    enabled: bool = True
    """Merge reports into open incidents."""
    window: Duration = "6h"
    """Largest difference between reported violation times that still merges."""
    max_distance_km: float = Field(20.0, ge=0.0, le=20_000.0)
    """Largest road distance between reported places that still merges, km."""


class AssessmentSpec(Strict):
    """The joint assessment that turns an incident into a finding."""

    enabled: bool = True
    """Require a joint assessment (one officer of each desk at once) for every finding."""
    time: Distribution = {"dist": "lognormal", "mean": "30min", "sd": "15min"}
    """Duration of a joint assessment."""


class CenterSpec(Strict):
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


class BaseSpec(Strict):
    """Joint monitoring teams stationed at one node."""

    node: str
    """Node id of the base."""
    count: int = Field(ge=0, le=1000)
    """Number of teams at this base."""


class PatrolHours(Strict):
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


class VerificationSpec(Strict):
    """Work on site."""

    time: Distribution = {"dist": "triangular", "low": "30min", "mode": "1h", "high": "3h"}
    """Time spent on site."""
    base_probability: Probability = 0.9
    """Chance of verifying fresh evidence; it halves with every evidence half-life of age."""
    attribution_accuracy: Probability = 0.9
    """Chance that an attribution made on site names the right side."""


class TeamsSpec(Strict):
    """Joint monitoring teams."""

    enabled: bool = True
    """Send teams to verify (false: findings rest on reports alone)."""
    bases: list[BaseSpec] = []
    """Team bases."""
    speed_kmh: float = Field(40.0, gt=0.0, le=1000.0)
    """Average road speed, km/h."""
    prepare: Distribution = "30min"
    """Time from dispatch to departure."""
    dispatch: Literal["nearest"] = "nearest"
    """Dispatch rule: the available team with the shortest travel time."""
    max_travel_km: float | None = Field(None, gt=0.0, le=100_000.0)
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


class TargetsSpec(Strict):
    """Service targets: the share of incidents within each is reported."""

    acknowledge: Duration | None = "1h"
    """Report arrival to start of triage."""
    response: Duration | None = "12h"
    """First report to a team on site."""
    finding: Duration | None = "1d"
    """First report to the joint finding."""


class OutputSpec(Strict):
    """What a run records."""

    sample_interval: Duration = "1h"
    """Interval of the queue-length and utilisation time series (at least 1 minute)."""
    daily_cutoff: Clock = "19:30"
    """Cut-off of the daily report (``cfsim daily``): each day's report covers the 24
    hours up to this time of day (the OSCE SMM used 19:30)."""

    @field_validator("sample_interval")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v < 1:
            raise ValueError("is finer than the model's resolution; expected at least 1min")
        return v


class Scenario(Strict):
    """One configuration of the coordination center and its environment."""

    name: str
    """Short name (letters, digits, ``_.-``, at most 100 characters); results go to
    ``results/<name>/``."""
    description: str = ""
    """What this scenario represents."""
    seed: int = Field(0, ge=0)
    """Root seed of every random stream."""
    replications: int = Field(1, ge=1, le=100000)
    """Independent replications to run."""
    start: LocalDateTime | None = None
    """Calendar date (local midnight) at which every replication starts, e.g.
    ``2016-01-01``; with it, instants may be written as dates and results carry dates.
    Null: no calendar (times are only minutes since the start)."""
    timezone: str = DEFAULT_TIMEZONE
    """IANA time zone of ``start`` and of every date, e.g. ``Europe/Kyiv``; the model's
    clock is the zone's UTC offset at the start (no daylight-saving changes within a
    run)."""
    horizon: Instant
    """End of one replication, warm-up included: a duration since the start (``91d``)
    or a date."""
    warmup: Instant = "0min"
    """Initial period excluded from statistics: a duration, or the date measuring
    starts."""
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
        return check_name(v)

    @model_validator(mode="wrap")
    @classmethod
    def _with_calendar(cls, data: Any, handler: Any) -> "Scenario":
        # The calendar must be known while nested instants (dates) are validated.
        cal = None
        if isinstance(data, dict) and data.get("start") is not None:
            try:
                cal = make_calendar(data["start"], data.get("timezone"))
            except ValueError:
                cal = None  # the start field itself reports the problem
        with calendar_context(cal):
            return handler(data)

    @field_validator("start")
    @classmethod
    def _midnight(cls, v: Any) -> Any:
        if v is not None:
            make_calendar(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return check_timezone(v)

    @model_validator(mode="after")
    def _calendar_needed(self) -> "Scenario":
        if self.start is None and len(set(self.violations.day_of_week)) > 1:
            raise ValueError(
                "violations.day_of_week needs the scenario's start (e.g. start: 2016-01-01) "
                "to know which day of the week the run begins on"
            )
        if self.start is None and self.violations.replay is not None:
            if self.violations.replay.align == "calendar":
                raise ValueError(
                    "violations.replay with align: calendar needs the scenario's start "
                    "(e.g. start: 2016-01-01); or set align: start"
                )
        return self

    @property
    def calendar(self) -> Calendar | None:
        """The scenario's calendar, or None without a ``start``."""
        return None if self.start is None else Calendar(self.start, self.timezone)

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
