"""The fan-out hub and one stream's exactly-once logic, with the timeline as a plain list."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from prometheus_client import REGISTRY

from services.feedback.api.events import Opened, _once_known
from services.feedback.domain.grievance import GrievanceNotFound
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.hub import CATCH_UP, StreamRefused, Subscription, TimelineHub
from services.feedback.stream.notices import KnownNotice, TimelineNotice, encode_known
from services.feedback.stream.response import StatusStream
from services.feedback.stream.sse import ServerSentEvent, SseDecoder
from tests.unit.feedback.entries import entry


def hub(**limits: int) -> TimelineHub:
    options = {"queue_size": 4, "max_streams": 100, "max_streams_per_grievance": 3} | limits
    return TimelineHub(dsn="postgresql://unused", channel="feedback_timeline", **options)


def notice(seq: int, *, with_data: bool = True) -> TimelineNotice:
    return TimelineNotice("g-1", seq, entry(seq).model_dump_json() if with_data else None)


def test_a_notice_reaches_only_that_grievances_subscribers() -> None:
    h = hub()
    mine, other = h.subscribe("g-1"), h.subscribe("g-2")
    h.deliver(notice(1))
    assert mine.take() == [notice(1)]
    assert other.take() == []


def test_a_full_queue_drops_the_slow_client() -> None:
    h = hub(queue_size=2)
    slow = h.subscribe("g-1")
    for seq in (1, 2, 3):
        h.deliver(notice(seq))
    assert slow.closed_reason == "slow_client"
    h.unsubscribe(slow)
    assert h.open_streams == 0


def test_stream_limits_per_process_and_per_grievance() -> None:
    h = hub(max_streams=3, max_streams_per_grievance=2)
    h.subscribe("g-1")
    h.subscribe("g-1")
    with pytest.raises(StreamRefused):
        h.subscribe("g-1")
    h.subscribe("g-2")
    with pytest.raises(StreamRefused):
        h.subscribe("g-3")


async def test_a_request_waiting_for_its_number_wakes_on_that_numbers_known_notice() -> None:
    h = hub()
    mine, other = h.expect("GM-20261207-000001"), h.expect("GM-20261207-000002")
    assert h.waiting_requests == 2
    assert REGISTRY.get_sample_value("sse_requests_waiting") == 2
    h._on_notify(None, 0, "feedback_timeline", encode_known("GM-20261207-000001"))
    assert await mine.wait(1.0) is True
    assert await other.wait(0.05) is False
    for waiter in (mine, other, mine):  # forgetting twice is harmless
        h.forget(waiter)
    assert h.waiting_requests == 0
    assert REGISTRY.get_sample_value("sse_requests_waiting") == 0


async def test_waiting_requests_look_again_after_a_reconnect_and_at_shutdown() -> None:
    h = hub()
    before_reconnect = h.expect("GM-20261207-000001")
    h.catch_up_all()  # the listener reconnected: a known notice may have been lost
    assert await before_reconnect.wait(1.0) is True
    before_stop = h.expect("GM-20261207-000002")
    h.stop()
    assert await before_stop.wait(1.0) is True
    with pytest.raises(StreamRefused):
        h.expect("GM-20261207-000003")


async def test_a_held_request_looks_again_at_each_wake_until_its_number_opens() -> None:
    h = hub()
    looks = 0

    async def subscribed() -> Opened:
        nonlocal looks
        looks += 1
        if looks < 3:
            raise GrievanceNotFound("GM-20261207-000001")
        return Opened("g-1", 0, h.subscribe("g-1"), [])

    held = asyncio.create_task(_once_known(h, "GM-20261207-000001", 10.0, subscribed))
    await until(lambda: looks == 1)  # the look after the waiter is in place
    h.catch_up_all()  # a listener reconnect: another look, still unknown, still held
    await until(lambda: looks == 2)
    await asyncio.sleep(0.05)
    assert not held.done()
    h.known(KnownNotice("GM-20261207-000001"))
    opened = await asyncio.wait_for(held, 1.0)
    assert (opened.grievance_id, looks, h.waiting_requests, h.open_streams) == ("g-1", 3, 0, 1)


async def test_a_held_request_whose_number_never_opens_is_refused_after_the_hold() -> None:
    h = hub()

    async def subscribed() -> Opened:
        raise GrievanceNotFound("GM-20261207-000001")

    began = asyncio.get_running_loop().time()
    with pytest.raises(GrievanceNotFound):
        await _once_known(h, "GM-20261207-000001", 0.2, subscribed)
    assert asyncio.get_running_loop().time() - began >= 0.2
    assert h.waiting_requests == 0


async def test_a_held_request_is_answered_at_once_when_the_hub_stops() -> None:
    h = hub()

    async def subscribed() -> Opened:
        raise GrievanceNotFound("GM-20261207-000001")

    held = asyncio.create_task(_once_known(h, "GM-20261207-000001", 10.0, subscribed))
    await until(lambda: h.waiting_requests == 1)
    h.stop()
    with pytest.raises(GrievanceNotFound):
        await asyncio.wait_for(held, 1.0)
    assert h.waiting_requests == 0


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(2.0):
        while not condition():
            await asyncio.sleep(0.005)


def test_waiting_requests_count_against_the_stream_limits() -> None:
    h = hub(max_streams=3, max_streams_per_grievance=2)
    h.subscribe("g-1")
    first = h.expect("GM-20261207-000001")
    h.expect("GM-20261207-000001")
    with pytest.raises(StreamRefused):  # two wait for this number already
        h.expect("GM-20261207-000001")
    with pytest.raises(StreamRefused):  # one stream and two waiting: the process is full
        h.subscribe("g-2")
    h.forget(first)
    h.subscribe("g-2")


def test_stopping_the_hub_ends_every_stream() -> None:
    h = hub()
    subscriptions = [h.subscribe("g-1"), h.subscribe("g-2")]
    h.stop()
    assert [s.closed_reason for s in subscriptions] == ["shutdown", "shutdown"]
    with pytest.raises(StreamRefused):
        h.subscribe("g-3")


class Timeline:
    """The table: entries are appended in sequence order, as commits make them visible."""

    def __init__(self, count: int) -> None:
        self.entries = [entry(seq) for seq in range(1, count + 1)]
        self.reads = 0

    def append(self) -> TimelineNotice:
        self.entries.append(entry(len(self.entries) + 1))
        return notice(len(self.entries))

    async def read_after(self, seq: int) -> list[TimelineEntryRead]:
        self.reads += 1
        return [e for e in self.entries if e.sequence > seq]


async def collect(stream: StatusStream, subscription: Subscription, until_seq: int) -> list[ServerSentEvent]:
    decoder, events = SseDecoder(), list[ServerSentEvent]()
    frames = stream.frames()
    async with asyncio.timeout(5):
        async for frame in frames:
            events.extend(e for e in decoder.feed(frame) if isinstance(e, ServerSentEvent))
            if events and events[-1].id == str(until_seq):
                subscription.close("test_done")
    return events


async def test_replay_then_live_without_gaps_or_duplicates() -> None:
    h, table = hub(queue_size=50), Timeline(3)
    subscription = h.subscribe("g-1")
    ended: list[Subscription] = []
    stream = StatusStream(
        subscription=subscription,
        read_after=table.read_after,
        after_seq=1,
        keepalive_s=5,
        retry_ms=1000,
        on_end=ended.append,
    )
    # Announced before the replay read, and again after it: must not be written twice.
    h.deliver(notice(2))
    h.deliver(notice(3))
    fourth = table.append()
    h.deliver(fourth)
    h.deliver(fourth)
    # Entry 6 is announced before 5 (lost notice): the stream reads 5 and 6 from the table.
    table.append()
    h.deliver(table.append())
    # Too large for NOTIFY: announced without data, read from the table.
    h.deliver(TimelineNotice("g-1", len(table.entries) + 1, None))
    table.append()
    events = await collect(stream, subscription, until_seq=7)
    assert [e.id for e in events] == ["2", "3", "4", "5", "6", "7"]
    assert [json.loads(e.data)["message_zh"] for e in events][-1] == "第 7 条"
    assert ended == [subscription]


async def test_catch_up_after_the_listener_reconnects() -> None:
    h, table = hub(), Timeline(1)
    subscription = h.subscribe("g-1")
    stream = StatusStream(
        subscription=subscription,
        read_after=table.read_after,
        after_seq=0,
        keepalive_s=5,
        retry_ms=1000,
        on_end=h.unsubscribe,
    )
    table.append()  # committed while the hub was not listening: no notice at all
    h.catch_up_all()
    events = await collect(stream, subscription, until_seq=2)
    assert [e.id for e in events] == ["1", "2"]
    assert CATCH_UP is None
    assert h.open_streams == 0


async def test_an_idle_stream_sends_keep_alives() -> None:
    h = hub()
    subscription = h.subscribe("g-1")
    stream = StatusStream(
        subscription=subscription,
        read_after=Timeline(0).read_after,
        after_seq=0,
        keepalive_s=0.05,
        retry_ms=1000,
        on_end=h.unsubscribe,
    )
    frames = stream.frames()
    assert await anext(frames) == b"retry: 1000\n\n"
    assert await anext(frames) == b": keep-alive\n\n"
    await frames.aclose()
    assert h.open_streams == 0


async def test_entries_read_by_the_endpoint_are_written_before_live_notices() -> None:
    h, table = hub(), Timeline(3)
    subscription = h.subscribe("g-1")
    stream = StatusStream(
        subscription=subscription,
        read_after=table.read_after,
        after_seq=1,
        replay=table.entries[1:],
        keepalive_s=5,
        retry_ms=1000,
        on_end=h.unsubscribe,
    )
    h.deliver(notice(3))  # committed before the endpoint's read, announced after it
    h.deliver(table.append())
    events = await collect(stream, subscription, until_seq=4)
    assert [e.id for e in events] == ["2", "3", "4"]
    assert table.reads == 0  # the endpoint's read and the notices were enough
