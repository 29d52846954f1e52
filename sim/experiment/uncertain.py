"""Reform effects with what is not known about the place as well as the luck of the draw.

A calibration (`govsim calibrate`) leaves a posterior: the sets of assumptions that make the
place before the reform look as it was observed. A reform's predicted effect then carries two
kinds of uncertainty: which of those sets is the place (the *parameters*), and which
residents, needs and days a year happens to bring (*randomness*). Here the baseline and every
reform run under each of `draws` sets drawn from the posterior by weight, each over the same
`replications` (common random numbers across reforms and across draws: replication r sees the
same streams whatever the assumptions), and the per-replication paired differences
``D[d, r]`` (reform − baseline, draw d, replication r) are summed up as:

- ``diff_mean``: the mean effect over draws and replications;
- ``diff_low``, ``diff_high``: the central interval of ``D`` over all draws and replications
  (parameters and randomness together: where one simulated year's effect falls);
- ``effect_low``, ``effect_high``: the central interval of the per-draw mean effects (the
  expected effect under each set of assumptions: the parameters' part);
- ``share_parameters``, ``share_randomness``: how much of the variance of ``D`` comes from
  each, from the two-way decomposition var(D) = var_between_draws + var_within_draws, with the
  between-draw part corrected for the noise of a mean of `replications` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.comparison import DIFFERENCE_KEYS, paired
from sim.experiment.experiment import Experiment, safe_key
from sim.experiment.options import RunOptions
from sim.experiment.store import atomic_write_frame
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

DRAW_STREAM = 0x505354  # the stream the posterior draws come from, beside the root seed
EFFECT_COLUMNS = [
    *DIFFERENCE_KEYS,
    "diff_low",
    "diff_high",
    "effect_low",
    "effect_high",
    "share_parameters",
    "share_randomness",
    "draws",
    "replications",
]


@dataclass
class PosteriorComparison:
    """Reforms set against a baseline over posterior draws of the assumptions.

    Attributes
    ----------
    baseline : str
        Name of the baseline.
    effects : DataFrame
        One row per reform, metric and demand type (`EFFECT_COLUMNS`).
    differences : DataFrame
        ``scenario, metric, demand_type, draw, replication, diff``: every paired difference.
    draws : DataFrame
        ``draw``, ``particle`` and the assumptions' values of each draw.
    seed : int
        Root seed of the simulations (the draws come from a stream beside it).
    """

    baseline: str
    effects: pd.DataFrame
    differences: pd.DataFrame
    draws: pd.DataFrame
    seed: int

    def table(self, metrics: list[str] | None = None, demand_type: str = "") -> pd.DataFrame:
        """The effects of `metrics` (all when None) for one demand type, by reform."""
        e = self.effects[self.effects["demand_type"] == demand_type]
        if metrics is not None:
            e = e[e["metric"].isin(metrics)]
        return e.set_index(["scenario", "metric"])


def readable_effects(
    effects: pd.DataFrame, metrics: list[str], demand_type: str = "", baseline: str = "baseline"
) -> str:
    """A plain-text table of effects over posterior draws, for the terminal."""
    sel = effects[effects["metric"].isin(metrics) & (effects["demand_type"] == demand_type)]
    lines = []
    for name, part in sel.groupby("scenario", sort=False):
        d, r = int(part["draws"].max()), int(part["replications"].max())
        lines.append(
            f"{name} − {baseline} ({d} posterior draws × {r} paired replications; interval "
            "from parameters and randomness, then the parameters' share of its variance)"
        )
        width = max(len(m) for m in part["metric"])
        for row in part.itertuples(index=False):
            lines.append(
                f"  {row.metric:<{width}}  {row.baseline_mean:>10.4g} → "
                f"{row.scenario_mean:<10.4g} diff {row.diff_mean:+.4g} "
                f"[{row.diff_low:+.4g}, {row.diff_high:+.4g}]  "
                f"parameters {row.share_parameters:.0%}"
            )
    return "\n".join(lines)


def with_overrides(scenario: Scenario, overrides: dict[str, Any], name: str) -> Scenario:
    """The scenario with the keys it has set (as ``--set`` does) and a new name; the sources
    of its other figures are kept.

    A key the scenario does not have is left out: the assumption concerns a part of the place
    the reform removed (a calibrated district check in a reform that completes approvals at
    the street has no district check to set)."""
    tree = scenario.model_dump(exclude={"sources"})
    over = {k: v for k, v in overrides.items() if _has(tree, k)}
    s = load_scenario(tree, {**over, "name": name})
    kept = {k: v for k, v in scenario.sources.items() if k not in over}
    return s.model_copy(update={"sources": {**kept, **s.sources}})


def _has(tree: Any, key: str) -> bool:
    """Whether a dotted key names a value in a scenario's tree."""
    for part in key.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return False
        tree = tree[part]
    return True


def compare_posterior(
    baseline: Scenario,
    reforms: list[Scenario],
    posterior: Any,
    draws: int = 20,
    replications: int | None = None,
    seed: int | None = None,
    options: RunOptions | None = None,
    level: float = 0.95,
) -> PosteriorComparison:
    """Run baseline and reforms under `draws` sets of assumptions from a posterior.

    Parameters
    ----------
    baseline, reforms : Scenario
        As for `sim.compare`; every key the posterior sets must exist in each.
    posterior : str, Path or Posterior
        A calibration folder (`govsim calibrate`) or one loaded with
        `sim.experiment.calibration.posterior.load_posterior` (checked against its hashes).
    draws : int
        Sets of assumptions drawn from the posterior by weight.
    replications : int, optional
        Paired replications under each draw (the baseline's, at least 2).
    seed : int, optional
        Root seed (the baseline's by default); the draws come from a stream beside it, so
        the same seed gives the same draws and the same results for any workers.
    options : RunOptions, optional
        Workers, Dask scheduler, progress and run folder (``posterior_comparison.csv``,
        ``draws.csv``, ``summary.csv``; a rerun into it resumes).
    level : float
        Level of the central intervals.
    """
    from sim.experiment.calibration.posterior import draws as draw_from
    from sim.experiment.calibration.posterior import load_posterior

    post = load_posterior(posterior) if isinstance(posterior, str | Path) else posterior
    options = options or RunOptions()
    seed = baseline.seed if seed is None else seed
    n = max(2, baseline.replications if replications is None else replications)
    drawn = draw_from(post, draws, np.random.default_rng([seed, DRAW_STREAM]))
    arms = [baseline, *reforms]
    names = _arm_names(arms)
    scenarios: dict[str, Scenario] = {}
    for d, over in zip(drawn["draw"], post.overrides(drawn), strict=True):
        for arm, name in zip(arms, names, strict=True):
            key = f"{name}@d{d:03d}"
            try:
                scenarios[key] = with_overrides(arm, over, key)
            except ScenarioError as exc:  # a key the posterior sets that the arm lacks
                where = f"posterior {getattr(post, 'folder', '')}".strip()
                raise ScenarioError(where, exc.key, f"in '{arm.name}': {exc.message}") from None
    tables = ("summary",)
    manifest = {"kind": "posterior comparison", "baseline": baseline.name, "draws": draws}
    manifest["posterior"] = getattr(post, "identity", "")
    exp = Experiment(scenarios, seed, options, tables, manifest)
    try:
        exp.ensure(n)
        summary = exp.table("summary")
        diffs = _differences(summary, names[0])
        effects = _effects(diffs, summary, names, n, draws, level)
        if exp.store is not None:
            root = exp.store.root
            atomic_write_frame(root / "posterior_comparison.csv", effects)
            atomic_write_frame(root / "draws.csv", drawn)
            atomic_write_frame(root / "summary.csv", summary)
            exp.store.update_manifest(replications=n)
    finally:
        exp.close()
    return PosteriorComparison(baseline.name, effects, diffs, drawn, seed)


def _arm_names(arms: list[Scenario]) -> list[str]:
    """Distinct, file-safe names of the arms, in order."""
    names: list[str] = []
    for s in arms:
        key = safe_key(s.name)
        while key in names:
            key += "_"
        names.append(key)
    return names


def _split(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with its scenario name split into arm and draw."""
    arm_draw = summary["scenario"].str.rsplit("@d", n=1, expand=True)
    return summary.assign(arm=arm_draw[0], draw=arm_draw[1].astype(int))


def _differences(summary: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Every paired difference reform − baseline, by draw and replication."""
    keys = ["metric", "demand_type", "draw", "replication"]
    parts = []
    for name, both in paired(_split(summary), baseline, keys, column="arm"):
        d = both["d"].rename("diff").reset_index()
        parts.append(d.assign(scenario=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["scenario", "metric", "demand_type", "draw", "replication", "diff"]]


def _effects(
    diffs: pd.DataFrame,
    summary: pd.DataFrame,
    names: list[str],
    reps: int,
    draws: int,
    level: float,
) -> pd.DataFrame:
    """Mean effect, its intervals and the variance shares, per reform, metric and type."""
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    s = _split(summary)
    means = s.groupby(["arm", "metric", "demand_type"], sort=False)["value"].mean()
    rows = []
    for (name, metric, dtype), g in diffs.groupby(
        ["scenario", "metric", "demand_type"], sort=False
    ):
        per_draw = g.groupby("draw")["diff"]
        draw_means = per_draw.mean().to_numpy()
        spread = per_draw.var(ddof=1).dropna().to_numpy()  # draws with two values or more
        within = float(spread.mean()) if len(spread) else 0.0
        between = max(0.0, float(np.var(draw_means, ddof=1)) - within / reps) if draws > 1 else 0.0
        total = between + within
        share = between / total if total > 0 else 0.0
        x = g["diff"].to_numpy()
        rows.append(
            {
                "metric": metric,
                "demand_type": dtype,
                "scenario": name,
                "baseline_mean": means.get((names[0], metric, dtype), np.nan),
                "scenario_mean": means.get((name, metric, dtype), np.nan),
                "diff_mean": float(x.mean()),
                "diff_low": float(np.quantile(x, lo)),
                "diff_high": float(np.quantile(x, hi)),
                "effect_low": float(np.quantile(draw_means, lo)),
                "effect_high": float(np.quantile(draw_means, hi)),
                "share_parameters": share,
                "share_randomness": 1.0 - share if total > 0 else 0.0,
                "draws": int(per_draw.ngroups),
                "replications": int(g.groupby("draw").size().min()),
            }
        )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
