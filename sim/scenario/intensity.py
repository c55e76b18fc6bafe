"""How the rate of violations varies beyond the daily profile: the scenario keys.

The background rate at time *t* is ``rate_per_day`` times the hourly profile
times a multiplier that is the product of

* the **regime** a Markov chain over named regimes is in (each with a rate
  multiplier and a mean duration; :class:`RegimesSpec`),
* slowly varying **noise** (a log-Gaussian process; :class:`NoiseSpec`),
* the **scheduled** multiplier in force (changes at given instants, e.g. a
  ceasefire starting; :class:`ScheduledChange`), and
* the **day of the week** (seven weights, mean 1).

Each may apply to the whole line or to each region (the ``region`` attribute
of network nodes) separately. The simulation is :mod:`sim.world.intensity`;
the process and its moments are in ``docs/model.md``.
"""

from __future__ import annotations

import math

from typing import Any, Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import Probability, Strict
from .calendar import Instant
from .distributions import Duration

Scope = Literal["line", "region"]
FLAT_WEEK = [1.0] * 7


def week_profile(v: Any) -> Any:
    """Seven day-of-week weights (Monday first), not all zero (a ``BeforeValidator``).

    Anything but a list of finite numbers is passed on for the type check to name.
    """
    if not isinstance(v, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v
    ):
        return v  # the type check that follows names what is wrong, and where
    if len(v) != 7:
        raise ValueError(f"expected 7 weights, Monday to Sunday, got {len(v)}")
    if any(x < 0 for x in v):
        raise ValueError("day-of-week weights must be >= 0")
    if sum(v) <= 0:
        raise ValueError("at least one day-of-week weight must be > 0")
    return v


WeekProfile = Annotated[list[float], BeforeValidator(week_profile)]


class Regime(Strict):
    """One regime of the chain: how much fire, for how long, and what comes next."""

    multiplier: float = Field(ge=0.0, le=1000.0)
    """Rate multiplier while the chain is in this regime (1: the base rate)."""
    mean_duration: Duration
    """Mean time the chain stays in this regime once it enters it (exponential)."""
    next: dict[str, Probability] = {}
    """Chance of each regime that may follow this one (they sum to 1); empty: each
    other regime equally."""

    @field_validator("mean_duration")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be greater than zero")
        return v


class RegimesSpec(Strict):
    """A regime-switching rate: a continuous-time Markov chain over named regimes.

    The chain stays in a regime for an exponential time with the regime's mean
    duration, then moves to another by the ``next`` chances. It starts in a
    regime drawn from its long-run shares (or ``initial``), so a run is a
    stationary piece of the process. Each replication draws its own path.
    """

    scope: Scope = "line"
    """``line``: one chain for the whole line; ``region``: an independent chain, with
    these parameters, for each region of the network."""
    states: dict[str, Regime] = Field(min_length=1)
    """The regimes by name, e.g. ``calm``, ``tense``, ``escalation``."""
    initial: str | None = None
    """The regime at the start (default: drawn from the long-run shares)."""

    @model_validator(mode="after")
    def _chain(self) -> "RegimesSpec":
        names = list(self.states)
        for name, r in self.states.items():
            for other in r.next:
                if other not in self.states:
                    raise ValueError(
                        f"regime {name!r}: next names unknown regime {other!r}; expected one "
                        f"of {', '.join(names)}"
                    )
                if other == name:
                    raise ValueError(
                        f"regime {name!r}: next cannot name the regime itself (its mean "
                        "duration already says how long it lasts)"
                    )
            if r.next and abs(sum(r.next.values()) - 1.0) > 1e-6:
                raise ValueError(
                    f"regime {name!r}: the next chances must sum to 1, they sum to "
                    f"{sum(r.next.values()):g}"
                )
        if self.initial is not None and self.initial not in self.states:
            raise ValueError(f"initial regime {self.initial!r} is not one of {', '.join(names)}")
        if len(names) > 1:
            q = self.generator()
            if np.linalg.matrix_rank(q) != len(names) - 1:
                raise ValueError(
                    "the regimes split into groups that never lead to each other, so their "
                    "long-run shares are not defined; check the next chances"
                )
        return self

    @property
    def names(self) -> list[str]:
        return list(self.states)

    def jumps(self) -> np.ndarray:
        """The chance of moving from regime i to regime j when i ends (rows sum to 1)."""
        names = self.names
        k = len(names)
        out = np.zeros((k, k))
        for i, name in enumerate(names):
            nxt = self.states[name].next
            for j, other in enumerate(names):
                if j != i:
                    out[i, j] = nxt.get(other, 0.0) if nxt else 1.0 / (k - 1)
        return out

    def generator(self) -> np.ndarray:
        """The generator matrix Q of the chain, per minute."""
        rate = np.array([1.0 / self.states[n].mean_duration for n in self.names])
        j = self.jumps()
        return rate[:, None] * (j - np.eye(len(rate)))

    def stationary(self) -> np.ndarray:
        """The long-run share of time in each regime (in the order of ``states``)."""
        k = len(self.states)
        if k == 1:
            return np.ones(1)
        q = self.generator()
        a = np.vstack([q.T, np.ones(k)])
        b = np.concatenate([np.zeros(k), [1.0]])
        pi, *_ = np.linalg.lstsq(a, b, rcond=None)
        return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum()

    def multipliers(self) -> np.ndarray:
        return np.array([self.states[n].multiplier for n in self.names])

    @property
    def mean_multiplier(self) -> float:
        """The long-run mean of the regime multiplier."""
        return float(self.stationary() @ self.multipliers())


class NoiseSpec(Strict):
    """Slowly varying noise on the rate: a log-Gaussian (log-Ornstein-Uhlenbeck) process.

    The multiplier is ``exp(X - sd²/2)`` with ``X`` a stationary Gaussian
    process of standard deviation ``sd`` and correlation ``exp(-lag /
    correlation_time)``, held constant within each hour; its mean is 1.
    """

    sd: float = Field(0.0, ge=0.0, le=3.0)
    """Standard deviation of the log of the multiplier (0: no noise)."""
    correlation_time: Duration = "7d"
    """Lag at which the correlation of the log-multiplier has fallen to 1/e."""
    scope: Scope = "line"
    """``line``: one process for the whole line; ``region``: one per region."""

    @field_validator("correlation_time")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be greater than zero")
        return v


class ScheduledChange(Strict):
    """A change of the rate at a given instant, e.g. a ceasefire coming into force."""

    at: Instant
    """When the change takes effect: a duration since the start or a date."""
    multiplier: float = Field(ge=0.0, le=1000.0)
    """The scheduled multiplier from then on (it replaces the one before; 1: back to the
    base rate)."""
    regions: list[str] = []
    """Regions it applies to (empty: the whole line)."""
