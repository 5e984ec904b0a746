"""How many processes share a training's fits (kept apart from fitting.py, so that choosing a
default imports no scikit-learn)."""

from __future__ import annotations

import os

# A training is six independent fits: the five folds' and the final one (fitting._fit_all).
FITS = 6


def default_jobs() -> int:
    """One process per core this process may run on, at most one per fit."""
    # The cores this process is allowed (taskset, a container's cpuset) where the system says.
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(usable or 1, FITS))
