"""The base of every scenario section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Probability = Field(ge=0.0, le=1.0)


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, types are strict (no text or
    true/false for a number), infinities are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
