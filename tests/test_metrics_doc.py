"""docs/metrics.md is current: its summary-metrics tables are what the registry renders.

The tables between ``<!-- metrics:begin -->`` and ``<!-- metrics:end -->`` are generated from
`sim.metrics.registry`; after changing the registry, regenerate them with
``python -m sim.metrics.dictionary docs/metrics.md``. Every run writes the same dictionary,
for the metrics it reports, as ``metrics.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.metrics.dictionary import BEGIN, END, dictionary, main, render, splice
from sim.metrics.registry import METRICS, describe

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "metrics.md"


def test_metrics_page_matches_the_registry() -> None:
    """The generated block of docs/metrics.md is exactly what the registry renders now."""
    page = PAGE.read_text(encoding="utf-8")
    assert page.count(BEGIN) == 1 and page.count(END) == 1
    block = page[page.index(BEGIN) : page.index(END) + len(END)] + "\n"
    assert block == render(), (
        "docs/metrics.md is out of date: run python -m sim.metrics.dictionary docs/metrics.md"
    )


def test_every_metric_has_one_row_in_its_group() -> None:
    """Each registered metric is one table row, under its section's group, in order: the
    core model, the mechanisms, then access."""
    text = render()
    for m in METRICS.values():
        assert text.count(f"| `{m.name}` |") == 1, m.name
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings[0] == "### Core model" and headings[-1].startswith("### Access")
    assert len(headings) == len({m.section for m in METRICS.values()})


def test_the_command_rewrites_a_stale_page(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``--check`` fails on a stale page and leaves it; without it the page is rewritten,
    text outside the markers kept."""
    page = tmp_path / "metrics.md"
    page.write_text(f"# Title\n\nprose\n\n{BEGIN}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    assert main([str(page), "--check"]) == 1
    assert "old table" in page.read_text(encoding="utf-8")
    assert main([str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nprose\n\n") and text.endswith("\n\nafter\n")
    assert render() in text
    assert main([str(page), "--check"]) == 0
    page.write_text("no markers\n", encoding="utf-8")
    assert main([str(page)]) == 2
    assert "metrics:begin" in capsys.readouterr().err
    with pytest.raises(ValueError):
        splice("no markers", render())


def test_placeholders_are_code_not_html() -> None:
    """A family's placeholder (``<level>``) is set as code, so Markdown shows it."""
    for line in render().splitlines():
        if line.startswith("| `"):
            outside = line.split("`")[::2]
            assert not any("<" in part for part in outside), line


def test_a_run_writes_its_metrics_dictionary(tmp_path: Path) -> None:
    """``metrics.csv`` describes each metric of the run's summary once, in its order, with
    family names filled in."""
    s = sim.load_scenario(REPO / "scenarios" / "teaching.toml", {"days": 14})
    options = sim.RunOptions(out=tmp_path / "run", workers=1, progress=False, figures=False)
    result = sim.run(s, replications=1, options=options)
    table = pd.read_csv(tmp_path / "run" / "metrics.csv", keep_default_na=False)
    assert table["metric"].tolist() == list(dict.fromkeys(result.summary["metric"]))
    assert "utilisation_street" in set(table["metric"])
    row = table.set_index("metric").loc["utilisation_street"]
    assert row["unit"] == "share" and "street" in row["description"]
    assert row["description"] == describe("utilisation_street").description
    assert list(table.columns) == list(dictionary().columns)
    assert len(dictionary()) == len(METRICS)


def test_every_demand_record_column_is_described() -> None:
    """The demands.parquet section of docs/metrics.md names every column a record has."""
    from sim.metrics.records import RECORD_COLUMNS

    section = PAGE.read_text(encoding="utf-8").split("## `demands.parquet`", 1)[1]
    section = section.split("\n## ", 1)[0]
    missing = [c for c in RECORD_COLUMNS if f"`{c}`" not in section]
    assert missing == [], f"docs/metrics.md does not describe {missing}"
