"""The classroom's settings as scenario files that ``govsim run`` and ``govsim compare`` take.

A finding made in class should be rerun outside it: with more replications, or at full size.
`export_toml` writes one arm as a reform file in the project's own form — ``extends`` the
shipped files, then each key the levers set as ``{ value = …, source = "…" }`` — so that
``govsim validate --strict`` accepts it: every figure has a source, the lever's own (an
article, a public report) or ``assumption: set in the classroom app``. At ``size="full"``
the file extends the place at full size instead; classroom-size keys are left out and head
counts are scaled in proportion to the file's own full-size figures.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from sim.app.levers import Figure, Values, ordered
from sim.app.places import Place
from sim.app.settings import Layering, layering, load_layers, value_at

BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def full_layering(place: Place, values: Values, arm: str = "reform") -> Layering:
    """The recipe of one arm at full size: the place's full-size files, the reform files the
    levers choose, and the keys of the levers that hold at any size (head counts scaled)."""
    values = ordered(place.levers, values)
    if arm == "baseline":
        values = {lv.name: values[lv.name] if lv.both_arms else lv.default for lv in place.levers}
    files = list(place.full_layers)
    suggested: dict[str, Figure] = {}
    for lv in place.levers:
        files += [f for f in lv.files(values[lv.name], values) if f not in files]
        if lv.kind == "choice" and lv.active(values):
            suggested.update(lv.option(values[lv.name]).counts)
    base = load_layers(tuple(files), "{}")
    keys: dict[str, Figure] = {}
    for lv in place.levers:
        if not lv.full_size or not lv.active(values):
            continue
        value = values[lv.name]
        source = None
        if lv.count:
            hint = suggested.get(lv.name)
            ref = hint.value if hint is not None else lv.default
            if value == ref:
                continue  # the file's own full-size figure stands
            full = value_at(base, lv.keys[0])
            value = max(1, round(value * full / ref))
            source = (
                f"assumption: scaled from the classroom app: {values[lv.name]} at classroom "
                f"size where {ref} stands for this file's {full}"
            )
        scaled = {**values, lv.name: value}
        for key, fig in lv.figures(value, scaled, base, source).items():
            if value_at(base, key) != fig.value:
                keys[key] = fig
    for lv in place.levers:  # a choice's classroom-size keys do not hold at full size
        if lv.kind == "choice" and lv.active(values):
            for key in lv.option(values[lv.name]).keys:
                keys.pop(key, None)
    lay = layering(place, values, arm)
    return Layering(place.name, tuple(files), keys, lay.name, lay.description)


def export_toml(place: Place, values: Values, arm: str = "reform", size: str = "classroom") -> str:
    """One arm's scenario file as TOML text.

    Parameters
    ----------
    place : Place
        The place reformed.
    values : mapping
        The lever values.
    arm : {"reform", "baseline"}
        Which arm.
    size : {"classroom", "full"}
        Extend the place at classroom size (what the app ran) or at full size.
    """
    if size not in ("classroom", "full"):
        raise ValueError(f"size must be 'classroom' or 'full', not {size!r}")
    lay = layering(place, values, arm) if size == "classroom" else full_layering(place, values, arm)
    name = f"{lay.name}_{size}"
    description = lay.description.replace("at classroom size", f"at {size} size")
    other = f"{place.name}_baseline_{size}.toml"
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# {place.label}",
        f"# {description}",
        f"# Exported from the govsim classroom app (govsim app), {stamp}, at {size} size.",
        "#",
        f"# Rerun:    govsim run {name}.toml --replications 10",
        f"# Compare:  govsim compare {other} {name}.toml --replications 10",
        "# (the app exports the baseline arm as well). Every figure below names its source;",
        "# the files in extends are the shipped scenarios (scenarios/), sourced the same way.",
        "",
        "extends = [" + ", ".join(json.dumps(f) for f in lay.files) + "]",
        f"name = {json.dumps(name)}",
        f"description = {json.dumps(description, ensure_ascii=False)}",
    ]
    for key, fig in lay.keys.items():
        path = ".".join(p if BARE.match(p) else json.dumps(p) for p in key.split("."))
        src = json.dumps(fig.source, ensure_ascii=False)
        lines.append(f"{path} = {{ value = {toml_value(fig.value)}, source = {src} }}")
    return "\n".join(lines) + "\n"


def toml_value(v: Any) -> str:
    """A value as TOML: booleans, numbers, text, lists and inline tables."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        items = (
            f"{k if BARE.match(str(k)) else json.dumps(str(k))} = {toml_value(x)}"
            for k, x in v.items()
        )
        return "{ " + ", ".join(items) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")
