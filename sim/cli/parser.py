"""The ``govsim`` command's arguments: one sub-command each for run, compare, sweep,
targets, validate and assumptions, with examples in every help and one-line usage errors."""

from __future__ import annotations

import argparse
import typing
from pathlib import Path

from sim.cli import commands


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, exit status 2."""

    def error(self, message: str) -> typing.NoReturn:
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.exit(2, f"{self.prog}: error: {shown} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
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
    p.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="show the version and whether the engine's core runs compiled, then exit",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = _command(
        sub,
        "run",
        help="run a scenario and write its results",
        description="Run a scenario over replications and write its tables, figures and manifest.",
        examples=(
            "govsim run scenarios/teaching.toml",
            "govsim run scenarios/baseline.toml --replications 5 --workers 2",
            "govsim run scenarios/teaching.toml scenarios/xiangfang_center.toml",
            "govsim run scenarios/teaching.toml --set structure.communities=4 --days 30",
        ),
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
    r.set_defaults(func=commands._run)

    c = _command(
        sub,
        "compare",
        help="paired differences of reforms from a baseline",
        description="Run a baseline and reforms on the same random numbers and write the "
        "paired differences with 95% intervals.",
        examples=(
            "govsim compare scenarios/baseline.toml scenarios/xiangfang_center.toml",
            "govsim compare scenarios/teaching.toml scenarios/teaching.toml \\\n"
            "    --set units.community_desk.servers=4 --replications 20",
            "govsim compare scenarios/baseline.toml scenarios/xiangfang_center.toml \\\n"
            "    --posterior results/calibrate-baseline --draws 20 --replications 3",
        ),
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
    c.add_argument(
        "--posterior",
        type=Path,
        metavar="DIR",
        help="a calibration folder (govsim calibrate): run under draws of its assumptions and "
        "report the interval from parameters and randomness together",
    )
    c.add_argument(
        "--draws", type=_positive, default=20, help="posterior draws with --posterior (default 20)"
    )
    c.add_argument("--no-figures", action="store_true", help="skip the PNG figure")
    c.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(c)
    c.set_defaults(func=commands._compare)

    w = _command(
        sub,
        "sweep",
        help="run a sweep file: a design over assumptions, and sensitivity indices",
        examples=("govsim sweep sweeps/xiangfang_sobol.toml --workers 2",),
    )
    w.add_argument("file", help="sweep file (TOML)")
    w.add_argument(
        "--out",
        type=Path,
        help="output folder (default results/sweep-<name>/<run-id>); rerun into it to resume",
    )
    w.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(w)
    w.set_defaults(func=commands._sweep)

    k = _command(
        sub,
        "calibrate",
        help="fit uncertain assumptions to field patterns (ABC-SMC): a posterior sample",
        description="Fit the assumptions of a calibration file to the field patterns of its "
        "targets file with pyabc's ABC-SMC, and write the posterior, posterior predictive, "
        "diagnostics and figures. Rerun into the same --out to resume. The result is the same "
        "for any number of workers and on Dask.",
        examples=(
            "govsim calibrate calibration/sbc_teaching.toml --out results/sbc",
            "govsim calibrate calibration/baseline.toml --workers 2 --generations 4",
            "govsim calibrate calibration/baseline.toml --scheduler tcp://host:8786",
        ),
    )
    k.add_argument("file", type=Path, metavar="FILE", help="calibration file (TOML)")
    k.add_argument(
        "--out",
        type=Path,
        help="output folder (default results/calibrate-<file>/<run-id>); rerun into it to resume",
    )
    k.add_argument("--population", type=_positive, help="particles (default: the file's [abc])")
    k.add_argument(
        "--generations", type=_positive, help="generations in all (default: the file's [abc])"
    )
    k.add_argument("--quiet", action="store_true", help="no line per generation")
    _executor_options(k, workers=1, exclusive=True)
    k.set_defaults(func=_calibrate)

    t = _command(
        sub,
        "targets",
        help="set the model beside field patterns: a targets file, with intervals",
        examples=(
            "govsim targets targets/pre_reform.toml --replications 5",
            "govsim targets targets/consultation_003.toml",
        ),
    )
    t.add_argument("file", type=Path, help="targets file (TOML)")
    t.add_argument(
        "--replications", type=_positive, default=5, help="replications per scenario (default 5)"
    )
    t.add_argument("--seed", type=_seed, help="root seed (default: each scenario's)")
    t.add_argument("--out", type=Path, help="output folder for targets.csv")
    t.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    _executor_options(t)
    t.set_defaults(func=commands._targets)

    v = _command(
        sub,
        "validate",
        help="check scenario files without running them",
        examples=("govsim validate --strict scenarios/*.toml",),
    )
    v.add_argument("files", nargs="+")
    v.add_argument(
        "--strict", action="store_true", help="also fail when a numeric figure has no source"
    )
    _roots_option(v)
    v.set_defaults(func=commands._validate)

    a = _command(
        sub,
        "assumptions",
        help="list the assumptions of a resolved scenario",
        examples=(
            "govsim assumptions scenarios/xiangfang_center.toml",
            "govsim assumptions scenarios/teaching.toml --all",
        ),
    )
    a.add_argument("file")
    a.add_argument("--all", action="store_true", help="every figure with its source")
    _set_option(a, "override a scenario key before listing")
    a.set_defaults(func=commands._assumptions)

    ap = _command(
        sub,
        "app",
        help="serve the classroom page (needs pip install '.[app]')",
        description="Serve the classroom page on this machine: pick a reform, move the levers, "
        "see baseline and reform side by side, watch a simulated day; Info tab and glossary.",
        examples=("govsim app", "govsim app --port 8800 --open"),
    )
    ap.add_argument("--port", type=_positive, default=8765, help="port (default 8765)")
    ap.add_argument("--host", default="localhost", help="host to listen on (default localhost)")
    ap.add_argument("--open", action="store_true", help="open the page in a browser")
    ap.set_defaults(func=_app)
    return p


def _app(args: argparse.Namespace) -> int:
    from sim.app.serve import main

    return main(["--port", str(args.port), "--host", args.host, *(["--open"] if args.open else [])])


def _calibrate(args: argparse.Namespace) -> int:
    from sim.cli.calibrate import command

    return command(args)


def _command(
    sub: argparse._SubParsersAction, name: str, examples: tuple[str, ...], **kw: str
) -> argparse.ArgumentParser:
    """A sub-command whose help ends with example command lines."""
    return sub.add_parser(
        name,
        epilog=_examples(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kw,
    )


def _examples(*lines: str) -> str:
    """An epilog of example command lines for a command's help."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


class _Version(argparse.Action):
    """``--version``: the installed version, and whether the engine's core is compiled
    (asked only when the option is given: it imports the core)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> typing.NoReturn:
        from sim.compiled import compiled_core

        core = "compiled" if all(compiled_core().values()) else "from the Python source"
        print(f"govsim {_version()} (engine core: {core})")
        parser.exit()


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


def _executor_options(
    p: argparse.ArgumentParser, workers: int | None = None, exclusive: bool = False
) -> None:
    """``--workers`` (default `workers`, else all cores) and ``--scheduler``; with
    `exclusive`, giving both is a usage error."""
    where = p.add_mutually_exclusive_group() if exclusive else p
    shown = "all cores" if workers is None else str(workers)
    where.add_argument(
        "--workers",
        type=_positive,
        default=workers,
        help=f"local worker processes (default: {shown})",
    )
    where.add_argument(
        "--scheduler",
        type=_address,
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler, e.g. tcp://host:8786",
    )
