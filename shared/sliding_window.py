"""Sliding-window counter arithmetic (pure): the current fixed window plus the previous one, weighted.

The previous window's hits count in proportion to how much of it still overlaps the sliding window
that ends now: 15 s into a 60 s window, three quarters of the previous minute's hits still count.
Two integers per client and window approximate a true moving window closely, which is what lets the
counters live in a shared store at one small row per client. The estimate errs on the strict side
for tiny limits: after a ``1/hour`` hit the next one waits for the following hour to pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Weights are binary fractions: 3 * (1 - 20/60) is 2.0000000000000004, and must still leave room.
SLACK = 1e-9


@dataclass(frozen=True)
class WindowPosition:
    """Where ``now`` falls: the current window's start (epoch seconds) and the previous one's weight."""

    start: float
    length: float
    elapsed: float

    @property
    def previous_start(self) -> float:
        return self.start - self.length

    @property
    def previous_weight(self) -> float:
        """The share of the previous window still inside the sliding window (1.0 at a boundary)."""
        return 1.0 - self.elapsed / self.length

    @property
    def expires(self) -> float:
        """After this moment the current window no longer counts, not even as the previous one."""
        return self.start + 2 * self.length


@dataclass(frozen=True)
class Count:
    """A store's answer to one hit: both windows' hits (this one included when admitted)."""

    previous: int
    current: int
    admitted: bool


def position(now: float, length: float) -> WindowPosition:
    """The fixed window of ``length`` seconds that contains ``now`` (windows align to the epoch)."""
    if length <= 0:
        raise ValueError("a window has a positive length")
    start = math.floor(now / length) * length
    return WindowPosition(start=start, length=length, elapsed=now - start)


def admits(*, limit: int, previous: int, current: int, weight: float) -> bool:
    """Whether one more hit fits: the weighted previous hits, the current ones and this one."""
    return previous * weight + current + 1 <= limit + SLACK


def retry_after(*, limit: int, previous: int, current: int, at: WindowPosition) -> float:
    """Seconds from ``at`` until one more hit would be admitted, if nothing else is counted meanwhile.

    ``limit`` is at least 1 (RateLimit refuses less).
    """
    if admits(limit=limit, previous=previous, current=current, weight=at.previous_weight):
        return 0.0
    if current + 1 <= limit and previous > 0:
        # Still in this window: wait until enough of the previous window has slid out.
        # previous * (1 - t / length) + current + 1 <= limit  <=>  t >= length * (1 - room / previous)
        room = limit - current - 1
        return max(0.0, at.length * (1 - room / previous) - at.elapsed)
    # Only in the next window, where this window's hits become the weighted previous ones.
    until_next = at.length - at.elapsed
    needed = 0.0 if current == 0 else at.length * (1 - (limit - 1) / current)
    return until_next + max(0.0, needed)
