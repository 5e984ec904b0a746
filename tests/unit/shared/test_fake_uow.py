"""The unit tier's fake unit of work keeps the real one's promises: events only on commit, one
claim per event and consumer, and no session for a use case to reach past its repositories."""

from __future__ import annotations

import pytest

from shared.events.envelope import CloudEvent
from tests.support.fake_uow import FakeUnitOfWork


async def test_events_leave_only_with_a_commit() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        await uow.publish_raw("t", _event("a"))
    assert uow.events == []
    async with uow:
        await uow.publish_raw("t", _event("b"))
        await uow.commit()
    assert [e.type for _, e in uow.events] == ["b"]


async def test_an_event_is_claimed_once_per_consumer() -> None:
    uow = FakeUnitOfWork()
    event = _event("x")
    assert await uow.claim(event, "casework")
    assert not await uow.claim(event, "casework")
    assert await uow.claim(event, "feedback")


def test_the_session_is_out_of_reach() -> None:
    with pytest.raises(AssertionError, match="repository"):
        _ = FakeUnitOfWork().session


def _event(kind: str) -> CloudEvent:
    return CloudEvent(type=kind, source="/test", subject="g-1", data={})
