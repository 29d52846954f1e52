"""What is not known about the place, as ranges a calibration may search: a calibration file.

A calibration file (TOML) names the field patterns to fit (``targets``, a targets file whose
path is relative to the calibration file, and optionally ``only`` some of its targets) and
lists ``[[parameters]]``: each an uncertain assumption with ``name``, ``key`` (a dotted
scenario key as ``--set`` takes it), a prior (``prior = "uniform"`` or ``"loguniform"`` with
``low`` and ``high``; ``"normal"`` with ``mean``, ``sd`` and optional ``low``/``high``) and
the ``reason`` for its range (a founding article by number 000–004, a public report, or
``assumption: …``). An optional ``[abc]`` table sets the inference (`AbcSettings`).
``calibration/baseline.toml`` is an example.

Targets must stand for the place *before* a reform (VALIDATION.md): a reform scenario of
``validation/reforms.toml`` (or a file that loads as one) is refused. Every key is checked by
loading every target scenario with the priors at their midpoints, lows and highs. A normal
prior without bounds is cut at `NORMAL_SDS` standard deviations, so every parameter has a
finite ``low`` and ``high`` (what an adapter to the EMA Workbench reads, with ``name``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from sim.experiment.targets import Target, load_targets
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.errors import unknown_key
from sim.scenario.figures import kind
from sim.scenario.keys import annotation_at, fields_at
from sim.scenario.loading import SHIPPED, read_toml
from sim.scenario.section import Section

NORMAL_SDS = 4.0  # a normal prior without bounds is cut here: a finite range for every search
REFORMS = SHIPPED.parent / "validation" / "reforms.toml"  # the registry of reform scenarios
_ARTICLE = re.compile(r"^00[0-4]\b")


class Parameter(Section):
    """One uncertain assumption: the scenario key it sets, its prior and why that range.

    ``low``/``high`` bound every prior (a normal's are filled in by `load_calibration` when
    the file leaves them out); a key whose schema type is a whole number is rounded.
    """

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    key: str = Field(min_length=1)
    prior: Literal["uniform", "loguniform", "normal"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    reason: str = Field(min_length=1)

    @property
    def integer(self) -> bool:
        """Whether the scenario takes a whole number at this key (values are rounded)."""
        return annotation_at(self.key.split(".")) is int

    @property
    def midpoint(self) -> float:
        """The prior's centre: the middle, the geometric middle, or the mean."""
        if self.prior == "uniform":
            return (self.low + self.high) / 2
        if self.prior == "loguniform":
            return math.sqrt(self.low * self.high)
        return min(max(self.mean, self.low), self.high)

    def scipy(self) -> tuple[str, tuple[float, ...]]:
        """The prior as a scipy.stats name and its arguments (as pyabc's ``RV`` takes them)."""
        if self.prior == "uniform":
            return "uniform", (self.low, self.high - self.low)
        if self.prior == "loguniform":
            return "loguniform", (self.low, self.high)
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return "truncnorm", (a, b, self.mean, self.sd)

    def distribution(self) -> Any:
        """The prior as a frozen scipy.stats distribution."""
        from scipy import stats

        name, args = self.scipy()
        return getattr(stats, name)(*args)

    def value(self, x: float) -> int | float:
        """`x` as the scenario takes it: rounded for a whole-number key."""
        return int(round(x)) if self.integer else float(x)


class AbcSettings(Section):
    """How the inference runs: particles, generations, when to stop, each evaluation's size.

    ``days`` overrides the horizon of every target scenario; ``seed`` is the simulation seed
    every particle is evaluated with (common random numbers; default: each scenario's own).
    """

    population: int = Field(default=100, ge=2)
    generations: int = Field(default=5, ge=1)
    min_epsilon: float = Field(default=0.0, ge=0)
    replications: int = Field(default=2, ge=1)
    days: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, ge=0)


class CalibrationFile(Section):
    """A calibration file as written: the targets file, parameters and ``[abc]``."""

    description: str = ""
    targets: str = Field(min_length=1)
    only: list[str] | None = None
    parameters: list[Parameter] = Field(min_length=1)
    abc: AbcSettings = AbcSettings()


@dataclass(frozen=True)
class Calibration:
    """A checked calibration: the targets to fit and the assumptions to fit them with.

    ``targets`` are those used (after ``only``), each ``scenario`` resolved to a file;
    each of ``parameters`` has ``name``, ``key``, ``low`` and ``high``; ``abc`` holds the
    file's ``[abc]`` with any changes from the command line (`with_abc`).
    """

    path: Path
    description: str
    targets_path: Path
    targets: tuple[Target, ...]
    parameters: tuple[Parameter, ...]
    abc: AbcSettings

    @property
    def names(self) -> list[str]:
        """Parameter names, in file order."""
        return [p.name for p in self.parameters]

    @property
    def scenario_files(self) -> list[Path]:
        """The distinct target scenarios, in order of first use."""
        return list(dict.fromkeys(Path(t.scenario) for t in self.targets))

    def bounds(self) -> dict[str, tuple[float, float]]:
        """``(low, high)`` of every parameter, by name."""
        return {p.name: (p.low, p.high) for p in self.parameters}

    def sample(self, rng: np.random.Generator, n: int) -> pd.DataFrame:
        """`n` draws from the prior (one column per parameter), from `rng`."""
        draw = {p.name: p.distribution().rvs(size=n, random_state=rng) for p in self.parameters}
        return pd.DataFrame(draw)

    def overrides(self, values: Mapping[str, float]) -> dict[str, Any]:
        """The ``--set`` overrides for parameter values by name (with ``days`` if set)."""
        out: dict[str, Any] = {p.key: p.value(values[p.name]) for p in self.parameters}
        if self.abc.days is not None:
            out["days"] = self.abc.days
        return out

    def with_abc(self, **changes: Any) -> Calibration:
        """The same calibration with some ``[abc]`` settings changed (None: unchanged)."""
        update = {k: v for k, v in changes.items() if v is not None}
        abc = AbcSettings.model_validate({**self.abc.model_dump(), **update})
        return replace(self, abc=abc)


def parse_parameters(data: Mapping[str, Any], label: str) -> list[Parameter]:
    """The parameters of a parsed calibration file, each prior checked and completed."""
    return _parameters(_validate(data, label), label)


def load_calibration(path: str | Path) -> Calibration:
    """Read and check a calibration file, its targets and every key in every scenario;
    a `ScenarioError` (one line naming the file and the key) otherwise."""
    path = Path(path)
    label = str(path)
    spec = _validate(read_toml(path), label)
    params = _parameters(spec, label)
    targets_path = path.parent / spec.targets
    if not targets_path.is_file():
        raise ScenarioError(label, "targets", f"targets file '{spec.targets}' not found")
    found = load_targets(targets_path)
    names = [t.name for t in found]
    for i, name in enumerate(spec.only or []):
        if name not in names:
            raise ScenarioError(label, f"only.{i}", unknown_key(name, names))
    targets = [
        t.model_copy(update={"scenario": str((targets_path.parent / t.scenario).resolve())})
        for t in found
        if spec.only is None or t.name in spec.only
    ]
    cal = Calibration(path, spec.description, targets_path, tuple(targets), tuple(params), spec.abc)
    _before_only(cal)
    for file in cal.scenario_files:
        for which in ("midpoint", "low", "high"):
            _check_loads(cal, file, which)
    return cal


def _parameters(spec: CalibrationFile, label: str) -> list[Parameter]:
    """Every parameter checked (`_complete`), with distinct names and numeric keys."""
    params = [_complete(p, label, f"parameters.{i}") for i, p in enumerate(spec.parameters)]
    for i, p in enumerate(params):
        where = f"parameters.{i}"
        if p.name in [q.name for q in params[:i]]:
            raise ScenarioError(label, f"{where}.name", f"parameter '{p.name}' given twice")
        if p.key in [q.key for q in params[:i]]:
            raise ScenarioError(label, f"{where}.key", f"key '{p.key}' given twice")
        *head, last = p.key.split(".")
        if (ann := annotation_at([*head, last])) is None:
            msg = f"'{p.key}': {unknown_key(last, fields_at(head))}"
            raise ScenarioError(label, f"{where}.key", msg)
        if ann not in (int, float):
            raise ScenarioError(label, f"{where}.key", f"'{p.key}' is not a number of a scenario")
    return params


def _validate(data: Mapping[str, Any], label: str) -> CalibrationFile:
    """The file's tables as a `CalibrationFile`, or a one-line error naming the key."""
    try:
        return CalibrationFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            models = {"parameters": Parameter, "abc": AbcSettings}
            deep = len(err["loc"]) > 1
            model = models.get(err["loc"][0], CalibrationFile) if deep else CalibrationFile
            msg = unknown_key(str(err["loc"][-1]), list(model.model_fields))
            raise ScenarioError(label, loc, msg) from None
        value = err.get("input")
        msg = err["msg"] if isinstance(value, dict) else f"{err['msg']} (got {value!r})"
        raise ScenarioError(label, loc, msg) from None


def _complete(p: Parameter, label: str, where: str) -> Parameter:
    """Check that the prior has what it needs and fill in a normal's bounds."""
    needs, unused = ("mean", "sd"), ("low", "high")
    if p.prior != "normal":
        needs, unused = unused, needs
    for field in needs:
        if getattr(p, field) is None:
            raise ScenarioError(label, f"{where}.{field}", f"a {p.prior} prior needs {field}")
    if p.prior != "normal":
        for field in (f for f in unused if getattr(p, f) is not None):
            raise ScenarioError(label, f"{where}.{field}", f"a {p.prior} prior has no {field}")
    else:
        low = p.mean - NORMAL_SDS * p.sd if p.low is None else p.low
        high = p.mean + NORMAL_SDS * p.sd if p.high is None else p.high
        p = p.model_copy(update={"low": low, "high": high})
    if not p.low < p.high:
        msg = f"high ({p.high:g}) must be above low ({p.low:g})"
        raise ScenarioError(label, f"{where}.high", msg)
    if p.prior == "loguniform" and p.low <= 0:
        raise ScenarioError(label, f"{where}.low", "a loguniform prior needs low above 0")
    source = kind(p.reason)
    if source in ("fitted", "override", "unsourced") or (
        source == "article" and not _ARTICLE.match(p.reason)
    ):
        msg = "must start with a source (000–004), 'public report' or 'assumption'"
        raise ScenarioError(label, f"{where}.reason", msg)
    return p


def _check_loads(cal: Calibration, file: Path, which: str) -> None:
    """Load `file` with every parameter at its midpoint (or low, or high)."""
    values = {p.name: getattr(p, which) for p in cal.parameters}
    try:
        load_scenario(file, cal.overrides(values))
    except ScenarioError as exc:
        key = exc.key or "-"
        for i, p in enumerate(cal.parameters):
            if key == p.key or key.startswith(p.key + ".") or p.key.startswith(key + "."):
                what = f"{file.name} at {which} {values[p.name]:g}: {exc.message}"
                raise ScenarioError(str(cal.path), f"parameters.{i}.key", what) from None
        where = "abc.days" if key == "days" else "parameters"
        what = f"{file.name} with every prior at its {which}: {exc}"
        raise ScenarioError(str(cal.path), where, what) from None


def _before_only(cal: Calibration) -> None:
    """Refuse a target scenario that is a reform of ``validation/reforms.toml``: the file
    itself, or a file that loads as one (extends it and keeps its name)."""
    pairs = read_toml(REFORMS).get("pairs", []) if REFORMS.is_file() else []
    files = {(REFORMS.parent / p["reform"]).resolve() for p in pairs if "reform" in p}
    names = {read_toml(f).get("name") for f in files if f.is_file()}
    for k, t in enumerate(cal.targets):
        file = Path(t.scenario)
        if file in files or load_scenario(file).name in names:
            msg = f"'{file.name}' is a reform (validation/reforms.toml): calibrate on the before"
            raise ScenarioError(str(cal.targets_path), f"targets.{k}.scenario", msg)
