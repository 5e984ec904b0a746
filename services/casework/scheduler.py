"""The scheduler as a process part: runs the supervision use case every ``scheduler_interval_s``."""

from __future__ import annotations

import asyncio
import contextlib

from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.recommendation import supervise_overdue as supervise_overdue_recommendations
from services.casework.handlers.supervision import supervise_once
from shared.logging import get_logger
from shared.runtime import Infrastructure

log = get_logger(__name__)


class SchedulerPart:
    def __init__(self, infra: Infrastructure, ctx: CaseworkContext) -> None:
        self._infra = infra
        self._ctx = ctx
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    await supervise_once(uow_factory=self._infra.uow, ctx=self._ctx)
                    await supervise_overdue_recommendations(uow_factory=self._infra.uow, ctx=self._ctx)
                except Exception as exc:
                    # A failed round (database restarting) is retried next round, not fatal.
                    log.warning("supervision round failed", error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._ctx.settings.scheduler_interval_s)
        finally:
            await self._infra.engine.dispose()

    def stop(self) -> None:
        self._stopping.set()
