"""Background work done in rounds: a scheduler pass, a gauge read from the database.

A ``PeriodicPart`` is a process part (shared.runtime.Part). A failed round (the database
restarting, a bug met by one case) is logged, counted and followed by the next round: the part
never ends the process because of it. Rounds of one part never overlap, also not with a round
asked for by hand (``run_once``, used by tests and commands).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from prometheus_client import Counter

from shared.logging import get_logger

T = TypeVar("T")

log = get_logger(__name__)

ROUND_FAILURES = Counter("periodic_round_failures_total", "Rounds of a periodic background part that failed.", ["part"])


class PeriodicPart(Generic[T]):
    """Runs ``round`` every ``interval`` seconds (the first after ``initial_delay``) until stopped."""

    def __init__(
        self,
        name: str,
        round: Callable[[], Awaitable[T]],
        *,
        interval: float,
        initial_delay: float = 0.0,
        stop_grace: float = 10.0,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.name = name
        self._round = round
        self._interval = interval
        self._initial_delay = initial_delay
        self._stop_grace = stop_grace
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()

    async def run_once(self) -> T:
        """One round now, after any round in progress; its error is the caller's."""
        async with self._lock:
            return await self._round()

    async def run(self) -> None:
        wait = self._initial_delay
        while not await self._stopped_within(wait):
            round_task = asyncio.create_task(self._guarded_round(), name=f"{self.name}-round")
            stop_task = asyncio.create_task(self._stopping.wait())
            try:
                await asyncio.wait({round_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
                if not round_task.done():
                    # Shutting down mid-round: let it finish its transaction, within bounds.
                    await self._finish_or_cancel(round_task)
            finally:
                stop_task.cancel()
                round_task.cancel()  # only if this task itself was cancelled: never left running
            wait = self._interval

    def stop(self) -> None:
        self._stopping.set()

    async def _guarded_round(self) -> None:
        try:
            await self.run_once()
        except Exception as exc:
            ROUND_FAILURES.labels(self.name).inc()
            # The type only: an error's message may quote the data the round was working on.
            log.warning("periodic round failed", part=self.name, error_type=type(exc).__name__)

    async def _stopped_within(self, seconds: float) -> bool:
        if seconds <= 0:
            return self._stopping.is_set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _finish_or_cancel(self, task: asyncio.Task[None]) -> None:
        done, _ = await asyncio.wait({task}, timeout=self._stop_grace)
        if not done:
            log.warning("periodic round cancelled at shutdown", part=self.name)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def running(part: PeriodicPart[Any]) -> AsyncIterator[None]:
    """Run ``part`` in the background for the duration of the block (an API's lifespan)."""
    task = asyncio.create_task(part.run(), name=part.name)
    try:
        yield
    finally:
        part.stop()
        await task
