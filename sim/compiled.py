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
ROOT = os.path.dirname(os.path.abspath(__file__))  # the package's folder


def compiled_core() -> dict[str, bool]:
    """Each module of the engine core (the modules with a ``.pxd`` beside them) and
    whether the loaded one is compiled."""
    out = {}
    for name in sorted(core_modules(ROOT)):
        module = importlib.import_module(name)
        out[name] = not (module.__file__ or "").endswith(".py")
    return out


def core_modules(root: str) -> dict[str, str]:
    """The engine core's modules under the package folder `root`: dotted name -> the
    module's path without its suffix (a ``.py`` with a ``.pxd`` beside it)."""
    out = {}
    for folder, _, files in os.walk(root):
        for f in files:
            stem = os.path.join(folder, f[:-4])
            if f.endswith(".pxd") and os.path.exists(stem + ".py"):
                rel = os.path.relpath(stem, os.path.dirname(root))
                out[rel.replace(os.sep, ".")] = stem
    return out


def stale_modules(root: str) -> list[str]:
    """The core's modules whose compiled module is older than their source or
    declarations (by more than a wheel's unpacking takes): an edit not yet rebuilt."""
    out = []
    for name, stem in sorted(core_modules(root).items()):
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if os.path.exists(stem + suffix):
                edited = max(os.path.getmtime(stem + ".py"), os.path.getmtime(stem + ".pxd"))
                if edited > os.path.getmtime(stem + suffix) + 2.0:
                    out.append(name)
                break
    return out


class _SourceFinder:
    """Finds the engine core's modules as their ``.py`` source when the pure-Python
    reference is asked for, or when any compiled module of the core is older than its
    source (an edit not yet rebuilt: the source holds, with a warning; the core's compiled
    modules know each other's C types, so they are loaded all compiled or all from source);
    otherwise leaves them to Python's own finders, which load the compiled modules.

    Parameters
    ----------
    pure : bool
        Always the source.
    root : str
        The package's folder.
    """

    def __init__(self, pure: bool, root: str) -> None:
        self.pure, self.root = pure, root
        self.core: dict[str, str] | None = None  # looked up on the first import of sim.*
        self.source = pure

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith("sim."):
            return None
        if self.core is None:
            self.core = core_modules(self.root)
            stale = [] if self.pure else stale_modules(self.root)
            if stale:
                warnings.warn(
                    f"{', '.join(stale)}: the compiled module is older than its source; the "
                    "engine core runs from its source (rebuild with `pip install -e .`)",
                    stacklevel=2,
                )
                self.source = True
        if not self.source or name not in self.core:
            return None
        return importlib.util.spec_from_file_location(name, self.core[name] + ".py")


def install_finder(pure: bool) -> None:
    """Put the engine core's finder first (`sim` does on import): the pure-Python
    reference for every core module when `pure` or when one is out of date, else the
    compiled modules. Modules already loaded stay as they are."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _SourceFinder)]
    sys.meta_path.insert(0, _SourceFinder(pure, ROOT))
