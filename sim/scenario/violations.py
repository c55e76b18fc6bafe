"""The scenario keys of the ground-truth violations (``violations:``).

What happens on the line, known only to the simulator: the background rate
and how it varies (hourly and weekly profile, regimes, noise, scheduled
changes; :mod:`sim.scenario.intensity`), where (hot spots), by whom, of which
type and size, escalation, long-range strikes, scripted violations and
violations replayed from an event log (:mod:`sim.scenario.eventlog`). The
generator is :mod:`sim.world.violations`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import Probability, Side, Strict
from .bounds import PositiveDuration, RatePerDay, Weight, hourly_profile
from .calendar import Instant
from .counts import Size
from .distributions import Distribution, Duration
from .eventlog import ReplaySpec
from .intensity import FLAT_WEEK, NoiseSpec, RegimesSpec, ScheduledChange, WeekProfile

UNIFORM_DAY = [1.0] * 24


DayProfile = Annotated[list[float], BeforeValidator(hourly_profile)]


class ViolationType(Strict):
    """One kind of ceasefire violation on the line."""

    share: Probability
    """Share of line violations of this type; shares of all types sum to 1."""
    severity: int = Field(ge=1, le=5)
    """Severity 1 (least) to 5 (most); orders work under ``center.priority: severity``."""
    evidence_half_life: PositiveDuration
    """Time after which the chance of verifying on site has halved (> 0)."""
    attributable: Probability = 0.5
    """Chance that a verified violation of this type can be attributed to a side."""
    size: Size | None = None
    """Shots, explosions or bursts the monitors would count in one violation of this type
    (a whole number, or a size distribution such as ``{dist: negative_binomial, mean: 20,
    sd: 45}``); null: 1. The center handles the violation as one incident whatever its
    size."""


class EscalationSpec(Strict):
    """Self-excitation: each violation may trigger further ones nearby (a Hawkes process)."""

    branching_ratio: float = Field(0.0, ge=0.0)
    """Mean number of violations each violation triggers; must be < 1."""
    decay: Duration = "2h"
    """Mean delay from a violation to one it triggers (exponential kernel)."""
    delay: Distribution | None = None
    """Delay from a violation to one it triggers, as any distribution (e.g. ``{dist:
    lognormal, mean: 1d, sd: 6h}`` for next-day responses); replaces the exponential
    kernel of ``decay`` when given."""
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

    @property
    def mean_delay(self) -> float:
        """Mean delay to a triggered violation, minutes."""
        return self.decay if self.delay is None else self.delay.mean


class LongRangeSpec(Strict):
    """Long-range strikes on rear targets (city and energy nodes with ``strike_weight`` > 0)."""

    rate_per_day: RatePerDay = 0.0
    """Mean strikes per day over all rear targets."""
    time_of_day: DayProfile = UNIFORM_DAY
    """24 relative hourly weights of when strikes happen (local time)."""
    severity: int = Field(5, ge=1, le=5)
    """Severity of a strike."""
    evidence_half_life: PositiveDuration = "3d"
    """Half-life of the evidence of a strike (> 0)."""
    attributable: Probability = 0.8
    """Chance that a verified strike can be attributed."""


class ScriptedViolation(Strict):
    """A violation that happens at a given time and place, on top of the random ones."""

    time: Instant
    """When it happens: a duration since the start of the replication, or a date."""
    node: str
    """Where: a sector node, or a strike target for ``type: long_range_strike``."""
    type: str
    """A type from ``violations.types``, or ``long_range_strike``."""
    perpetrator: Side
    """Who commits it."""
    size: int | None = Field(None, ge=1)
    """Shots or explosions in it (default: drawn from its type's size)."""


class ViolationsSpec(Strict):
    """Ground-truth violations (known only to the simulator)."""

    rate_per_day: RatePerDay = 20.0
    """Background rate of line violations per day over all sectors, before escalation
    (and before the regime, noise, scheduled and day-of-week multipliers)."""
    time_of_day: DayProfile = UNIFORM_DAY
    """24 relative hourly weights of when violations happen (local time)."""
    day_of_week: WeekProfile = FLAT_WEEK
    """7 relative weights of the days of the week, Monday first (needs ``start``); they
    are scaled to a mean of 1."""
    regimes: RegimesSpec | None = None
    """A regime-switching rate (a Markov chain over named regimes); null: none."""
    noise: NoiseSpec = NoiseSpec()
    """Slowly varying log-Gaussian noise on the rate (off while ``sd`` is 0)."""
    schedule: list[ScheduledChange] = []
    """Changes of the rate at given instants (e.g. a ceasefire coming into force)."""
    hotspots: dict[str, Weight] = {}
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
    replay: ReplaySpec | None = None
    """Violations replayed from an event log (CSV), alone or mixed with the generated
    ones."""

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

    @model_validator(mode="after")
    def _replay_types(self) -> "ViolationsSpec":
        if self.replay is not None:
            known = set(self.types) | {"long_range_strike"}
            for value, name in self.replay.type_map.items():
                if name is not None and name not in known:
                    raise ValueError(
                        f"replay.type_map: {value!r} maps to unknown type {name!r}; expected "
                        f"one of {', '.join(sorted(known))} (or null to leave such events out)"
                    )
        return self

    @property
    def modulated(self) -> bool:
        """Whether anything beyond the hourly profile varies the background rate."""
        return (
            self.regimes is not None
            or self.noise.sd > 0
            or bool(self.schedule)
            or len(set(self.day_of_week)) > 1
        )

    @property
    def by_region(self) -> bool:
        """Whether the background rate varies by region (and is drawn region by region)."""
        return (
            (self.regimes is not None and self.regimes.scope == "region")
            or (self.noise.sd > 0 and self.noise.scope == "region")
            or any(c.regions for c in self.schedule)
        )

    @property
    def sized(self) -> bool:
        """Whether violations may have a size other than 1 (then the ``size`` column is
        written): some type or scripted violation sets one, or a log is replayed."""
        return (
            any(t.size is not None for t in self.types.values())
            or any(s.size is not None for s in self.scripted)
            or self.replay is not None
        )
