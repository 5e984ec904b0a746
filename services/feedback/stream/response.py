"""One SSE connection: replay from the table after Last-Event-ID, then live notices, keep-alives.

The stream keeps ``sent``, the last sequence number written to the client. It registers with the
hub before its first read, so an entry committed after that read is always announced to it; an
entry is written only as ``sent + 1``, and anything else (a gap, a notice without the entry, a
catch-up request) is read from the table as ``seq > sent``. Entries of one grievance commit in
sequence order, so this gives every event exactly once, in order, across reconnects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from prometheus_client import Counter
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.hub import Subscription
from services.feedback.stream.sse import comment_frame, event_frame, retry_frame
from shared.logging import get_logger

log = get_logger(__name__)

EVENTS_SENT = Counter("sse_events_sent_total", "Timeline events written to SSE streams.", ["via"])
STATUS_EVENT = "status"
READ_BATCH = 500

EntryReader = Callable[[int], Awaitable[list[TimelineEntryRead]]]


class StatusStream:
    def __init__(
        self,
        *,
        subscription: Subscription,
        read_after: EntryReader,
        after_seq: int,
        keepalive_s: float,
        retry_ms: int,
        on_end: Callable[[Subscription], None],
        replay: list[TimelineEntryRead] | None = None,
    ) -> None:
        self._subscription = subscription
        self._read_after = read_after
        # Entries after ``after_seq`` already read (after subscribing) by the caller, if any.
        self._replay = replay
        self.sent = after_seq
        self._keepalive_s = keepalive_s
        self._retry_ms = retry_ms
        self._on_end = on_end

    def close(self, reason: str) -> None:
        self._subscription.close(reason)

    def release(self) -> None:
        """Leave the hub (idempotent): also when the response ends before the first frame."""
        self._on_end(self._subscription)

    async def frames(self) -> AsyncGenerator[bytes, None]:
        try:
            yield retry_frame(self._retry_ms)
            if self._replay is not None:
                for entry in self._replay:
                    yield self._table_frame(entry)
            if self._replay is None or len(self._replay) >= READ_BATCH:
                async for frame in self._catch_up():
                    yield frame
            while not self._subscription.closed:
                items = self._subscription.take()
                if not items:
                    if not await self._subscription.wait(self._keepalive_s):
                        yield comment_frame("keep-alive")
                    continue
                for item in items:
                    if item is None:  # CATCH_UP: the hub may have missed notices
                        async for frame in self._catch_up():
                            yield frame
                    elif item.seq <= self.sent:
                        continue  # already written (replayed, or announced twice)
                    elif item.seq == self.sent + 1 and item.data is not None:
                        EVENTS_SENT.labels("notice").inc()
                        self.sent = item.seq
                        yield event_frame(event_id=item.seq, event=STATUS_EVENT, data=item.data)
                    else:  # a gap, or an entry too large for the notice: the table has it
                        async for frame in self._catch_up():
                            yield frame
        finally:
            self.release()

    async def _catch_up(self) -> AsyncIterator[bytes]:
        while True:
            entries = await self._read_after(self.sent)
            for entry in entries:
                yield self._table_frame(entry)
            if len(entries) < READ_BATCH:
                return

    def _table_frame(self, entry: TimelineEntryRead) -> bytes:
        EVENTS_SENT.labels("table").inc()
        self.sent = entry.sequence
        return event_frame(event_id=entry.sequence, event=STATUS_EVENT, data=entry.model_dump_json())


class EventStreamResponse(StreamingResponse):
    """text/event-stream with a send timeout: a client that stops reading is cut off instead of
    pinning the connection, and the browser resumes from Last-Event-ID when it can."""

    # FastAPI documents a route's success status from this parameter's default, so it must exist.
    def __init__(self, stream: StatusStream, *, send_timeout_s: float, status_code: int = 200) -> None:
        self._frames = stream.frames()
        super().__init__(
            self._frames,
            status_code=status_code,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"},
        )
        self._stream = stream
        self._send_timeout_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher = asyncio.create_task(self._watch_disconnect(receive))
        frames = self._frames
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for frame in frames:
                await self._send_body(send, frame, more_body=True)
            await self._send_body(send, b"", more_body=False)
        except TimeoutError:
            # The server returns with the response unfinished, so the connection is closed.
            log.warning("slow SSE client dropped", send_timeout_s=self._send_timeout_s)
            self._stream.close("send_timeout")
        finally:
            watcher.cancel()
            await frames.aclose()
            self._stream.release()

    async def _send_body(self, send: Send, body: bytes, *, more_body: bool) -> None:
        message: Message = {"type": "http.response.body", "body": body, "more_body": more_body}
        async with asyncio.timeout(self._send_timeout_s):
            await send(message)

    async def _watch_disconnect(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self._stream.close("client_gone")
                return
