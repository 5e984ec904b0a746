"""The text/event-stream wire format (WHATWG HTML §9.2): frames out, and a decoder for clients
(tests, the benchmark) that reads a stream exactly as a browser's EventSource would."""

from __future__ import annotations

from dataclasses import dataclass


def event_frame(*, event_id: int, event: str, data: str) -> bytes:
    lines = [f"id: {event_id}", f"event: {event}"]
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def comment_frame(text: str) -> bytes:
    """A line the client ignores; keeps proxies and NAT tables from closing an idle stream."""
    return f": {text}\n\n".encode()


def retry_frame(milliseconds: int) -> bytes:
    """How long the browser waits before reconnecting (with Last-Event-ID) after a drop."""
    return f"retry: {milliseconds}\n\n".encode()


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None


@dataclass(frozen=True, slots=True)
class Comment:
    text: str


class SseDecoder:
    """Incremental decoder: feed bytes as they arrive, get the complete events and comments."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent | Comment]:
        self._buffer += chunk
        out: list[ServerSentEvent | Comment] = []
        while True:
            line, sep, rest = self._buffer.partition(b"\n")
            if not sep:
                return out
            self._buffer = rest
            item = self._line(line.rstrip(b"\r").decode())
            if item is not None:
                out.append(item)

    def _line(self, line: str) -> ServerSentEvent | Comment | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return Comment(line[1:].strip())
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        if not self._data:
            self._event, self._id = "", None
            return None
        event = ServerSentEvent(event=self._event or "message", data="\n".join(self._data), id=self._id)
        self._event, self._data, self._id = "", [], None
        return event
