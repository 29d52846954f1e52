"""Field patterns as data: what was observed before a reform, set beside what the model says.

A targets file (TOML) lists observations from the field, each tied to a scenario that stands
for the place and time it was observed, a metric of the summary (with its demand type or
item class), the observed value, the band the wording allows ("about 20 days": 15–25; "2 days
or more": at least 2) and its source. `check_targets` runs each scenario once over the
replications asked for (common random numbers, the same seed) and reports the model's mean
and 95% confidence interval next to each target, and whether the mean falls inside the band.

A target is a *pattern* (VALIDATION.md): calibration fits assumptions to it. Until a target
has been fitted, the model's value is a prediction from assumptions and sourced inputs; the
report says which.

Example::

    [[targets]]
    name = "approval_street_and_district"
    scenario = "../scenarios/baseline.toml"
    metric = "resolution_days_mean"
    demand_type = "administrative/disability_approvals"
    value = 20
    low = 15
    high = 25
    source = "public report: an item through street and district took about 20 days"
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import Field, ValidationError

from sim.experiment.options import RunOptions
from sim.experiment.result import RunResult
from sim.experiment.run import run
from sim.metrics.registry import metric_rows
from sim.scenario import load_scenario
from sim.scenario.errors import ScenarioError, unknown_key
from sim.scenario.loading import read_toml
from sim.scenario.section import Section

TARGET_COLUMNS = [
    "target",
    "scenario",
    "metric",
    "demand_type",
    "observed",
    "low",
    "high",
    "model_mean",
    "ci_low",
    "ci_high",
    "replications",
    "in_band",
    "role",
    "source",
]


class Target(Section):
    """One observation from the field and the band its wording allows."""

    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    demand_type: str = ""
    value: float
    low: float | None = None
    high: float | None = None
    role: str = "pattern, not fitted"
    source: str = Field(min_length=1)


class TargetsFile(Section):
    """A targets file: a description and its targets."""

    description: str = ""
    targets: list[Target] = Field(min_length=1)


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file; every scenario must load and report the metric.

    Raises
    ------
    ScenarioError
        One line naming the targets file (or the scenario file) and the key.
    """
    path = Path(path)
    label = str(path)
    data = read_toml(path)
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            model = Target if len(err["loc"]) > 2 else TargetsFile
            raise ScenarioError(
                label, loc, unknown_key(str(err["loc"][-1]), list(model.model_fields))
            ) from None
        raise ScenarioError(label, loc, err["msg"]) from None
    seen: set[str] = set()
    for k, t in enumerate(spec.targets):
        key = f"targets.{k}"
        if t.name in seen:
            raise ScenarioError(label, f"{key}.name", f"target '{t.name}' given twice")
        seen.add(t.name)
        file = path.parent / t.scenario
        if not file.is_file():
            raise ScenarioError(label, f"{key}.scenario", f"scenario file '{t.scenario}' not found")
        s = load_scenario(file)
        if (t.metric, t.demand_type) not in metric_rows(s):
            raise ScenarioError(
                label,
                f"{key}.metric",
                f"'{t.metric}' for demand type '{t.demand_type}' is not reported by {s.name}",
            )
        if t.low is not None and t.high is not None and t.low > t.high:
            raise ScenarioError(label, f"{key}.low", "low is above high")
    return list(spec.targets)


def check_targets(
    path: str | Path,
    replications: int = 5,
    seed: int | None = None,
    options: RunOptions | None = None,
    runs: dict[Path, RunResult] | None = None,
) -> pd.DataFrame:
    """Run the scenarios of a targets file and set the model beside each observation.

    Parameters
    ----------
    path : str or Path
        The targets file.
    replications : int
        Replications of each scenario.
    seed : int, optional
        Root seed (default: each scenario's own).
    options : RunOptions, optional
        Workers or a Dask scheduler (results stay in memory).
    runs : dict, optional
        The runs made, by resolved scenario file: a caller that passes a dict gets them
        back (and a scenario already in it is not run again).

    Returns
    -------
    DataFrame
        One row per target (`TARGET_COLUMNS`).
    """
    path = Path(path)
    targets = load_targets(path)
    opts = options or RunOptions()
    opts = RunOptions(opts.workers, opts.scheduler, None, opts.progress, False)
    results = runs if runs is not None else {}
    rows = []
    for t in targets:
        file = (path.parent / t.scenario).resolve()
        if file not in results:
            s = load_scenario(file)
            results[file] = run(s, replications, s.seed if seed is None else seed, opts)
        res = results[file]
        st = res.stats(metrics=[t.metric], demand_type=t.demand_type)
        row = st.iloc[0] if len(st) else None
        mean = float(row["mean"]) if row is not None else float("nan")
        lo = float(row["ci_low"]) if row is not None else float("nan")
        hi = float(row["ci_high"]) if row is not None else float("nan")
        inside = (t.low is None or mean >= t.low) and (t.high is None or mean <= t.high)
        rows.append(
            (
                t.name,
                res.scenario.name,
                t.metric,
                t.demand_type,
                t.value,
                t.low,
                t.high,
                mean,
                lo,
                hi,
                res.replications,
                bool(inside),
                t.role,
                t.source,
            )
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def markdown(table: pd.DataFrame) -> str:
    """The targets table as Markdown, for docs/validation.md."""
    lines = [
        "| pattern | scenario | metric | observed (band) | model mean [95% CI] | in band | role |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        band = _band(r.low, r.high)
        metric = r.metric + (f" ({r.demand_type})" if r.demand_type else "")
        lines.append(
            f"| {r.target} | {r.scenario} | {metric} | {r.observed:g} {band} | "
            f"{r.model_mean:.3g} [{r.ci_low:.3g}, {r.ci_high:.3g}] | "
            f"{'yes' if r.in_band else 'no'} | {r.role} |"
        )
    return "\n".join(lines)


def _band(low: float | None, high: float | None) -> str:
    def ok(x: float | None) -> bool:
        return x is not None and x == x

    if ok(low) and ok(high):
        return f"({low:g}–{high:g})"
    if ok(low):
        return f"(≥ {low:g})"
    if ok(high):
        return f"(≤ {high:g})"
    return ""
