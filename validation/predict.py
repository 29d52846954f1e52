"""Write the calibration and the reforms' predicted changes into the validation page.

Reads a finished calibration of the baseline (``govsim calibrate calibration/baseline.toml
--workers 2 --out results/calibrate-baseline``) and writes two blocks of
``docs/validation.md``:

- ``<!-- calibration -->``: each assumption's prior and 95% credible interval, the
  diagnostics by generation, and each target against the posterior predictive;
- ``<!-- posterior-predictions -->``: for each reform set against the calibrated place (the
  one-year reforms of ``validation/reforms.toml`` whose scenario before is the baseline, as
  it stands), the predicted change of the headline metrics over posterior draws × paired
  replications, with the interval from parameters and randomness together and the
  parameters' share of its variance. Reforms are never targets: these are predictions.

Usage::

    python validation/predict.py [--posterior results/calibrate-baseline] [--draws 10]
                                 [--replications 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import pandas as pd
from report import ROOT, SEED, replace_block

from sim.experiment.calibration.posterior import load_posterior
from sim.experiment.options import RunOptions
from sim.experiment.store import atomic_write_text
from sim.experiment.uncertain import compare_posterior
from sim.metrics.registry import describe
from sim.scenario import load_scenario

HERE = Path(__file__).resolve().parent
PAGE = ROOT / "docs" / "validation.md"
BEFORE = "../scenarios/baseline.toml"
ROWS = [
    ("resolution_days_mean", "administrative/disability_approvals"),
    ("resolution_days_mean", "administrative/minimum_income"),
    ("resolution_days_mean", ""),
    ("wait_minutes_mean", ""),
    ("trips_per_demand_mean", ""),
    ("staff_hours_share_tasks", ""),
    ("staff_hours_share_self_governance", ""),
    ("cost_yuan_per_demand", ""),
]


def _g(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.3g}"


def calibration_block(post: object) -> str:
    """Priors, credible intervals, diagnostics and the posterior predictive, as markdown."""
    lines = [
        f"Read by `python validation/predict.py` from `{_shown(post.folder)}` "
        f"({len(post.particles)} particles of the last generation).",
        "",
        "| assumption | key | prior | 95% credible interval | posterior median |",
        "|---|---|---|---|---|",
    ]
    for p in post.parameters:
        lo, hi = post.interval(p.name)
        med = post.interval(p.name, 0.0)[0]
        prior = f"{p.prior} [{_g(p.low)}, {_g(p.high)}]"
        lines.append(f"| {p.name} | `{p.key}` | {prior} | [{_g(lo)}, {_g(hi)}] | {_g(med)} |")
    d = post.diagnostics
    lines += [
        "",
        "| generation | epsilon | particles | evaluations | acceptance | ESS |",
        "|---|---|---|---|---|---|",
    ]
    for r in d.itertuples(index=False):
        gen = "prior sample" if r.generation < 0 else str(int(r.generation))
        lines.append(
            f"| {gen} | {_g(r.epsilon)} | {int(r.particles)} | {int(r.evaluations)} | "
            f"{_g(r.acceptance_rate)} | {_g(r.ess)} |"
        )
    lines += [
        "",
        "| target | observed (band) | posterior predictive median [90%] | median in band |",
        "|---|---|---|---|",
    ]
    for r in post.predictive_table().itertuples(index=False):
        band = f"{_g(r.low)}–{_g(r.high)}" if pd.notna(r.high) else f"≥ {_g(r.low)}"
        lines.append(
            f"| {r.target} | {_g(r.observed)} ({band}) | {_g(r.median)} "
            f"[{_g(r.q05)}, {_g(r.q95)}] | {'yes' if r.in_band else 'no'} |"
        )
    return "\n".join(lines)


def predictions_block(result: object, draws: int, reps: int) -> str:
    """Each reform's predicted change of the headline rows, as markdown."""
    e = result.effects
    lines = [
        f"Predicted by `python validation/predict.py` ({draws} posterior draws × {reps} paired "
        f"replications, seed {SEED}); the interval is the central 95% of the per-replication "
        "differences over all draws (parameters and randomness together), the effect interval "
        "the central 95% of the per-draw mean effects (parameters alone).",
        "",
        "| reform | metric | before | after | predicted change [95%] | effect [95%] "
        "| parameters' share | field report |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(e["scenario"]):
        for metric, dtype in ROWS:
            sel = e[(e["scenario"] == name) & (e["metric"] == metric) & (e["demand_type"] == dtype)]
            if sel.empty:
                continue
            r = sel.iloc[0]
            m = describe(metric)
            label = f"{m.label} ({m.unit}{', ' + dtype if dtype else ''})"
            lines.append(
                f"| {name} | {label} | {_g(r.baseline_mean)} | {_g(r.scenario_mean)} | "
                f"{r.diff_mean:+.3g} [{r.diff_low:+.3g}, {r.diff_high:+.3g}] | "
                f"[{r.effect_low:+.3g}, {r.effect_high:+.3g}] | {r.share_parameters:.0%} | "
                "none in the founding sources |"
            )
    return "\n".join(lines)


def _shown(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--posterior", type=Path, default=ROOT / "results" / "calibrate-baseline")
    p.add_argument("--draws", type=int, default=10)
    p.add_argument("--replications", type=int, default=2)
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args(argv)
    post = load_posterior(args.posterior)
    pairs = tomllib.loads((HERE / "reforms.toml").read_text(encoding="utf-8"))["pairs"]
    before = load_scenario(HERE / BEFORE)
    reforms = [
        load_scenario(HERE / q["reform"])
        for q in pairs
        if q["before"] == BEFORE and "before_set" not in q
    ]
    reforms = [r for r in reforms if r.days == before.days]
    out = ROOT / "results" / "validation" / f"posterior-{post.identity}"
    opts = RunOptions(args.workers, None, out, False, False)
    result = compare_posterior(
        before, reforms, post, args.draws, args.replications, SEED, opts
    )
    text = PAGE.read_text(encoding="utf-8")
    for marker, block in (
        ("calibration", calibration_block(post)),
        ("posterior-predictions", predictions_block(result, args.draws, args.replications)),
    ):
        new = replace_block(text, marker, block)
        if new is None:
            print(f"{PAGE}: no <!-- {marker} --> block", file=sys.stderr)
            return 2
        text = new
    atomic_write_text(PAGE, text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
