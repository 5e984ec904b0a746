"""The personal-data purge (handlers.retention) as a worker part: at start, then every
``retention_interval_s``; a failed round is retried within a minute, not a day later."""

from __future__ import annotations

import asyncio
import contextlib

from services.intake.handlers.retention import purge_personal_data
from services.intake.repositories import IntakeUnitOfWork
from services.intake.settings import Settings
from shared.clock import Clock
from shared.logging import get_logger
from shared.runtime import Infrastructure

log = get_logger(__name__)


class RetentionPart:
    # After a failed round (database restarting) the next try comes this soon, not a day later.
    RETRY_S = 60.0

    def __init__(self, infra: Infrastructure, *, settings: Settings, clock: Clock) -> None:
        self._infra = infra
        self._units = IntakeUnitOfWork.factory_of(infra.uow)
        self._settings = settings
        self._clock = clock
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                wait = self._settings.retention_interval_s
                try:
                    await purge_personal_data(uow_factory=self._units, settings=self._settings, clock=self._clock)
                except Exception as exc:
                    # Batches committed before the failure stay purged; the rest come next round.
                    log.warning("retention round failed", error=repr(exc))
                    wait = min(wait, self.RETRY_S)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)
        finally:
            await self._infra.close()

    def stop(self) -> None:
        self._stopping.set()
