"""The ``govsim`` command: one-line errors on bad input, and what a good run writes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_checks import assert_one_line_error

import sim
from sim.cli import main
from sim.clock import DAY
from sim.metrics.headline import HEADLINE
from sim.metrics.records import RECORD_COLUMNS

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
TEACHING = SCENARIOS / "teaching.toml"
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
FIGURES = {"resolution_by_type.png", "backlog.png", "staff_time.png"}


def overlay(tmp_path: Path, name: str, body: str) -> Path:
    """Write a small overlay of the teaching scenario into `tmp_path`."""
    f = tmp_path / f"{name}.toml"
    f.write_text(f'extends = "{TEACHING.as_posix()}"\n{body}\n', encoding="utf-8")
    return f


def assert_nothing_written(tmp_path: Path) -> None:
    """Neither the output folder nor a temporary one beside it exists."""
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out*")), "a temporary output folder was left behind"


# -- bad input ---------------------------------------------------------------------------

# (name, overlay body, key named in the error, further text expected in the error)
BAD_FILES = [
    (
        "unknown_key",
        "[units.community_desk]\nservres = 3",
        "units.community_desk.servres",
        "did you mean 'servers'",
    ),
    ("unknown_top_key", "dayz = 30", "dayz", "did you mean 'days'"),
    (
        "unknown_key_in_list",
        '[flows.dispute.stages.mediate]\nroutes = [{ to = "mediate", p = 0.3, delay_hour = 5 }]',
        "flows.dispute.stages.mediate.routes.0.delay_hour",
        "did you mean 'delay_hours'",
    ),
    ("text_for_number", '[structure]\ncommunities = "four"', "structure.communities", "four"),
    (
        "text_for_number_in_figure",
        '[structure]\ncommunities = { value = "four", source = "assumption: x" }',
        "structure.communities",
        "four",
    ),
    (
        "negative_rate",
        "[demands.personal]\nrate_per_resident_year = -0.1",
        "demands.personal.rate_per_resident_year",
        "-0.1",
    ),
    (
        "negative_minutes",
        "[flows.community.stages.serve]\nminutes = -5",
        "flows.community.stages.serve.minutes",
        "-5",
    ),
    (
        "negative_delay",
        "[flows.two_level.stages.intake]\nreturn_delay_hours = -1",
        "flows.two_level.stages.intake.return_delay_hours",
        "-1",
    ),
    ("negative_days", "days = -3", "days", "-3"),
    ("probability_above_one", "[online]\nshare = 1.5", "online.share", "1.5"),
    (
        "probability_below_zero",
        "[demands.administrative.groups.self_governance]\nmissing_docs = -0.1",
        "demands.administrative.groups.self_governance.missing_docs",
        "-0.1",
    ),
    (
        "route_probability_above_one",
        '[flows.dispute.stages.mediate]\nroutes = [{ to = "mediate", p = 1.2 }]',
        "flows.dispute.stages.mediate.routes.0.p",
        "1.2",
    ),
    (
        "route_probabilities_sum_above_one",
        "[flows.dispute.stages.mediate]\n"
        'routes = [{ to = "mediate", p = 0.7 }, { to = "mediate", p = 0.6 }]',
        "flows.dispute.stages.mediate.routes",
        "1.3",
    ),
    (
        "unit_does_not_exist",
        '[flows.community.stages.serve]\nunit = "comunity_desk"',
        "flows.community.stages.serve.unit",
        "did you mean 'community_desk'",
    ),
    (
        "stage_does_not_exist",
        '[flows.dispute.stages.mediate]\nroutes = [{ to = "mediat", p = 0.3 }]',
        "flows.dispute.stages.mediate.routes.0.to",
        "mediat",
    ),
    ("missing_extends", 'extends = "nowhere.toml"', "extends", "nowhere.toml"),
]


@pytest.mark.parametrize(
    ("name", "body", "key", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_file_in_process(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    body: str,
    key: str,
    expected: str,
) -> None:
    """A bad key stops `main` with status 2 and one line naming the file and the key."""
    if name == "missing_extends":
        f = tmp_path / f"{name}.toml"
        f.write_text(f'{body}\nname = "x"\n', encoding="utf-8")
    else:
        f = overlay(tmp_path, name, body)
    code = main(["run", str(f), "--out", str(tmp_path / "out"), "--quiet", "--no-figures"])
    out, err = capsys.readouterr()
    assert code == 2
    assert_one_line_error(err, f.name, f"'{key}'", expected)
    assert out == ""
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("quoted_number", '[structure]\ncommunities = "3"'),
        (
            "quoted_number_in_figure",
            '[structure]\ncommunities = { value = "3", source = "assumption: x" }',
        ),
        ("bool_for_number", "[structure]\ncommunities = true"),
    ],
    ids=["quoted_number", "quoted_number_in_figure", "bool_for_number"],
)
def test_text_or_bool_for_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: str
) -> None:
    """TOML text (even of digits) or a boolean where a number is expected is a wrong type."""
    f = overlay(tmp_path, name, body)
    code = main(["run", str(f), "--out", str(tmp_path / "out"), "--quiet", "--no-figures"])
    err = capsys.readouterr().err
    assert code == 2, f"{body!r} was accepted as a number"
    assert_one_line_error(err, f.name, "'structure.communities'")
    assert_nothing_written(tmp_path)


# (name, overlay body or None for a plain file, --set or None, names expected in the error)
SUBPROCESS_CASES: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {
    "unknown_key": (
        "[units.community_desk]\nservres = 3",
        None,
        ("unknown_key.toml", "'units.community_desk.servres'", "did you mean 'servers'"),
    ),
    "missing_extends": (
        None,
        None,
        ("missing_extends.toml", "'extends'", "no_such_parent.toml"),
    ),
    "syntax_error": (
        "[structure\ncommunities = 3",
        None,
        ("syntax_error.toml", "TOML", "line 2"),
    ),
    "bad_set": (
        "",
        "units.community_desk.servres=3",
        ("--set", "'units.community_desk.servres'", "did you mean 'servers'"),
    ),
}


@pytest.fixture(scope="module")
def subprocess_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[int, str, Path]]:
    """Run ``python -m sim run`` on every case in `SUBPROCESS_CASES`, side by side.

    Returns
    -------
    dict
        Case name -> (exit status, standard error, the case's folder).
    """
    procs = {}
    for name, (body, override, _) in SUBPROCESS_CASES.items():
        case = tmp_path_factory.mktemp(name)
        f = case / f"{name}.toml"
        if body is None:
            f.write_text('extends = "no_such_parent.toml"\nname = "orphan"\n', encoding="utf-8")
        else:
            f = overlay(case, name, body)
        args = [sys.executable, "-m", "sim", "run", str(f), "--out", str(case / "out")]
        if override is not None:
            args += ["--set", override]
        procs[name] = (
            subprocess.Popen(
                args, cwd=case, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ),
            case,
        )
    out = {}
    try:
        for name, (proc, case) in procs.items():
            _, err = proc.communicate(timeout=120)
            out[name] = (proc.returncode, err, case)
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return out


@pytest.mark.parametrize("name", list(SUBPROCESS_CASES))
def test_bad_input_subprocess(subprocess_runs: dict[str, tuple[int, str, Path]], name: str) -> None:
    """As a real process: status 2, one line naming file and key, no traceback, no output."""
    code, err, case = subprocess_runs[name]
    assert code == 2, err
    assert_one_line_error(err, *SUBPROCESS_CASES[name][2])
    assert_nothing_written(case)
    assert not (case / "results").exists()


def test_file_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not UTF-8 (so not TOML) is bad input like a syntax error."""
    f = tmp_path / "latin1.toml"
    f.write_bytes(f'extends = "{TEACHING.as_posix()}"\ndescription = "caf\xe9"\n'.encode("latin-1"))
    assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 2
    assert_one_line_error(capsys.readouterr().err, "latin1.toml")
    assert_nothing_written(tmp_path)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario file that does not exist."""
    f = tmp_path / "absent.toml"
    assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 2
    assert_one_line_error(capsys.readouterr().err, "absent.toml", "not found")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("override", "key", "expected"),
    [
        ("structure.communitees=3", "structure.communitees", "did you mean 'communities'"),
        ("structure.communities=abc", "structure.communities", "abc"),
        ("structure.communities=-2", "structure.communities", "-2"),
        ("online.share=2", "online.share", "2"),
        ("days=0", "days", "0"),
        ("structure.communities", "structure.communities", "KEY=VALUE"),
        (
            "flows.community.stages.serve.unit=nowhere",
            "flows.community.stages.serve.unit",
            "nowhere",
        ),
    ],
)
def test_bad_set_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, key: str, expected: str
) -> None:
    """A bad ``--set`` names ``--set`` and the key, status 2, nothing written."""
    code = main(["run", str(TEACHING), "--out", str(tmp_path / "out"), "--set", override])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err, "--set", key, expected)
    assert_nothing_written(tmp_path)


# -- a good run --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def teaching_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``govsim run scenarios/teaching.toml --out DIR --days 14``, once for the module."""
    out = tmp_path_factory.mktemp("teaching") / "run"
    assert main(["run", str(TEACHING), "--out", str(out), "--days", "14", "--quiet"]) == 0
    return out


def test_run_writes_every_output(teaching_run: Path) -> None:
    """Tables, manifest and figures, and no temporary folder left beside them."""
    names = {p.name for p in teaching_run.iterdir()}
    assert {"summary.csv", "timeseries.csv", "demands.parquet", "manifest.json"} <= names
    assert names >= FIGURES
    for png in FIGURES:
        assert (teaching_run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in teaching_run.parent.iterdir()] == ["run"]


def test_run_summary(teaching_run: Path) -> None:
    """summary.csv is tidy and has the headline metrics, overall and by demand type."""
    summary = pd.read_csv(teaching_run / "summary.csv", keep_default_na=False)
    assert list(summary.columns) == ["scenario", "replication", "metric", "demand_type", "value"]
    assert set(summary["scenario"]) == {"teaching"}
    assert set(summary["replication"]) == {0}
    overall = summary[summary["demand_type"] == ""]
    missing = set(HEADLINE) - set(overall["metric"])
    assert not missing, f"metrics missing from summary.csv: {sorted(missing)}"
    admin = summary[summary["demand_type"] == "administrative"]
    assert {"trips_per_demand_mean", "handoffs_per_demand_mean"} <= set(admin["metric"])
    shares = overall.set_index("metric")["value"].replace("", "nan").astype(float)
    total = sum(shares[f"staff_hours_share_{k}"] for k in ("tasks", "service", "self_governance"))
    assert total == pytest.approx(1.0)
    assert 0.0 <= shares["resolved_share"] <= 1.0
    assert shares["demands"] > 0


def test_run_timeseries(teaching_run: Path) -> None:
    """timeseries.csv covers the 14 days."""
    series = pd.read_csv(teaching_run / "timeseries.csv")
    assert len(series) > 0
    day_col = next(c for c in series.columns if c.startswith("day"))
    assert series[day_col].nunique() == 14


def test_run_demands_parquet(teaching_run: Path) -> None:
    """demands.parquet: one typed row per demand, warm-up ones included."""
    demands = pd.read_parquet(teaching_run / "demands.parquet")
    assert list(demands.columns) == list(RECORD_COLUMNS)
    for col, dtype in RECORD_COLUMNS.items():
        assert str(demands[col].dtype) == dtype, col
    assert len(demands) > 0
    assert demands["demand"].tolist() == list(range(len(demands)))
    assert (demands["arrival_min"] < 14 * DAY).all()
    resolved = demands[demands["outcome"] == "resolved"]
    assert (resolved["finish_min"] >= resolved["arrival_min"]).all()
    assert (resolved["trips"] >= 0).all()
    summary = pd.read_csv(teaching_run / "summary.csv", keep_default_na=False)
    counted = summary[(summary["metric"] == "demands") & (summary["demand_type"] == "")]
    after_warmup = demands[demands["arrival_min"] >= 7 * DAY]
    assert float(counted["value"].iloc[0]) == len(after_warmup)


def test_run_manifest(teaching_run: Path) -> None:
    """manifest.json: resolved scenario, seed, package version, start and end times."""
    m = json.loads((teaching_run / "manifest.json").read_text(encoding="utf-8"))
    resolved = m["resolved_scenario"]
    assert resolved["name"] == "teaching"
    assert resolved["days"] == 14  # --days is part of the resolved scenario
    assert resolved["structure"]["communities"] == 2
    assert resolved["sources"]["days"].startswith("override")
    assert m["root_seed"] == sim.load_scenario(TEACHING).seed
    assert m["replications"] == 1
    assert m["package_version"] == sim.__version__
    started = dt.datetime.fromisoformat(m["started"])
    finished = dt.datetime.fromisoformat(m["finished"])
    assert started <= finished


def test_run_replications_and_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--replications 2`` gives replications 0 and 1; ``--seed`` is the root seed."""
    out = tmp_path / "out"
    args = ["run", str(TEACHING), "--out", str(out), "--days", "14", "--replications", "2"]
    assert main([*args, "--seed", "7", "--no-figures"]) == 0
    stdout = capsys.readouterr().out
    assert "2 replication(s), seed 7" in stdout
    assert "resolution_days_mean" in stdout
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert sorted(summary["replication"].unique()) == [0, 1]
    demands = pd.read_parquet(out / "demands.parquet")
    assert sorted(demands["replication"].unique()) == [0, 1]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (m["root_seed"], m["replications"]) == (7, 2)
    assert not list(out.glob("*.png"))  # --no-figures


# -- validate and assumptions --------------------------------------------------------------


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    """Every shipped scenario validates: one ok line each."""
    assert main(["validate", *map(str, SHIPPED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SHIPPED)
    for f, line in zip(SHIPPED, lines, strict=True):
        assert f.name in line and "ok" in line


def test_validate_strict_ok(capsys: pytest.CaptureFixture[str]) -> None:
    """Every figure of every shipped scenario has a source."""
    code = main(["validate", "--strict", *map(str, SHIPPED)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    assert len(captured.out.splitlines()) == len(SHIPPED)


def test_validate_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad file among good ones fails validation with one line."""
    bad = overlay(tmp_path, "bad", "[units.community_desk]\nservres = 3")
    assert main(["validate", str(TEACHING), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "teaching.toml: ok" in captured.out
    assert_one_line_error(captured.err, "bad.toml", "'units.community_desk.servres'")


def test_validate_strict_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A plain number without a source passes ``validate`` but fails ``--strict``."""
    f = overlay(tmp_path, "plain", "[units.community_desk]\nservers = 7")
    assert main(["validate", str(f)]) == 0
    capsys.readouterr()
    assert main(["validate", "--strict", str(f)]) == 2
    assert_one_line_error(capsys.readouterr().err, "plain.toml", "units.community_desk.servers")


def test_validate_strict_in_python(tmp_path: Path) -> None:
    """``sim.validate(..., strict=True)`` is the same check as the command, naming every
    figure without a source."""
    f = overlay(
        tmp_path, "plain", "[units.community_desk]\nservers = 7\nstaff_cost_yuan_per_year = 1"
    )
    assert sim.validate(f).name == sim.load_scenario(f).name
    with pytest.raises(sim.ScenarioError) as err:
        sim.validate(f, strict=True)
    assert "units.community_desk.servers" in str(err.value)
    assert "units.community_desk.staff_cost_yuan_per_year" in str(err.value)
    assert sim.validate(TEACHING, strict=True).name == "teaching"


def _listed_keys(text: str) -> set[str]:
    """First word of each output line (the figure's key in ``govsim assumptions``)."""
    return {line.split()[0] for line in text.splitlines() if line.strip()}


def test_assumptions_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``govsim assumptions`` lists the assumptions only; ``--all`` every figure."""
    f = str(SCENARIOS / "xiangfang_center.toml")
    assert main(["assumptions", f]) == 0
    only = capsys.readouterr().out
    keys = _listed_keys(only)
    assert "units.street_center.servers" in keys
    assert "flows.center.stages.collect.minutes" in keys
    assert "checking originals" in only  # the reason of an assumption
    assert "tasks.per_year" not in keys  # sourced to article 001
    assert "units.community_desk.servers" in keys  # an assumption in the reform file
    assert "online.adoption" in keys  # an assumption in the reform file
    assert main(["assumptions", "--all", f]) == 0
    every = capsys.readouterr().out
    all_keys = _listed_keys(every)
    assert keys < all_keys
    assert "units.community_desk.servers" in all_keys
    assert "tasks.per_year" in all_keys
    assert "002:" in every


def test_assumptions_command_with_set(capsys: pytest.CaptureFixture[str]) -> None:
    """``--set`` on ``govsim assumptions`` shows the override in the listing."""
    f = str(SCENARIOS / "xiangfang_center.toml")
    assert main(["assumptions", "--all", f, "--set", "days=30"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.split() and ln.split()[0] == "days")
    assert "30" in line and "override" in line


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", str(TEACHING), "--seed", "-1"], "--seed"),
        (
            [
                "compare",
                str(TEACHING),
                str(SCENARIOS / "tongling_burden_cuts.toml"),
                "--seed",
                "-5",
            ],
            "--seed",
        ),
        (["run", str(TEACHING), "--days", "10", "--warmup", "50"], "--warmup"),
    ],
)
def test_bad_seed_or_warmup_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    """A negative root seed, or a warm-up as long as the run, stops with one line naming the
    flag, exit status 2, and no output folder (issue 14)."""
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stop:
        code = main([*argv, "--out", str(out)])
        raise SystemExit(code)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("teaching", "teaching"),
        ("../../../tmp/x", "_.._.._tmp_x"),
        ("/etc/passwd", "_etc_passwd"),
        ("..", "_"),
        ("a\x1b[2Jb", "a__2Jb"),
        ("铜官山", "铜官山"),
    ],
)
def test_default_folder_stays_under_results(name: str, expected: str) -> None:
    """A scenario's name becomes one safe folder name under results/ (issue 14, item 7)."""
    from sim.experiment.options import RESULTS, default_out

    out = default_out(name, 1)
    assert out.parent.name == expected
    assert out.parent.parent == RESULTS


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("population.online_factor", '{ "18-29" = -1.0 }'),
        ("demands.personal.age_weights", '{ "70+" = -6.0 }'),
    ],
)
def test_negative_weights_are_refused(key: str, value: str) -> None:
    """Negative online factors and age weights are one-line errors naming the key (issue 14,
    item 3)."""
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(TEACHING, [f"{key}={value}"])
    assert key in str(err.value) and "negative" in str(err.value)
