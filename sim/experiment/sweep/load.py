"""Reading a sweep file: its figures lifted, its tables flattened, every key checked.

`load_sweep` checks the file against the schema, loads the base scenario with the sweep's
overrides, ties each varied figure to its keys in that scenario, checks the outputs against
the metrics the scenario reports (from the metric registry: no simulation runs), and loads
the scenario at both ends of every range. Every error is one line naming the file and key.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.experiment.sweep.design import design_size, point_scenario
from sim.experiment.sweep.spec import (
    DESIGNS,
    KINDS,
    MAX_POINTS,
    SECTIONS,
    OutputsSpec,
    Parameter,
    ParameterSpec,
    Sweep,
    SweepSpec,
)
from sim.metrics.registry import metric_rows
from sim.scenario import figures as figs
from sim.scenario.errors import ScenarioError, unknown_key
from sim.scenario.loading import OVERRIDE_FILE, load_scenario, read_toml
from sim.scenario.schema import Scenario


def load_sweep(path: str | Path | Mapping[str, Any], root: str | Path = ".") -> Sweep:
    """Read, validate and resolve a sweep file against its base scenario.

    Parameters
    ----------
    path : str, Path or mapping
        The sweep file (TOML), or its contents as a mapping (as a notebook builds one:
        ``{"base": "scenarios/teaching.toml", "design": "grid", "parameters": {...}}``).
    root : str or Path
        For a mapping: the folder its ``base`` paths are relative to (the working folder by
        default); errors name the sweep ``<sweep>``.

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
    if isinstance(path, Mapping):
        data = copy.deepcopy(dict(path))
        label = "<sweep>"
        path = Path(root) / f"{data.get('name') or 'sweep'}.toml"
    else:
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
    if len(loc) >= 2 and loc[0] == "design" and loc[1] in DESIGNS:
        model: type[BaseModel] | None = DESIGNS[loc[1]]
        del loc[1]
    elif loc and loc[0] == "parameters":
        model = ParameterSpec
        loc = ["parameters", ".".join(loc[1:-1]), loc[-1]] if len(loc) > 2 else loc
    elif len(loc) > 1:
        model = SECTIONS.get(loc[0])
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

    The metrics are those the metric registry lists for the base scenario (mechanisms a
    scenario switches on add their own), so the check runs no simulation.
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
    reported = metric_rows(base)
    names = sorted({m for m, _ in reported})
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
