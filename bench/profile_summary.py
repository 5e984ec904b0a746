"""Read py-spy's ``--format raw`` output (collapsed stacks: ``frame;frame;...;leaf count`` with each
frame ``function (path:line)``) and say where the samples went: per function by self time (the
leaf: where the CPU actually was; time in C or Cython code without ``--native`` counts for the
Python function that called it), per library or project module by self time, and the project's
own functions by total time (anywhere on the stack).

Shares are of the samples that caught Python code: SQLAlchemy runs the ORM's database calls in a
greenlet, whose stack py-spy reports without the request frames above it, so the request frames'
totals are understated and the self times are not."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")
ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("services.", "shared.")
# Leaves where a thread only waits, yet py-spy samples it as running: a thread-pool worker blocked
# in ``queue.get`` (asyncio's default executor, kept for getaddrinfo) showed as 8-34 % of a
# process's samples. Left out of the shares, counted apart.
WAITING_LEAVES = frozenset({"_worker (concurrent/futures/thread.py)"})


@dataclass
class Profile:
    samples: int = 0
    waiting: int = 0  # samples of threads that only waited (WAITING_LEAVES), not in ``samples``
    self_by_function: Counter[str] = field(default_factory=Counter)
    total_by_function: Counter[str] = field(default_factory=Counter)  # the project's functions only
    self_by_owner: Counter[str] = field(default_factory=Counter)


def owner(path: str) -> str:
    """Who a frame's code belongs to: a library or standard-library package (py-spy prints their
    paths relative to sys.path), or a project module (``services.intake``, ``shared.db``)."""
    if path.startswith("<"):
        return path  # <frozen runpy>, <sqlalchemy generated ...>
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    path = path.removeprefix(str(ROOT) + "/")
    stdlib = re.search(r"/lib/python3\.\d+/(?P<rest>.*)$", path)
    if stdlib:
        path = stdlib.group("rest")
    parts = path.removesuffix(".py").split("/")
    if parts[0] in ("services", "shared", "bench"):
        return ".".join(parts[:3] if parts[0] == "services" else parts[:2])
    return parts[0] or "(native)"


def frame_name(frame: str) -> tuple[str, str]:
    """(``function (file)`` without the line number, owner)."""
    match = FRAME.match(frame)
    if match is None:
        return frame, "(native)"
    path = match.group("path")
    short = path.split("site-packages/", 1)[-1].removeprefix(str(ROOT) + "/")
    return f"{match.group('function')} ({short})", owner(path)


def read_raw(path: Path) -> Profile:
    profile = Profile()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(f) for f in stack.split(";") if f]
        if not frames:
            continue
        leaf, leaf_owner = frames[-1]
        if leaf in WAITING_LEAVES:
            profile.waiting += count
            continue
        profile.samples += count
        profile.self_by_function[leaf] += count
        profile.self_by_owner[leaf_owner] += count
        # The project's own code by total time says which of its steps cost the most; once per
        # stack, however deep the recursion.
        for name in {name for name, who in frames if who.startswith(PROJECT)}:
            profile.total_by_function[name] += count
    return profile


def report(profile: Profile, top: int) -> list[str]:
    if profile.samples == 0:
        return ["no samples (was the process busy?)"]

    def share(n: int) -> str:
        return f"{100 * n / profile.samples:5.1f} %"

    lines = [f"{profile.samples} samples ({profile.waiting} more of idle pool threads left out)"]
    lines.append(f"-- top {top} functions by self time (where the CPU was)")
    lines += [f"  {share(n)}  {name}" for name, n in profile.self_by_function.most_common(top)]
    lines.append(f"-- self time per library or module (top {top})")
    lines += [f"  {share(n)}  {name}" for name, n in profile.self_by_owner.most_common(top)]
    lines.append(f"-- top {top} of the project's functions by total time (they or what they call)")
    lines += [f"  {share(n)}  {name}" for name, n in profile.total_by_function.most_common(top)]
    return lines
