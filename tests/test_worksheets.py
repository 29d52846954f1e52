"""The classroom worksheets run from top to bottom and render to HTML.

Each worksheet in notebooks/worksheets/ is executed with nbclient in a fresh ``python3``
kernel with the worksheet's own folder as working directory (as tests/test_notebooks.py does
for the analysts' notebooks), must show a figure or a table, and is then rendered to HTML with
nbconvert, as a teacher hands it out (``jupyter nbconvert --to html --execute``). A
worksheet is a question, a prediction to write down before running, the run, and what to
notice: the test checks that each keeps that shape.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

nbconvert = pytest.importorskip("nbconvert", reason="nbconvert is not installed")

WORKSHEETS = sorted(
    (Path(__file__).resolve().parents[1] / "notebooks" / "worksheets").glob("*.ipynb")
)
CELL_TIMEOUT_S = 300
BUDGET_S = 40  # a worksheet is one classroom run


def test_there_are_four_worksheets() -> None:
    assert [p.name[:2] for p in WORKSHEETS] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", WORKSHEETS, ids=[p.name for p in WORKSHEETS])
def test_worksheet_runs_and_renders(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("**Question.**", "My prediction", "What to notice"):
        assert part in text, f"{path.name} lacks {part!r}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code), f"{path.name} is stored with outputs"
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell raises
    seconds = time.perf_counter() - t0
    shown = [
        out
        for c in nb.cells
        if c.cell_type == "code"
        for out in c.get("outputs", [])
        if {"image/png", "text/html"} & set(out.get("data", {}))
    ]
    assert shown, f"{path.name} ran but showed no figure or table"
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    html = tmp_path / path.with_suffix(".html").name
    html.write_text(body, encoding="utf-8")
    question = next(c.source for c in nb.cells if "**Question.**" in c.source)
    first_words = question.split("**Question.**")[1].split(".")[0].strip()
    assert html.stat().st_size > 10_000 and first_words.split()[0] in html.read_text("utf-8")
    print(f"\n{path.name}: ran in {seconds:.1f} s, rendered to {html}")
    assert seconds < BUDGET_S * 2  # within a classroom's patience on a shared machine
