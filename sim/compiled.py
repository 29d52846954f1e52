"""The engine core, compiled or as the pure-Python reference.

The engine's hot modules (a station's queue, the clock's loop, the router) are Python
source, and each has a Cython declaration file (``.pxd``) beside it that types its class
and hot paths. Installing the package compiles them when Cython and a C compiler are there
(``setup.py``); Python then loads the compiled module instead of the source, and a run gives
the same results, digit for digit, only faster. The source stays the reference:
with the environment variable ``GOVSIM_PURE=1`` set, `sim` loads every module from its
``.py`` file (`install_finder`), which is how the test suite checks the two agree.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

PURE_VARIABLE = "GOVSIM_PURE"


def compiled_core() -> dict[str, bool]:
    """Each module of the engine core (the modules with a ``.pxd`` beside them) and
    whether the loaded one is compiled."""
    root = os.path.dirname(os.path.abspath(__file__))  # the package's folder
    out = {}
    for folder, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith(".pxd"):
                rel = os.path.relpath(os.path.join(folder, f[:-4]), os.path.dirname(root))
                name = rel.replace(os.sep, ".")
                module = importlib.import_module(name)
                out[name] = not (module.__file__ or "").endswith(".py")
    return out


class _SourceFinder:
    """Finds a module of the engine core as its ``.py`` source when the pure-Python
    reference is asked for, or when its compiled module is older than its source or
    declarations (an edit not yet rebuilt: the source is what holds, with a warning);
    otherwise leaves it to Python's own finders, which load the compiled module."""

    def __init__(self, pure: bool) -> None:
        self.pure = pure

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith("sim.") or not path:
            return None
        leaf = name.rpartition(".")[2]
        for folder in path:
            source, declared = (os.path.join(folder, leaf + ext) for ext in (".py", ".pxd"))
            if not (os.path.exists(declared) and os.path.exists(source)):
                continue
            if not self.pure and not _stale(folder, leaf, source, declared, name):
                return None
            return importlib.util.spec_from_file_location(name, source)
        return None


def _stale(folder: str, leaf: str, source: str, declared: str, name: str) -> bool:
    """Whether the compiled module of `name` is older than its source or declarations
    (by more than a wheel's unpacking takes); False when there is none."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        built = os.path.join(folder, leaf + suffix)
        if os.path.exists(built):
            edited = max(os.path.getmtime(source), os.path.getmtime(declared))
            if edited > os.path.getmtime(built) + 2.0:
                warnings.warn(
                    f"{name}: the compiled module is older than its source; running the "
                    "source (rebuild with `pip install -e .`)",
                    stacklevel=2,
                )
                return True
            return False
    return False


def install_finder(pure: bool) -> None:
    """Put the engine core's finder first (`sim` does on import): the pure-Python
    reference for every core module when `pure`, else the compiled modules that are up
    to date with their source. Modules already loaded stay as they are."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _SourceFinder)]
    sys.meta_path.insert(0, _SourceFinder(pure))
