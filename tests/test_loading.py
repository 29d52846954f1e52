"""Loading scenarios: ``extends``, sources of figures, overrides, freezing, assumptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import sim
from sim import ScenarioError, load_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
DATA = Path(__file__).resolve().parent / "data"
TEACHING = SCENARIOS / "teaching.toml"
CHILD = DATA / "child.toml"


def _write(path: Path, text: str) -> Path:
    """Write `text` to `path` and return it."""
    path.write_text(text, encoding="utf-8")
    return path


def _key_exists(s: sim.Scenario, key: str) -> bool:
    """Whether a dotted key names something in the resolved scenario."""
    node: object = s.model_dump(mode="json", exclude={"sources"})
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


@pytest.fixture(scope="module")
def child() -> sim.Scenario:
    """The chain child.toml -> teaching.toml -> baseline.toml."""
    return load_scenario(CHILD)


# -- extends -----------------------------------------------------------------------------


def test_extends_child_value_wins(child: sim.Scenario) -> None:
    """A key set in the child replaces the parent's value."""
    assert child.name == "child"
    assert child.structure.communities == 3
    assert child.units["community_desk"].servers == 7
    assert child.units["community_desk"].priority == "fifo"


def test_extends_merges_tables_key_by_key(child: sim.Scenario) -> None:
    """Keys the child does not set come from the parent and the grandparent."""
    # from teaching.toml, siblings of the child's structure.communities
    assert child.structure.streets == 1
    assert child.structure.residents_per_community == 1500
    assert child.days == 56
    # from baseline.toml, siblings of the child's units.community_desk.servers
    assert child.units["community_desk"].staff_cost_yuan_per_year == 50000
    assert child.units["community_desk"].level == "community"
    assert set(child.units) == {
        "community_desk",
        "street_office",
        "street_signoff",
        "department_office",
        "department_signoff",
    }
    assert child.tasks.per_year == 280
    # a stage the child changed keeps its other keys
    mediate = child.flows["dispute"].stages["mediate"]
    assert mediate.unit == "community_desk"
    assert mediate.item_time == "processing"


def test_extends_replaces_lists(child: sim.Scenario) -> None:
    """A list is a value, not a table: the child's list replaces the parent's."""
    assert load_scenario(TEACHING).flows["dispute"].stages["mediate"].routes
    assert child.flows["dispute"].stages["mediate"].routes == []


def test_extends_is_relative_to_the_file(tmp_path: Path) -> None:
    """``extends`` is resolved beside the extending file, not in the working directory."""
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "parent.toml", f'extends = "{TEACHING.as_posix()}"\ndays = 30\n')
    child = _write(tmp_path / "child.toml", 'extends = "sub/parent.toml"\nname = "rel"\n')
    s = load_scenario(child)
    assert (s.name, s.days) == ("rel", 30)


def test_circular_extends_is_an_error() -> None:
    """Two files extending each other stop with a `ScenarioError` at ``extends``."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(DATA / "circular_a.toml")
    assert info.value.key == "extends"
    assert "circular" in info.value.message
    assert Path(info.value.file).name in {"circular_a.toml", "circular_b.toml"}


def test_self_extends_is_an_error(tmp_path: Path) -> None:
    """A file extending itself is circular too."""
    f = _write(tmp_path / "self.toml", 'extends = "self.toml"\nname = "self"\n')
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(f)


def test_missing_extends_names_the_extending_file(tmp_path: Path) -> None:
    """A missing parent is reported in the file that names it, at key ``extends``."""
    f = _write(tmp_path / "orphan.toml", 'extends = "nowhere.toml"\nname = "orphan"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert (info.value.file, info.value.key) == (str(f), "extends")
    assert "nowhere.toml" in info.value.message


def test_error_in_parent_names_the_parent(tmp_path: Path) -> None:
    """A bad key in a parent file is reported in the parent, not in the child."""
    parent = _write(
        tmp_path / "parent.toml",
        f'extends = "{TEACHING.as_posix()}"\n[units.community_desk]\nservres = 3\n',
    )
    child = _write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.file == str(parent)
    assert info.value.key == "units.community_desk.servres"
    assert "did you mean 'servers'" in info.value.message


# -- sources -----------------------------------------------------------------------------


def test_sources_are_kept_by_dotted_key() -> None:
    """Each ``{ value, source }`` figure leaves its value in place and its source by key."""
    s = load_scenario(TEACHING)
    assert s.structure.communities == 2
    assert s.sources["structure.communities"] == "assumption: classroom size"
    assert s.sources["days"].startswith("assumption: eight weeks")
    # from the grandparent, baseline.toml
    assert s.sources["tasks.per_year"].startswith("001:")
    assert s.sources["units.street_office.staff_cost_yuan_per_year"].startswith("assumption:")
    # a figure inside a list of routes
    assert s.sources["flows.two_level.stages.intake.routes.0.p"].startswith("002:")
    # a figure whose value is a table
    assert s.population.age["70+"] == pytest.approx(0.12)
    assert s.sources["population.age"] == "assumption: ageing urban population"


def test_child_source_replaces_parent_source(child: sim.Scenario) -> None:
    """A figure set again with a source carries the child's source."""
    assert child.sources["structure.communities"] == "assumption: the child's own figure"


def test_value_set_again_without_source_loses_parent_source(child: sim.Scenario) -> None:
    """A plain value over a sourced parent figure has no source any more."""
    teaching = load_scenario(TEACHING)
    assert teaching.sources["units.community_desk.servers"].startswith("public report:")
    assert child.sources.get("units.community_desk.servers", "") == ""
    table = sim.assumptions(child, every=True).set_index("key")
    assert table.loc["units.community_desk.servers", "kind"] == "unsourced"
    assert table.loc["units.community_desk.servers", "value"] == 7


def test_list_set_again_without_source_loses_parent_sources(child: sim.Scenario) -> None:
    """Figures inside a replaced list lose their sources; no source outlives its key."""
    teaching = load_scenario(TEACHING)
    assert "flows.dispute.stages.mediate.routes.0.p" in teaching.sources
    stale = [k for k in child.sources if not _key_exists(child, k)]
    assert stale == [], f"sources of keys that no longer exist: {stale}"


def test_sources_from_a_mapping() -> None:
    """A parsed mapping is loaded like a file, figures and all."""
    raw = {
        "name": "from_dict",
        "structure": {
            "streets": 1,
            "communities": {"value": 2, "source": "assumption: two"},
            "residents_per_community": 100,
        },
        "departments": ["other"],
        "units": {"desk": {"level": "community"}},
        "flows": {"f": {"entry": "a", "stages": {"a": {"unit": "desk"}}}},
        "demands": {
            "d": {
                "rate_per_resident_year": 1.0,
                "groups": {"g": {"department": "other", "share": 1.0, "flow": "f"}},
            }
        },
    }
    s = load_scenario(raw)
    assert s.structure.communities == 2
    assert s.sources["structure.communities"] == "assumption: two"


# -- overrides ---------------------------------------------------------------------------


def test_overrides_from_strings() -> None:
    """``--set`` strings: TOML values, or text when not TOML; each recorded as an override."""
    s = load_scenario(
        TEACHING,
        [
            "structure.communities=3",
            "units.community_desk.priority=fifo",
            "online.share = 0.5",
            'description="set from the command line"',
        ],
    )
    assert s.structure.communities == 3
    assert s.units["community_desk"].priority == "fifo"
    assert s.online.share == pytest.approx(0.5)
    assert s.description == "set from the command line"
    assert s.sources["structure.communities"].startswith("override")
    assert "3" in s.sources["structure.communities"]
    assert s.sources["online.share"].startswith("override")
    # untouched siblings keep the file's value and source
    assert s.structure.residents_per_community == 1500
    assert s.sources["structure.residents_per_community"] == "assumption: classroom size"


def test_overrides_from_a_mapping() -> None:
    """A mapping of dotted keys overrides like ``--set``."""
    s = load_scenario(TEACHING, {"days": 20, "structure.communities": 4})
    assert (s.days, s.structure.communities) == (20, 4)
    table = sim.assumptions(s, every=True).set_index("key")
    assert table.loc["days", "kind"] == "override"
    assert table.loc["structure.communities", "kind"] == "override"
    assert table.loc["days", "value"] == 20


def test_overrides_do_not_leak_into_later_loads() -> None:
    """Loading with overrides leaves the next load of the same file untouched."""
    load_scenario(TEACHING, {"days": 20})
    s = load_scenario(TEACHING)
    assert s.days == 56
    assert not s.sources["days"].startswith("override")


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("units.community_desk.servres=3", "units.community_desk.servres"),
        ("structure.communities=abc", "structure.communities"),
        ("days=-3", "days"),
        ("online.share=1.5", "online.share"),
        ("structure.communities", "structure.communities"),
    ],
)
def test_bad_override_is_reported_at_set(override: str, key: str) -> None:
    """A bad override is a `ScenarioError` of file ``--set`` at its key."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(TEACHING, [override])
    assert info.value.file == "--set"
    assert info.value.key == key


# -- frozen ------------------------------------------------------------------------------


def test_scenario_is_frozen() -> None:
    """Assigning to a scenario or to any of its sections raises."""
    s = load_scenario(TEACHING)
    with pytest.raises(ValidationError):
        s.days = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.structure.communities = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.units["community_desk"].servers = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.flows["two_level"].stages["intake"].routes[0].p = 0.5  # type: ignore[misc]
    assert s.days == 56
    assert s.structure.communities == 2


# -- assumptions -------------------------------------------------------------------------


def test_assumptions_lists_only_assumptions() -> None:
    """By default only figures whose source says ``assumption`` or ``fitted`` (an
    assumption set to reproduce a field pattern)."""
    s = load_scenario(TEACHING)
    table = sim.assumptions(s)
    assert list(table.columns) == ["key", "value", "kind", "source"]
    assert len(table) > 0
    assert set(table["kind"]) == {"assumption", "fitted"}
    low = table["source"].str.lower()
    assert (low.str.startswith("assumption") | low.str.startswith("fitted")).all()
    keys = set(table["key"])
    assert "structure.communities" in keys
    assert "tasks.per_year" not in keys  # an article (001)
    assert "units.community_desk.servers" not in keys  # a public report
    row = table.set_index("key").loc["structure.communities"]
    assert row["value"] == 2


def test_assumptions_every_lists_all_figures() -> None:
    """``every=True`` adds articles, public reports and figures without a source."""
    s = load_scenario(CHILD)
    only = sim.assumptions(s)
    every = sim.assumptions(s, every=True)
    assert len(every) > len(only)
    assert set(only["key"]) <= set(every["key"])
    kinds = every.set_index("key")["kind"]
    assert kinds["tasks.per_year"] == "article"
    assert kinds["structure.residents_per_community"] == "assumption"
    assert kinds["units.community_desk.servers"] == "unsourced"
    assert "units.community_desk.servers" not in set(only["key"])
    assert every["key"].is_unique
