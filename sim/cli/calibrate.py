"""``govsim calibrate FILE``: fit the uncertain assumptions of a calibration file to its
field patterns, and write the posterior, its diagnostics and figures.

`command` runs it (its arguments are in `sim.cli.parser`): a plan line first, a line per
generation, then where the results went. pyabc and the model are imported when it runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def command(args: argparse.Namespace) -> int:
    """Run ``govsim calibrate``; bad input raises `ScenarioError` (one line)."""
    from sim.experiment.calibration.priors import load_calibration
    from sim.experiment.options import default_out

    cal = load_calibration(args.file).with_abc(
        population=args.population, generations=args.generations
    )
    a = cal.abc
    seed = a.seed if a.seed is not None else "each scenario's"
    out = (
        args.out
        if args.out is not None
        else default_out(f"calibrate-{args.file.stem}", a.seed or 0)
    )
    args.run_folder, args.folder_existed = out, Path(out).exists()
    on = args.scheduler or f"{args.workers} worker(s)"
    days = f"{a.days} days" if a.days else "the scenarios' days"
    print(
        f"calibrating {len(cal.parameters)} assumption(s) to {len(cal.targets)} pattern(s) in "
        f"{len(cal.scenario_files)} scenario(s): {a.population} particles, up to "
        f"{a.generations} generation(s), {a.replications} replication(s) of {days} per "
        f"evaluation, seed {seed} (the same for every particle), on {on}"
    )
    print(f"results go to {out}", flush=True)
    import matplotlib

    matplotlib.use("Agg")
    from sim.experiment.calibration.abc import calibrate

    def line(row: dict) -> None:
        if not args.quiet:
            print(
                f"generation {int(row['generation'])}: epsilon {row['epsilon']:.4g}, "
                f"{int(row['particles'])} accepted of {int(row['evaluations'])} evaluations "
                f"({row['acceptance_rate']:.0%}), ESS {row['ess']:.1f}, "
                f"{row['seconds']:.1f} s",
                flush=True,
            )

    try:
        post = calibrate(cal, out, args.workers, args.scheduler, line)
    except KeyboardInterrupt:
        print(
            f"govsim: interrupted; finished generations are kept in {out}/calibration.db: "
            f"rerun with --out {out} to resume",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        for p in post.parameters:
            lo, hi = post.interval(p.name)
            print(f"{p.name} ({p.key}): 95% credible interval [{lo:.4g}, {hi:.4g}]")
        for r in post.predictive_table().itertuples(index=False):
            band = f"{r.low if r.low == r.low else '-'}..{r.high if r.high == r.high else '-'}"
            print(
                f"{r.target}: observed {r.observed:g} ({band}), model median {r.median:.4g} "
                f"[90%: {r.q05:.4g}, {r.q95:.4g}], {'in' if r.in_band else 'outside'} the band"
            )
    print(f"results written to {out}")
    return 0
