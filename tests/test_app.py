"""The classroom app's model side, without a browser: levers, export, the live comparison,
the reading, and the picture of one day (sim/app/)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.app.day import busiest_day, day_frames
from sim.app.derive import split_windows
from sim.app.export import export_toml
from sim.app.levers import APP_SOURCE
from sim.app.reading import reading, sentence
from sim.app.runner import Runner, scenario_key
from sim.app.segments import segments
from sim.app.settings import PLACES, apply_choice, layering, scenario, scenarios, value_at
from sim.app.trace import AWAY, STATUTORY, TRANSFER, gaps, trace
from sim.cli import main
from sim.metrics.records import demand_records
from sim.processes.world import run_replication

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TEACHING = PLACES["teaching"]
XIANGFANG = TEACHING.preset_values("xiangfang_center")


def content(s: sim.Scenario) -> dict:
    """What a scenario simulates (its name, description and figure sources left out)."""
    return s.model_dump(exclude={"name", "description", "sources"})


# -- levers --------------------------------------------------------------------------------
def test_the_baseline_is_the_place_itself() -> None:
    base, reform = scenarios(TEACHING, TEACHING.defaults())
    assert content(base) == content(sim.load_scenario(SCENARIOS / "teaching.toml"))
    assert content(reform) == content(base)


def test_a_preset_is_its_reform_file_at_classroom_size() -> None:
    """Notebook 02's Xiangfang at classroom size, and the Tongling cuts, as the presets."""
    teaching = SCENARIOS / "teaching.toml"
    people = {"units.street_center.servers": 4, "units.community_desk.servers": 4}
    xf = sim.load_scenario([teaching, SCENARIOS / "xiangfang_center.toml"], people)
    assert content(scenarios(TEACHING, XIANGFANG)[1]) == content(xf)
    cuts = sim.load_scenario([teaching, SCENARIOS / "tongling_burden_cuts.toml"])
    preset = TEACHING.preset_values("tongling_burden_cuts")
    assert content(scenarios(TEACHING, preset)[1]) == content(cuts)


MOVES = [
    ("teaching", XIANGFANG, "center_windows", 7, "units.street_center.servers", 7),
    ("teaching", XIANGFANG, "community_staff", 9, "units.community_desk.servers", 9),
    ("teaching", {}, "tasks", 100, "tasks.per_year", 100),
    ("teaching", {}, "plaques", 10, "tasks.plaques", 10),
    ("teaching", {}, "assessments", 5, "tasks.assessments", 5),
    ("teaching", {}, "horizon", "365", "days", 365),
    ("teaching", {"structure": "abolished"}, "community_staff", 25,
     "units.community_desk.servers", 25),
    ("daoli", {"structure": "center"}, "center_windows", 4, "units.acceptance_center.servers", 4),
    ("xicheng", {}, "pooled", True, "units.district_hall.pooled", True),
]  # fmt: skip


@pytest.mark.parametrize(("place", "start", "lever", "value", "key", "expected"), MOVES)
def test_a_lever_moves_its_scenario_key(
    place: str, start: dict, lever: str, value: object, key: str, expected: object
) -> None:
    p = PLACES[place]
    values = {**p.defaults(), **start}
    before = value_at(scenarios(p, values)[1], key)
    after = value_at(scenarios(p, {**values, lever: value})[1], key)
    assert after == expected != before


def test_switches_lay_their_reform_files() -> None:
    _, abolished = scenarios(TEACHING, {**TEACHING.defaults(), "structure": "abolished"})
    assert abolished.structure.streets == 0 and abolished.structure.communities == 1
    _, talk = scenarios(TEACHING, {**TEACHING.defaults(), "consultation": True})
    assert talk.consultation is not None
    _, gate = scenarios(TEACHING, {**TEACHING.defaults(), "tasks": 145, "departments": "gate"})
    assert gate.burden.gate is not None and gate.burden.latent_per_year == 280 - 145
    assert gate.days == 56  # the horizon lever, not the five-year file


def test_pooled_or_item_specific_windows() -> None:
    values = {**XIANGFANG, "center_windows": 5, "pooled": False}
    unit = scenarios(TEACHING, values)[1].units["street_center"]
    assert unit.windows == {"civil_affairs": 2, "disability": 2, "family_planning": 1}
    assert sum(unit.windows.values()) == unit.servers == 5
    assert scenarios(TEACHING, {**values, "pooled": True})[1].units["street_center"].windows is None
    assert split_windows(2) == {"civil_affairs": 1, "other": 1}
    assert split_windows(1) == {"other": 1}


def test_a_choice_moves_the_head_counts_people_follow_the_work() -> None:
    v = apply_choice(TEACHING, TEACHING.defaults(), "structure", "center")
    assert (v["center_windows"], v["community_staff"]) == (4, 4)
    v = apply_choice(TEACHING, v, "structure", "two_tier")
    assert v == TEACHING.defaults()


def test_levers_refuse_values_out_of_range_and_unknown_names() -> None:
    with pytest.raises(ValueError):
        scenarios(TEACHING, {"tasks": 1000})
    with pytest.raises(ValueError):
        scenarios(TEACHING, {"structure": "none"} | {"structure": 3})
    with pytest.raises(KeyError):
        scenarios(TEACHING, {"no_such_lever": 1})


def test_an_inactive_lever_changes_nothing() -> None:
    """Center windows count only with a center."""
    base = scenarios(TEACHING, TEACHING.defaults())[1]
    assert content(scenarios(TEACHING, {"center_windows": 9})[1]) == content(base)


# -- export --------------------------------------------------------------------------------
EXPORTS = [
    ("teaching", XIANGFANG | {"center_windows": 6, "pooled": False, "online": 50}),
    ("teaching", TEACHING.preset_values("tongguanshan_abolition")),
    ("teaching", TEACHING.preset_values("tongling_gate")),
    ("teaching", {**TEACHING.defaults(), "consultation": True, "community_staff": 8}),
    ("daoli", PLACES["daoli"].preset_values("daoli_center")),
    ("xicheng", PLACES["xicheng"].preset_values("xicheng_one_window")),
]


@pytest.mark.parametrize(
    ("place", "values"), EXPORTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(EXPORTS)]
)
def test_export_round_trips_and_validates_strictly(
    place: str, values: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = PLACES[place]
    for arm in ("reform", "baseline"):
        path = tmp_path / f"{arm}.toml"
        path.write_text(export_toml(p, values, arm), encoding="utf-8")
        again = sim.load_scenario(path)
        assert content(again) == content(scenario(layering(p, values, arm)))
        assert main(["validate", "--strict", str(path)]) == 0, capsys.readouterr().err
        full = tmp_path / f"{arm}_full.toml"
        full.write_text(export_toml(p, values, arm, size="full"), encoding="utf-8")
        assert main(["validate", "--strict", str(full)]) == 0, capsys.readouterr().err


def test_export_names_a_source_for_every_figure_and_scales_head_counts(tmp_path: Path) -> None:
    values = XIANGFANG | {"center_windows": 6, "tasks": 145}
    text = export_toml(TEACHING, values)
    assert 'source = "001: tasks fell by nearly half from 280+"' in text
    assert f'source = "{APP_SOURCE} (Center windows' in text
    path = tmp_path / "full.toml"
    path.write_text(export_toml(TEACHING, values, size="full"), encoding="utf-8")
    full = sim.load_scenario(path)
    assert full.structure.communities == 49  # the full-size district
    assert full.units["street_center"].servers == 24  # 6 where 4 stands for the file's 16
    assert full.units["community_desk"].servers == 7  # the file's own: staff not moved


# -- the comparison ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner() -> Runner:
    r = Runner(replications=4, workers=1)
    yield r
    r.close()


def test_the_runner_gives_what_sim_compare_gives(runner: Runner) -> None:
    base, reform = scenarios(TEACHING, XIANGFANG)
    got = runner.compare(base, reform).comparison.differences
    one = sim.RunOptions(workers=1)
    want = sim.compare(base, [reform], replications=4, options=one).differences
    keys = ["metric", "demand_type"]
    pd.testing.assert_frame_equal(
        got.sort_values(keys).reset_index(drop=True), want.sort_values(keys).reset_index(drop=True)
    )


def test_a_reform_that_changes_nothing_reproduces_the_baseline(runner: Runner) -> None:
    base, reform = scenarios(TEACHING, TEACHING.defaults())
    res = runner.compare(base, reform)
    assert scenario_key(base) == scenario_key(reform)
    assert (res.comparison.differences["diff_mean"].fillna(0) == 0).all()
    assert "same runs" in res.reading[0]


def test_moving_a_slider_reruns_only_the_reform(runner: Runner) -> None:
    base, reform = scenarios(TEACHING, XIANGFANG)
    runner.compare(base, reform)
    assert runner.compare(base, reform).ran == 0
    moved = scenarios(TEACHING, {**XIANGFANG, "center_windows": 3})
    assert content(moved[0]) == content(base)
    assert runner.compare(*moved).ran == runner.replications


def test_the_tables_hold_both_arms_with_intervals_and_a_verdict(runner: Runner) -> None:
    res = runner.compare(*scenarios(TEACHING, XIANGFANG))
    assert set(res.tables) == {"days", "trips", "waits", "staff", "cost"}
    days = res.tables["days"].set_index("demand_type")
    row = days.loc["administrative/disability_approvals"]  # two-level flow to one stop
    assert row["reform"] < row["baseline"] and row["diff_high"] < 0
    assert row["verdict"] == "better"  # fewer days, and the registry says lower is better
    for t in res.tables.values():
        finite = t.dropna(subset=["baseline_low", "diff_low"])
        assert (finite["baseline_low"] <= finite["baseline"]).all()
        assert (finite["diff_low"] <= finite["difference"]).all()


def test_the_reading_follows_the_interval_and_the_better_direction() -> None:
    row = dict(measure="Staff time on pushed-down tasks", metric_label="Staff time on "
               "pushed-down tasks", unit="share", better="lower", baseline=0.2, reform=0.1,
               difference=-0.1, diff_low=-0.12, diff_high=-0.08, verdict="better", demand_type="")
    said = sentence(pd.Series(row), "community staff")
    assert said.startswith("Staff time on pushed-down tasks fell from 20.0% to 10.0%")
    assert said.endswith("better for community staff.")
    unclear = {**row, "diff_low": -0.2, "diff_high": 0.05, "verdict": "no clear change"}
    table = pd.DataFrame([{**unclear, "metric": "staff_hours_share_tasks"}])
    text = " ".join(reading({"staff": table}, 3))
    assert "No clear change in staff time on pushed-down tasks" in text and "3 paired" in text


def test_the_teaching_comparison_is_fast(capsys: pytest.CaptureFixture[str]) -> None:
    """Measured: a cold comparison (both arms, five replications) and a slider move."""
    r = Runner(replications=5, workers=1)
    base, reform = scenarios(TEACHING, XIANGFANG)
    t0 = time.perf_counter()
    r.compare(base, reform)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    r.compare(*scenarios(TEACHING, {**XIANGFANG, "center_windows": 2}))
    moved = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\nteaching comparison, 5 replications: cold {cold:.2f} s, slider {moved:.2f} s")
    assert moved < 2.0 and cold < 4.0  # a loose bound on a shared machine; the page's is 1 s


# -- the day -------------------------------------------------------------------------------
TRACED = [
    ("teaching", XIANGFANG),
    ("teaching", TEACHING.preset_values("tongguanshan_abolition")),
    ("teaching", TEACHING.preset_values("shazitang_consultation")),
    ("daoli", PLACES["daoli"].preset_values("daoli_center")),
    ("xicheng", PLACES["xicheng"].defaults()),
]


@pytest.fixture(scope="module", params=TRACED, ids=[f"{p}-{i}" for i, (p, _) in enumerate(TRACED)])
def traced(request: pytest.FixtureRequest):  # noqa: ANN201
    place, values = request.param
    return trace(scenarios(PLACES[place], values)[1], replication=1)


def test_the_trace_adds_up_to_the_records_the_metrics_use(traced) -> None:  # noqa: ANN001
    s = traced.scenario
    assert traced.demands.equals(demand_records(run_replication(s, 1)))  # listening is inert
    v = traced.visits
    done = traced.demands[traced.demands["outcome"] == "resolved"].set_index("demand")
    queue = (v["start"] - v["join"]).groupby(v["demand"]).sum().reindex(done.index)
    served = (v["done"] - v["start"]).groupby(v["demand"]).sum().reindex(done.index)
    np.testing.assert_allclose(queue.fillna(0), done["queue_min"], atol=1e-6)
    np.testing.assert_allclose(served.fillna(0), done["service_min"], atol=1e-6)
    g = gaps(traced).assign(length=lambda f: f["end"] - f["start"])
    for kind, col in ((TRANSFER, "transfer_min"), (STATUTORY, "statutory_min"), (AWAY, "away_min")):
        got = g[g["kind"] == kind].groupby("demand")["length"].sum().reindex(done.index)
        np.testing.assert_allclose(got.fillna(0), done[col], atol=1e-6)


def test_day_frames_conserve_residents_and_staff(traced) -> None:  # noqa: ANN001
    day = day_frames(traced)
    assert len(day.frames) > 10
    seg = segments(traced)
    for f in day.frames:
        assert f.unplaced == 0 and sum(f.states.values()) == f.in_system
        on = seg[(seg["t0"] <= f.minute) & (f.minute < seg["t1"])]
        assert not on["demand"].duplicated().any()  # nobody in two places at once
        for spot in f.spots:
            busy = sum(spot.staff[c] for c in ("residents", "files", "tasks", "meetings"))
            if spot.servers:
                assert busy + spot.staff["free"] <= spot.servers
            assert len(spot.at_counter) <= busy or not spot.servers
    clocks = [f.minute for f in day.frames]
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)


def test_the_days_staff_hours_are_the_runs_daily_series(traced) -> None:  # noqa: ANN001
    """Minutes of service started on the day, by class, summed from the trace, are the
    timeseries' hours (the run's own monitoring)."""
    day = busiest_day(traced)
    lo, hi = day * 1440.0, (day + 1) * 1440.0
    v, w = traced.visits, traced.work
    names = traced.stations["name"]
    for frame, col in ((v, "hours_service"), (w[w["cls"] == 2], "hours_tasks")):
        started = frame[(frame["start"] >= lo) & (frame["start"] < hi)]
        minutes = (started["done"] - started["start"]).groupby(started["station"]).sum()
        series = day_frames(traced, day).hours.set_index("unit")[col] * 60
        for k, m in minutes.items():
            assert series[names[k]] == pytest.approx(m, abs=1e-6), (names[k], col)


def test_more_center_windows_shorten_the_centers_queue() -> None:
    """Residents' minutes queueing at the street center, replication by replication, with
    one window and with three (same residents, same demands)."""

    def queued(windows: int, rep: int) -> float:
        s = scenarios(TEACHING, {**XIANGFANG, "center_windows": windows})[1]
        tr = trace(s, rep)
        center = tr.stations.index[tr.stations["unit"] == "street_center"]
        v = tr.visits[tr.visits["station"].isin(center) & (tr.visits["cls"] == 0)]
        return float((v["start"] - v["join"]).sum())

    one, three = np.array([[queued(w, r) for r in range(6)] for w in (1, 3)])
    assert three.sum() < one.sum() / 2
    assert (three <= one + 1e-9).all()


def test_classroom_page_is_current() -> None:
    """docs/classroom.md is the Info page as the app shows it (regenerate with
    ``python -m sim.app.info docs/classroom.md``)."""
    from sim.app.info import page_markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "classroom.md"
    assert page.read_text(encoding="utf-8") == page_markdown(), "docs/classroom.md is stale"
