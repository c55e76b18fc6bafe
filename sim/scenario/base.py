"""The base of every scenario model and the small types several schema modules share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["RU", "UA"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """A scenario mapping: unknown keys refused, frozen, attribute docstrings as the
    key reference, and no silent conversions (``true`` is not 1 officer, ``"3"`` is
    not 3, 2.5 is an error rather than 2)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        strict=True,
    )
