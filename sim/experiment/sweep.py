"""Sweeps: how the results of a reform depend on the figures it rests on.

A sweep file names a base scenario (a district and its reform), the figures to vary — any
dotted key, typically the assumptions listed by ``govsim assumptions`` — with their ranges, a
design that picks the combinations to run, and the outputs to explain. Each combination (a
design point) runs as its own scenario of one `Experiment` under the sweep's root seed, so
replication r of every point sees the same random streams (common random numbers) and a
difference between points comes from the figures, not from luck.

Designs: ``factorial`` (every combination of evenly spaced levels), ``lhs`` (a Latin
hypercube, `scipy.stats.qmc.LatinHypercube`), ``qmc_sobol`` (a scrambled Sobol' sequence,
`scipy.stats.qmc.Sobol`), and two designs that yield sensitivity indices through SALib:
``sobol`` (Saltelli's sampling; first-order and total Sobol' indices — the share of an
output's variance due to each figure alone and with its interactions) and ``morris``
(elementary effects along one-at-a-time trajectories; mu* ranks the figures).

A sweep file, for example::

    base = "../scenarios/xiangfang_center.toml"   # or a list of layered files
    seed = { value = 2017, source = "assumption: any fixed root seed" }
    replications = { value = 2, source = "assumption: two replications per point" }

    [overrides]                                    # applied to the base before the sweep
    days = { value = 120, source = "assumption: four months" }

    [design]
    kind = "sobol"                                 # factorial, lhs, qmc_sobol, sobol, morris
    samples = 64                                   # N base samples: N(2D+2) points

    [parameters."online.share"]
    low = 0.1
    high = 0.5
    source = "assumption: from a tenth to half of eligible approvals go online"

    [parameters.approval_minutes]                  # one figure set in several places
    keys = ["demands.administrative.groups.civil_affairs_approvals.processing_minutes",
            "demands.administrative.groups.disability_approvals.processing_minutes"]
    low = 30
    high = 120
    integer = true                                 # round to whole numbers
    source = "assumption: half to twice the baseline hour"

    [outputs]
    metrics = ["resolution_days_mean", "trips_per_demand_mean"]
    demand_type = "administrative"                 # "" for all types together

A run folder holds ``manifest.json``, ``parts/<point>/r00000/summary.parquet`` (each
replication written atomically as it finishes; a rerun into the folder resumes),
``design.csv`` (point and figure values), ``sweep.csv`` (tidy: point, replication, figures,
metric, demand_type, value), ``sobol_indices.csv`` or ``morris_indices.csv``, and the figures
``sensitivity.png`` (indices) and ``response.png`` (point means against each figure).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import itertools
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.experiment.experiment import Experiment
from sim.experiment.jobs import Job, replicate
from sim.experiment.options import RunOptions, default_out
from sim.experiment.output import base_manifest
from sim.experiment.store import RunStore, atomic_write_frame
from sim.scenario import figures as figs
from sim.scenario.errors import ScenarioError, unknown_key
from sim.scenario.loading import OVERRIDE_FILE, load_scenario, read_toml
from sim.scenario.schema import Scenario

SWEEP_TABLES = ("summary",)
KINDS = ("factorial", "lhs", "qmc_sobol", "sobol", "morris")
MAX_POINTS = 100_000
SOBOL_COLUMNS = ["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["parameter", "output", "mu_star", "mu_star_conf", "sigma"]
SWEEP_FIXED_COLUMNS = ["point", "replication"]


# -- the sweep file ----------------------------------------------------------------------


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
    levels: int | None = Field(None, ge=2)
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
    levels: int = Field(3, ge=2)


class LhsDesign(_Section):
    """A Latin hypercube of ``samples`` points (one per stratum of every parameter)."""

    kind: Literal["lhs"]
    samples: int = Field(ge=2)


class QmcSobolDesign(_Section):
    """A scrambled Sobol' low-discrepancy sequence of ``samples`` points."""

    kind: Literal["qmc_sobol"]
    samples: int

    _check = field_validator("samples")(_power_of_two)


class SobolDesign(_Section):
    """Saltelli's sampling for Sobol' indices: ``samples`` = N base samples give N(2D+2)
    points with second-order terms, N(D+2) without."""

    kind: Literal["sobol"]
    samples: int
    second_order: bool = True

    _check = field_validator("samples")(_power_of_two)


class MorrisDesign(_Section):
    """Morris' one-at-a-time trajectories on a grid of ``levels`` values: D+1 points each."""

    kind: Literal["morris"]
    trajectories: int = Field(ge=2)
    levels: int = Field(4, ge=2)

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

    name: str = ""
    description: str = ""
    base: str | list[str]
    overrides: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = Field(None, ge=0)
    replications: int = Field(1, ge=1)
    design: Design
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    outputs: OutputsSpec


_SECTIONS: dict[str, type[BaseModel]] = {
    "parameters": ParameterSpec,
    "outputs": OutputsSpec,
}
_DESIGNS: dict[str, type[BaseModel]] = {
    "factorial": FactorialDesign,
    "lhs": LhsDesign,
    "qmc_sobol": QmcSobolDesign,
    "sobol": SobolDesign,
    "morris": MorrisDesign,
}


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


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and resolve a sweep file against its base scenario.

    Parameters
    ----------
    path : str or Path
        The sweep file (TOML).

    Returns
    -------
    Sweep
        The checked sweep: every parameter key exists in the base scenario and the scenario
        loads at both ends of every range.

    Raises
    ------
    ScenarioError
        One line naming the file (the sweep file, or the base scenario file for errors in
        it) and the key.
    """
    path = Path(path)
    label = str(path)
    data = read_toml(path)

    sources: dict[str, str] = {}
    raw: dict[str, Any] = {}
    for key, node in data.items():
        if key == "overrides":
            raw[key] = _flat_overrides(node, label, sources)
        elif key == "parameters":
            raw[key] = _flat_parameters(node, label, sources)
        else:
            raw[key] = figs.lift(node, key, sources)
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise _schema_error(exc, label) from None

    layers = [spec.base] if isinstance(spec.base, str) else list(spec.base)
    if not layers:
        raise ScenarioError(label, "base", "no scenario file given")
    base_files = [(path.parent / b).resolve() for b in layers]
    for b, f in zip(layers, base_files, strict=True):
        if not f.is_file():
            raise ScenarioError(label, "base", f"scenario file '{b}' not found")
    base_arg: Path | list[Path] = base_files[0] if len(base_files) == 1 else base_files
    overrides = dict(spec.overrides)
    try:
        base = load_scenario(base_arg, overrides)
    except ScenarioError as exc:
        raise _override_error(exc, label, overrides) from None

    params = _resolve_parameters(spec, base, label, sources)
    _check_outputs(spec.outputs, base, label)
    name = spec.name or path.stem
    sw = Sweep(
        file=path,
        name=name,
        spec=spec,
        base_source=base_files,
        overrides=overrides,
        base=base,
        parameters=params,
        seed=base.seed if spec.seed is None else spec.seed,
        sources=sources,
    )
    n = design_size(sw)
    if n > MAX_POINTS:
        raise ScenarioError(label, "design", f"{n} design points; at most {MAX_POINTS}")
    for p in params:
        for end in (p.low, p.high):
            point_scenario(sw, {p.name: p.cast(end)}, f"parameters.{p.name}")
    return sw


def _flat_overrides(node: Any, label: str, sources: dict[str, str]) -> dict[str, Any]:
    """Dotted key -> value of an ``[overrides]`` table (nested tables or quoted dotted keys;
    a sourced figure whose value is a table replaces that table whole)."""
    if not isinstance(node, dict):
        raise ScenarioError(label, "overrides", "must be a table of keys and values")
    out: dict[str, Any] = {}

    def walk(n: Any, key: str) -> None:
        if isinstance(n, dict) and not figs.is_figure(n) and n:
            for k, v in n.items():
                walk(v, figs.join(key, k))
        else:
            out[key] = figs.lift(n, f"overrides.{key}", sources)

    for k, v in node.items():
        walk(v, k)
    return out


def _flat_parameters(node: Any, label: str, sources: dict[str, str]) -> dict[str, Any]:
    """Name -> table of a ``[parameters]`` section (quoted dotted names or nested tables)."""
    if not isinstance(node, dict):
        raise ScenarioError(label, "parameters", "must be a table of parameters")
    out: dict[str, Any] = {}

    def walk(n: Any, key: str) -> None:
        if not isinstance(n, dict):
            raise ScenarioError(
                label, f"parameters.{key}", "expected a table with low and high (and a source)"
            )
        if {"low", "high", "keys"} & set(n):
            out[key] = figs.lift(n, f"parameters.{key}", sources)
            return
        if not n:
            raise ScenarioError(label, f"parameters.{key}", "empty table; expected low and high")
        for k, v in n.items():
            walk(v, figs.join(key, k))

    for k, v in node.items():
        walk(v, k)
    return out


def _schema_error(exc: ValidationError, label: str) -> ScenarioError:
    """The first schema error of a sweep file as one line naming the key (an unknown key
    first: it often explains a missing one, as a misspelt section name does)."""
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(p) for p in err["loc"]]
    kind = err["type"]
    if len(loc) >= 2 and loc[0] == "design" and loc[1] in _DESIGNS:
        model: type[BaseModel] | None = _DESIGNS[loc[1]]
        del loc[1]
    elif loc and loc[0] == "parameters":
        model = ParameterSpec
        loc = ["parameters", ".".join(loc[1:-1]), loc[-1]] if len(loc) > 2 else loc
    elif len(loc) > 1:
        model = _SECTIONS.get(loc[0])
    else:
        model = SweepSpec
    key = ".".join(p for p in loc if p)
    if kind == "extra_forbidden":
        msg = unknown_key(loc[-1], list(model.model_fields) if model is not None else [])
    elif kind == "missing":
        msg = "required key is missing"
    elif kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag")
        key = "design.kind"
        msg = f"unknown design kind {tag!r}; expected one of: {', '.join(KINDS)}"
    elif kind == "union_tag_not_found":
        key = "design.kind"
        msg = f"required key is missing; expected one of: {', '.join(KINDS)}"
    else:
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ")
        if not isinstance(value, dict | list):
            msg += f" (got {value!r})"
    return ScenarioError(label, key, msg)


def _related(a: str, b: str) -> bool:
    """Whether dotted keys `a` and `b` are the same or one encloses the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _override_error(exc: ScenarioError, label: str, overrides: dict[str, Any]) -> ScenarioError:
    """An error of the base scenario with the sweep's overrides, naming the sweep file when
    an override is at fault (errors inside the scenario files keep their own file)."""
    if exc.file != OVERRIDE_FILE:
        return exc
    key = next((k for k in overrides if _related(k, exc.key)), exc.key)
    return ScenarioError(label, f"overrides.{key}", exc.message)


def _resolve_parameters(
    spec: SweepSpec, base: Scenario, label: str, sources: dict[str, str]
) -> list[Parameter]:
    """Check every parameter against the base scenario and resolve its keys."""
    tree = base.model_dump(mode="json", exclude={"sources"})
    kind = spec.design.kind
    out = []
    for name, p in spec.parameters.items():
        where = f"parameters.{name}"
        if p.low >= p.high:
            raise ScenarioError(label, where, f"low ({p.low:g}) must be below high ({p.high:g})")
        if p.integer and not (p.low.is_integer() and p.high.is_integer()):
            raise ScenarioError(label, where, "integer = true needs whole numbers for low and high")
        if p.levels is not None and kind != "factorial":
            raise ScenarioError(label, f"{where}.levels", "levels is for factorial designs only")
        keys = tuple(p.keys) if p.keys else (name,)
        values = []
        for i, key in enumerate(keys):
            at = f"{where}.keys.{i}" if p.keys else where
            what = f"'{key}' is" if p.keys else "it is"
            value = _lookup(tree, key, label, at)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScenarioError(
                    label, at, f"{what} not a number in the base scenario ({_kind_of(value)})"
                )
            if isinstance(value, int) and not p.integer:
                raise ScenarioError(
                    label, at, f"{what} a whole number in the base scenario; add integer = true"
                )
            values.append(value)
        source = p.source.strip() or _range_source(sources, name)
        if not source:
            raise ScenarioError(
                label,
                where,
                'the range has no source; add source = "assumption: <why this range>"',
            )
        covering = figs.covering(keys[0], base.sources)
        out.append(
            Parameter(
                name=name,
                keys=keys,
                low=p.low,
                high=p.high,
                integer=p.integer,
                levels=p.levels,
                source=source,
                base_value=float(values[0]),
                base_source=base.sources[covering] if covering else "schema default",
            )
        )
    return out


def _range_source(sources: dict[str, str], name: str) -> str:
    """Source of a range given on its ends (``low = { value = …, source = "…" }``): empty
    unless both ends carry one."""
    low = sources.get(f"parameters.{name}.low", "").strip()
    high = sources.get(f"parameters.{name}.high", "").strip()
    if not (low and high):
        return ""
    return low if low == high else f"low: {low}; high: {high}"


def _kind_of(value: Any) -> str:
    """What a scenario value is, in a few words."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "not set"
    return f"it is {value!r}"


def _lookup(tree: dict[str, Any], key: str, label: str, where: str) -> Any:
    """The base scenario's value at a dotted key, or a one-line error saying why not."""
    node: Any = tree
    path: list[str] = []
    for part in key.split("."):
        here = f"'{'.'.join(path)}'" if path else "the scenario"
        if isinstance(node, list):
            raise ScenarioError(
                label,
                where,
                f"'{key}' is inside the list {here}; a sweep cannot set an item of a list",
            )
        if not isinstance(node, dict) or part not in node:
            msg = f"'{key}' is not a key of the base scenario: no '{part}' in {here}"
            if isinstance(node, dict):
                close = difflib.get_close_matches(part, list(node), n=1, cutoff=0.6)
                if close:
                    msg += f"; did you mean '{close[0]}'?"
            raise ScenarioError(label, where, msg)
        node = node[part]
        path.append(part)
    return node


def _check_outputs(outputs: OutputsSpec, base: Scenario, label: str) -> None:
    """Every output is a metric the summary of the base scenario reports for the demand type.

    The metrics are those of a one-day pilot replication of the base scenario, so the check
    follows the summary as it is (mechanisms a scenario switches on add their own).
    """
    dt = outputs.demand_type
    if dt and dt not in base.demands:
        raise ScenarioError(
            label,
            "outputs.demand_type",
            f"unknown demand type {dt!r}; expected '' (all) or one of: {', '.join(base.demands)}",
        )
    if len(set(outputs.metrics)) != len(outputs.metrics):
        raise ScenarioError(label, "outputs.metrics", "a metric is listed twice")
    pilot = base.model_copy(update={"days": 1, "warmup_days": 0})
    table = replicate(Job("pilot", pilot, 0, base.seed, SWEEP_TABLES))["summary"]
    reported = set(zip(table["metric"], table["demand_type"], strict=True))
    names = list(dict.fromkeys(table["metric"]))
    for i, m in enumerate(outputs.metrics):
        if (m, dt) in reported:
            continue
        if m in names:
            msg = f"{m!r} is not reported for demand type {dt!r}"
            if (m, "") in reported:
                msg += '; use demand_type = ""'
        else:
            close = difflib.get_close_matches(m, names, n=1, cutoff=0.6)
            msg = f"unknown metric {m!r}" + (
                f"; did you mean '{close[0]}'?" if close else " (see docs/metrics.md)"
            )
        raise ScenarioError(label, f"outputs.metrics.{i}", msg)


# -- the design ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DesignPoints:
    """The points of a design.

    Attributes
    ----------
    table : DataFrame
        ``point`` and one column per parameter: the values applied.
    sample : ndarray
        The sampled values before rounding (what SALib's analysis needs), points × D.
    problem : dict
        The SALib problem (names and sampled bounds).
    """

    table: pd.DataFrame
    sample: np.ndarray
    problem: dict[str, Any]


def design_size(sw: Sweep) -> int:
    """Number of points of a sweep's design."""
    d, spec = len(sw.parameters), sw.spec.design
    if isinstance(spec, FactorialDesign):
        return math.prod(len(p.grid(p.levels or spec.levels)) for p in sw.parameters)
    if isinstance(spec, SobolDesign):
        return spec.samples * (2 * d + 2 if spec.second_order else d + 2)
    if isinstance(spec, MorrisDesign):
        return spec.trajectories * (d + 1)
    return spec.samples


def make_design(sw: Sweep) -> DesignPoints:
    """The design points of a sweep; the same for the same file (seeded by its root seed)."""
    params, spec, seed = sw.parameters, sw.spec.design, sw.seed
    d = len(params)
    bounds = np.array([p.bounds for p in params], dtype=float)
    problem = {"num_vars": d, "names": [p.name for p in params], "bounds": bounds.tolist()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if isinstance(spec, FactorialDesign):
            grids = [p.grid(p.levels or spec.levels) for p in params]
            sample = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, d)
        elif isinstance(spec, LhsDesign):
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d, rng=seed).random(spec.samples)
            sample = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
        elif isinstance(spec, QmcSobolDesign):
            from scipy.stats import qmc

            unit = qmc.Sobol(d, scramble=True, rng=seed).random_base2(int(np.log2(spec.samples)))
            sample = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
        elif isinstance(spec, SobolDesign):
            from SALib.sample import sobol as saltelli

            sample = saltelli.sample(
                problem, spec.samples, calc_second_order=spec.second_order, seed=seed
            )
        else:
            from SALib.sample import morris

            sample = morris.sample(problem, spec.trajectories, num_levels=spec.levels, seed=seed)
    sample = np.asarray(sample, dtype=float)
    table = pd.DataFrame({"point": [point_id(i) for i in range(len(sample))]})
    for j, p in enumerate(params):
        col = p.values(sample[:, j])
        table[p.name] = col.astype(np.int64) if p.integer else col
    return DesignPoints(table, sample, problem)


def point_id(i: int) -> str:
    """Key of design point `i` (its folder under parts/)."""
    return f"p{i:05d}"


def point_scenario(sw: Sweep, values: dict[str, int | float], where: str) -> Scenario:
    """The base scenario with the sweep's overrides and one point's parameter values."""
    by_name = {p.name: p for p in sw.parameters}
    over = dict(sw.overrides)
    for name, v in values.items():
        for key in by_name[name].keys:
            over[key] = v
    src: Path | list[Path] = sw.base_source[0] if len(sw.base_source) == 1 else sw.base_source
    try:
        return load_scenario(src, over)
    except ScenarioError as exc:
        shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        inner = f"key '{exc.key}': {exc.message}" if exc.key else exc.message
        raise ScenarioError(sw.label, where, f"with {shown}: {inner}") from None


def point_scenarios(sw: Sweep, design: DesignPoints) -> dict[str, Scenario]:
    """Scenario of every design point, by point key, in design order."""
    out: dict[str, Scenario] = {}
    cols = [p.name for p in sw.parameters]
    casts = [p.cast for p in sw.parameters]
    for row in design.table.itertuples(index=False):
        values = {c: cast(v) for c, cast, v in zip(cols, casts, row[1:], strict=True)}
        out[row[0]] = point_scenario(sw, values, f"design point {row[0]}")
    return out


# -- running -------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """Tables of a finished sweep.

    Attributes
    ----------
    name, kind : str
        Sweep name and design kind.
    out : Path
        Run folder.
    seed, replications : int
        Root seed and replications per point.
    parameters : list of str
        Parameter names (columns of `design`).
    outputs : list of str
        Output metrics.
    demand_type : str
        Demand type of the outputs (``""`` for all).
    design : DataFrame
        ``point`` and parameter values.
    table : DataFrame
        Tidy: ``point, replication``, parameters, ``metric, demand_type, value``.
    indices : DataFrame
        Sobol' (``parameter, output, S1, S1_conf, ST, ST_conf``) or Morris
        (``parameter, output, mu_star, mu_star_conf, sigma``) indices; empty for other
        designs.
    ran : int
        Replications run by this call (the rest were found in the folder).
    """

    name: str
    kind: str
    out: Path
    seed: int
    replications: int
    parameters: list[str]
    outputs: list[str]
    demand_type: str
    design: pd.DataFrame
    table: pd.DataFrame
    indices: pd.DataFrame
    ran: int = 0

    def means(self) -> pd.DataFrame:
        """One row per point: parameter values and each output's mean over replications."""
        return point_means(self.table, self.design, self.outputs)

    def drivers(self) -> pd.DataFrame:
        """The parameter that drives each output most (largest ST, or mu* for Morris)."""
        return drivers(self.indices)


def sweep(file_or_path: str | Path | Sweep, options: RunOptions | None = None) -> SweepResult:
    """Run a sweep file and return its design, results and sensitivity indices.

    Parameters
    ----------
    file_or_path : str, Path or Sweep
        The sweep file (or one loaded with `load_sweep`).
    options : RunOptions, optional
        Workers or a Dask cluster, progress, figures (``sensitivity.png`` and
        ``response.png``) and the run folder, by default
        ``results/sweep-<name>/<stamp>-seed<seed>``. Every replication is stored there as it
        finishes; rerunning into the same folder resumes, running only the replications not
        yet stored.

    Returns
    -------
    SweepResult
        ``design``, ``table`` (tidy results) and ``indices`` DataFrames.
    """
    sw = file_or_path if isinstance(file_or_path, Sweep) else load_sweep(file_or_path)
    started = _now()
    design = make_design(sw)
    scenarios = point_scenarios(sw, design)  # every point is checked before anything is written
    options = options or RunOptions()
    root = options.folder or default_out(f"sweep-{sw.name}", sw.seed)
    reps = sw.spec.replications
    in_memory = RunOptions(options.workers, options.scheduler, None, options.progress)
    exp = Experiment(scenarios, sw.seed, in_memory, SWEEP_TABLES)
    if root.is_dir():
        _sweep_stale_files(root)
    # Not Experiment's own store: that one would hash and write into the manifest the
    # resolved scenario of every point. A point's scenario is the base scenario with the
    # point's values at the parameters' keys, so the base, the keys and the design identify
    # the sweep just as well, and the manifest stays small.
    exp.store = store = RunStore(root, _identity(sw, design), _manifest(sw, design, started))
    atomic_write_frame(root / "design.csv", design.table)
    ran = exp.ensure(reps)

    outputs = list(sw.spec.outputs.metrics)
    dt = sw.spec.outputs.demand_type
    table = _assemble(store, design.table, reps, outputs, dt, root / "sweep.csv")
    indices = sensitivity_indices(sw, design, table)
    if sw.kind == "sobol":
        atomic_write_frame(root / "sobol_indices.csv", indices)
    elif sw.kind == "morris":
        atomic_write_frame(root / "morris_indices.csv", indices)
    result = SweepResult(
        name=sw.name,
        kind=sw.kind,
        out=root,
        seed=sw.seed,
        replications=reps,
        parameters=[p.name for p in sw.parameters],
        outputs=outputs,
        demand_type=dt,
        design=design.table,
        table=table,
        indices=indices,
        ran=ran,
    )
    if options.figures:
        from sim.plots.figures import save_figure
        from sim.plots.sensitivity import indices_figure, response_figure

        if len(indices):
            save_figure(indices_figure(indices, dt), root / "sensitivity.png")
        save_figure(
            response_figure(result.means(), result.parameters, outputs, dt), root / "response.png"
        )
    store.update_manifest(
        sweep=_describe(sw),
        replications=reps,
        finished=_now(),
        started=store.manifest.get("started", started),
    )
    return result


def _identity(sw: Sweep, design: DesignPoints) -> dict[str, Any]:
    """What identifies a sweep's results: a folder made for another is refused, not mixed."""
    return {
        "base": sw.base.model_dump(mode="json"),
        "parameters": {p.name: list(p.keys) for p in sw.parameters},
        "design": design.table.to_dict(orient="split", index=False),
        "seed": sw.seed,
        "tables": list(SWEEP_TABLES),
    }


def _manifest(sw: Sweep, design: DesignPoints, started: str) -> dict[str, Any]:
    """What a sweep's run folder records: the sweep, its design and the base scenario."""
    info = base_manifest({"base": sw.base}, sw.seed)
    info["scenarios"] = list(design.table["point"])
    info["seeding"] += "; every design point runs the same replications (common random numbers)"
    return {
        "kind": "sweep",
        "sweep": _describe(sw),
        "design": {
            "kind": sw.kind,
            **sw.spec.design.model_dump(mode="json"),
            "points": len(design.table),
            "file": "design.csv",
        },
        "replications": sw.spec.replications,
        "started": started,
        **info,
    }


def _describe(sw: Sweep) -> dict[str, Any]:
    """The sweep file as resolved: base, overrides, parameters with sources, outputs."""
    return {
        "name": sw.name,
        "file": str(sw.file),
        "description": sw.spec.description,
        "base": [str(p) for p in sw.base_source],
        "overrides": sw.overrides,
        "parameters": {
            p.name: {
                "keys": list(p.keys),
                "low": p.low,
                "high": p.high,
                "integer": p.integer,
                "source": p.source,
                "base_value": p.base_value,
                "base_source": p.base_source,
            }
            for p in sw.parameters
        },
        "outputs": sw.spec.outputs.model_dump(mode="json"),
        "sources": sw.sources,
    }


def _sweep_stale_files(root: Path) -> None:
    """Remove temporary files an interrupted run left beside the tables (``.name.*.tmp``
    from atomic writes, ``.stem.tmp.png`` from figures)."""
    for tmp in list(root.glob(".*.tmp")) + list(root.glob(".*.tmp.png")):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


def _assemble(
    store: RunStore,
    design: pd.DataFrame,
    reps: int,
    outputs: list[str],
    demand_type: str,
    path: Path,
) -> pd.DataFrame:
    """Write ``sweep.csv`` reading the stored replications one point at a time, and read it
    back (the outputs only, so it is small even when the parts are not)."""
    params = [c for c in design.columns if c != "point"]
    grid = pd.MultiIndex.from_product([range(reps), outputs], names=["replication", "metric"])
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for i, row in enumerate(design.itertuples(index=False)):
                key = row[0]
                part = store.read("summary", [(key, r) for r in range(reps)])
                sel = part[part["metric"].isin(outputs) & (part["demand_type"] == demand_type)]
                values = sel.set_index(["replication", "metric"])["value"].reindex(grid)
                frame = values.reset_index()
                frame.insert(0, "point", key)
                for j, name in enumerate(params, start=1):
                    frame.insert(1 + j, name, row[j])
                frame.insert(frame.columns.get_loc("metric") + 1, "demand_type", demand_type)
                frame.to_csv(fh, header=i == 0, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return read_sweep_table(path)


def read_sweep_table(path: str | Path) -> pd.DataFrame:
    """Read a ``sweep.csv`` (an empty demand type stays ``""``)."""
    table = pd.read_csv(path)
    table["demand_type"] = table["demand_type"].fillna("").astype(str)
    return table


# -- analysis ------------------------------------------------------------------------------


def point_means(table: pd.DataFrame, design: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Each output's mean over replications, one row per point (design order)."""
    means = table.groupby(["point", "metric"], sort=False)["value"].mean().unstack("metric")
    means = means.reindex(index=design["point"], columns=outputs)
    return design.set_index("point").join(means).reset_index()


def sensitivity_indices(sw: Sweep, design: DesignPoints, table: pd.DataFrame) -> pd.DataFrame:
    """Sobol' or Morris indices of each output, from point means (empty for other designs).

    An output that is not finite at every point (e.g. a mean over no resolved demand) gets
    NaN indices rather than numbers SALib would make up, and so do the Sobol' indices of an
    output that does not vary (its Morris effects are zero).
    """
    outputs = list(sw.spec.outputs.metrics)
    if sw.kind not in ("sobol", "morris"):
        return pd.DataFrame()
    means = point_means(table, design.table, outputs)
    names = [p.name for p in sw.parameters]
    rows = []
    for out in outputs:
        y = means[out].to_numpy(dtype=float)
        # Sobol' indices of a constant output are 0/0; its Morris effects are truly zero.
        usable = bool(np.isfinite(y).all() and (np.ptp(y) > 0 or sw.kind == "morris"))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if sw.kind == "sobol":
                spec = sw.spec.design
                assert isinstance(spec, SobolDesign)
                if usable:
                    from SALib.analyze import sobol as sobol_analysis

                    res = sobol_analysis.analyze(
                        design.problem,
                        y,
                        calc_second_order=spec.second_order,
                        conf_level=0.95,
                        seed=sw.seed,
                    )
                    cols = {c: np.asarray(res[c], dtype=float) for c in SOBOL_COLUMNS[2:]}
                else:
                    cols = {c: np.full(len(names), np.nan) for c in SOBOL_COLUMNS[2:]}
            else:
                spec = sw.spec.design
                assert isinstance(spec, MorrisDesign)
                if usable:
                    from SALib.analyze import morris as morris_analysis

                    res = morris_analysis.analyze(
                        design.problem,
                        design.sample,
                        y,
                        num_levels=spec.levels,
                        conf_level=0.95,
                        seed=sw.seed,
                    )
                    cols = {c: np.asarray(res[c], dtype=float) for c in MORRIS_COLUMNS[2:]}
                else:
                    cols = {c: np.full(len(names), np.nan) for c in MORRIS_COLUMNS[2:]}
        frame = pd.DataFrame({"parameter": names, "output": out, **cols})
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def drivers(indices: pd.DataFrame) -> pd.DataFrame:
    """The parameter with the largest total index (or mu*) for each output.

    Returns
    -------
    DataFrame
        ``output, parameter, measure, value`` (no row for an output without indices).
    """
    if indices.empty:
        return pd.DataFrame(columns=["output", "parameter", "measure", "value"])
    measure = "ST" if "ST" in indices else "mu_star"
    rows = []
    for out, part in indices.groupby("output", sort=False):
        part = part.dropna(subset=[measure])
        if part.empty or not (part[measure] > 0).any():
            continue  # no indices, or no parameter moves the output
        top = part.loc[part[measure].idxmax()]
        rows.append((out, top["parameter"], measure, float(top[measure])))
    return pd.DataFrame(rows, columns=["output", "parameter", "measure", "value"])


def readable_sweep(result: SweepResult, max_rows: int = 20) -> str:
    """A plain-text account of a sweep for the terminal: its size, its indices (or point
    means for designs without indices) and the parameter driving each output most."""
    points = len(result.design)
    kept = points * result.replications - result.ran
    of = f" for demand type '{result.demand_type}'" if result.demand_type else ""
    lines = [
        f"{result.name}: {result.kind} design, {points} points x {result.replications} "
        f"replication(s), seed {result.seed} ({result.ran} run now, {kept} found in the folder)"
    ]

    def fmt(x: float) -> str:
        return f"{x:.3g}"

    if result.indices.empty:
        means = result.means()
        lines.append(f"point means{of} (over replications):")
        lines.append(means.head(max_rows).to_string(index=False, float_format=fmt))
        if points > max_rows:
            lines.append(f"... {points - max_rows} more points in sweep.csv")
        return "\n".join(lines)
    title = "Sobol' indices" if result.kind == "sobol" else "Morris screening"
    lines.append(f"{title}{of} (conf: 95% interval half-width):")
    for out, part in result.indices.groupby("output", sort=False):
        lines.append(f"  {out}")
        body = part.drop(columns="output").to_string(index=False, float_format=fmt)
        lines.extend("    " + line for line in body.splitlines())
    means = result.means()
    for out in result.outputs:
        y = means[out].to_numpy(dtype=float)
        bad = int((~np.isfinite(y)).sum())
        if bad:
            lines.append(
                f"no indices for {out}: not finite at {bad} of {points} points "
                "(e.g. no demand of the type resolved there); run longer or more replications"
            )
        elif np.ptp(y) == 0:
            lines.append(f"{out} is the same at every point: no parameter moves it")
    top = result.drivers()
    for row in top.itertuples(index=False):
        lines.append(
            f"most influential on {row.output}: {row.parameter} ({row.measure} {row.value:.3g})"
        )
    return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


__all__ = [
    "KINDS",
    "DesignPoints",
    "Parameter",
    "Sweep",
    "SweepResult",
    "SweepSpec",
    "default_out",
    "design_size",
    "drivers",
    "load_sweep",
    "make_design",
    "point_means",
    "point_scenarios",
    "read_sweep_table",
    "readable_sweep",
    "sensitivity_indices",
    "sweep",
]
