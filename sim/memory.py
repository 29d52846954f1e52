"""Memory a large run has freed, handed back to the operating system.

Building a city-year's world makes columns of a few million demands (30 MB each) and drops
their temporaries; after the run, its world of stations and queues is garbage held in cycles.
glibc's allocator keeps freed blocks of up to 32 MiB in its heap (its threshold for mapping a
block on its own grows to the largest block freed), so those temporaries stay resident, about
0.45 GB of a city-year, and the run's own memory then stacks on top of them. `release` collects
the cycles and asks the allocator to return its free pages (``malloc_trim``, the remedy Dask's
documentation gives for its workers' memory). With another C library (macOS, musl, Windows)
the trim is skipped: only the collection runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import cache


@cache
def _trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError, TypeError):  # no such function; Windows: no CDLL(None)
        return None


def release(collect: bool = False) -> None:
    """Hand freed memory back: collect the cyclic garbage first when `collect`, then return
    the allocator's free pages (a few tens of milliseconds: call it after a large build or
    run, not after every small one)."""
    if collect:
        gc.collect()
    trim = _trim()
    if trim is not None:
        trim(0)
