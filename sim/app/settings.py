"""From lever values to scenarios: the place, the reform files its levers lay over it, and the
keys they set.

The baseline arm is the place with every lever at its own value (only levers that set both
arms, such as the horizon, follow the class); the reform arm is the place with the reform
files the levers choose laid over it in order, then the keys the levers set. A key whose
value the files already give is left to the files, so their source stands. `Layering` is
that recipe — what `export` writes as a scenario file and `scenario` loads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sim.app.halls import DAOLI, XICHENG
from sim.app.levers import Figure, Lever, Value, Values, ordered
from sim.app.places import TEACHING, Place
from sim.scenario import load_scenario
from sim.scenario.loading import SHIPPED
from sim.scenario.schema import Scenario

PLACES: dict[str, Place] = {p.name: p for p in (TEACHING, DAOLI, XICHENG)}


@dataclass(frozen=True)
class Layering:
    """How one arm is made: files laid in order (under ``scenarios/``), then keys.

    Attributes
    ----------
    place : str
        The place's name.
    files : tuple of str
        Scenario files, the place's first.
    keys : dict
        Dotted key -> `Figure` (value and source), the place's classroom keys first.
    name, description : str
        The arm's scenario name and one line on it.
    """

    place: str
    files: tuple[str, ...]
    keys: dict[str, Figure]
    name: str
    description: str

    def overrides(self) -> dict[str, Any]:
        """The keys as `sim.load_scenario` overrides, with the arm's name."""
        out = {k: f.value for k, f in self.keys.items()}
        out.update(name=self.name, description=self.description)
        return out


def value_at(s: Scenario, key: str) -> Any:
    """The value of dotted `key` in scenario `s` (None when absent)."""
    node: Any = s
    for part in key.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    if hasattr(node, "model_dump"):
        return node.model_dump()
    return node


def layering(place: Place, values: Values, arm: str = "reform") -> Layering:
    """The recipe of one arm (``"baseline"`` or ``"reform"``) under lever `values`."""
    values = ordered(place.levers, values)
    if arm == "baseline":
        values = {lv.name: values[lv.name] if lv.both_arms else lv.default for lv in place.levers}
    files = list(place.layers)
    fixed = dict(place.keys)
    suggested: dict[str, Figure] = {}
    for lv in place.levers:
        for f in lv.files(values[lv.name], values):
            if f not in files:
                files.append(f)
        if lv.kind == "choice" and lv.active(values):
            option = lv.option(values[lv.name])
            fixed.update(option.keys)
            suggested.update(option.counts)
    base = load_layers(tuple(files), _frozen(fixed))
    keys = dict(fixed)
    for lv in place.levers:
        value = values[lv.name]
        hint = suggested.get(lv.name)
        source = hint.source if hint is not None and hint.value == value else None
        for key, fig in lv.figures(value, values, base, source).items():
            if key in fixed or value_at(base, key) != fig.value:
                keys[key] = fig
    name = arm_name(place, values, arm)
    return Layering(place.name, tuple(files), keys, name, describe(place, values, arm))


def arm_name(place: Place, values: Values, arm: str) -> str:
    """The arm's scenario name: the place's for the baseline, the preset's when the levers
    are exactly a preset's, else ``<place>_reform``."""
    if arm == "baseline":
        return f"{place.name}_baseline"
    for p in place.presets:
        if dict(values) == place.preset_values(p.name):
            return p.name
    return f"{place.name}_reform"


def describe(place: Place, values: Values, arm: str) -> str:
    """One line: the place and the levers moved from its own values."""
    moved = [
        f"{lv.label}: {shown(lv, values[lv.name])}"
        for lv in place.levers
        if values[lv.name] != lv.default and lv.active(values)
    ]
    head = f"{place.name} at classroom size"
    return head if arm == "baseline" or not moved else f"{head}; " + "; ".join(moved)


def shown(lever: Lever, value: Value) -> str:
    """A lever's value as the page shows it (a choice by its option's label)."""
    return lever.option(value).label if lever.kind == "choice" else str(value)


def scenario(lay: Layering) -> Scenario:
    """The scenario an arm's recipe makes."""
    return load_layers(lay.files, _frozen({**lay.keys, **_named(lay)}))


def scenarios(place: Place | str, values: Values) -> tuple[Scenario, Scenario]:
    """The baseline and reform scenarios under lever `values`."""
    if isinstance(place, str):
        place = PLACES[place]
    return (
        scenario(layering(place, values, "baseline")),
        scenario(layering(place, values, "reform")),
    )


def apply_choice(place: Place, values: Values, lever: str, value: Value) -> dict[str, Value]:
    """Lever values after a class sets `lever` to `value`: a choice moves the head counts
    its option implies (people follow the work); leaving it restores the place's."""
    out = ordered(place.levers, {**values, lever: value})
    lv = place.lever(lever)
    if lv.kind != "choice":
        return out
    old = lv.option(values.get(lever, lv.default)) if lever in values else None
    if old is not None:
        for name in old.counts:
            out[name] = place.lever(name).default
    for name, fig in lv.option(value).counts.items():
        out[name] = fig.value
    return out


def _named(lay: Layering) -> dict[str, Figure]:
    return {
        "name": Figure(lay.name, ""),
        "description": Figure(lay.description, ""),
    }


def _frozen(keys: Mapping[str, Figure]) -> str:
    """Keys as a hashable text (for the cache of loaded scenarios)."""
    return json.dumps({k: f.value for k, f in keys.items()}, sort_keys=True)


@lru_cache(maxsize=256)
def load_layers(files: tuple[str, ...], keys: str) -> Scenario:
    """Load files laid over each other with override keys (cached: loading is ~50 ms)."""
    return load_scenario([SHIPPED / f for f in files], json.loads(keys))
