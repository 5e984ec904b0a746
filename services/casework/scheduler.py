"""The scheduler as a process part: runs the supervision use cases every ``scheduler_interval_s``."""

from __future__ import annotations

from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.recommendation import supervise_overdue as supervise_overdue_recommendations
from services.casework.handlers.supervision import supervise_once
from services.casework.repositories import CaseworkUnitOfWork
from shared.periodic import PeriodicPart
from shared.runtime import Infrastructure


class SchedulerPart:
    def __init__(self, infra: Infrastructure, ctx: CaseworkContext) -> None:
        self._infra = infra
        self._uow = CaseworkUnitOfWork.factory_of(infra.uow)
        self._ctx = ctx
        # A failed round (database restarting) is retried next round, not fatal.
        self._rounds = PeriodicPart("casework_scheduler", self.supervise, interval=ctx.settings.scheduler_interval_s)

    async def supervise(self) -> None:
        await supervise_once(uow_factory=self._uow, ctx=self._ctx)
        await supervise_overdue_recommendations(uow_factory=self._uow, ctx=self._ctx)

    async def run(self) -> None:
        try:
            await self._rounds.run()
        finally:
            await self._infra.engine.dispose()

    def stop(self) -> None:
        self._rounds.stop()
