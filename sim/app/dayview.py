"""The page's live picture of one simulated day: play, pause, speed, step.

The frames come from one traced replication of the arm chosen (`sim.app.trace`,
`sim.app.day`); playing steps through them on a timer, as Mesa's SolaraViz steps a model.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import solara

from sim.app.day import Day, day_frames, working_days
from sim.app.runner import scenario_key
from sim.app.svg import frame_svg
from sim.app.trace import Trace, trace
from sim.scenario.schema import Scenario

SPEEDS = {"1x": 1.0, "2x": 2.0, "4x": 4.0}
SECONDS_PER_FRAME = 0.5  # at 1x: a ten-minute frame every half second


KEEP = 16  # traces and days kept (a teaching trace is a few hundred kB)
_TRACES: OrderedDict[str, Trace] = OrderedDict()
_DAYS: OrderedDict[tuple[str, int | None], Day] = OrderedDict()


def _kept(store: OrderedDict, key: object, make: Callable[[], object]) -> object:
    if key not in store:
        store[key] = make()
        while len(store) > KEEP:
            store.popitem(last=False)
    store.move_to_end(key)
    return store[key]


def traced(s: Scenario) -> Trace:
    """Replication 0 of `s`, traced (kept for the scenario's content)."""
    return _kept(_TRACES, scenario_key(s), lambda: trace(s, replication=0))


def one_day(s: Scenario, day: int | None) -> Day:
    """The frames of `day` of replication 0 of `s` (the busiest day when None)."""
    return _kept(_DAYS, (scenario_key(s), day), lambda: day_frames(traced(s), day))


@solara.component
def DayView(baseline: Scenario, reform: Scenario) -> None:
    """Choose the arm and the day; play, pause, change speed, step."""
    arm, set_arm = solara.use_state("reform")
    chosen, set_chosen = solara.use_state(None)
    frame, set_frame = solara.use_state(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("2x")
    s = reform if arm == "reform" else baseline
    tr = traced(s)
    days = working_days(tr)
    day = one_day(s, chosen if chosen in days else None)
    n = len(day.frames)
    current = min(frame, n - 1)
    frame_ref = solara.use_ref(current)
    frame_ref.current = current

    def play() -> None:
        while playing.value:
            time.sleep(SECONDS_PER_FRAME / SPEEDS[speed.value])
            if not playing.value:
                break
            frame_ref.current = (frame_ref.current + 1) % n
            set_frame(frame_ref.current)

    solara.lab.use_task(play, dependencies=[playing.value, n])

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=arm, values=["reform", "baseline"], on_value=set_arm,
                                   classes=["day-arm"])  # fmt: skip
        solara.Button("❚❚ pause" if playing.value else "▶ play", color="primary",
                      on_click=lambda: playing.set(not playing.value),
                      classes=["day-play"])  # fmt: skip
        solara.Button("step", on_click=lambda: set_frame((current + 1) % n),
                      disabled=playing.value, classes=["day-step"])  # fmt: skip
        solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), classes=["day-speed"])
        with solara.Div(classes=["day-pick"], style={"min-width": "260px"}):
            solara.SliderInt("day", value=day.day, min=days[0], max=days[-1],
                             on_value=set_chosen)  # fmt: skip
    solara.Text(f"{day.title} — frame {current + 1} of {n}", classes=["day-title"])
    solara.HTML(tag="div", unsafe_innerHTML=frame_svg(day.frames[current], day.title),
                classes=["day-view"])  # fmt: skip
    hours = day.hours.set_index("unit")[["hours_tasks", "hours_service", "hours_idle"]]
    solara.Markdown(
        "**This day's staff hours by station**, from the run's daily series (the same "
        "monitoring the metrics read): tasks pushed down, service to residents and files, free."
    )
    solara.HTML(tag="div", unsafe_innerHTML=hours.round(1).to_html(classes="govsim-table"),
                classes=["day-hours"])  # fmt: skip
