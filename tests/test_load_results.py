"""Results load back: a run folder read with `sim.load_results` is the result that wrote it.

Every table comes back identical (values, types, the empty ``demand_type`` of all-types rows)
with the resolved scenario, seed, replications and reports of the manifest; a missing or
broken file is a one-line error naming it; and a plain ``pd.read_csv`` of ``summary.csv``
keeps its all-types rows in `sim.interval_table`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim
from sim.cli import main

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
TABLES = ("summary", "timeseries", "demands", "yearly")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[sim.RunResult, Path]:
    """The teaching scenario run for two replications into a folder, and that folder."""
    out = tmp_path_factory.mktemp("run") / "teaching"
    options = sim.RunOptions(out=out, workers=1, progress=False, figures=False)
    result = sim.run(sim.load_scenario(TEACHING), replications=2, options=options)
    return result, out


def assert_same_result(loaded: sim.RunResult, result: sim.RunResult) -> None:
    for name in TABLES:
        assert_frame_equal(getattr(loaded, name), getattr(result, name), check_exact=True)
    assert loaded.scenario == result.scenario
    assert (loaded.seed, loaded.replications) == (result.seed, result.replications)
    assert (loaded.started, loaded.finished) == (result.started, result.finished)
    assert loaded.meta == result.meta


def test_every_table_loads_back(written: tuple[sim.RunResult, Path]) -> None:
    """Summary, daily series, demand records and (empty) yearly series come back identical,
    with the scenario, seed, replications, times and warm-up report of the run."""
    result, out = written
    loaded = sim.load_results(out)
    assert_same_result(loaded, result)
    assert (loaded.summary["demand_type"] == "").any()  # all-types rows, not NaN
    assert loaded.summary["value"].isna().any()  # and empty numbers are NaN
    assert_frame_equal(loaded.stats(), result.stats())


def test_a_saved_result_with_yearly_series_loads_back(tmp_path: Path) -> None:
    """A result kept in memory and written with `RunResult.save` loads back too, its
    mechanisms' yearly series included."""
    overrides = {
        "days": 400,
        "warmup_days": 14,
        "structure.communities": 2,
        "structure.residents_per_community": 500,
    }
    s = sim.load_scenario(REPO / "scenarios" / "tongling_rebound_5y.toml", overrides)
    result = sim.run(s, replications=2, options=sim.RunOptions(workers=1, progress=False))
    assert not result.yearly.empty
    result.save(tmp_path / "run", figures=False)
    assert (tmp_path / "run" / "yearly.csv").exists()
    assert_same_result(sim.load_results(tmp_path / "run"), result)


def test_interval_table_keeps_all_types_rows_of_a_plain_csv(
    written: tuple[sim.RunResult, Path],
) -> None:
    """``pd.read_csv`` turns the empty demand type into NaN; the intervals keep those rows
    (as ``""``) and equal the in-memory ones."""
    result, out = written
    plain = pd.read_csv(out / "summary.csv")
    assert plain["demand_type"].isna().any()
    table = sim.interval_table(plain)
    assert (table["demand_type"] == "").sum() == (result.stats()["demand_type"] == "").sum() > 0
    assert_frame_equal(table, result.stats())


@pytest.mark.parametrize(
    ("file", "damage", "says"),
    [
        ("summary.csv", "delete", "missing"),
        ("demands.parquet", "delete", "missing"),
        ("manifest.json", "delete", "missing"),
        ("demands.parquet", "garble", "cannot be read"),
        ("manifest.json", "garble", "cannot be read"),
        ("timeseries.csv", "empty", "cannot be read"),
        ("summary.csv", "columns", "missing column(s): value"),
    ],
)
def test_a_missing_or_broken_file_is_a_one_line_error(
    written: tuple[sim.RunResult, Path], tmp_path: Path, file: str, damage: str, says: str
) -> None:
    """The error names the file and what is wrong with it, in one line."""
    _, out = written
    folder = tmp_path / "copy"
    shutil.copytree(out, folder)
    path = folder / file
    if damage == "delete":
        path.unlink()
    elif damage == "garble":
        path.write_bytes(b"\x00not what it should be{")
    elif damage == "empty":
        path.write_text("")
    else:
        pd.read_csv(path).drop(columns="value").to_csv(path, index=False)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_results(folder)
    message = str(err.value)
    assert message.startswith(str(path)) and says in message
    assert "\n" not in message


def test_other_folders_are_refused(tmp_path: Path) -> None:
    """A folder that does not exist, or one holding a comparison, is refused by name."""
    with pytest.raises(sim.ScenarioError, match="no such folder"):
        sim.load_results(tmp_path / "nowhere")
    folder = tmp_path / "compare"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "comparison"}))
    with pytest.raises(sim.ScenarioError, match="holds a comparison"):
        sim.load_results(folder)


def test_a_folder_written_by_the_command_line_loads_back(tmp_path: Path) -> None:
    """``govsim run`` writes a folder that loads back with the tables it printed from."""
    out = tmp_path / "cli"
    code = main(["run", str(TEACHING), "--days", "14", "--out", str(out), "--workers", "1"]
               + ["--quiet", "--no-figures"])  # fmt: skip
    assert code == 0
    loaded = sim.load_results(out)
    assert loaded.scenario.days == 14 and loaded.replications == loaded.scenario.replications
    assert set(loaded.summary["replication"]) == set(range(loaded.replications))


def test_coded_text_decodes_as_astype_would() -> None:
    """The demand records' text, held as categories, comes out as ``astype("string")``
    gives it (values, missing codes, type, index), though decoded by Arrow."""
    import numpy as np

    from sim.experiment.run import decoded_text

    categories = pd.CategoricalDtype(pd.Index(["abandoned", "resolved"], dtype="string"))
    codes = np.array([1, 0, -1, 1, 1], np.int8)
    column = pd.Series(
        pd.Categorical.from_codes(codes, dtype=categories), index=[9, 7, 5, 3, 1], name="outcome"
    )
    pd.testing.assert_series_equal(decoded_text(column), column.astype("string"))
    pd.testing.assert_series_equal(decoded_text(column.iloc[:0]), column.iloc[:0].astype("string"))
