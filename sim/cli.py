"""The ``govsim`` command: run, validate and inspect scenario files.

Bad input ends with one line on standard error naming the file and the key, and exit status 2,
before anything is written.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
import typing
from pathlib import Path
from typing import Any

# Only light modules here, so that `govsim --help` answers at once and `govsim validate` loads
# no more than the scenario schema (pydantic): each command imports the machinery it runs
# (pandas, SciPy, SALib, matplotlib, pyarrow) when it runs.
from sim.experiment.options import RunOptions, default_out
from sim.metrics.headline import CONSERVATION, HEADLINE


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``govsim`` and ``python -m sim``."""
    args = _parser().parse_args(argv)
    from sim.scenario import ScenarioError  # after parsing: `--help` needs no schema

    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"govsim: interrupted; {_kept(getattr(args, 'run_folder', None))}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        folder = getattr(args, "run_folder", None)
        _forget(folder, getattr(args, "folder_existed", True))
        where = f"'{folder}'" if folder is not None else f"'{exc.filename}'"
        print(f"govsim: error: --out: {where} cannot be written ({exc.strerror})", file=sys.stderr)
        return 2


WRITE_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG}


def _forget(folder: Path | None, existed: bool) -> None:
    """Remove an output folder this command created when it holds no finished replication:
    a failed command leaves nothing half-written."""
    if folder is None or existed:
        return
    parts = Path(folder) / "parts"
    if not (parts.is_dir() and any(parts.iterdir())):
        shutil.rmtree(folder, ignore_errors=True)


def _kept(folder: Path | None) -> str:
    """What an interrupted command leaves: finished replications in the folder (a rerun
    into it resumes), or nothing."""
    parts = Path(folder) / "parts" if folder is not None else None
    if parts is not None and parts.is_dir() and any(parts.iterdir()):
        return f"finished replications are kept in {folder}; rerun with --out {folder} to resume"
    return "nothing was written"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, exit status 2."""

    def error(self, message: str) -> typing.NoReturn:
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.exit(2, f"{self.prog}: error: {shown} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="govsim",
        description=__doc__.splitlines()[0],
        epilog=_examples(
            "govsim run scenarios/teaching.toml",
            "govsim compare scenarios/baseline.toml scenarios/xiangfang_center.toml",
            "govsim COMMAND --help",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"govsim {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser(
        "run",
        help="run a scenario and write its results",
        description="Run a scenario over replications and write its tables, figures and manifest.",
        epilog=_examples(
            "govsim run scenarios/teaching.toml",
            "govsim run scenarios/baseline.toml --replications 5 --workers 2",
            "govsim run scenarios/teaching.toml scenarios/xiangfang_center.toml",
            "govsim run scenarios/teaching.toml --set structure.communities=4 --days 30",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="scenario file (TOML); further files are layered on it in order, e.g. "
        "teaching.toml xiangfang_center.toml runs the reform at classroom size",
    )
    r.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    r.add_argument("--replications", type=_positive, help="replications (default: scenario's)")
    r.add_argument("--days", type=_positive, help="days to simulate (default: scenario's)")
    _set_option(r, "override a scenario key, e.g. --set structure.communities=4")
    r.add_argument("--out", type=Path, help="output folder (default results/<scenario>/<run-id>)")
    r.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    r.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    r.add_argument(
        "--precision",
        type=_fraction,
        metavar="FRACTION",
        help="add replications until every headline metric's 95%% CI half-width is "
        "within this fraction of its mean",
    )
    r.add_argument(
        "--max-replications", type=_positive, default=100, help="cap for --precision (default 100)"
    )
    r.add_argument(
        "--warmup",
        type=_warmup,
        metavar="DAYS|auto",
        help="days to leave out, or 'auto' (MSER-5 on pilot runs); default: the "
        "scenario's warmup_days",
    )
    _executor_options(r)
    r.set_defaults(func=_run)

    c = sub.add_parser(
        "compare",
        help="paired differences of reforms from a baseline",
        description="Run a baseline and reforms on the same random numbers and write the "
        "paired differences with 95% intervals.",
        epilog=_examples(
            "govsim compare scenarios/baseline.toml scenarios/xiangfang_center.toml",
            "govsim compare scenarios/teaching.toml scenarios/teaching.toml \\\n"
            "    --set units.community_desk.servers=4 --replications 20",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("baseline", help="baseline scenario file")
    c.add_argument("reforms", nargs="+", help="reform scenario files")
    c.add_argument(
        "--replications", type=_positive, help="paired replications (default 10)", default=10
    )
    c.add_argument("--seed", type=_seed, help="root seed (default: the baseline's)")
    c.add_argument("--days", type=_positive, help="days to simulate in every scenario")
    _set_option(c, "override a key in every scenario")
    c.add_argument("--out", type=Path, help="output folder")
    c.add_argument("--demand-type", default="", help="demand type of the printed table")
    c.add_argument("--no-figures", action="store_true", help="skip the PNG figure")
    c.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(c)
    c.set_defaults(func=_compare)

    w = sub.add_parser(
        "sweep",
        help="run a sweep file: a design over assumptions, and sensitivity indices",
        epilog=_examples("govsim sweep sweeps/xiangfang_sobol.toml --workers 2"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    w.add_argument("file", help="sweep file (TOML)")
    w.add_argument(
        "--out",
        type=Path,
        help="output folder (default results/sweep-<name>/<run-id>); rerun into it to resume",
    )
    w.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(w)
    w.set_defaults(func=_sweep)

    t = sub.add_parser(
        "targets",
        help="set the model beside field patterns: a targets file, with intervals",
        epilog=_examples(
            "govsim targets targets/pre_reform.toml --replications 5",
            "govsim targets targets/consultation_003.toml",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument("file", type=Path, help="targets file (TOML)")
    t.add_argument(
        "--replications", type=_positive, default=5, help="replications per scenario (default 5)"
    )
    t.add_argument("--seed", type=_seed, help="root seed (default: each scenario's)")
    t.add_argument("--out", type=Path, help="output folder for targets.csv")
    t.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(t)
    t.set_defaults(func=_targets)

    v = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        epilog=_examples("govsim validate --strict scenarios/*.toml"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("files", nargs="+")
    v.add_argument(
        "--strict", action="store_true", help="also fail when a numeric figure has no source"
    )
    _roots_option(v)
    v.set_defaults(func=_validate)

    a = sub.add_parser(
        "assumptions",
        help="list the assumptions of a resolved scenario",
        epilog=_examples(
            "govsim assumptions scenarios/xiangfang_center.toml",
            "govsim assumptions scenarios/teaching.toml --all",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    a.add_argument("file")
    a.add_argument("--all", action="store_true", help="every figure with its source")
    _set_option(a, "override a scenario key before listing")
    a.set_defaults(func=_assumptions)
    return p


def _examples(*lines: str) -> str:
    """An epilog of example command lines for a command's help."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _version() -> str:
    """The installed package's version (without importing the model)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govsim")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _address(text: str) -> str:
    """A Dask scheduler's address: ``scheme://host:port`` (tried within 10 s when used)."""
    import re

    if not re.fullmatch(r"(tcp|tls|ws|wss|ucx|inproc)://[^\s/:]+(:\d{1,5})", text):
        raise argparse.ArgumentTypeError(
            f"expected an address such as tcp://host:8786, got {text!r}"
        )
    return text


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def _warmup(text: str) -> str | int:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected days or 'auto', got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _whole(text: str, least: int, message: str) -> int:
    """A whole number of at least `least`, or an argparse error saying `message`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{message}, got {value}")
    return value


def _seed(text: str) -> int:
    return _whole(text, 0, "a root seed is not negative")


def _positive(text: str) -> int:
    return _whole(text, 1, "must be at least 1")


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
    _plan(args, what, seed, out)
    from sim.experiment.compare import compare, readable

    if not args.no_figures:
        _draw_to_files()
    table = compare(base, reforms, args.replications, seed, _options(args, out))
    if not args.quiet:
        print(readable(table, HEADLINE, args.demand_type, base.name))
        print("conservation (whole run):")
        print(readable(table, CONSERVATION, "", base.name))
    for line in warnings:  # after the run: an error before it stays the one line printed
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


def _set_option(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help_text
    )
    _roots_option(p)


def _roots_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--extends-root",
        dest="extends_roots",
        action="append",
        default=[],
        metavar="DIR",
        help="a further folder whose files `extends` may name (by default only the scenario "
        "file's folder and the shipped scenarios/)",
    )


def _layers(files: list[str]) -> str | list[str]:
    """One scenario file, or layers: later files laid over the first."""
    return files[0] if len(files) == 1 else files


def _executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_positive, help="local worker processes (default: all cores)")
    p.add_argument(
        "--scheduler",
        type=_address,
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler, e.g. tcp://host:8786",
    )


def _validate(args: argparse.Namespace) -> int:
    from sim.scenario import ScenarioError, load_scenario

    for f in args.files:
        s = load_scenario(f, None, args.extends_roots)
        if args.strict:
            from sim.scenario.assumptions import assumptions

            unsourced = assumptions(s, every=True)
            unsourced = unsourced[unsourced["kind"] == "unsourced"]
            if len(unsourced):
                raise ScenarioError(f, unsourced["key"].iloc[0], "figure has no source")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
