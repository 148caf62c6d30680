"""Loading what a process keeps for its whole life (the dedup's word lists and language model:
hundreds of thousands of Python objects; the gazetteer, a few since its names are kept in tries) so
that the garbage collector stops paying for it.

CPython's full collection walks every container object. With these loaded, each took 100–400 ms,
and a 1k-posting crawl ran about ten of them on the reactor thread (2 s). So the loads run with
automatic collection off (the allocations would trigger several on their own), and then
``gc.freeze()`` moves everything alive into the permanent generation, which collections skip."""

from __future__ import annotations

import gc
from collections.abc import Callable


def load_for_life(*loaders: Callable[[], object]) -> None:
    """Run the loaders, then keep everything alive out of later garbage collections."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for load in loaders:
            load()
    finally:
        if enabled:
            gc.enable()
    # Garbage first (the load's own, an earlier crawl's in a long-lived process): what is frozen
    # is never collected.
    gc.collect()
    gc.freeze()
