"""Scenario discovery: under which assumptions does a reform fail? (EMA Workbench adapter).

A reform is compared with its baseline at many combinations of the uncertain assumptions of a
calibration file (`sim.experiment.calibration.priors`), each on common random numbers; PRIM and CART
(Kwakkel, Environ. Model. Softw. 2017) then describe where it fails (waiting not cut, staff
time not freed) as boxes of assumptions a researcher can read.

>>> cal = load_calibration("calibration/discovery_xiangfang.toml")  # doctest: +SKIP
>>> model = ema_model("scenarios/teaching.toml", ["scenarios/teaching.toml",
...     "scenarios/xiangfang_center.toml"], cal, ["wait_minutes_mean"])  # doctest: +SKIP
>>> run_discovery(model, 40, "diff__wait_minutes_mean__all >= 0").table()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier, export_text

from sim.experiment.calibration.priors import Calibration
from sim.experiment.compare import compare
from sim.experiment.options import RunOptions
from sim.metrics.registry import describe, metric_rows
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario

with warnings.catch_warnings():  # the EMA Workbench warns that ipyparallel is not installed
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    import ema_workbench as ema
    from ema_workbench.analysis.cart import CART
    from ema_workbench.analysis.prim import Prim, PrimBox
    from ema_workbench.em_framework.samplers import LHSSampler

Source = str | Path | Sequence[str | Path]  # a scenario file, or layers of files
Failed = Callable[[dict[str, np.ndarray]], Any] | str  # which experiments fail
BOOKKEEPING = ("scenario", "policy", "model")  # columns of EMA's experiments that are not inputs
_KIND = {"lower": ema.ScalarOutcome.MINIMIZE, "higher": ema.ScalarOutcome.MAXIMIZE}
_COLUMNS = ["box", "coverage", "density", "mass", "restricted", "uncertainty", "low", "high",
            "tried_low", "tried_high"]  # fmt: skip
_NONE = {"restricted": 0, "uncertainty": "(none)"}  # a box that restricts no assumption


def outcome_name(metric: str, demand_type: str = "", which: str = "diff") -> str:
    """An outcome's name: ``diff__wait_minutes_mean__all`` (reform − baseline) or ``base__…``
    (the baseline's mean); a demand type's ``/`` becomes ``_``."""
    kind = re.sub(r"[^0-9A-Za-z]+", "_", demand_type).strip("_") or "all"
    return f"{which}__{metric}__{kind}"


@dataclass(frozen=True)
class _Evaluation:
    """One experiment: a district before and after a reform at one set of assumptions, run on
    common random numbers in this process (a class, not a closure: workers unpickle it)."""

    baseline: str | list[str]
    reform: str | list[str]
    reform_set: Mapping[str, Any]
    calibration: Calibration
    metrics: tuple[tuple[str, str], ...]
    replications: int
    seed: int | None
    days: int | None

    def scenarios(self, values: Mapping[str, float]) -> tuple[Scenario, Scenario]:
        """Baseline and reform with the assumptions at `values` (and ``days``)."""
        over = self.calibration.overrides(values) | ({"days": self.days} if self.days else {})
        reform = load_scenario(self.reform, {**self.reform_set, **over})
        return load_scenario(self.baseline, over), reform

    def __call__(self, **values: float) -> dict[str, float]:
        base, reform = self.scenarios(values)
        options = RunOptions(workers=1, progress=False)
        diff = compare(base, [reform], self.replications, self.seed, options).differences
        diff = diff.set_index(["metric", "demand_type"])
        out = {}
        for m, t in self.metrics:
            found = (m, t) in diff.index
            out[outcome_name(m, t)] = diff.at[(m, t), "diff_mean"] if found else np.nan
            out[outcome_name(m, t, "base")] = diff.at[(m, t), "baseline_mean"] if found else np.nan
        return out


def ema_model(
    baseline: Source,
    reform: Source,
    calibration: Calibration,
    metrics: Sequence[str | tuple[str, str]],
    replications: int = 2,
    seed: int | None = None,
    days: int | None = None,
    name: str | None = None,
    reform_set: Mapping[str, Any] | None = None,
) -> ema.Model:
    """A reform set against its baseline, as an EMA Workbench model of uncertain assumptions.

    An experiment loads both arms with ``calibration.overrides(values)``, runs `sim.compare`
    in this process on `replications` paired replications under `seed` (the same in every
    experiment: outcomes differ only by the assumptions) and returns, per metric,
    ``diff__<metric>__<type>`` (mean paired difference reform − baseline; MINIMIZE or MAXIMIZE
    from the registry's better direction, else INFO) and ``base__…`` (the baseline's mean).
    Uncertainties: ``RealParameter(name, low, high)`` per parameter (``IntegerParameter`` for
    a whole-number key), sampled uniformly whatever the prior: discovery explores the range.
    A normal prior's range is its ``low``/``high`` if given, else mean ± 4 sd, as
    `load_calibration` fills it in (`priors.NORMAL_SDS`).

    Parameters
    ----------
    baseline, reform : path or list of paths
        The two arms, files or layers (``["teaching.toml", "xiangfang_center.toml"]``).
    calibration : Calibration
        The uncertain assumptions (`load_calibration`).
    metrics : list of str or (str, str)
        Registry metrics: a name (all demand types together) or (metric, demand type).
    replications, seed, days : int, optional
        Paired replications per experiment, their root seed (the baseline's by default) and
        the horizon (the calibration's ``[abc] days``, else the scenario's).
    name : str, optional
        Alphanumeric model name (the reform file's name by default).
    reform_set : mapping, optional
        Overrides of the reform arm alone (its head counts at classroom size, say).

    Raises
    ------
    ValueError
        A parameter's key is one the reform sets (an override in both arms would undo the
        reform), or a metric is not reported by both arms.
    """
    pairs = tuple((m, "") if isinstance(m, str) else (m[0], m[1]) for m in metrics)
    run = _Evaluation(_absolute(baseline), _absolute(reform), dict(reform_set or {}),
                      calibration, pairs, replications, seed, days)  # fmt: skip
    b0, r0 = load_scenario(run.baseline), load_scenario(run.reform, reform_set)
    for p in calibration.parameters:
        if (before := _value_at(b0, p.key)) != (after := _value_at(r0, p.key)):
            raise ValueError(f"the reform sets '{p.key}' ({before} → {after}): an uncertainty "
                             f"there would undo it; leave '{p.name}' out")  # fmt: skip
    base, ref = run.scenarios({p.name: p.midpoint for p in calibration.parameters})
    missing = set(pairs) - (metric_rows(base) & metric_rows(ref))
    if missing:
        raise ValueError(f"not reported by both arms: {sorted(missing)}")
    stem = Path(run.reform[-1] if isinstance(run.reform, list) else run.reform).stem
    model = ema.Model(name or re.sub(r"[^0-9A-Za-z]", "", stem) or "govsim", function=run)
    model.uncertainties = [
        ema.IntegerParameter(p.name, math.ceil(p.low), math.floor(p.high))
        if p.integer
        else ema.RealParameter(p.name, p.low, p.high)
        for p in calibration.parameters
    ]
    model.outcomes = [
        ema.ScalarOutcome(outcome_name(m, t, which), kind=kind)
        for m, t in pairs
        for which, kind in (("diff", _KIND.get(describe(m).better, 0)), ("base", 0))
    ]
    return model


@dataclass
class Discovery:
    """Where a reform fails among the assumptions tried: PRIM's boxes and CART's tree.

    ``failed`` marks the failing experiments; ``boxes`` are PRIM's (`PrimBox`: peeling
    trajectory, ``select``, ``show_tradeoff``, ``inspect``); ``cart`` is the fitted `CART`.
    ``prim`` and ``cart`` are None when every experiment fails or none does.
    """

    experiments: pd.DataFrame
    outcomes: dict[str, np.ndarray]
    failed: np.ndarray
    uncertainties: list[str]
    prim: Prim | None = None
    boxes: tuple[PrimBox, ...] = ()
    cart: CART | None = None

    def table(self) -> pd.DataFrame:
        """Each box's coverage (share of the failures inside it), density (share failing
        inside), mass (share of experiments inside) and, one row each, the assumptions it
        restricts with the range tried; ``(none)`` for a box that restricts none, such as the
        whole range when every experiment fails."""
        rows: list[dict[str, Any]] = []
        if self.prim is None and self.failed.all():
            rows.append({"box": 1, "coverage": 1.0, "density": 1.0, "mass": 1.0, **_NONE})
        for i, box in enumerate(self.boxes, start=1):
            lim, full = box.box_lim, self.prim.box_init
            stats = {"box": i, "coverage": box.coverage, "density": box.density, "mass": box.mass}
            dims = [u for u in self.uncertainties if (lim[u] != full[u]).any()]
            rows += [{**stats, "restricted": len(dims), "uncertainty": u, "low": lim[u][0],
                      "high": lim[u][1], "tried_low": full[u][0], "tried_high": full[u][1]}
                     for u in dims] or [{**stats, **_NONE}]  # fmt: skip
        return pd.DataFrame(rows, columns=_COLUMNS)

    def tree(self) -> str:
        """CART's tree as text: each split, and each leaf's class (1: the reform fails)."""
        if self.cart is None:
            return "every experiment fails" if self.failed.all() else "no experiment fails"
        return export_text(self.cart.clf, feature_names=self.cart.feature_names)


def failures(outcomes: Mapping[str, np.ndarray], failed: Failed) -> np.ndarray:
    """Which experiments fail: ``failed(outcomes)``, or a pandas expression over the outcome
    names such as ``"diff__wait_minutes_mean__all >= 0"`` (a NaN outcome does not fail)."""
    if isinstance(failed, str):
        table = pd.DataFrame({k: np.asarray(v) for k, v in outcomes.items()})
        return table.eval(failed).to_numpy(bool)
    return np.asarray(failed(dict(outcomes)), dtype=bool)


def discover(experiments: pd.DataFrame, outcomes: Mapping[str, np.ndarray], failed: Failed,
             threshold: float = 0.8, n_boxes: int = 1, max_restricted: int | None = None,
             mass_min: float = 0.05) -> Discovery:  # fmt: skip
    """Boxes of assumptions where the reform fails, by PRIM and by CART.

    Parameters
    ----------
    experiments, outcomes : DataFrame, dict of arrays
        What `perform_experiments` returns (its uncertainty columns are the inputs).
    failed : callable or str
        Which experiments fail (`failures`).
    threshold : float
        Least density (share failing) of a PRIM box.
    n_boxes : int
        Boxes to look for, each among the experiments outside the earlier ones.
    max_restricted : int, optional
        Select on each box's peeling trajectory the densest box restricting at most this many
        assumptions (PRIM's last box over-fits a few dozen experiments); the last by default.
    mass_min : float
        Least share of the experiments in a PRIM box or a CART leaf.
    """
    names = [c for c in experiments.columns if c not in BOOKKEEPING]
    x = experiments[names].reset_index(drop=True)
    # whole numbers as reals: PRIM's pasting writes a quantile (1903.5) into an integer column,
    # which pandas 3 refuses (EMA Workbench 2.5.3); a box's limits may then fall between them
    x = x.astype({c: float for c in x.select_dtypes("integer").columns})
    y = failures(outcomes, failed)
    found = Discovery(experiments, dict(outcomes), y, names)
    if y.all() or not y.any():  # one class only: nothing to separate
        return found
    with warnings.catch_warnings():  # pandas deprecates the EMA Workbench's drop(inplace=True)
        warnings.filterwarnings("ignore", message="The inplace keyword")
        found.prim = Prim(x, y.astype(int), threshold=threshold, mass_min=mass_min)
    for _ in range(n_boxes):
        box = found.prim.find_box()
        if box is None or box.mean < threshold:  # a "dump box": no more boxes this dense
            break
        if max_restricted is not None:
            traj = box.peeling_trajectory
            box.select(int(traj[traj["res_dim"] <= max_restricted]["density"].idxmax()))
        found.boxes += (box,)
    found.cart = CART(x, y.astype(int), mass_min=mass_min)
    leaf = max(1, int(mass_min * len(x)))  # CART.build_tree, with its ties broken the same way
    found.cart.clf = DecisionTreeClassifier(min_samples_leaf=leaf, random_state=0)
    found.cart.clf.fit(found.cart._x, found.cart.y)
    return found


def run_discovery(model: ema.Model, n: int, failed: Failed, seed: int = 0, workers: int = 1,
                  progress: bool = False, **kwargs: Any) -> Discovery:  # fmt: skip
    """Try the reform at `n` Latin-hypercube samples of the assumptions; find where it fails.

    The EMA Workbench's own LHS sampler draws from numpy's global random state, which govsim
    never uses (tests/test_random_state.py); it gets `SeededLHS` (`seed`) instead. The same
    `seed` so gives the same experiments and, each run on the model's own simulation seed,
    the same outcomes with any `workers` (``SequentialEvaluator`` for 1, else
    ``MultiprocessingEvaluator(model, n_processes=workers)``); only EMA's ``scenario``
    labels, a global counter, differ. `kwargs` go to `discover`.
    """
    if workers > 1:
        evaluator: Any = ema.MultiprocessingEvaluator(model, n_processes=workers)
    else:
        evaluator = ema.SequentialEvaluator(model)
    with evaluator:
        experiments, outcomes = ema.perform_experiments(
            model, scenarios=n, evaluator=evaluator, uncertainty_sampling=SeededLHS(seed),
            log_progress=not progress,
        )  # fmt: skip
    return discover(experiments, outcomes, failed, **kwargs)


class SeededLHS(LHSSampler):
    """The EMA Workbench's Latin hypercube (one draw in each of `size` equal-probability
    strata of every uncertainty, the strata shuffled), drawn from a seeded Generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def sample(self, distribution: Any, size: int) -> np.ndarray:
        """`size` draws of a frozen scipy distribution, one in each stratum, in random order."""
        strata = self.rng.permutation(size) / size
        return distribution.ppf(strata + self.rng.uniform(0, 1 / size, size))


def _absolute(source: Source) -> str | list[str]:
    """A file or layers as `load_scenario` takes them, relative paths resolved against the
    current folder (so that worker processes find them)."""
    if isinstance(source, str | Path):
        return str(Path(source).resolve())
    return [str(Path(s).resolve()) for s in source]


def _value_at(scenario: Scenario, key: str) -> Any:
    """The value at a dotted key of a loaded scenario (None where it is absent)."""
    value: Any = scenario
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if value is None:
            return None
    return value
