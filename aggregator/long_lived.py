"""Loading what a process keeps for its whole life (the dedup's word lists and language model:
hundreds of thousands of Python objects; the gazetteer, a few since its names are kept in tries) so
that the garbage collector stops paying for it.

CPython's full collection walks every container object. With these loaded, each took 100–400 ms,
and a 1k-posting crawl ran about ten of them on the reactor thread (2 s). So the loads run with
automatic collection off (the allocations would trigger several on their own), and then
``gc.freeze()`` moves everything alive into the permanent generation, which collections skip."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

from aggregator.child_python import run_python

logger = logging.getLogger(__name__)


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


def build_caches_in_child() -> None:
    """Build the gazetteer (and the dedup's place names and language model) into the cache folder in
    a short-lived child process when it is not there (a first crawl after an install or a data
    change). Built in a crawl's own process, the build's garbage stays in its memory for the whole
    crawl: 218 MB at its peak instead of 150 in a 6k crawl. Should the child fail, each process
    builds what it needs itself, as before."""
    from aggregator.normalise.location import gazetteer

    if gazetteer.is_cached():
        return
    code = (
        "from aggregator.normalise.location import warm_up\n"
        "from aggregator.dedup import load_word_lists_and_models\n"
        "warm_up()\nload_word_lists_and_models()"
    )
    built = run_python(code)
    if built.returncode != 0:
        logger.warning("could not build the gazetteer in a child process: %s", built.stderr.strip()[-500:])
