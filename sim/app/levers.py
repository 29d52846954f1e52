"""The levers students argue about: what a reform changes, as a small typed description.

A district government deciding a reform has a few levers: keep its street offices or abolish
them (撤销街道办), move approvals to a street public service center (居政剥离) whose windows
handle any item (全街通办), cut the tasks, plaques and assessments departments push down
(三减一加强), vet new tasks at an access gate (准入), put items online, staff its
communities, hold consultations (三级六步). Each `Lever` says what it is called, what range
or options it takes, its default, which scenario keys it sets and with what source; an
`Option` of a choice may lay a reform file over the district (its ``layers``) and set keys
the file needs at classroom size. `figures` turns a lever's value into dotted scenario keys
with their sources; `sim.app.settings` lays everything over the place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.scenario.schema import Scenario

Value = int | float | bool | str
Values = Mapping[str, Value]
APP_SOURCE = "assumption: set in the classroom app"


@dataclass(frozen=True)
class Figure:
    """A figure the app writes into a scenario: its value and where it comes from (a
    founding article, a public report, or an assumption with its reason)."""

    value: Any
    source: str


@dataclass(frozen=True)
class Option:
    """One choice of a choice lever, e.g. "street offices abolished".

    Attributes
    ----------
    value, label : str
        The choice and how the page names it.
    layers : tuple of str
        Reform files (under ``scenarios/``) laid over the place when chosen.
    keys : mapping
        Keys the choice sets whatever the other levers say (the reform file's structure at
        classroom size), with their sources.
    counts : mapping
        Head counts the page moves other levers to when the choice is made (people follow
        the work, 人随事走): lever name -> the figure at classroom size, with its source.
    """

    value: str
    label: str
    layers: tuple[str, ...] = ()
    keys: Mapping[str, Figure] = field(default_factory=dict)
    counts: Mapping[str, Figure] = field(default_factory=dict)


# a rule turns (value, all values, the layered scenario) into key -> value
Rule = Callable[[Value, Values, Scenario], dict[str, Any]]


@dataclass(frozen=True)
class Lever:
    """One thing a class can change in a reform.

    Attributes
    ----------
    name, label : str
        Identifier and label on the page (with the Chinese term where the domain has one).
    kind : {"int", "bool", "choice"}
        A slider, a switch or a chooser.
    default : int, bool or str
        The place's own value (the baseline's).
    keys : tuple of str
        Dotted scenario keys the lever sets.
    help : str
        One or two sentences on what the lever stands for in the world.
    low, high, step : int
        Range of a slider.
    options : tuple of Option
        Choices of a chooser.
    layers : tuple of str
        Files laid over the place when a switch is on.
    when : tuple, optional
        ``(lever, allowed values)``: the lever counts only when that lever has one of them.
    both_arms : bool
        The lever sets the baseline too (the horizon of the comparison).
    known : mapping
        Sources of values that come from the sources, by value.
    rule : callable, optional
        Keys and values from the lever's value (default: every key takes the value).
    count : bool
        A head count: scaled with the district when exported at full size.
    full_size : bool
        Exported for a full-size rerun (False: a classroom setting such as the horizon).
    """

    name: str
    label: str
    kind: Literal["int", "bool", "choice"]
    default: Value
    keys: tuple[str, ...] = ()
    help: str = ""
    low: int = 0
    high: int = 1
    step: int = 1
    options: tuple[Option, ...] = ()
    layers: tuple[str, ...] = ()
    when: tuple[str, tuple[Value, ...]] | None = None
    both_arms: bool = False
    known: Mapping[Value, str] = field(default_factory=dict)
    rule: Rule | None = None
    count: bool = False
    full_size: bool = True

    def option(self, value: Value) -> Option:
        """The option of a chooser with this value."""
        for o in self.options:
            if o.value == value:
                return o
        raise KeyError(f"lever {self.name!r} has no option {value!r}")

    def active(self, values: Values) -> bool:
        """Whether the lever counts under these values (its `when` holds)."""
        if self.when is None:
            return True
        other, allowed = self.when
        return values.get(other) in allowed

    def check(self, value: Value) -> Value:
        """The value, checked against the lever's kind and range (ValueError if not)."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name}: expected true or false, got {value!r}")
        elif self.kind == "choice":
            if value not in {o.value for o in self.options}:
                raise ValueError(f"{self.name}: no option {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{self.name}: expected a whole number, got {value!r}")
        elif not self.low <= value <= self.high:
            raise ValueError(f"{self.name}: {value} is outside {self.low}-{self.high}")
        return value

    def source(self, value: Value) -> str:
        """The source of the lever's value: a source it comes from, else the app's."""
        return self.known.get(value, f"{APP_SOURCE} ({self.label}: {value})")

    def figures(
        self, value: Value, values: Values, base: Scenario, source: str | None = None
    ) -> dict[str, Figure]:
        """Dotted keys and sourced values the lever sets at `value` (none for a switch or a
        chooser whose effect is its layers, or when inactive); `source` replaces the
        lever's own source of the value."""
        if not self.active(values):
            return {}
        out = dict(self.option(value).keys) if self.kind == "choice" else {}
        if self.rule is not None:
            found = self.rule(value, values, base)
        elif self.kind == "int":
            found = dict.fromkeys(self.keys, value)
        else:
            found = {}
        why = source or self.source(value)
        out.update({k: Figure(v, why) for k, v in found.items()})
        return out

    def files(self, value: Value, values: Values) -> tuple[str, ...]:
        """Reform files the lever lays over the place at `value`."""
        if not self.active(values):
            return ()
        if self.kind == "choice":
            return self.option(value).layers
        if self.kind == "bool" and value:
            return self.layers
        return ()


def ordered(levers: tuple[Lever, ...], values: Values) -> dict[str, Value]:
    """Every lever's value, checked, defaults filled in (unknown names are an error)."""
    names = {lv.name for lv in levers}
    unknown = sorted(set(values) - names)
    if unknown:
        raise KeyError(f"unknown lever(s): {', '.join(unknown)}")
    return {lv.name: lv.check(values.get(lv.name, lv.default)) for lv in levers}
