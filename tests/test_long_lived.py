"""load_for_life: what the loaders build is kept out of later collections; garbage is not."""

from __future__ import annotations

import gc
import weakref

import pytest

from aggregator.long_lived import load_for_life


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
