"""A service process, once built, keeps what it loaded out of the cycle collector's full
collections and collects its youngest generation less often (shared.runtime)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from shared.runtime import GC_YOUNG_THRESHOLD, tune_garbage_collector


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector_restored")
def test_what_was_loaded_is_frozen_and_young_collections_are_rarer() -> None:
    loaded = [{"model": list(range(10))} for _ in range(100)]  # stands for a loaded model's objects
    gc.unfreeze()
    before = gc.get_threshold()
    tune_garbage_collector()
    assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
    assert GC_YOUNG_THRESHOLD > 700  # Python's default
