"""Build of govsim: the pure-Python package, plus its engine core compiled where possible.

The engine's hot modules (the station, the clock's loop, the router) are plain Python, and
each has a Cython declaration file beside it (``.pxd``) that types its class and hot paths.
With Cython and a C compiler at install time those modules are also compiled; Python then
loads the compiled module, the ``.py`` stays the reference, and the results are identical
(``GOVSIM_PURE=1`` runs the reference; ``tests/test_compiled.py`` compares the two). Without
a compiler the build skips them (``optional``) and the package runs as pure Python.
"""

from pathlib import Path

from setuptools import Extension, setup


def compiled_core() -> list[Extension]:
    """One optional extension per module of ``sim`` that has a ``.pxd`` beside it."""
    try:
        from Cython.Build import cythonize
    except ImportError:  # no Cython: the pure-Python package
        return []
    modules = [
        Extension(".".join(pxd.with_suffix("").parts), [str(pxd.with_suffix(".py"))])
        for pxd in sorted(Path("sim").rglob("*.pxd"))
    ]
    compiled = cythonize(
        modules,
        compiler_directives={"language_level": 3, "annotation_typing": False},
        build_dir="build/cython",  # the generated C, out of the source tree
        quiet=True,
    )
    for ext in compiled:  # cythonize makes new extensions, without the flag
        ext.optional = True
    return compiled


setup(ext_modules=compiled_core())
