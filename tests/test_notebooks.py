"""The notebooks run from top to bottom and draw their figures.

Each notebook in notebooks/ is executed with nbclient in a fresh ``python3`` kernel, with the
notebook's own folder as working directory (as Jupyter does). jupyter_client starts that
kernel with the interpreter running the tests, so the notebook sees the same installed
``sim``. A cell that raises fails the test, and so does a notebook that shows no image: a
figure that silently stopped rendering (a backend switched to Agg, a plot call dropped) is a
broken notebook for its readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300


def image_outputs(nb: Any) -> list[dict[str, Any]]:
    """Outputs of the notebook's code cells that carry an image."""
    return [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if any(mime.startswith("image/") for mime in out.get("data", {}))
    ]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell raises
    assert image_outputs(nb), f"{path.name} ran but displayed no figure"
