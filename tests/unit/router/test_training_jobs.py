"""How many processes a training uses by default: the cores the process may run on, at most one
per fit (a machine with more cores than fits gains nothing from more processes)."""

from __future__ import annotations

import os

import pytest

from services.router.training import jobs


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 2), (jobs.FITS, jobs.FITS), (64, jobs.FITS)])
def test_one_process_per_allowed_core_at_most_one_per_fit(
    monkeypatch: pytest.MonkeyPatch, cores: int, expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert jobs.default_jobs() == expected


def test_without_affinity_the_core_count_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert jobs.default_jobs() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert jobs.default_jobs() == 3


def test_the_fits_counted_are_the_folds_and_the_final_one() -> None:
    # The default lives in jobs.py (which imports no scikit-learn); the options must take it from there.
    from services.router.training.fitting import TrainingOptions

    assert TrainingOptions().folds + 1 == jobs.FITS
