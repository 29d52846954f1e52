"""Bad input from the user: every case one printable line naming the file or flag and the
key, exit status 2, no traceback and nothing written (hardening issue, items 1, 2 and 7).

Each case runs the command line in this process (`sim.cli.main`) on a copy of the teaching
scenario in a temporary folder; a property-based test (hypothesis) then throws random
`--set` keys and values, and random scenario trees, at the loader.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
# examples per fuzz test: a size that fits the suite; GOVSIM_FUZZ_EXAMPLES=5000 for a long run
FUZZ = int(os.environ.get("GOVSIM_FUZZ_EXAMPLES", "150"))
DEADLINE = timedelta(seconds=30)  # an example taking longer counts as a hang
TEACHING = ROOT / "scenarios" / "teaching.toml"


def one_line(capsys: pytest.CaptureFixture[str], argv: list[str], out: Path) -> str:
    """Run `argv` (a run into `out`): exit 2, one printable line on stderr, nothing
    written. Returns the line."""
    rc = main(argv + ["--out", str(out), "--quiet", "--no-figures"])
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].isprintable(), repr(lines[0])
    assert lines[0].startswith("govsim: error: ")
    assert not out.exists()
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("units.nosuch.servers=1", "--set: key 'units.nosuch.servers': no 'nosuch' in units"),
        ("population.occupation={employed=nan}", "--set: key 'population.occupation.employed'"),
        ("days=99999999999999999999999", "--set: key 'days': Input should be less than"),
        ("days=1000000000000000000", "--set: key 'days'"),
        ("structure.communities=9223372036854775807", "--set: key 'structure.communities'"),
        ("tasks.per_year=1e308", "--set: key 'tasks.per_year'"),
        ("name=a\x1b[31mb\rc", "--set: key 'name': Value error, must not hold control"),
        ("name=" + "x" * 100_000, "--set: key 'name'"),
        ("units.community_desk.service.cv=1", "--set: key 'units.community_desk.service': unknown"),
        ("flows.two_level.stages.intake.cv=1e308", "--set: key 'flows.two_level.stages.intake.cv'"),
        (
            "flows.two_level.stages.intake.routes.0.delay_hours=1e308",
            "cannot override inside a list",
        ),
        ("demands.administrative.rate_per_resident_year=1e6", "rate_per_resident_year"),
        ("=3", "--set: key '=3': expected KEY=VALUE"),
        ("warmup_days=100", "--set: key 'warmup_days': must be below days"),
    ],
)
def test_set_errors_name_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, setting: str, expected: str
) -> None:
    line = one_line(capsys, ["run", str(TEACHING), "--set", setting], tmp_path / "out")
    assert expected in line


def test_control_characters_are_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An escape sequence or carriage return in a key is shown escaped, never sent raw."""
    line = one_line(
        capsys, ["run", str(TEACHING), "--set", "units.x\x1b[2J.servers=1"], tmp_path / "out"
    )
    assert "\\x1b[2J" in line and "\x1b" not in line


def scenario_with(tmp_path: Path, extends: str) -> Path:
    """A scenario file in `tmp_path` whose ``extends`` is `extends` (a TOML string)."""
    f = tmp_path / "s.toml"
    f.write_text(f'extends = {extends}\nname = "x"\n', encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("extends", "expected"),
    [
        ('"."', "must name a .toml file"),
        ('""', "must name a .toml file"),
        ('".."', "must name a .toml file"),
        ('"/dev/zero"', "must name a .toml file"),
        ('"a\\u0000b.toml"', "must name a .toml file"),
        ('"' + "a" * 300 + '.toml"', "must name a .toml file"),
        ('"/etc/passwd.toml"', "names a file outside the scenario's folder"),
        ('"../outside.toml"', "names a file outside the scenario's folder"),
        ('"missing.toml"', "file 'missing.toml' not found"),
    ],
)
def test_extends_is_confined(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extends: str, expected: str
) -> None:
    """``extends`` names .toml files under the scenario's folder or the shipped ones;
    whether a file outside exists is never told."""
    (tmp_path / "inner").mkdir()
    f = scenario_with(tmp_path / "inner", extends)
    (tmp_path / "outside.toml").write_text('name = "secret value"\n', encoding="utf-8")
    line = one_line(capsys, ["run", str(f)], tmp_path / "out")
    assert f"{f}: key 'extends': {expected}" in line
    assert "secret" not in line


def test_extends_root_flag_allows_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An explicit --extends-root lets a file name one outside its folder."""
    (tmp_path / "inner").mkdir()
    scenario_with(tmp_path, f'"{TEACHING}"').rename(tmp_path / "parent.toml")
    f = scenario_with(tmp_path / "inner", '"../parent.toml"')
    assert main(["validate", str(f)]) == 2
    capsys.readouterr()
    assert main(["validate", str(f), "--extends-root", str(tmp_path)]) == 0


def test_shipped_scenarios_may_be_extended(tmp_path: Path) -> None:
    """A user's reform file anywhere may extend the shipped scenarios."""
    f = scenario_with(tmp_path, f'"{TEACHING}"')
    assert sim.load_scenario(f).name == "x"


def test_fifo_and_devices_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A FIFO named as a parent is refused at once instead of blocking the reader."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "f.toml")
    f = scenario_with(tmp_path, '"f.toml"')
    line = one_line(capsys, ["run", str(f)], tmp_path / "out")
    assert "'f.toml' is not a regular file" in line
    line = one_line(capsys, ["run", "/dev/zero"], tmp_path / "out")
    assert "not a regular file" in line


def test_deep_nesting_and_long_chains(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Tables nested 400 deep, and a chain of 40 extends, are one-line errors."""
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "{b = " * 400 + "1" + "}" * 400 + "\n", encoding="utf-8")
    assert "tables nested too deeply" in one_line(capsys, ["run", str(deep)], tmp_path / "o")
    for i in range(40):
        nxt = f'extends = "c{i + 1}.toml"\n' if i < 39 else ""
        (tmp_path / f"c{i}.toml").write_text(nxt + f'name = "c{i}"\n', encoding="utf-8")
    line = one_line(capsys, ["run", str(tmp_path / "c0.toml")], tmp_path / "o")
    assert "a chain of more than 32 files" in line


def test_large_files_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    assert "larger than" in one_line(capsys, ["run", str(big)], tmp_path / "o")


def test_a_demand_type_needs_groups(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = one_line(
        capsys, ["run", str(TEACHING), "--set", "demands.personal.groups={}"], tmp_path / "o"
    )
    assert "--set: key 'demands.personal.groups'" in line


# -- property-based: random overrides and random trees ------------------------------------

KEYS = [
    "days",
    "warmup_days",
    "seed",
    "name",
    "structure.communities",
    "structure.residents_per_community",
    "structure.grids_per_community",
    "units.community_desk.servers",
    "units.community_desk.service.minutes",
    "units.community_desk.service.cv",
    "demands.personal.rate_per_resident_year",
    "tasks.per_year",
    "tasks.hours_each",
    "population.availability",
    "population.age",
    "calendar.open_hour",
    "nosuch.key",
    "units.nosuch.servers",
]
VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30),
    st.sampled_from(["{}", "[]", "{a=1}", '"x"', "true", "1e308", "-1", "nan", "inf"]),
)


def outcome(argv: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Validation either accepts (exit 0) or refuses in one printable line (exit 2)."""
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse usage errors
        rc = int(exc.code or 0)
    err = capsys.readouterr().err
    assert rc in (0, 2), err
    if rc == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].isprintable(), repr(err)
    assert not out.exists()


@settings(
    max_examples=FUZZ,
    deadline=DEADLINE,
    derandomize=not os.environ.get("GOVSIM_FUZZ_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(KEYS), value=VALUES)
def test_fuzz_set(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, value: str) -> None:
    """`govsim assumptions` with a random override: exit 0, or exit 2 in one line."""
    outcome(["assumptions", str(TEACHING), "--set", f"{key}={value}"], tmp_path / "o", capsys)


TREES = st.recursive(
    st.one_of(st.integers(), st.floats(), st.text(max_size=10), st.booleans()),
    lambda children: st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=FUZZ, deadline=DEADLINE, derandomize=not os.environ.get("GOVSIM_FUZZ_EXAMPLES")
)
@given(tree=st.dictionaries(st.sampled_from(KEYS[:12] + ["units", "flows"]), TREES, max_size=4))
def test_fuzz_trees(tree: dict) -> None:
    """A random tree laid over the teaching scenario loads or fails as a `ScenarioError`
    (one line), never with anything else."""
    raw = {}
    for key, value in tree.items():
        node = raw
        *head, last = key.split(".")
        for part in head:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[last] = value
    base = sim.load_scenario(TEACHING).model_dump()
    base.pop("sources", None)
    merged = {**base, **raw}
    try:
        sim.load_scenario(merged)
    except sim.ScenarioError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()


COMMANDS = ["run", "compare", "validate", "assumptions", "targets", "sweep"]
FLAGS = [
    "--seed",
    "--replications",
    "--days",
    "--set",
    "--warmup",
    "--workers",
    "--precision",
    "--max-replications",
    "--scheduler",
    "--demand-type",
    "--extends-root",
    "--strict",
    "--all",
    "--bogus",
]
WORDS = st.one_of(
    st.sampled_from(["-1", "0", "1", "2", "auto", "1e9", "nan", "", "x=1", "days=3", "tcp://"]),
    st.text(max_size=12),
)


@settings(
    max_examples=max(FUZZ // 3, 30),
    deadline=DEADLINE,
    derandomize=not os.environ.get("GOVSIM_FUZZ_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(COMMANDS),
    extra=st.lists(st.tuples(st.sampled_from(FLAGS), WORDS), max_size=3),
)
def test_fuzz_command_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    command: str,
    extra: list[tuple[str, str]],
) -> None:
    """Random flags and values on every command: exit 0, or exit 2 in one printable line,
    and nothing written on exit 2. Runs are kept tiny (a week, at most two replications) so
    an accepted command line finishes at once."""
    out = tmp_path_factory.mktemp("fuzz") / "out"
    argv = [command, str(TEACHING)]
    if command == "compare":
        argv.append(str(TEACHING))
    for flag, value in extra:
        argv += [flag] if flag in ("--strict", "--all") else [flag, value]
    if command in ("run", "compare"):
        argv += ["--days", "8", "--warmup", "1", "--replications", "2", "--workers", "1"]
        argv += ["--quiet", "--no-figures", "--out", str(out)]
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = int(exc.code or 0)
    err = capsys.readouterr().err
    assert rc in (0, 2), (argv, err)
    if rc == 2:
        lines = [x for x in err.splitlines() if x]
        assert len(lines) == 1 and lines[0].isprintable(), (argv, err)
        assert not out.exists(), argv


def test_a_reform_anywhere_extends_a_shipped_scenario_by_name(tmp_path: Path) -> None:
    """``extends = "teaching.toml"`` from a file outside the repository finds the shipped
    scenario (a file of that name beside it would come first)."""
    f = scenario_with(tmp_path, '"teaching.toml"')
    assert sim.load_scenario(f).structure == sim.load_scenario(TEACHING).structure


def test_fitted_figures_are_listed_with_the_assumptions() -> None:
    """A figure set to reproduce a field pattern is neither an article nor hidden."""
    table = sim.assumptions(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"))
    fitted = table[table["kind"] == "fitted"]
    assert "population.availability" in set(fitted["key"])


PURCHASE = ROOT / "scenarios" / "tongguanshan_purchase.toml"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("market.projects.home_care.budget_yuan=9223372036854775807", "budget_yuan"),
        ("market.entry_elasticity=1e18", "--set: key 'market.entry_elasticity'"),
        ("market.response_hours=1e308", "--set: key 'market.response_hours'"),
    ],
)
def test_market_figures_have_bounds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, setting: str, expected: str
) -> None:
    line = one_line(capsys, ["run", str(PURCHASE), "--set", setting], tmp_path / "out")
    assert expected in line


def test_a_sweep_that_could_never_finish(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A sweep of a billion billion replications is refused at once, in one line."""
    f = tmp_path / "big.toml"
    f.write_text(
        f'name = "big"\nbase = "{TEACHING}"\nreplications = 1000000\n'
        '[design]\nkind = "lhs"\nsamples = 1000\n'
        '[parameters.a]\nlow = 1\nhigh = 2\nkeys = ["units.community_desk.servers"]\n'
        '[outputs]\nmetrics = ["resolution_days_mean"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "1000 design points x 1000000 replications is more than" in err[0]
    assert not out.exists()


def test_all_errors_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Several bad figures: one line, the first in full, the others named, so that all can
    be fixed at once."""
    argv = ["run", str(TEACHING), "--set", "days=0", "--set", "population.party_share=2"]
    line = one_line(capsys, [*argv, "--set", "units.community_desk.servers=-1"], tmp_path / "o")
    assert "--set: key 'days'" in line
    assert "(also 2 more: 'population.party_share'; 'units.community_desk.servers')" in line
