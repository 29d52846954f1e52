"""The ``govsim`` command: run, validate and inspect scenario files.

Bad input ends with one line on standard error naming the file and the key, and exit status 2,
before anything is written.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import typing
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the command line draws to files only

from sim.experiment.run import run  # noqa: E402
from sim.scenario import ScenarioError, load_scenario  # noqa: E402
from sim.scenario.assumptions import assumptions  # noqa: E402

HEADLINE = [
    "resolution_days_mean",
    "resolution_days_p90",
    "wait_minutes_mean",
    "trips_per_demand_mean",
    "handoffs_per_demand_mean",
    "resolved_share",
    "staff_hours_share_tasks",
    "staff_hours_share_service",
    "staff_hours_share_self_governance",
    "cost_yuan_per_demand",
    "satisfaction_mean",
]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``govsim`` and ``python -m sim``."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("govsim: interrupted; nothing was written", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, exit status 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="govsim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a scenario and write its results")
    r.add_argument("file", help="scenario file (TOML)")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    r.add_argument("--replications", type=_positive, help="replications (default: scenario's)")
    r.add_argument("--days", type=_positive, help="days to simulate (default: scenario's)")
    r.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set structure.communities=4",
    )
    r.add_argument("--out", type=Path, help="output folder (default results/<scenario>/<run-id>)")
    r.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    r.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    r.set_defaults(func=_run)

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("files", nargs="+")
    v.add_argument(
        "--strict", action="store_true", help="also fail when a numeric figure has no source"
    )
    v.set_defaults(func=_validate)

    a = sub.add_parser("assumptions", help="list the assumptions of a resolved scenario")
    a.add_argument("file")
    a.add_argument("--all", action="store_true", help="every figure with its source")
    a.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    a.set_defaults(func=_assumptions)
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.days is not None:
        overrides.append(f"days={args.days}")
    scenario = load_scenario(args.file, overrides)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError("--out", "", f"'{args.out}' exists and is not a folder")
    result = run(
        scenario,
        replications=args.replications,
        seed=args.seed,
        progress=None if not args.quiet else False,
    )
    out = args.out
    if out is None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
        out = Path("results") / scenario.name / f"{stamp}-seed{result.seed}"
    result.save(out, figures=not args.no_figures)
    if not args.quiet:
        table = result.stats()
        table = table[(table["demand_type"] == "") & table["metric"].isin(HEADLINE)]
        table = table.set_index("metric").loc[[m for m in HEADLINE if m in set(table["metric"])]]
        cols = ["mean", "ci_low", "ci_high"] if result.replications > 1 else ["mean"]
        print(f"{scenario.name}: {result.replications} replication(s), seed {result.seed}")
        print(table[cols].to_string(float_format=lambda x: f"{x:.4g}"))
    print(f"results written to {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    for f in args.files:
        s = load_scenario(f)
        if args.strict:
            unsourced = assumptions(s, every=True)
            unsourced = unsourced[unsourced["kind"] == "unsourced"]
            if len(unsourced):
                raise ScenarioError(f, unsourced["key"].iloc[0], "figure has no source")
        print(f"{f}: ok ({s.name})")
    return 0


def _assumptions(args: argparse.Namespace) -> int:
    s = load_scenario(args.file, args.overrides)
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
