"""Bounds of scenario values: names, positive durations, hourly profiles, sane maxima.

Every number in a scenario is finite (the schema refuses ``.inf`` and
``.nan``); the types here add the bounds that make physical sense, far above
any real value and low enough that the arithmetic stays exact and finite.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from .distributions import Duration

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
RatePerDay = Annotated[float, Field(ge=0.0, le=100_000.0)]
"""Events per day: at most 100,000."""
Weight = Annotated[float, Field(ge=0.0, le=1e6)]
"""A relative weight: at most 1e6."""
Officers = Annotated[int, Field(ge=0, le=1000)]
"""Officers on a desk or shift: at most 1,000."""


def hourly_profile(v: Any) -> Any:
    """Check 24 relative hourly weights (a ``BeforeValidator``): all >= 0, some > 0.

    Anything but a list of numbers is passed on for the type check to name.
    """
    if not isinstance(v, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v
    ):
        return v  # the type check that follows names what is wrong, and where
    if len(v) != 24:
        raise ValueError(f"expected 24 hourly weights (00-01h ... 23-24h), got {len(v)}")
    if any(x < 0 for x in v):
        raise ValueError("hourly weights must be >= 0")
    if any(x > 1e6 for x in v):
        raise ValueError("hourly weights are relative; expected values of at most 1e6")
    if sum(v) <= 0:
        raise ValueError("at least one hourly weight must be > 0")
    return v


def positive_duration(v: float) -> float:
    """Refuse a duration that must be positive (a half-life) when it is zero."""
    if v <= 0:
        raise ValueError("must be greater than zero")
    return v


PositiveDuration = Annotated[Duration, AfterValidator(positive_duration)]


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
NAME_MAX = 100
"""The longest name: it becomes a folder name, with room for suffixes (a file
system allows 255 bytes)."""


def check_name(v: str) -> str:
    """A name that can safely become one folder name, or ValueError.

    Examples
    --------
    >>> check_name("baseline-2")
    'baseline-2'
    """
    if not _NAME.match(v):
        raise ValueError("use letters, digits and _ . - only (it becomes a folder name)")
    if len(v) > NAME_MAX:
        raise ValueError(f"is {len(v)} characters long; expected at most {NAME_MAX}")
    return v
