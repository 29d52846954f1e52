"""Loading a scenario: read TOML, follow ``extends``, apply ``--set`` overrides, validate once.

A reform file holds only what the reform changes: ``extends = "baseline.toml"`` names the
file it overlays (or a list of files, merged in order: a scenario and reusable parts such as
``parts/consultation_003.toml``), tables merge key by key and any other value replaces the
parent's. Every
failure becomes a one-line `ScenarioError` naming the file and the key.

Files stay in their place: ``extends`` names ``.toml`` files only, under the folder of the
first file loaded or the shipped ``scenarios/`` folder (or folders given as ``roots``), and
regular files of at most `MAX_FILE_BYTES`; a chain is at most `MAX_CHAIN` files deep. A name
is looked up beside the file that names it, then among the shipped scenarios, so a reform
file anywhere may say ``extends = "baseline.toml"``.
"""

from __future__ import annotations

import os
import stat
import tomllib
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario import figures
from sim.scenario.checks import check_references
from sim.scenario.errors import ScenarioError, unknown_key
from sim.scenario.keys import annotation_at, fields_at
from sim.scenario.schema import Scenario

OVERRIDE_FILE = "--set"
MAX_FILE_BYTES = 1 << 20  # a scenario file is a page of figures, not megabytes
MAX_CHAIN = 32  # files in one chain of extends
MAX_NAME = 255  # characters of a file name in extends
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"


def load_scenario(
    source: str | Path | dict[str, Any] | list[str | Path],
    overrides: dict[str, Any] | list[str] | None = None,
    roots: Sequence[str | Path] = (),
) -> Scenario:
    """Load, merge and validate a scenario.

    Parameters
    ----------
    source : str, Path, dict or list of paths
        A scenario file (TOML), an already parsed mapping, or layers: the first file with
        the chain it extends, then each further file with what its chain adds beyond the
        files already loaded, e.g. ``["teaching.toml", "xiangfang_center.toml"]`` runs the
        Xiangfang reform (what it changes in the baseline) at classroom size.
    overrides : dict or list of str, optional
        Dotted keys and values (``{"structure.communities": 4}``) or ``"key=value"`` strings
        as given to ``--set``; a value string is read as a TOML value, else as text.
    roots : sequence of paths, optional
        Further folders whose files ``extends`` may name, beside the first file's folder and
        the shipped ``scenarios/``.

    Returns
    -------
    Scenario
        The frozen, validated scenario; ``sources`` holds each figure's source.

    Raises
    ------
    ScenarioError
        One line naming the file and the key.
    """
    origin: dict[str, str] = {}
    sources: dict[str, str] = {}
    if isinstance(source, dict):
        raw = _lift(dict(source), "<dict>", origin, sources)
        label = "<dict>"
    elif isinstance(source, list | tuple):
        if not source:
            raise ScenarioError("<layers>", "", "no scenario file given")
        label = str(source[-1])
        loaded: set[Path] = set()
        allowed = _roots(Path(source[0]), roots)
        raw = _read_chain(Path(source[0]), origin, sources, (), loaded, allowed)
        for layer in source[1:]:
            raw = _merge(raw, _read_chain(Path(layer), origin, sources, (), loaded, allowed))
    else:
        label = str(source)
        raw = _read_chain(Path(source), origin, sources, (), set(), _roots(Path(source), roots))
    _not_a_scenario(raw, label)
    for key, value in _parse_overrides(overrides).items():
        _set(raw, key, figures.lift(value, key, {}))
        _forget_below(sources, key)
        sources[key] = f"override: {value!r}"
        for k in [k for k in origin if k.startswith(key + ".")]:
            origin[k] = OVERRIDE_FILE  # what the override replaced below its key
        for k in [key, *(figures.join(key, k) for k in figures.keys(value))]:
            origin[k] = OVERRIDE_FILE
        parts = key.split(".")
        for i in range(1, len(parts)):  # tables the override created on its way
            origin.setdefault(".".join(parts[:i]), OVERRIDE_FILE)
    raw.pop("extends", None)
    raw["sources"] = sources
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, origin, label) from None
    try:
        check_references(scenario)
    except ScenarioError as exc:
        raise ScenarioError(_origin_of(exc.key, origin, label), exc.key, exc.message) from None
    return scenario


def _not_a_scenario(raw: dict[str, Any], label: str) -> None:
    """A sweep or targets file given where a scenario is expected says what it is."""
    if "design" in raw and "parameters" in raw and "structure" not in raw:
        raise ScenarioError(label, "", "a sweep file, not a scenario: run it with govsim sweep")
    if isinstance(raw.get("targets"), list) and "structure" not in raw:
        raise ScenarioError(
            label, "", "a targets file, not a scenario: check it with govsim targets"
        )


def _roots(first: Path, extra: Sequence[str | Path]) -> tuple[Path, ...]:
    """Folders whose files ``extends`` may name: the first file's, the shipped scenarios',
    and any given."""
    try:
        folders = [first.resolve().parent, SHIPPED, *(Path(r).resolve() for r in extra)]
    except (OSError, ValueError, RuntimeError):
        raise ScenarioError(str(first), "", "not a usable file path") from None
    return tuple(folders)


def _target(label: str, key: str, folder: Path, name: str, roots: Sequence[Path]) -> Path:
    """The file an ``extends`` entry names, checked: a ``.toml`` file name, inside the
    allowed folders (checked before whether it exists, so nothing outside is probed)."""
    if not name or "\x00" in name or len(name) > MAX_NAME or not name.endswith(".toml"):
        raise ScenarioError(label, key, "must name a .toml file (at most 255 characters)")
    try:
        target = (folder / name).resolve()
    except (OSError, ValueError, RuntimeError):
        raise ScenarioError(label, key, "not a usable file name") from None
    if not any(target.is_relative_to(root) for root in roots):
        raise ScenarioError(
            label,
            key,
            "names a file outside the scenario's folder and the shipped scenarios "
            "(allow more folders with --extends-root)",
        )
    return target


def _read_chain(
    path: Path,
    origin: dict[str, str],
    sources: dict[str, str],
    seen: tuple[Path, ...],
    loaded: set[Path],
    roots: Sequence[Path] = (),
) -> dict[str, Any]:
    """Read `path` and the chain of files it extends, parents first, leaving out files
    already `loaded` (by an earlier layer or another branch of the chain)."""
    label = str(path)
    if len(seen) >= MAX_CHAIN:
        raise ScenarioError(label, "extends", f"a chain of more than {MAX_CHAIN} files")
    data = read_toml(path)
    parent: dict[str, Any] = {}
    loaded.add(path.resolve())
    if "extends" in data:
        ext = data["extends"]
        names = [ext] if isinstance(ext, str) else ext
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ScenarioError(label, "extends", "must be a file name or a list of file names")
        for n, name in enumerate(names):  # parents merge in order, each with its own chain
            key = "extends" if isinstance(ext, str) else f"extends.{n}"
            allowed = roots or _roots(path, ())
            target = _target(label, key, path.parent, name, allowed)
            if not target.exists() and (SHIPPED / name).is_file():
                target = _target(label, key, SHIPPED, name, allowed)  # a shipped scenario
            if target in seen or target == path.resolve():
                raise ScenarioError(label, key, f"circular extends through '{name}'")
            if not target.exists():
                raise ScenarioError(label, key, f"file '{name}' not found")
            if not target.is_file():
                raise ScenarioError(label, key, f"'{name}' is not a regular file")
            if target in loaded:
                continue  # already in: an earlier layer or a common parent
            chain = seen + (path.resolve(),)
            parent = _merge(parent, _read_chain(target, origin, sources, chain, loaded, roots))
    own = _lift(data, label, origin, sources)
    for key in _table_figures(data):
        _drop(parent, key)  # a figure whose value is a table replaces the parent's table
    return _merge(parent, own)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file is a `ScenarioError`."""
    label = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(label, "", "not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(label, "", f"larger than {MAX_FILE_BYTES} bytes")
        with open(path, "rb") as f:
            text = f.read(MAX_FILE_BYTES + 1).decode("utf-8")
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(label, "", "file not found") from None
    except UnicodeDecodeError:
        raise ScenarioError(label, "", "not a UTF-8 text file") from None
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not a usable file name"
        raise ScenarioError(label, "", f"cannot read file ({why})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(label, "", f"TOML syntax error: {exc}") from None
    except RecursionError:
        raise ScenarioError(label, "", "tables nested too deeply") from None


def _table_figures(node: Any, path: str = "") -> list[str]:
    """Keys of the sourced figures in a parsed file whose value is a table."""
    if figures.is_figure(node):
        return [path] if isinstance(node["value"], dict) else []
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_table_figures(v, figures.join(path, k)))
    return out


def _drop(tree: dict[str, Any], key: str) -> None:
    """Remove a dotted key from a nested mapping, if present."""
    *head, last = key.split(".")
    for part in head:
        tree = tree.get(part)
        if not isinstance(tree, dict):
            return
    tree.pop(last, None)


def _forget_below(sources: dict[str, str], key: str) -> None:
    """Drop the sources of figures below `key`, which a new value has replaced."""
    prefix = key + "."
    for k in [k for k in sources if k.startswith(prefix)]:
        del sources[k]


def _lift(
    data: dict[str, Any], label: str, origin: dict[str, str], sources: dict[str, str]
) -> dict[str, Any]:
    """Lift a file's figures into place and note which file set each key."""
    own_sources: dict[str, str] = {}
    lifted = figures.lift(data, "", own_sources)
    for key in _replaced(lifted):
        _forget_below(sources, key)
    for key in figures.leaves(lifted):
        if figures.covering(key, own_sources) is None:
            sources[key] = figures.UNSOURCED  # set again without a source: the parent's is lost
    for key in figures.keys(lifted):
        origin[key] = label
    sources.update(own_sources)
    return lifted


def _replaced(node: Any, path: str = "") -> list[str]:
    """Keys whose value (a list or a plain value) replaces whatever the parent had."""
    if not isinstance(node, dict):
        return [path]
    out = []
    for k, v in node.items():
        out.extend(_replaced(v, figures.join(path, k)))
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge `over` onto `base`: tables merge recursively, other values replace."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _parse_overrides(overrides: dict[str, Any] | list[str] | None) -> dict[str, Any]:
    """Turn ``--set key=value`` strings (or a mapping) into a key -> value mapping."""
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    out: dict[str, Any] = {}
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(OVERRIDE_FILE, item, "expected KEY=VALUE")
        text = text.strip()
        if annotation_at(key.split(".")) is str:
            out[key] = text[1:-1] if text[:1] == text[-1:] == '"' and len(text) > 1 else text
            continue
        try:
            out[key] = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            out[key] = text
    return out


def _set(tree: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted key in a nested mapping, creating tables on the way."""
    parts = key.split(".")
    node = tree
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part)
        if isinstance(nxt, list):
            raise ScenarioError(OVERRIDE_FILE, key, "cannot override inside a list")
        if not isinstance(nxt, dict):
            if nxt is None and typing.get_origin(annotation_at(parts[:i])) is dict:
                where = ".".join(parts[:i])  # a named entry (a unit, a flow) that is not there
                known = ", ".join(sorted(map(str, node))) or "none"
                raise ScenarioError(OVERRIDE_FILE, key, f"no '{part}' in {where} (known: {known})")
            nxt = {}
            node[part] = nxt
        node = nxt
    node[parts[-1]] = value


def _origin_of(key: str, origin: dict[str, str], default: str) -> str:
    """The file that set `key` (or the nearest enclosing table)."""
    parts = key.split(".")
    while parts:
        k = ".".join(parts)
        if k in origin:
            return origin[k]
        parts.pop()
    return default


def _first_error(exc: ValidationError, origin: dict[str, str], label: str) -> ScenarioError:
    """Turn pydantic's errors into one line: the first in full, naming its file (or flag)
    and key, then how many more there are and where (so all can be fixed at once)."""
    found = [_one(err, origin, label) for err in exc.errors()]
    first = found[0]
    if len(found) == 1:
        return first
    rest = "; ".join(
        f"{e.file}: '{e.key}'" if e.file != first.file else f"'{e.key}'" for e in found[1:6]
    )
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    message = f"{first.message} (also {len(found) - 1} more: {rest}{more})"
    return ScenarioError(first.file, first.key, message)


def _one(err: Any, origin: dict[str, str], label: str) -> ScenarioError:
    """One pydantic error as a `ScenarioError` naming the file that set its key."""
    loc = [str(p) if str(p) else '""' for p in err["loc"]]
    key = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        msg = unknown_key(loc[-1], fields_at(loc[:-1]))
    elif kind == "missing":
        msg = "required key is missing"
    else:
        value = err.get("input")
        msg = f"{err['msg']} (got {value!r})" if not isinstance(value, dict) else err["msg"]
    return ScenarioError(_origin_of(key, origin, label), key, msg)
