"""Unit of work: one session, one transaction, the outbox and the inbox of one service schema.

    async with uow_factory() as uow:
        change state through the service's repositories (uow.cases, ...)
        await uow.publish(SomethingHappened(...), subject=grievance_id)
        await uow.commit()

Leaving the block without ``commit()`` rolls everything back, events included. Each service
subclasses UnitOfWork and makes its repositories on the transaction's session in ``_bind``; use
cases reach the database only through them (tests/support/fake_uow.py stands in for unit tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import inbox
from shared.db.outbox import OutboxWriter
from shared.events.contracts import EventPayload
from shared.events.envelope import CloudEvent, payload_event
from shared.logging import current_correlation_id


@dataclass(frozen=True, slots=True)
class SchemaTables:
    """The outbox and inbox tables of one service schema."""

    outbox: Table
    inbox: Table


class CommitHeld(RuntimeError):
    """A use case tried to commit a unit of work that the consumer runner commits for a batch."""


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tables: SchemaTables,
        *,
        source: str,
        reads_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._tables = tables
        self.source = source
        # On a session in autocommit (Infrastructure.reads): each statement stands alone, with no
        # BEGIN and ROLLBACK round trips around it; nothing may be written through it.
        self.reads_only = reads_only
        self._session: AsyncSession | None = None
        self._outbox: OutboxWriter | None = None
        self.committed = False
        self.commit_held = False

    async def __aenter__(self) -> Self:
        # The transaction begins with the session's first statement (SQLAlchemy's autobegin), so a
        # unit of work that never uses its session (intake's filing, whose one statement goes
        # straight to the driver) costs no begin and no close.
        self._session = self._session_factory()
        self._outbox = OutboxWriter(self._session, self._tables.outbox)
        self.committed = False
        self._bind(self._session)
        return self

    def _bind(self, session: AsyncSession) -> None:
        """Make the service's repositories on this transaction's session (subclasses)."""

    @classmethod
    def of(cls, uow: UnitOfWork) -> Self:
        """``uow`` as this service's own unit of work. The shared runtime types what it hands out
        as the base class; the service's infrastructure is built with ``unit_of_work=cls``, so
        anything else is a wiring mistake and fails loudly."""
        if not isinstance(uow, cls):
            raise TypeError(f"expected a {cls.__name__}, got {type(uow).__name__}")
        return uow

    @classmethod
    def factory_of(cls, make: Callable[[], UnitOfWork]) -> Callable[[], Self]:
        """``infra.uow`` (typed as the base factory) as a factory of this service's units of work."""
        return lambda: cls.of(make())

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        assert session is not None
        try:
            # Not in a transaction: never begun, or committed, and its connection is back in the pool.
            # Closing rolls back what was not committed: no separate rollback (each is a greenlet
            # switch and a pass through the session's state machine, on every read's way out).
            if session.in_transaction():
                await session.close()
        finally:
            self._session = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    @property
    def published(self) -> list[tuple[str, CloudEvent]]:
        """Events added in this unit of work (topic, event), for callers and tests."""
        return list(self._outbox.events) if self._outbox else []

    async def publish(
        self,
        payload: EventPayload,
        *,
        subject: str,
        topic: str | None = None,
        correlation_id: str | None = None,
    ) -> CloudEvent:
        """Add ``payload`` to the outbox; it reaches Kafka only if this unit of work commits."""
        self._refuse_writes()
        assert self._outbox is not None
        event = payload_event(
            payload, source=self.source, subject=subject, correlation_id=correlation_id or current_correlation_id()
        )
        self._outbox.add(topic or payload.topic, event)
        return event

    async def publish_raw(self, topic: str, event: CloudEvent) -> None:
        """Write an already-built event (e.g. a department notice with its own schema)."""
        self._refuse_writes()
        assert self._outbox is not None
        self._outbox.add(topic, event)

    async def claim(self, event: CloudEvent, consumer: str) -> bool:
        """Record that ``consumer`` handles ``event`` here; False if it already did."""
        self._refuse_writes()
        return await inbox.claim(self.session, self._tables.inbox, event, consumer)

    async def claim_many(self, events: Sequence[CloudEvent], consumer: str) -> set[tuple[str, str]]:
        """Claim a batch at once; the ``(source, id)`` of the events ``consumer`` had not handled."""
        self._refuse_writes()
        return await inbox.claim_many(self.session, self._tables.inbox, events, consumer)

    async def flush(self) -> None:
        """Write the events published so far (commit does it anyway)."""
        assert self._outbox is not None
        await self._outbox.flush()

    async def commit(self) -> None:
        self._refuse_writes()
        if self.commit_held:
            # The consumer runner holds a whole poll batch in this transaction: a use case that
            # commits would commit its neighbours' effects early. The runner replays the batch
            # one event per transaction instead, where committing is allowed.
            raise CommitHeld("this unit of work is committed by the consumer runner, not the use case")
        await self.flush()
        await self.session.commit()
        self.committed = True

    async def rollback(self) -> None:
        await self.session.rollback()

    def _refuse_writes(self) -> None:
        if self.reads_only:
            raise RuntimeError("a unit of work for reads (Infrastructure.reads) writes nothing")


UnitOfWorkFactory = Callable[[], UnitOfWork]
U = TypeVar("U", bound=UnitOfWork)


def uow_factory(
    session_factory: async_sessionmaker[AsyncSession],
    tables: SchemaTables,
    *,
    source: str,
    kind: type[U] = UnitOfWork,  # type: ignore[assignment]
    reads_only: bool = False,
) -> Callable[[], U]:
    def make() -> U:
        return kind(session_factory, tables, source=source, reads_only=reads_only)

    return make
