"""The base of every scenario model and the small types several schema modules share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["RU", "UA"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """A scenario mapping: unknown keys refused, frozen, and no silent conversions
    (``true`` is not 1 officer, ``"3"`` is not 3, 2.5 is an error rather than 2).
    The docstring under each attribute is its entry in ``docs/scenarios.md``."""

    # .inf and .nan are refused in every number
    model_config = ConfigDict(
        allow_inf_nan=False,
        extra="forbid",
        frozen=True,
        validate_default=True,
        strict=True,
    )
