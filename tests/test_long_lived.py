"""load_for_life: what the loaders build is kept out of later collections; garbage is not. A cold
cache is built in a child process, not in the crawl's."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import pytest

from aggregator.long_lived import load_for_life
from tests.conftest import ROOT


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_loaded_objects_are_frozen_and_garbage_is_collected_first() -> None:
    kept: list[Node] = []
    garbage = weakref.ref(Node())
    collections_during_load = []

    def load() -> None:
        collections_during_load.append(gc.isenabled())
        kept.extend(Node() for _ in range(1000))

    was_frozen = gc.get_freeze_count()
    try:
        load_for_life(load)
        assert collections_during_load == [False]
        assert gc.isenabled()
        assert garbage() is None  # collected before the freeze, not kept for life
        assert gc.get_freeze_count() >= was_frozen + len(kept)
        tracked = {id(member) for member in gc.get_objects()}  # the permanent generation is not listed
        assert not any(id(node) in tracked for node in kept)
    finally:
        gc.unfreeze()


def test_collection_stays_off_only_while_loading_and_a_failed_load_turns_it_back_on() -> None:
    def fail() -> None:
        raise RuntimeError("the model file is missing")

    try:
        with pytest.raises(RuntimeError):
            load_for_life(fail)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_a_cold_cache_is_built_in_a_child_process_and_only_read_in_this_one(tmp_path) -> None:
    """A crawl's process that built the gazetteer itself kept ~70 MB of the build's garbage."""
    code = """
from aggregator.long_lived import build_caches_in_child
from aggregator.normalise.location import gazetteer
assert not gazetteer.is_cached()
built = []
build = gazetteer._build
gazetteer._build = lambda: built.append(1) or build()
build_caches_in_child()
assert gazetteer.is_cached()
gazetteer.warm_up()
assert not built, "built in this process"
"""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, check=True)
    kept = {path.name.split("-")[0] for path in (tmp_path / "remote-job-aggregator").iterdir()}
    assert kept == {"gazetteer", "langid"}  # the dedup's place names and language model too
