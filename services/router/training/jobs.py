"""How many processes share a training's fits (kept apart from fitting.py, so that choosing a
default imports no scikit-learn)."""

from __future__ import annotations

import argparse
import os

# The calibration's out-of-fold predictions come from this many folds by default
# (TrainingOptions.folds); a training is their fits and the final one (fitting._fit_all).
DEFAULT_FOLDS = 3
FITS = DEFAULT_FOLDS + 1


def default_jobs() -> int:
    """One process per core this process may run on, at most one per fit."""
    # The cores this process is allowed (taskset, a container's cpuset) where the system says.
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(usable or 1, FITS))


def process_count(value: str) -> int:
    count = int(value)
    if count < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return count


def add_jobs_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--jobs N``, processes for ``what`` (default: ``default_jobs()``)."""
    parser.add_argument(
        "--jobs",
        type=process_count,
        default=default_jobs(),
        help=f"processes for {what} (default: one per core, at most 6)",
    )
