"""The scenario file reference and its JSON Schema are generated from the schema and kept
current (analyst experience issue); every shipped scenario file validates against the JSON
Schema an editor would use."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from sim.experiment.reference import json_schema, reference

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = (
    "python -m sim.experiment.reference docs/scenario-reference.md docs/scenario.schema.json"
)


def test_reference_is_current() -> None:
    text = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert text == reference(), f"docs/scenario-reference.md is stale: run {REGENERATE}"


def test_json_schema_is_current() -> None:
    text = (ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == json_schema(), f"docs/scenario.schema.json is stale: {REGENERATE}"


def test_every_field_of_the_core_sections_says_what_it_is() -> None:
    """The core sections' fields carry descriptions (mechanism sections explain theirs in
    their docstrings, which the reference prints)."""
    text = reference()
    core = text.split("### `consultation` ")[0]
    empty = [row for row in core.splitlines() if row.startswith("| `") and row.endswith("|  |")]
    assert not empty, empty[:5]


def test_shipped_files_validate_against_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    for path in sorted((ROOT / "scenarios").rglob("*.toml")):
        errors = list(validator.iter_errors(tomllib.loads(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"
