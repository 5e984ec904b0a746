"""The scheduler part: every few seconds, supervise overdue cases, send session reminders and
call for follow-ups (handlers/supervision.py). Safe to run in several worker processes."""

from __future__ import annotations

import asyncio
import contextlib

from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.supervision import run_due_work
from shared.db.uow import UnitOfWorkFactory
from shared.logging import get_logger

log = get_logger(__name__)


class SchedulerPart:
    def __init__(self, *, uow_factory: UnitOfWorkFactory, ctx: MediationContext) -> None:
        self._uow_factory = uow_factory
        self._ctx = ctx
        self._stopping = asyncio.Event()

    async def tick(self) -> dict[str, int]:
        done = await run_due_work(uow_factory=self._uow_factory, ctx=self._ctx)
        if any(done.values()):
            log.info("scheduler pass", **done)
        return done

    async def run(self) -> None:
        while not self._stopping.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._ctx.settings.scheduler_interval_s)

    def stop(self) -> None:
        self._stopping.set()
