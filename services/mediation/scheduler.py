"""The scheduler part: every few seconds, supervise overdue cases, send session reminders and
call for follow-ups (handlers/supervision.py). Safe to run in several worker processes."""

from __future__ import annotations

from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.supervision import run_due_work
from services.mediation.repositories import MediationUowFactory
from shared.logging import get_logger
from shared.periodic import PeriodicPart

log = get_logger(__name__)


class SchedulerPart:
    def __init__(self, *, uow_factory: MediationUowFactory, ctx: MediationContext) -> None:
        self._uow_factory = uow_factory
        self._ctx = ctx
        # A failed pass (database restarting) is logged and counted; the next pass comes as usual.
        self._rounds = PeriodicPart("mediation_scheduler", self._pass, interval=ctx.settings.scheduler_interval_s)

    async def tick(self) -> dict[str, int]:
        """One pass now (after any pass in progress), as the scheduler would run it."""
        return await self._rounds.run_once()

    async def _pass(self) -> dict[str, int]:
        done = await run_due_work(uow_factory=self._uow_factory, ctx=self._ctx)
        if any(done.values()):
            log.info("scheduler pass", **done)
        return done

    async def run(self) -> None:
        await self._rounds.run()

    def stop(self) -> None:
        self._rounds.stop()
