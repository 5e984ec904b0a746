"""One LISTEN connection per API process, fanning timeline notices out to that process's streams.

Every process hears every NOTIFY, whichever process's consumer wrote the row, so any number of
API processes can serve streams. A notice is only a hint with a convenient copy of the entry:
the streams' source of truth is the timeline table, read by sequence number, so a lost notice
(listener reconnecting) costs a database read, never an event. After every (re)connect the hub
tells all streams to catch up from the table.

A stream asked for before the grievance is known waits here for the grievance's "known" notice
(``expect``), by tracking number, the one thing the request names; the endpoint then looks again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any, Generic, TypeVar

from prometheus_client import Counter, Gauge

from services.feedback.stream.notices import KnownNotice, TimelineNotice, decode_notice
from shared.logging import get_logger

log = get_logger(__name__)

STREAMS_OPEN = Gauge("sse_streams_open", "SSE streams open in this process.")
STREAMS_CLOSED = Counter("sse_streams_closed_total", "SSE streams ended, by reason.", ["reason"])
NOTICES_RECEIVED = Counter("sse_notices_total", "Timeline NOTIFYs heard by this process.")
REQUESTS_WAITING = Gauge(
    "sse_requests_waiting", "Stream requests held in this process until their grievance reaches feedback."
)

T = TypeVar("T")
CATCH_UP = None  # queued instead of a notice: "read the table from your last sequence number"
QueueItem = TimelineNotice | None


async def _set_within(event: asyncio.Event, timeout_s: float) -> bool:
    """True when ``event`` is set within ``timeout_s``."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True


class StreamRefused(Exception):
    """No room for another stream (process or grievance limit); the client should retry later."""


class Subscription:
    """The bounded queue between the hub and one SSE connection."""

    __slots__ = ("_items", "_limit", "_wake", "closed_reason", "grievance_id")

    def __init__(self, grievance_id: str, limit: int) -> None:
        self.grievance_id = grievance_id
        self._items: deque[QueueItem] = deque()
        self._limit = limit
        self._wake = asyncio.Event()
        self.closed_reason: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_reason is not None

    def offer(self, item: QueueItem) -> None:
        """Queue an item; a client this far behind is dropped (it resumes with Last-Event-ID)."""
        if self.closed:
            return
        if len(self._items) >= self._limit:
            self.close("slow_client")
            return
        self._items.append(item)
        self._wake.set()

    def take(self) -> list[QueueItem]:
        items = list(self._items)
        self._items.clear()
        return items

    async def wait(self, timeout_s: float) -> bool:
        """True when woken (items or closed), False when the timeout passed first."""
        if not await _set_within(self._wake, timeout_s):
            return False
        self._wake.clear()
        return True

    def close(self, reason: str) -> None:
        if self.closed_reason is None:
            self.closed_reason = reason
            self._wake.set()


class KnownWaiter:
    """One request waiting for its grievance to become known."""

    __slots__ = ("_known", "tracking_no")

    def __init__(self, tracking_no: str) -> None:
        self.tracking_no = tracking_no
        self._known = asyncio.Event()

    def wake(self) -> None:
        self._known.set()

    async def wait(self, timeout_s: float) -> bool:
        """True when woken (the grievance is known, or the table is worth another look) since the
        last wait that returned True; False when the timeout passed first."""
        if not await _set_within(self._known, timeout_s):
            return False
        self._known.clear()
        return True


class _Registry(Generic[T]):
    """Items by key with their total: the hub's streams by grievance id, its waiting requests by
    tracking number."""

    def __init__(self) -> None:
        self._by_key: dict[str, set[T]] = {}
        self.count = 0

    def add(self, key: str, item: T, *, per_key: int) -> None:
        items = self._by_key.setdefault(key, set())
        if len(items) >= per_key:
            raise StreamRefused("grievance stream limit")
        items.add(item)
        self.count += 1

    def discard(self, key: str, item: T) -> bool:
        """True if ``item`` was there (and is gone now)."""
        items = self._by_key.get(key)
        if items is None or item not in items:
            return False
        items.discard(item)
        if not items:
            del self._by_key[key]
        self.count -= 1
        return True

    def of(self, key: str) -> tuple[T, ...]:
        return tuple(self._by_key.get(key, ()))

    def every(self) -> list[T]:
        return [item for items in self._by_key.values() for item in items]


class TimelineHub:
    def __init__(
        self,
        *,
        dsn: str,
        channel: str,
        queue_size: int,
        max_streams: int,
        max_streams_per_grievance: int,
        reconnect_s: float = 1.0,
        health_check_s: float = 10.0,
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._queue_size = queue_size
        self._max_streams = max_streams
        self._max_per_grievance = max_streams_per_grievance
        self._reconnect_s = reconnect_s
        self._health_check_s = health_check_s
        self._streams: _Registry[Subscription] = _Registry()
        self._waiting: _Registry[KnownWaiter] = _Registry()
        self._stopping = asyncio.Event()
        self.listening = asyncio.Event()

    @property
    def open_streams(self) -> int:
        return self._streams.count

    @property
    def waiting_requests(self) -> int:
        return self._waiting.count

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def subscribe(self, grievance_id: str) -> Subscription:
        self._refuse_when_full()
        subscription = Subscription(grievance_id, self._queue_size)
        self._streams.add(grievance_id, subscription, per_key=self._max_per_grievance)
        STREAMS_OPEN.set(self._streams.count)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if self._streams.discard(subscription.grievance_id, subscription):
            STREAMS_OPEN.set(self._streams.count)
            STREAMS_CLOSED.labels(subscription.closed_reason or "client_closed").inc()

    def expect(self, tracking_no: str) -> KnownWaiter:
        """Wait for ``tracking_no`` to become known. A waiting request holds a connection as a
        stream does, so both count against the process's stream limits."""
        self._refuse_when_full()
        waiter = KnownWaiter(tracking_no)
        self._waiting.add(tracking_no, waiter, per_key=self._max_per_grievance)
        REQUESTS_WAITING.set(self._waiting.count)
        return waiter

    def forget(self, waiter: KnownWaiter) -> None:
        if self._waiting.discard(waiter.tracking_no, waiter):
            REQUESTS_WAITING.set(self._waiting.count)

    def _refuse_when_full(self) -> None:
        if self._stopping.is_set() or self._streams.count + self._waiting.count >= self._max_streams:
            raise StreamRefused("process stream limit")

    def known(self, notice: KnownNotice) -> None:
        for waiter in self._waiting.of(notice.tracking_no):
            waiter.wake()

    def deliver(self, notice: TimelineNotice) -> None:
        for subscription in self._streams.of(notice.grievance_id):
            subscription.offer(notice)

    def catch_up_all(self) -> None:
        for subscription in self._streams.every():
            subscription.offer(CATCH_UP)
        # A "known" notice may have been missed too: every waiting request looks again.
        self._wake_all_waiting()

    def _wake_all_waiting(self) -> None:
        for waiter in self._waiting.every():
            waiter.wake()

    async def run(self) -> None:
        """LISTEN until stopped, reconnecting after any failure."""
        while not self._stopping.is_set():
            await self._listen_once()
            if not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._reconnect_s):
                        await self._stopping.wait()

    async def _listen_once(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        connection: Any = None
        lost = asyncio.Event()
        try:
            connection = await asyncpg.connect(self._dsn)
            connection.add_termination_listener(lambda _conn: lost.set())
            await connection.add_listener(self._channel, self._on_notify)
            self.listening.set()
            # Anything committed while nobody listened is in the table: every stream re-reads.
            self.catch_up_all()
            log.info("timeline listener connected", channel=self._channel)
            await self._watch(connection, lost)
        except Exception as exc:  # whatever broke the connection, a new one is the remedy
            log.warning("timeline listener lost, reconnecting", error=repr(exc))
        finally:
            self.listening.clear()
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close(timeout=2)

    async def _watch(self, connection: Any, lost: asyncio.Event) -> None:
        """Return when stopping; raise when the connection is gone (a half-open socket included)."""
        while not self._stopping.is_set():
            if lost.is_set():
                raise ConnectionError("listener connection terminated")
            waiters = [asyncio.ensure_future(lost.wait()), asyncio.ensure_future(self._stopping.wait())]
            await asyncio.wait(waiters, timeout=self._health_check_s, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if not self._stopping.is_set() and not lost.is_set():
                await connection.fetchval("SELECT 1", timeout=self._health_check_s)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        NOTICES_RECEIVED.inc()
        notice = decode_notice(payload)
        if isinstance(notice, KnownNotice):
            self.known(notice)
        elif notice is not None:
            self.deliver(notice)

    def stop(self) -> None:
        """Stop listening and end every stream (clients reconnect to another process)."""
        self._stopping.set()
        for subscription in self._streams.every():
            subscription.close("shutdown")
        self._wake_all_waiting()
