"""What each ``govsim`` command does: load the scenario files, say what will run, run it
with the machinery imported only then, and print and write the results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.experiment.options import RunOptions, default_out
from sim.metrics.headline import CONSERVATION, HEADLINE


def _plan(args: argparse.Namespace, what: str, seed: int | str, out: Path) -> None:
    """Say at once what is about to run and where it goes (not with --quiet)."""
    if getattr(args, "quiet", False):
        return
    workers = args.scheduler or (f"{args.workers} worker(s)" if args.workers else "all cores")
    print(f"{what}, seed {seed}, on {workers}")
    print(f"results go to {out}", flush=True)


def _draw_to_files() -> None:
    """Make matplotlib draw without a display: the command line writes figures to files."""
    import matplotlib

    matplotlib.use("Agg")


def _run(args: argparse.Namespace) -> int:
    from sim.scenario import ScenarioError, load_scenario

    overrides = list(args.overrides)
    if args.days is not None:
        overrides.append(f"days={args.days}")
    scenario = load_scenario(_layers(args.files), overrides, args.extends_roots)
    if isinstance(args.warmup, int) and args.warmup >= scenario.days:
        raise ScenarioError(
            "--warmup", "", f"{args.warmup} days leave nothing of a {scenario.days}-day run"
        )
    seed = scenario.seed if args.seed is None else args.seed
    out = args.out if args.out is not None else default_out(scenario.name, seed)
    args.run_folder, args.folder_existed = out, Path(out).exists()
    n = args.replications or scenario.replications
    _plan(args, f"running {scenario.name}: {n} replication(s) of {scenario.days} days", seed, out)
    from sim.experiment.run import Precision, run  # the machinery, once the plan is out

    if not args.no_figures:
        _draw_to_files()
    precision = None
    if args.precision is not None:
        precision = Precision(args.precision, args.max_replications)
    result = run(scenario, args.replications, seed, _options(args, out), precision, args.warmup)
    if not args.quiet:
        table = result.stats(metrics=HEADLINE, demand_type="")
        table = table.set_index("metric").loc[[m for m in HEADLINE if m in set(table["metric"])]]
        cols = ["mean", "ci_low", "ci_high"] if result.replications > 1 else ["mean"]
        print(f"{scenario.name}: {result.replications} replication(s), seed {result.seed}")
        print(table[cols].to_string(float_format=lambda x: f"{x:.4g}"))
        kept = result.stats(metrics=CONSERVATION, demand_type="").set_index("metric")
        kept = kept.loc[[m for m in CONSERVATION if m in kept.index]]
        print("conservation (whole run):")
        print(kept[["mean"]].to_string(float_format=lambda x: f"{x:.6g}"))
        warm = result.meta.get("warmup", {})
        print(
            f"warm-up: {warm.get('days_used')} days left out "
            f"(MSER-5 suggests {warm.get('mser5_suggestion_days')})"
        )
        prec = result.meta.get("precision")
        if prec:
            held = [m for m, r in prec["metrics"].items() if r["held"]]
            missed = [m for m, r in prec["metrics"].items() if not r["held"]]
            print(
                f"precision {prec['target']:g}: held for {len(held)} metric(s) after "
                f"{prec['replications']} replications"
                + (f"; not reached for {', '.join(missed)}" if missed else "")
            )
    print(f"results written to {out}")
    return 0


def _targets(args: argparse.Namespace) -> int:
    from sim.experiment.store import atomic_write_frame
    from sim.experiment.targets import check_targets, load_targets, markdown

    targets = load_targets(args.file)  # every error before anything runs
    out = args.out if args.out is not None else default_out(f"targets-{args.file.stem}", 0)
    where = {t.scenario for t in targets}
    seed = args.seed if args.seed is not None else "each scenario's"
    _plan(args, f"checking {len(targets)} pattern(s) in {len(where)} scenario(s)", seed, out)
    table = check_targets(args.file, args.replications, args.seed, _options(args, None))
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_frame(out / "targets.csv", table)
    if not args.quiet:
        print(markdown(table))
    print(f"results written to {out}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    overrides = list(args.overrides)
    if args.days is not None:
        overrides.append(f"days={args.days}")
    base = load_scenario(args.baseline, overrides, args.extends_roots)
    reforms = [load_scenario(f, overrides, args.extends_roots) for f in args.reforms]
    warnings = _mismatch(args.baseline, base, args.reforms, reforms)
    seed = base.seed if args.seed is None else args.seed
    out = args.out if args.out is not None else default_out(f"compare-{base.name}", seed)
    args.run_folder, args.folder_existed = out, Path(out).exists()
    names = ", ".join(r.name for r in reforms)
    what = f"comparing {names} with {base.name}: {args.replications} paired replications"
    if args.posterior is not None:
        return _compare_posterior(args, base, reforms, seed, out, what, warnings)
    _plan(args, what, seed, out)
    from sim.experiment.compare import compare, readable

    if not args.no_figures:
        _draw_to_files()
    table = compare(base, reforms, args.replications, seed, _options(args, out)).differences
    if not args.quiet:
        print(readable(table, HEADLINE, args.demand_type, base.name))
        print("conservation (whole run):")
        print(readable(table, CONSERVATION, "", base.name))
    for line in warnings:  # after the run: an error before it stays the one line printed
        print(line, file=sys.stderr)
    print(f"results written to {out}")
    return 0


def _compare_posterior(
    args: argparse.Namespace,
    base: Any,
    reforms: list[Any],
    seed: int,
    out: Path,
    what: str,
    warnings: list[str],
) -> int:
    """``compare --posterior``: the comparison under draws of the calibrated assumptions."""
    from sim.experiment.calibration.posterior import load_posterior
    from sim.scenario import ScenarioError

    try:
        post = load_posterior(args.posterior)
    except ScenarioError as exc:
        raise ScenarioError("--posterior", exc.key, f"{exc.file}: {exc.message}") from None
    _plan(args, f"{what} under each of {args.draws} posterior draws", seed, out)
    from sim.experiment.uncertain import compare_posterior, readable_effects

    result = compare_posterior(
        base, reforms, post, args.draws, args.replications, seed, _options(args, out)
    )
    if not args.quiet:
        print(readable_effects(result.effects, HEADLINE, args.demand_type, base.name))
    for line in warnings:
        print(line, file=sys.stderr)
    print(f"results written to {out}")
    return 0


def _mismatch(base_file: str, base: Any, files: list[str], reforms: list[Any]) -> list[str]:
    """Warnings for reforms that differ from the baseline outside what their own files set:
    the comparison would credit the reform with those differences too."""
    from sim.scenario.mismatch import unexplained

    out = []
    for f, reform in zip(files, reforms, strict=True):
        keys = unexplained(base, reform, base_file, f)
        if keys:
            shown = ", ".join(keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
            out.append(
                f"govsim: warning: {reform.name} differs from {base.name} outside what {f} "
                f"sets ({shown}); the comparison counts those as the reform's effect"
            )
    return out


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiment.sweep.load import load_sweep

    sw = load_sweep(args.file)
    out = args.out if args.out is not None else default_out(f"sweep-{sw.name}", sw.seed)
    args.run_folder, args.folder_existed = out, Path(out).exists()
    n = sw.spec.replications
    what = f"sweep {sw.name} ({sw.kind}): {len(sw.parameters)} parameter(s), {n} replication(s)"
    _plan(args, what + " per point", sw.seed, out)
    from sim.experiment.sweep import readable_sweep, sweep

    _draw_to_files()
    result = sweep(sw, _options(args, out))
    if not args.quiet:
        print(readable_sweep(result))
    print(f"results written to {out}")
    return 0


def _options(args: argparse.Namespace, out: Path | None) -> RunOptions:
    """The run options the command line asked for (a scheduler is reached once first, so an
    unreachable one stops the command before anything is written)."""
    if args.scheduler is not None:
        from sim.experiment.executors import check_scheduler

        check_scheduler(args.scheduler)
    return RunOptions(
        workers=args.workers,
        scheduler=args.scheduler,
        out=out,
        progress=None if not args.quiet else False,
        figures=not getattr(args, "no_figures", False),
    )


def _layers(files: list[str]) -> str | list[str]:
    """One scenario file, or layers: later files laid over the first."""
    return files[0] if len(files) == 1 else files


def _validate(args: argparse.Namespace) -> int:
    from sim.scenario.validate import validate

    for f in args.files:
        s = validate(f, None, args.strict, args.extends_roots)
        print(f"{f}: ok ({s.name})")
    return 0


def _assumptions(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario
    from sim.scenario.assumptions import assumptions

    s = load_scenario(args.file, args.overrides, args.extends_roots)
    table = assumptions(s, every=args.all)
    if table.empty:
        print(f"{args.file}: no assumptions")
        return 0
    print(f"# {s.name}: {len(table)} figure(s)" + ("" if args.all else " resting on assumptions"))
    for row in table.itertuples(index=False):
        note = row.source if args.all else row.source.split(":", 1)[-1].strip()
        tag = f"[{row.kind}] " if args.all else ""
        print(f"{row.key} = {row.value!r}  # {tag}{note}")
    return 0
