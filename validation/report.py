"""Write the field-pattern table and the reform table of the documentation.

Runs the pre-reform targets (`targets/pre_reform.toml`), 003's participant patterns
(`targets/consultation_003.toml`) and every reform of `validation/reforms.toml` against the
scenario before it, with common random numbers, and writes ``docs/reforms.md`` (paired
differences with 95% intervals, by reform) and two blocks of ``docs/validation.md`` (between
its ``<!-- field-patterns -->`` and ``<!-- participant-patterns -->`` markers). Usage::

    python validation/report.py [--replications 5] [--workers 2] [--only NAME ...]
                                [--no-targets]

Every number it writes is a model output; which inputs it rests on is in the scenario files
(``govsim assumptions FILE``).
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd

from sim.experiment.compare import compare
from sim.experiment.options import RunOptions
from sim.experiment.result import interval_table
from sim.experiment.targets import check_targets, markdown
from sim.metrics.registry import describe
from sim.scenario import Scenario, load_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 20100101
CACHE = ROOT / "results" / "validation"  # each pair's run folder (resumable), to rebuild
# what each reform's table shows: metric, demand type ('' all types; '*' every class/type)
ROWS = [
    ("resolution_days_mean", ""),
    ("resolution_days_mean", "*"),
    ("wait_minutes_mean", ""),
    ("trips_per_demand_mean", ""),
    ("staff_hours_share_tasks", ""),
    ("staff_hours_share_service", ""),
    ("staff_hours_share_self_governance", ""),
    ("task_saturated_days_share", ""),
    ("demands_per_year", ""),
    ("demands_per_resident_year", ""),
    ("latent_met_share", ""),
    ("handling_yuan_per_demand", ""),
    ("cost_yuan_per_demand", ""),
    ("staff_count_total", ""),
    ("topdown_work_hours_per_year", ""),
]


def _fmt(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.3g}"


def _section(metric: str) -> str:
    """The scenario section that reports `metric` ('' for the core model)."""
    try:
        return describe(metric).section
    except KeyError:
        return ""


def _read(path: Path) -> pd.DataFrame:
    """A table of a run folder, with the all-types ``demand_type`` as the empty string."""
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    frame["demand_type"] = frame["demand_type"].fillna("")
    return frame


def _label(pair: dict, before: Scenario) -> str:
    return before.name + (" at the reform's size" if pair.get("before_set") else "")


def reform_block(
    table: pd.DataFrame, own: pd.DataFrame, name: str, mechanism: str, before: str
) -> str:
    """One reform's section of docs/reforms.md: paired differences, then the reform's own
    mechanism metrics (mean and 95% interval; the scenario before has no such metrics)."""
    t = table[table["scenario"] == name]
    reps = int(t["replications"].max()) if len(t) else 0
    out = [f"## {name} (against {before}, {reps} paired replications)", "", mechanism, ""]
    out += [
        "Rows: resolution days (all, by type, by item class), waits, trips, community staff "
        "time, days buried in tasks, demand, cost, conservation, then the metrics of the "
        "mechanisms the reform switches on.",
        "",
    ]
    out += [
        "| metric | demand type | before | after | difference [95% CI] |",
        "|---|---|---|---|---|",
    ]
    for metric, dtype in ROWS:
        if dtype == "*":
            sel = t[(t["metric"] == metric) & (t["demand_type"] != "")]
        else:
            sel = t[(t["metric"] == metric) & (t["demand_type"] == dtype)]
        for r in sel.itertuples(index=False):
            ci = f"[{r.diff_ci_low:+.3g}, {r.diff_ci_high:+.3g}]" if pd.notna(r.diff_ci_low) else ""
            out.append(
                f"| {r.metric} | {r.demand_type or 'all'} | {_fmt(r.baseline_mean)} | "
                f"{_fmt(r.scenario_mean)} | {r.diff_mean:+.3g} {ci} |"
            )
    mech = own[
        (own["demand_type"] == "") & own["metric"].map(lambda m: _section(m) not in ("", "access"))
    ]
    if len(mech):
        out += ["", "| mechanism metric | mean [95% CI] |", "|---|---|"]
        for r in mech.itertuples(index=False):
            ci = f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if pd.notna(r.ci_low) else ""
            out.append(f"| {r.metric} | {_fmt(r.mean)} {ci} |")
    return "\n".join(out) + "\n"


def decomposition(table: pd.DataFrame) -> str:
    """Where the days of each approval class go in the baseline (model means)."""
    parts = ["queue", "service", "transit", "statutory", "away", "other"]
    lines = [
        "| item class | days | " + " | ".join(parts) + " |",
        "|---|---|" + "---|" * len(parts),
    ]
    t = table[table["scenario"] == "baseline"]
    classes = [d for d in t["demand_type"].unique() if d.startswith("administrative/")]
    for d in classes:
        here = t[t["demand_type"] == d].set_index("metric")["mean"]
        vals = [here.get(f"resolution_days_{p}", float("nan")) for p in parts]
        lines.append(
            f"| {d.split('/')[1]} | {here['resolution_days_mean']:.2f} | "
            + " | ".join(f"{v:.2f}" for v in vals)
            + " |"
        )
    return "\n".join(lines)


def replace_block(text: str, marker: str, content: str) -> str | None:
    """`text` with what lies between ``<!-- marker -->`` and ``<!-- /marker -->`` replaced by
    `content`; None when the markers are missing."""
    head, mark, rest = text.partition(f"<!-- {marker} -->")
    _, mark2, tail = rest.partition(f"<!-- /{marker} -->")
    if not mark or not mark2:
        return None
    return head + mark + "\n" + content + "\n" + mark2 + tail


def _folder(name: str) -> Path | None:
    """The run folder holding reform `name`: its own, or that of a group it ran in."""
    for folder in sorted(CACHE.glob("*")):
        parts = folder.name.split("+")
        if name in parts and (folder / "comparison.csv").exists():
            return folder
    return None


def _groups(pairs: list[dict]) -> list[list[dict]]:
    """Pairs that set their reforms against the same before scenario, at the same horizon
    and overrides, in the order they first appear: one comparison runs the before once."""
    groups: dict[tuple, list[dict]] = {}
    for pair in pairs:
        days = load_scenario(HERE / pair["reform"]).days
        key = (pair["before"], days, tuple(sorted(pair.get("before_set", {}).items())))
        groups.setdefault(key, []).append(pair)
    return list(groups.values())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=5)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument(
        "--only",
        nargs="*",
        help="reform names to run; the others are read from their run folders "
        "(results/validation/NAME) when there (default: run or resume all)",
    )
    p.add_argument("--no-targets", action="store_true")
    args = p.parse_args(argv)
    opts = RunOptions(workers=args.workers, progress=False, figures=False)
    t0 = time.time()
    if not args.no_targets:
        runs: dict = {}
        targets = check_targets(
            ROOT / "targets/pre_reform.toml", args.replications, SEED, opts, runs
        )
        stats = runs[(ROOT / "scenarios/baseline.toml").resolve()].stats()  # run for a target
        block = (
            f"Measured by `python validation/report.py` ({args.replications} replications, "
            f"seed {SEED}).\n\n" + markdown(targets) + "\n\n"
            "Where the days of each administrative item class go in the baseline (model "
            "means, days; `other` is time a mechanism held the matter):\n\n" + decomposition(stats)
        )
        people = check_targets(
            ROOT / "targets/consultation_003.toml", args.replications, SEED, opts
        )
        people_block = (
            f"Measured by `python validation/report.py` ({args.replications} replications, "
            f"seed {SEED}).\n\n" + markdown(people)
        )
        doc = ROOT / "docs/validation.md"
        text = doc.read_text(encoding="utf-8")
        for marker, content in (("field-patterns", block), ("participant-patterns", people_block)):
            text = replace_block(text, marker, content)
            if text is None:
                print(f"docs/validation.md lacks the {marker} markers", file=sys.stderr)
                return 2
        doc.write_text(text, encoding="utf-8")
        print(f"field patterns written ({time.time() - t0:.0f} s)")
    pairs = tomllib.loads((HERE / "reforms.toml").read_text(encoding="utf-8"))["pairs"]
    CACHE.mkdir(parents=True, exist_ok=True)
    blocks: dict[str, str] = {}
    for group in _groups(pairs):  # reforms set against the same before run share its runs
        reforms = [load_scenario(HERE / pair["reform"]) for pair in group]
        first = group[0]
        before = load_scenario(
            HERE / first["before"], {"days": reforms[0].days, **first.get("before_set", {})}
        )
        wanted = {r.name for r in reforms if args.only and r.name in args.only}
        todo = [r for r in reforms if _folder(r.name) is None or r.name in wanted]
        if todo:
            folder = CACHE / "+".join(r.name for r in todo)
            t1 = time.time()  # a run folder: a rerun resumes, an identical one is reused
            run_opts = RunOptions(args.workers, None, folder, False, False)
            compare(before, todo, args.replications, SEED, run_opts)
            print(f"{' + '.join(r.name for r in todo)}: {time.time() - t1:.0f} s", flush=True)
        for pair, reform in zip(group, reforms, strict=True):
            folder = _folder(reform.name)
            assert folder is not None
            table = _read(folder / "comparison.csv")
            summary = _read(folder / "summary.csv")
            own = interval_table(summary[summary["scenario"] == reform.name])
            blocks[pair["reform"]] = reform_block(
                table, own, reform.name, pair["mechanism"], _label(pair, before)
            )
    ordered = [blocks[pair["reform"]] for pair in pairs]
    if ordered:
        header = (
            "# Reforms against the place before them: paired differences\n\n"
            "Generated by `python validation/report.py` "
            f"(seed {SEED}, common random numbers; each section gives its paired replications). "
            "Every number is a model output (a prediction); the scenarios' inputs and "
            "assumptions are listed by `govsim assumptions FILE`. Multi-year reforms are set "
            "against the baseline run over the same days. Item classes are "
            "`type/group`; a difference whose interval excludes 0 is one the replications "
            "resolve.\n\n"
        )
        out = ROOT / "docs/reforms.md"
        out.write_text(header + "\n".join(ordered), encoding="utf-8")
        print(f"{out.relative_to(ROOT)} written ({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
