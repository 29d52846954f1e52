"""What the scenario schema expects at a dotted key: its type (for reading a ``--set``
value as text or TOML, and for telling a named entry from a field) and the field names of a
section (for "did you mean")."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from sim.scenario.schema import Scenario


def annotation_at(loc: list[str]) -> Any:
    """The schema's type at a key path (None where the path leaves the schema)."""
    ann: Any = Scenario
    for part in loc:
        ann = unwrap(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            field = ann.model_fields.get(part)
            if field is None:
                return None
            ann = field.annotation
        elif typing.get_origin(ann) in (dict, list):
            ann = typing.get_args(ann)[-1]
        else:
            return None
    return unwrap(ann)


def fields_at(loc: list[str]) -> list[str]:
    """Field names of the schema section found at `loc` (for "did you mean")."""
    ann = annotation_at(loc)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return list(ann.model_fields)
    return []


def unwrap(ann: Any) -> Any:
    """Strip ``X | None`` to ``X``."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return args[0] if len(args) == 1 else ann
    return ann
