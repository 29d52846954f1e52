"""The classroom page (Solara): choose a place and a reform, move the levers, read the result.

The sidebar holds the place, the reform (a shipped one at classroom size, or custom), the
levers and the export; the main area holds four tabs: Compare (reading, figure, tables),
One day (the live picture), Info (NetLogo's shape) and Glossary & sources. Every change of a
lever reruns the comparison in a background task (`sim.app.runner`); the last result stays
on screen until the new one arrives. Elements carry stable classes (``lever-<name>``,
``run-status``, ``compare-figure``, ``table-<name>``, ``day-play``, ``day-view``) for the
browser tests.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import solara

from sim.app.chart import comparison_svg
from sim.app.dayview import DayView
from sim.app.export import export_toml
from sim.app.info import INFO, SOURCES, glossary_markdown
from sim.app.levers import Lever, Value
from sim.app.places import Place
from sim.app.render import reading_html, tables_html
from sim.app.runner import REPLICATIONS, Results, Runner
from sim.app.settings import PLACES, apply_choice, scenarios, shown

RUNNER = Runner()  # shared by every session of this server: its store serves them all
LOCK = threading.Lock()
CUSTOM = "custom (the levers as set)"

place_name = solara.reactive("teaching")
values = solara.reactive(PLACES["teaching"].preset_values("xiangfang_center"))
replications = solara.reactive(REPLICATIONS)
runs = solara.reactive(0)


@dataclass(frozen=True)
class Outcome:
    """A finished run as the page shows it."""

    number: int
    results: Results
    figure: str


def compute(place: str, chosen: dict[str, Value], n: int) -> tuple[Results, str]:
    """Run the comparison the levers describe, and draw it."""
    base, reform = scenarios(PLACES[place], chosen)
    with LOCK:
        res = RUNNER.compare(base, reform, replications=n)
    return res, comparison_svg(res.tables, reform.name)


def prewarm() -> None:
    """Run every place's first reform once, so the first visitor's page finds it done."""
    for place in PLACES.values():
        compute(place.name, place.preset_values(place.presets[0].name), REPLICATIONS)


def preset_of(place: Place, chosen: dict[str, Value]) -> str:
    """The preset the levers match, or custom."""
    for p in place.presets:
        if chosen == place.preset_values(p.name):
            return p.label
    return "baseline (no lever moved)" if chosen == place.defaults() else CUSTOM


@solara.component
def LeverControl(place: Place, lever: Lever) -> None:
    """One lever: a slider, a switch or a chooser."""
    chosen = values.value
    active = lever.active(chosen)

    def set_to(v: Any) -> None:
        values.value = apply_choice(place, values.value, lever.name, v)

    with solara.Div(classes=[f"lever-{lever.name}", "lever"]):
        if lever.kind == "int":
            solara.SliderInt(lever.label, value=int(chosen[lever.name]), min=lever.low,
                             max=lever.high, step=lever.step, on_value=set_to,
                             disabled=not active)  # fmt: skip
        elif lever.kind == "bool":
            solara.Switch(label=lever.label, value=bool(chosen[lever.name]), on_value=set_to,
                          disabled=not active)  # fmt: skip
        else:
            labels = {o.label: o.value for o in lever.options}
            solara.Select(lever.label, values=list(labels),
                          value=shown(lever, chosen[lever.name]),
                          on_value=lambda lab: set_to(labels[lab]),
                          disabled=not active)  # fmt: skip


@solara.component
def Controls() -> None:
    """Place, reform, levers, replications, export."""
    place = PLACES[place_name.value]
    labels = {p.label: p.name for p in PLACES.values()}

    def choose_place(label: str) -> None:
        new = PLACES[labels[label]]
        place_name.value = new.name
        values.value = new.preset_values(new.presets[0].name)

    presets = {p.label: p.name for p in place.presets}
    current = preset_of(place, values.value)

    def choose_preset(label: str) -> None:
        if label in presets:
            values.value = place.preset_values(presets[label])
        elif label.startswith("baseline"):
            values.value = place.defaults()

    solara.Select("Place", values=list(labels), value=place.label, on_value=choose_place,
                  classes=["choose-place"])  # fmt: skip
    options = ["baseline (no lever moved)", *presets]
    options += [CUSTOM] if current == CUSTOM else []
    solara.Select("Reform", values=options, value=current, on_value=choose_preset,
                  classes=["choose-reform"])  # fmt: skip
    solara.Markdown(f"*{place.story}*", style={"font-size": "12px"})
    for lever in place.levers:
        LeverControl(place, lever)
    with solara.Div(classes=["lever-replications"]):
        solara.SliderInt("Replications of each arm", value=replications, min=2, max=10)
    solara.Markdown("**Export** as scenario files (`govsim run`, `govsim compare`):")
    with solara.Div(classes=["export"]):
        for arm in ("reform", "baseline"):
            for size in ("classroom", "full"):
                solara.FileDownload(
                    lambda arm=arm, size=size: export_toml(place, values.value, arm, size),
                    filename=f"{place.name}_{arm}_{size}.toml",
                    label=f"{arm} file, {size} size",
                )


@solara.component
def Compare(outcome: Outcome | None, pending: bool) -> None:
    """The reading, the figure and the tables."""
    solara.ProgressLinear(pending)
    if outcome is None:
        solara.Text("running…", classes=["run-status"])
        return
    res = outcome.results
    solara.Text(
        f"Run {outcome.number}: {res.comparison.replications} paired replications of each arm "
        f"(seed {res.comparison.seed}), {res.ran} simulated now, in {res.seconds:.2f} s",
        classes=["run-status"],
    )
    solara.HTML(tag="div", unsafe_innerHTML=reading_html(res.reading), classes=["reading-box"])
    solara.HTML(tag="div", unsafe_innerHTML=outcome.figure, classes=["compare-figure"])
    solara.HTML(tag="div", unsafe_innerHTML=tables_html(res.tables, res.reform.name),
                classes=["compare-tables"])  # fmt: skip


@solara.component
def Page() -> None:
    """The whole page."""
    key = json.dumps(values.value, sort_keys=True)

    def run() -> Outcome:
        res, png = compute(place_name.value, dict(values.value), replications.value)
        runs.value += 1
        return Outcome(runs.value, res, png)

    task = solara.lab.use_task(run, dependencies=[place_name.value, key, replications.value])
    outcome = task.value if task.finished else task.latest
    solara.Title("govsim classroom")
    solara.Markdown("## govsim classroom: community governance reform (社区治理改革)")
    with solara.Columns([1, 3], classes=["layout"]):
        with solara.Div(classes=["controls"], style={"max-width": "380px"}):
            Controls()
        with solara.lab.Tabs(lazy=True):
            with solara.lab.Tab("Compare", classes=["tab-compare"]):
                if task.error:
                    solara.Error(f"{task.exception}")
                Compare(outcome, task.pending)
            with solara.lab.Tab("One day", classes=["tab-day"]):
                if outcome is not None:
                    DayView(outcome.results.baseline, outcome.results.reform)
            with solara.lab.Tab("Info", classes=["tab-info"]):
                solara.Markdown(INFO)
            with solara.lab.Tab("Glossary & sources", classes=["tab-glossary"]):
                solara.Markdown(glossary_markdown())
                solara.Markdown(SOURCES)
