"""The sweep file: what a study of a reform varies, how it picks combinations, what it explains.

The pydantic schema of a sweep file (its sections and designs, checked strictly: an unknown
key is an error) and the two records a loaded file resolves to: `Parameter`, a varied figure
tied to its keys in the base scenario, and `Sweep`, the whole checked file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.scenario import limits as L
from sim.scenario.schema import Scenario

SWEEP_TABLES = ("summary",)
KINDS = ("factorial", "lhs", "qmc_sobol", "sobol", "morris")
MAX_POINTS = 100_000
SOBOL_COLUMNS = ["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["parameter", "output", "mu_star", "mu_star_conf", "sigma"]
SWEEP_FIXED_COLUMNS = ["point", "replication"]


# -- the sweep file ----------------------------------------------------------------------


MAX_LEVELS = 1_000  # values of one parameter on a grid
MAX_POINTS = 1 << 20  # samples or trajectories of a design
MAX_RUNS = 10_000_000  # design points times replications: years of computing beyond this


class _Section(BaseModel):
    """Base of every sweep-file section: unknown keys are errors, types are strict."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ParameterSpec(_Section):
    """A figure varied by the sweep: its range and where it sits in the scenario.

    Without ``keys`` the parameter's name is the dotted key it sets; with ``keys`` the name
    is a label and every key takes the same value (e.g. the processing time of the three
    kinds of approval together).
    """

    low: float
    high: float
    integer: bool = False
    levels: int | None = Field(None, ge=2, le=MAX_LEVELS)
    keys: list[str] | None = Field(None, min_length=1)
    source: str = ""


def _power_of_two(n: int) -> int:
    if n < 2 or n & (n - 1):
        low = 2 ** max(1, int(math.log2(max(n, 2))))
        raise ValueError(f"must be a power of two for a balanced Sobol' sequence (e.g. {low})")
    return n


class FactorialDesign(_Section):
    """Every combination of ``levels`` evenly spaced values of each parameter."""

    kind: Literal["factorial"]
    levels: int = Field(3, ge=2, le=MAX_LEVELS)


class LhsDesign(_Section):
    """A Latin hypercube of ``samples`` points (one per stratum of every parameter)."""

    kind: Literal["lhs"]
    samples: int = Field(ge=2, le=MAX_POINTS)


class QmcSobolDesign(_Section):
    """A scrambled Sobol' low-discrepancy sequence of ``samples`` points."""

    kind: Literal["qmc_sobol"]
    samples: int = Field(le=MAX_POINTS)

    _check = field_validator("samples")(_power_of_two)


class SobolDesign(_Section):
    """Saltelli's sampling for Sobol' indices: ``samples`` = N base samples give N(2D+2)
    points with second-order terms, N(D+2) without."""

    kind: Literal["sobol"]
    samples: int = Field(le=MAX_POINTS)
    second_order: bool = True

    _check = field_validator("samples")(_power_of_two)


class MorrisDesign(_Section):
    """Morris' one-at-a-time trajectories on a grid of ``levels`` values: D+1 points each."""

    kind: Literal["morris"]
    trajectories: int = Field(ge=2, le=MAX_POINTS)
    levels: int = Field(4, ge=2, le=MAX_LEVELS)

    @field_validator("levels")
    @classmethod
    def _even(cls, n: int) -> int:
        if n % 2:
            raise ValueError("must be even (an odd grid biases Morris' sample)")
        return n


Design = Annotated[
    FactorialDesign | LhsDesign | QmcSobolDesign | SobolDesign | MorrisDesign,
    Field(discriminator="kind"),
]


class OutputsSpec(_Section):
    """What the sweep explains: summary metrics for one demand type (``""`` for all)."""

    metrics: list[str] = Field(min_length=1)
    demand_type: str = ""


class SweepSpec(_Section):
    """A whole sweep file, after its figures are lifted and its tables flattened."""

    name: str = Field("", max_length=L.MAX_NAME)
    description: str = Field("", max_length=L.MAX_TEXT)
    base: str | list[str]
    overrides: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = Field(None, ge=0, le=L.MAX_SEED)
    replications: int = Field(1, ge=1, le=L.MAX_REPLICATIONS)
    design: Design
    parameters: dict[str, ParameterSpec] = Field(min_length=1, max_length=100)
    outputs: OutputsSpec

    @model_validator(mode="after")
    def _size(self) -> SweepSpec:
        """A sweep whose runs could never finish is refused before it starts."""
        d, design = len(self.parameters), self.design
        if isinstance(design, FactorialDesign):
            points = design.levels**d
        elif isinstance(design, SobolDesign):
            points = design.samples * (2 * d + 2 if design.second_order else d + 2)
        elif isinstance(design, MorrisDesign):
            points = design.trajectories * (d + 1)
        else:
            points = design.samples
        if points * self.replications > MAX_RUNS:
            raise ValueError(
                f"{points} design points x {self.replications} replications is more than "
                f"the {MAX_RUNS:,} runs a sweep may hold"
            )
        return self


SECTIONS: dict[str, type[BaseModel]] = {
    "parameters": ParameterSpec,
    "outputs": OutputsSpec,
}
DESIGNS: dict[str, type[BaseModel]] = {
    "factorial": FactorialDesign,
    "lhs": LhsDesign,
    "qmc_sobol": QmcSobolDesign,
    "sobol": SobolDesign,
    "morris": MorrisDesign,
}


# -- the file resolved -------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A varied figure, resolved against the base scenario.

    Attributes
    ----------
    name : str
        Column name in the tables (the dotted key, or the label of a set of keys).
    keys : tuple of str
        Scenario keys set to the parameter's value.
    low, high : float
        Range of values.
    integer : bool
        Values are whole numbers (e.g. windows of a center).
    levels : int or None
        Levels in a factorial design (the design's default when None).
    source : str
        Where the range comes from (``assumption: …``).
    base_value : float
        Value of the first key in the base scenario.
    base_source : str
        Source of that value in the scenario files.
    """

    name: str
    keys: tuple[str, ...]
    low: float
    high: float
    integer: bool
    levels: int | None
    source: str
    base_value: float
    base_source: str

    @property
    def bounds(self) -> tuple[float, float]:
        """Range sampled: widened by half a unit for whole numbers, so that rounding gives
        every whole number in [low, high] the same chance."""
        if self.integer:
            return self.low - 0.5, self.high + 0.5
        return self.low, self.high

    def values(self, raw: np.ndarray) -> np.ndarray:
        """Values applied to the scenario from sampled ones (rounded for whole numbers)."""
        if not self.integer:
            return np.asarray(raw, dtype=float)
        return np.clip(np.floor(np.asarray(raw, dtype=float) + 0.5), self.low, self.high)

    def grid(self, levels: int) -> np.ndarray:
        """Evenly spaced levels from low to high (distinct whole numbers if integer)."""
        grid = np.linspace(self.low, self.high, levels)
        return np.unique(self.values(grid)) if self.integer else grid

    def cast(self, value: float) -> int | float:
        """A value as the scenario wants it."""
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Sweep:
    """A loaded and checked sweep file.

    Attributes
    ----------
    file : Path
        The sweep file.
    name : str
        Sweep name (the file's stem unless ``name`` is given).
    spec : SweepSpec
        The validated file.
    base_source : list of Path
        Base scenario file(s), resolved from the sweep file's folder.
    overrides : dict
        Dotted keys applied to the base before the sweep.
    base : Scenario
        The base scenario with the overrides.
    parameters : list of Parameter
        The varied figures, in file order.
    seed : int
        Root seed of every point.
    sources : dict
        Source of each figure in the sweep file, by dotted key.
    """

    file: Path
    name: str
    spec: SweepSpec
    base_source: list[Path]
    overrides: dict[str, Any]
    base: Scenario
    parameters: list[Parameter]
    seed: int
    sources: dict[str, str]

    @property
    def kind(self) -> str:
        """Design kind."""
        return self.spec.design.kind

    @property
    def label(self) -> str:
        """The file as named in errors."""
        return str(self.file)
