"""What the center's joint assessment concludes, and what happens when the desks disagree.

Keys ``findings`` (graded findings, dissent, the quorum rule and the dispute
ladder), ``walkouts`` (a party suspending or withdrawing its desk) and
``moratorium`` (protected sites, a strike moratorium and the parties' claims).
Every default keeps the model as it was without them: no direction of fire,
no remote confirmation, nobody dissents, all three desks needed, no ladder,
no walkout, no moratorium.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ..records.codes import SITE_CLASSES
from .base import Probability, Side, Strict
from .calendar import Instant
from .distributions import Distribution, Duration
from .units import parse_clock, parse_duration

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CADENCE = re.compile(
    r"^\s*(?:(?P<daily>daily)|weekly\s+on\s+(?P<day>[a-z]+?)s?|every\s+(?P<every>.+?))"
    r"\s+at\s+(?P<clock>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)


def parse_cadence(text: str) -> tuple[float, int | None, float]:
    """A meeting cadence as ``(period in minutes, weekday or None, minute of the day)``.

    Forms: ``daily at 18:00``, ``weekly on Tuesday at 10:00`` (or ``Tuesdays``),
    ``every 3d at 09:00``.

    Examples
    --------
    >>> parse_cadence("weekly on Tuesdays at 10:00")
    (10080.0, 1, 600.0)
    >>> parse_cadence("every 2d at 09:30")
    (2880.0, None, 570.0)
    """
    m = _CADENCE.match(str(text))
    if m is None:
        raise ValueError(
            f"cannot read the cadence {text!r}; expected e.g. 'daily at 18:00', "
            "'weekly on Tuesday at 10:00' or 'every 3d at 09:00'"
        )
    minute = parse_clock(m["clock"])
    if m["daily"]:
        return 1440.0, None, minute
    if m["day"]:
        day = m["day"].lower()
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {m['day']!r} in {text!r}; expected e.g. Tuesday")
        return 7 * 1440.0, WEEKDAYS.index(day), minute
    period = parse_duration(m["every"])
    if period < 1440.0 or period % 1440.0:
        raise ValueError(f"'every' needs a whole number of days (>= 1d) in {text!r}")
    return period, None, minute


def meeting_times(cadence: str, end: float, first_weekday: int = 0) -> list[float]:
    """Every meeting of a cadence in ``[0, end)``, minutes; day 0 is ``first_weekday``
    (0 = Monday).

    Examples
    --------
    >>> [t / 1440 for t in meeting_times("weekly on Wednesday at 12:00", 20 * 1440)]
    [2.5, 9.5, 16.5]
    """
    period, weekday, minute = parse_cadence(cadence)
    first_day = 0 if weekday is None else (weekday - first_weekday) % 7
    out, t = [], first_day * 1440.0 + minute
    while t < end:
        out.append(t)
        t += period
    return out


def _cadence(text: str) -> str:
    parse_cadence(text)
    return text


Cadence = Annotated[str, AfterValidator(_cadence)]


class RemoteSpec(Strict):
    """Confirmation by technical means alone, without a team on the ground."""

    confirm: Probability = 0.0
    """Chance that an incident with a report from the technical channel, which no team
    verified, is confirmed remotely."""
    strength: Probability = 0.5
    """Strength of remote evidence (0 to 1), which lowers the chance of dissent (see
    ``dissent.evidence_weight``)."""


class DissentSpec(Strict):
    """How likely each desk is to dissent from a proposed finding (assumptions: no
    public figures exist; the defaults mean nobody dissents)."""

    accused: Probability = 0.0
    """Chance that the desk of the side a finding names (by attribution or by
    direction of fire) dissents, with the weakest evidence."""
    accuser: Probability = 0.0
    """Chance that the desk of the affected side dissents from a finding that names
    nobody or does not confirm the violation."""
    neutral: Probability = 0.0
    """Chance that any other desk (the US desk, or a party not concerned) dissents."""
    evidence_weight: Probability = 0.0
    """How much strong evidence calms dissent: each chance is multiplied by
    ``1 - evidence_weight x strength``; strength is the verification probability at
    the team's visit, ``remote.strength`` for a remote confirmation, 0 otherwise."""


class LadderLevel(Strict):
    """One level of the dispute ladder (e.g. area committee, joint military committee,
    political commission)."""

    name: str
    """What the level is called."""
    meets: Cadence
    """When it meets: ``daily at 18:00``, ``weekly on Tuesday at 10:00`` or ``every
    14d at 10:00`` (day 0 is a Monday unless the scenario has a calendar)."""
    capacity: int = Field(ge=1, le=100000)
    """Disputes it takes up per meeting, oldest first; the rest wait for the next one."""
    resolves: Probability
    """Chance that a dispute taken up is resolved (the proposed finding is agreed);
    otherwise it is referred to the next level, or after the last stays disputed."""


class FindingsSpec(Strict):
    """How a joint assessment grades its finding and what happens when desks disagree."""

    direction_of_fire: Probability = 0.0
    """Chance that a verified violation that cannot be attributed still gets its
    direction of fire (crater analysis): finding ``confirmed_direction``."""
    direction_by_type: dict[str, Probability] = {}
    """``direction_of_fire`` per violation type (types not listed use it)."""
    remote: RemoteSpec = RemoteSpec()
    """Confirmation by technical means without a team."""
    dissent: DissentSpec = DissentSpec()
    """Chances of dissent; a finding any desk dissents from is disputed."""
    quorum: Literal["all", "two_of_three"] = "all"
    """When a desk has nobody on duty: ``all`` waits for all three desks;
    ``two_of_three`` lets the two staffed desks assess (an emergency quorum) and the
    third reviews the finding when it is next on duty, and may dissent then."""
    ladder: list[LadderLevel] = []
    """Levels a disputed finding is referred up, in order; empty: it stays disputed."""

    @property
    def active(self) -> bool:
        """Whether grading goes beyond what the model did without this section."""
        d = self.dissent
        return bool(
            self.direction_of_fire
            or self.direction_by_type
            or self.remote.confirm
            or d.accused
            or d.accuser
            or d.neutral
            or self.quorum != "all"
            or self.ladder
        )


class Walkout(Strict):
    """A party suspends or withdraws its desk from the center."""

    party: Side
    """Whose desk leaves."""
    start: Instant
    """When: time since the start, or a date when the scenario has a ``start``."""
    duration: Duration | None = None
    """How long; null: for good."""
    access: Literal["kept", "withdrawn"] = "kept"
    """``withdrawn``: the party also stops granting teams access to the sites it holds
    while its desk is away."""
    reports: Literal["wait", "US"] = "wait"
    """Reports addressed to the absent desk: ``wait`` in its queue (they may expire), or
    go to the ``US`` desk."""

    @property
    def end(self) -> float:
        return float("inf") if self.duration is None else self.start + self.duration


class ProtectedSite(Strict):
    """A site the moratorium protects: an energy node of the network (``node``), or a
    new one (``id`` with coordinates), joined to the nearest node."""

    node: str | None = None
    """An existing node of the network."""
    id: str | None = None
    """The id of a new node."""
    site_class: Literal[SITE_CLASSES] = Field(alias="class")  # type: ignore[valid-type]
    """Asset class: ``refinery``, ``pipeline`` (and pumping stations), ``power_plant``,
    ``substation`` (and transformers), ``nuclear``, ``dam``."""
    lat: float | None = Field(None, ge=-90, le=90)
    """Latitude of a new site."""
    lon: float | None = Field(None, ge=-180, le=180)
    """Longitude of a new site."""
    side: Side | None = None
    """Who holds a new site."""
    strike_weight: float = Field(1.0, ge=0)
    """Relative chance that a long-range strike targets a new site."""
    region: str | None = None
    """Region of a new site (for the daily report)."""

    @model_validator(mode="after")
    def _one(self) -> "ProtectedSite":
        if (self.node is None) == (self.id is None):
            raise ValueError("give exactly one of node (an existing node) or id (a new site)")
        if self.id is not None and (self.lat is None or self.lon is None or self.side is None):
            raise ValueError(f"new site {self.id!r} needs lat, lon and side")
        return self


class ClaimsSpec(Strict):
    """How the parties allege moratorium violations by the other side."""

    every: Duration = "1d"
    """Each party sends its claims in a batch this often."""
    detection: Probability = 0.9
    """Chance that the side holding a struck protected site claims the strike."""
    counter_claims: Probability = 0.5
    """Chance that a party accused in a batch answers with a counter-claim (false) in
    its next batch."""
    false_per_batch: float = Field(1.0, ge=0, le=1000)
    """Mean number of false claims (nothing happened) in each party's batch."""


class RemoteVerification(Strict):
    """Remote verification of claims (technical means; no ground patrol)."""

    delay: Distribution = {"dist": "lognormal", "mean": "3d", "sd": "2d"}  # type: ignore
    """From a claim's batch to its verdict."""
    confirm_true: Probability = 0.7
    """Chance that a real violation is confirmed."""
    confirm_false: Probability = 0.05
    """Chance that a false claim is confirmed."""


class MoratoriumSpec(Strict):
    """A moratorium on strikes against protected sites, and the claims it draws."""

    start: Instant = "0min"
    """When it starts: time since the start, or a date when the scenario has a ``start``."""
    duration: Duration | None = "30d"
    """How long it lasts; null: until the horizon."""
    classes: list[Literal[SITE_CLASSES]] = list(SITE_CLASSES)  # type: ignore[valid-type]
    """Asset classes it covers."""
    sites: list[ProtectedSite] = []
    """The registry of protected sites."""
    claims: ClaimsSpec = ClaimsSpec()
    """The parties' claims."""
    verification: RemoteVerification = RemoteVerification()
    """How claims are verified."""
    release_after: int = Field(1, ge=1)
    """Reciprocal release: once this many violations by one side are confirmed, the
    other side is released from the moratorium."""

    @property
    def end(self) -> float:
        return float("inf") if self.duration is None else self.start + self.duration
