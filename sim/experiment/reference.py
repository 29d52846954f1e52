"""The reference of the scenario and sweep file formats, generated from the schema.

Every section of a scenario file is a pydantic model whose docstring says what it models in
the world; its fields, types, defaults and bounds are the schema's. `reference` writes them
as one Markdown page, section by section in the order a scenario file is read, with each
field's meaning taken from the docstring's ``Attributes`` (or the field's description);
`json_schema` gives a JSON Schema for editors, in which every figure may also be written
with its source (``{ value = …, source = "…" }``). Usage::

    python -m sim.experiment.reference docs/scenario-reference.md docs/scenario.schema.json

A test keeps both files current.
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

HEADER = """# Scenario and sweep files: reference

Generated from the schema by `python -m sim.experiment.reference docs/scenario-reference.md
docs/scenario.schema.json`; do not edit by hand. A test fails when it is stale.

A scenario file is TOML. Any number may be written with its source, `key = { value = 42,
source = "002: 33 items moved to the street center" }`, and every figure of a shipped scenario
is (`govsim validate --strict`); `govsim assumptions FILE` lists those resting on assumptions.
`extends = "baseline.toml"` (or a list) lays the file over others: tables merge key by key, any
other value replaces the parent's. Keys below are dotted paths; `<name>` stands for a name you
choose (a unit, a flow, a demand type). `docs/scenario.schema.json` is the same schema as a
JSON Schema, for editor completion.
"""


def _unwrap(ann: Any) -> Any:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return args[0] if len(args) == 1 else ann
    return ann


def _type_name(ann: Any) -> str:
    """A short, readable type."""
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(ann))
    if origin is typing.Literal:
        return " or ".join(f'`"{a}"`' if isinstance(a, str) else f"`{a}`" for a in ann.__args__)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(ann)[0])
    if origin in (dict, list):
        args = ", ".join(_type_name(a) for a in typing.get_args(ann))
        return f"{origin.__name__}[{args}]"
    if ann is type(None):
        return "none"
    return getattr(ann, "__name__", str(ann))


def _bounds(info: FieldInfo) -> str:
    """``≥ 0, ≤ 1`` from a field's constraints."""
    out = []
    for m in info.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                out.append(f"{sign} {v:g}" if isinstance(v, float) else f"{sign} {v}")
        for attr, word in (("min_length", "at least"), ("max_length", "at most")):
            v = getattr(m, attr, None)
            if v is not None:
                out.append(f"{word} {v} long")
    return ", ".join(out)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return ""
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(defaults)"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _doc_parts(model: type[BaseModel]) -> tuple[str, dict[str, str]]:
    """A model's docstring without its numpydoc sections, and its ``Attributes`` by name."""
    doc = typing.cast(str, model.__doc__ or "").expandtabs()
    lines = doc.strip("\n").splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines[1:] if x.strip()), default=0)
    text = "\n".join([lines[0].strip()] + [x[indent:] for x in lines[1:]]) if lines else ""
    body = re.split(r"\n(?:Attributes|Parameters|Examples?)\n-+\n", text)[0]
    summary = "\n\n".join(p.replace("\n", " ").strip() for p in body.split("\n\n") if p.strip())
    attrs: dict[str, str] = {}
    match = re.search(r"Attributes\n-+\n(.*?)(\n\S[^\n]*\n-+\n|\Z)", text, re.S)
    if match:
        name = None
        for line in match.group(1).splitlines():
            if line and not line.startswith(" "):
                names = line.split(":")[0]
                name = names
                for n in names.split(","):
                    attrs[n.strip()] = ""
            elif name is not None and line.strip():
                for n in name.split(","):
                    attrs[n.strip()] = (attrs[n.strip()] + " " + line.strip()).strip()
    return summary, attrs


def _children(ann: Any) -> tuple[str, type[BaseModel]] | None:
    """A nested section below a field: ``("", Model)`` or ``(".<name>", Model)`` for a
    mapping of named sections, ``("[]", Model)`` for a list of them."""
    ann = _unwrap(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "", ann
    origin = typing.get_origin(ann)
    if origin is dict:
        inner = _unwrap(typing.get_args(ann)[-1])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return ".<name>", inner
    if origin is list:
        inner = _unwrap(typing.get_args(ann)[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "[]", inner
    return None


def _sections(model: type[BaseModel], path: str) -> list[tuple[str, type[BaseModel]]]:
    """Every section below `model`, depth first in field order, with its dotted path."""
    out = [(path, model)]
    for name, info in model.model_fields.items():
        child = _children(info.annotation)
        if child is not None:
            suffix, sub = child
            out.extend(_sections(sub, f"{path}.{name}{suffix}".lstrip(".")))
    return out


def reference() -> str:
    """The Markdown reference of scenario and sweep files."""
    from sim.experiment.sweep.spec import SweepSpec
    from sim.scenario.schema import Scenario

    parts = [HEADER]
    for title, root in (("Scenario files", Scenario), ("Sweep files", SweepSpec)):
        parts.append(f"\n## {title}\n")
        seen: dict[type[BaseModel], str] = {}
        for path, model in _sections(root, ""):
            heading = f"\n### `{path or '(top level)'}` — {model.__name__}\n"
            if model in seen:
                parts.append(f"{heading}\nThe same fields as `{seen[model]}`.\n")
                continue
            seen[model] = path
            summary, attrs = _doc_parts(model)
            parts.append(f"{heading}\n{summary}\n")
            parts.append("\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|")
            for name, info in model.model_fields.items():
                if name == "sources":
                    continue
                child = _children(info.annotation)
                kind = (
                    f"section ({child[1].__name__})"
                    if child
                    else _type_name(info.annotation).replace("|", "\\|")
                )
                meaning = (info.description or attrs.get(name, "")).replace("|", "\\|")
                parts.append(
                    f"| `{name}` | {kind} | {_default(info)} | {_bounds(info)} | {meaning} |"
                )
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def json_schema() -> dict[str, Any]:
    """The scenario schema as a JSON Schema for editors: every plain value also allowed as
    a sourced figure ``{ "value": …, "source": "…" }``, ``extends`` allowed at the top, and
    no key required (a file that extends another holds only what it changes; the loader
    checks the resolved scenario)."""
    from sim.scenario.schema import Scenario

    schema = Scenario.model_json_schema()

    def sourced(node: Any) -> Any:
        """`node`, and every value below it, also allowed as a figure with its source."""
        if not isinstance(node, dict):
            return node
        node = dict(node)
        for key in ("additionalProperties", "items"):
            if isinstance(node.get(key), dict):
                node[key] = sourced(node[key])
        if "anyOf" in node:
            node["anyOf"] = [sourced(branch) for branch in node["anyOf"]]
            return node
        if node.get("type") == "object" and "properties" in node:
            return node
        figure = {  # a section may be given as a figure too (a leader's sessions)
            "type": "object",
            "properties": {"value": node, "source": {"type": "string"}},
            "required": ["value", "source"],
            "additionalProperties": False,
        }
        return {"anyOf": [node, figure]}

    for model in [schema, *schema.get("$defs", {}).values()]:
        model.pop("required", None)  # a file that extends another holds only what it changes
        props = model.get("properties", {})
        for key, prop in props.items():
            props[key] = sourced(prop)
    schema["properties"].pop("sources", None)
    schema["properties"]["extends"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    }
    return schema


def main(argv: list[str] | None = None) -> int:
    """Write the Markdown reference and the JSON Schema to the paths given."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m sim.experiment.reference REFERENCE.md SCHEMA.json", file=sys.stderr)
        return 2
    Path(args[0]).write_text(reference(), encoding="utf-8")
    text = json.dumps(json_schema(), indent=1, ensure_ascii=False) + "\n"
    Path(args[1]).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
