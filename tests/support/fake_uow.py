"""An in-memory unit of work for the unit tier of handler tests (cosmicpython's fake UoW).

A service's fake subclasses both this and the service's own UnitOfWork, and sets in-memory
repositories in ``__init__``:

    class FakeCaseworkUow(FakeUnitOfWork, CaseworkUnitOfWork):
        def __init__(self) -> None:
            super().__init__(source="/grievance-platform/casework")
            self.cases = FakeCaseRepository()

``session`` raises: a use case that reaches past its repositories for SQL fails its unit test.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.uow import UnitOfWork
from shared.events.contracts import EventPayload
from shared.events.envelope import CloudEvent, payload_event


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, *args: Any, source: str = "/grievance-platform/test", **kwargs: Any) -> None:
        # No super().__init__(): there is no database behind a fake.
        self.source = source
        self.committed = False
        self.commits = 0
        # Events of committed transactions, in order: what the outbox would have sent.
        self.events: list[tuple[str, CloudEvent]] = []
        self._pending: list[tuple[str, CloudEvent]] = []
        self._claimed: set[tuple[str, str]] = set()

    async def __aenter__(self) -> Self:
        self._pending = []
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self._pending = []

    @property
    def session(self) -> AsyncSession:
        raise AssertionError("a use case reached for uow.session; it must go through a repository")

    @property
    def published(self) -> list[tuple[str, CloudEvent]]:
        return list(self._pending)

    async def publish(
        self,
        payload: EventPayload,
        *,
        subject: str,
        topic: str | None = None,
        correlation_id: str | None = None,
    ) -> CloudEvent:
        event = payload_event(payload, source=self.source, subject=subject, correlation_id=correlation_id)
        self._pending.append((topic or payload.topic, event))
        return event

    async def publish_raw(self, topic: str, event: CloudEvent) -> None:
        self._pending.append((topic, event))

    async def claim(self, event: CloudEvent, consumer: str) -> bool:
        key = (event.id, consumer)
        if key in self._claimed:
            return False
        self._claimed.add(key)
        return True

    async def flush(self) -> None:
        return None

    async def commit(self) -> None:
        self.events.extend(self._pending)
        self._pending = []
        self.committed = True
        self.commits += 1

    async def rollback(self) -> None:
        self._pending = []

    def event_types(self) -> list[str]:
        return [event.type for _, event in self.events]
