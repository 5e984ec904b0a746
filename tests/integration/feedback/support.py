"""Helpers for feedback's integration tests: events to publish, in-process parts, an SSE reader."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.feedback.stream.sse import Comment, ServerSentEvent, SseDecoder
from shared.events.contracts import ComplainantView, GrievanceReceived, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Channel, Status
from shared.pii import token_hash
from shared.runtime import Part
from tests.support.kafka import connection, end_offsets


def new_received(
    *, token: str, channel: Channel = Channel.portal, external_ref: str | None = None
) -> GrievanceReceived:
    grievance_id = str(uuid.uuid4())
    return GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=f"GM-TEST-{grievance_id[:8]}",
        tracking_token_hash=token_hash(token),
        channel=channel,
        received_at=datetime.now(UTC),
        title="小区门口路灯不亮",
        content="小区门口的路灯已经坏了两个星期，晚上很不安全。",
        complainant=ComplainantView(name_masked="张*"),
        external_ref=external_ref,
    )


def received_event(received: GrievanceReceived) -> CloudEvent:
    return CloudEvent(
        type=received.event_type,
        source="/grievance-platform/intake",
        subject=received.grievance_id,
        data=received.model_dump(mode="json"),
    )


def status_event(
    received: GrievanceReceived,
    status: Status,
    *,
    message_zh: str | None = None,
    occurred_at: datetime | None = None,
    source: str = "/grievance-platform/casework",
    detail: dict[str, Any] | None = None,
) -> CloudEvent:
    payload = GrievanceStatusChanged(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        status=status,
        stage="casework",
        message_zh=message_zh or f"状态：{status.value}",
        detail=detail or {},
        actor="光明区住房和建设局",
        occurred_at=occurred_at or datetime.now(UTC),
    )
    return CloudEvent(
        type=payload.event_type, source=source, subject=received.grievance_id, data=payload.model_dump(mode="json")
    )


@contextlib.asynccontextmanager
async def running(parts: Sequence[Part]) -> AsyncIterator[None]:
    """Run process parts (API, consumer, relay) as tasks of the test's loop; stop them after."""
    tasks = [asyncio.create_task(part.run()) for part in parts]
    try:
        await asyncio.sleep(0)
        yield
    finally:
        for part in parts:
            result = part.stop()
            if asyncio.iscoroutine(result):
                await result
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
        failures = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
        assert not failures, f"a part failed: {failures!r}"


async def wait_until(check: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def wait_ready(base_url: str, timeout: float = 20.0) -> None:
    async with httpx.AsyncClient() as client:

        async def ready() -> bool:
            try:
                return (await client.get(f"{base_url}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_until(ready, timeout=timeout, what=f"{base_url} ready")


class SseReader:
    """One SSE connection read like a browser's EventSource would, with explicit waits."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> None:
        self._client = client
        self._url = url
        self._headers = headers or {}
        self._decoder = SseDecoder()
        self.events: list[ServerSentEvent] = []
        self.comments: list[Comment] = []
        self.status_code: int | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> SseReader:
        response = await self._stack.enter_async_context(
            self._client.stream("GET", self._url, headers=self._headers, timeout=httpx.Timeout(30, read=None))
        )
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self._chunks = response.aiter_bytes()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def read_until(self, done: Callable[[SseReader], bool], *, timeout: float = 15.0) -> None:
        assert self._chunks is not None
        async with asyncio.timeout(timeout):
            while not done(self):
                chunk = await anext(self._chunks)
                for item in self._decoder.feed(chunk):
                    (self.events if isinstance(item, ServerSentEvent) else self.comments).append(item)  # type: ignore[arg-type]

    async def read_events(self, count: int, *, timeout: float = 15.0) -> list[ServerSentEvent]:
        await self.read_until(lambda r: len(r.events) >= count, timeout=timeout)
        return self.events

    async def settle(self, seconds: float) -> None:
        """Keep reading a while to catch events that should not come."""
        with contextlib.suppress(TimeoutError):
            await self.read_until(lambda _r: False, timeout=seconds)


async def wait_group_caught_up(bootstrap: str, group_id: str, topics: Sequence[str], *, timeout: float = 20.0) -> None:
    """Wait until the consumer group has committed the end offset of every partition of
    ``topics``: everything on them, duplicates included, has been consumed."""
    ends = {
        TopicPartition(topic, partition): end
        for topic in topics
        for partition, end in (await end_offsets(bootstrap, topic)).items()
    }
    partitions = list(ends)
    # One client for all the polling: every client start reads the whole broker's metadata.
    consumer = AIOKafkaConsumer(**connection(bootstrap), group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:

        async def caught_up() -> bool:
            for tp in partitions:
                if ends[tp] and (await consumer.committed(tp) or 0) < ends[tp]:
                    return False
            return True

        await wait_until(caught_up, timeout=timeout, what=f"group {group_id} at the end of {list(topics)}")
    finally:
        await consumer.stop()
