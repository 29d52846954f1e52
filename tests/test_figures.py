"""Figures show their uncertainty and speak the registry's language (analyst experience
issue): with replications every figure carries 95% intervals, titles say how many
replications, metric labels carry unit and better direction, the warm-up is shaded, and a
comparison colours a difference by whether it is an improvement."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import sim  # noqa: E402
from sim.plots import figures  # noqa: E402

TEACHING = Path(__file__).resolve().parents[1] / "scenarios" / "teaching.toml"


@pytest.fixture(scope="module")
def result() -> sim.RunResult:
    s = sim.load_scenario(TEACHING, {"days": 30})
    return sim.run(s, replications=3, seed=5, options=sim.RunOptions(progress=False))


def test_run_figures_have_intervals(result: sim.RunResult) -> None:
    fig_types, fig_backlog, fig_staff = result.plot()
    ax = fig_types.axes[0]
    assert "3 replications, 95% intervals" in ax.get_title()
    assert "days; lower is better" in ax.get_ylabel()
    assert any(c.__class__.__name__ == "ErrorbarContainer" for c in ax.containers)
    ax = fig_backlog.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "warm-up (left out)" in labels
    assert any("units)" in t for t in labels)  # says how many units each line sums
    assert len(ax.collections) >= 2  # the bands and the warm-up
    ax = fig_staff.axes[0]
    assert any(c.__class__.__name__ == "ErrorbarContainer" for c in ax.containers)


def test_one_replication_says_so() -> None:
    s = sim.load_scenario(TEACHING, {"days": 20})
    r = sim.run(s, replications=1, seed=5, options=sim.RunOptions(progress=False))
    assert (
        "(1 replication)" in figures.resolution_by_type(r.summary, r.labels()).axes[0].get_title()
    )


@pytest.mark.parametrize(
    ("low", "high", "better", "colour"),
    [
        (-2.0, -1.0, "lower", "tab:green"),
        (1.0, 2.0, "lower", "tab:red"),
        (-1.0, 1.0, "lower", "tab:grey"),
        (1.0, 2.0, "higher", "tab:green"),
        (-2.0, -1.0, "higher", "tab:red"),
        (1.0, 2.0, "neither", "tab:blue"),
    ],
)
def test_comparison_colours_the_verdict(low: float, high: float, better: str, colour: str) -> None:
    assert figures._verdict(low, high, better) == colour


def test_sweep_response_is_readable() -> None:
    """A wide sweep draws only its strongest figures, each with the mean response and its
    95% band across design points; the strongest comes first."""
    import numpy as np
    import pandas as pd

    from sim.plots.sensitivity import response_figure

    rng = np.random.default_rng(3)
    params = [f"units.unit_{k}.servers" for k in range(10)]
    means = pd.DataFrame(rng.uniform(0, 1, (80, 10)), columns=params)
    means["out"] = 5 * means[params[7]] + 0.1 * rng.standard_normal(80)
    fig = response_figure(means, params, ["out"], max_parameters=4)
    axes = fig.axes
    assert len(axes) == 4
    assert axes[0].get_xlabel().endswith("unit_7.servers")  # the figure that drives it
    assert all(len(ax.collections) >= 2 for ax in axes)  # the dots and the band
    assert "6 weaker figure(s) not drawn" in fig._suptitle.get_text()
