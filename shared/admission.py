"""Admission control: a bound on the HTTP requests one process works on at once (load shedding).

Past the bound a request is answered at once with 503 problem+json and ``Retry-After``, before its
body is read or any dependency runs, so nothing of it is stored: under overload a fast refusal the
client can repeat later beats a request that waits in the connection pool's queue until it times
out (30 s) and fails anyway. Health, readiness and metrics endpoints and Server-Sent Events streams
are neither counted nor refused: probes must see the process alive while it sheds load, and a
stream stays open as long as its citizen watches, which says nothing about the load.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from fastapi.routing import RouteContext, iter_route_contexts
from prometheus_client import Counter, Gauge
from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.logging import get_logger
from shared.problems import PROBLEM_JSON, TYPE_BASE, problem_title
from shared.settings import ServiceSettings

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
EVENT_STREAM = "text/event-stream"
OVERLOADED_DETAIL = "当前请求过多，系统暂时无法处理，请稍后重试。"
# Refusals less than this far apart make one burst: a warning at its start, a line at its end.
BURST_GAP_S = 10.0

HTTP_IN_FLIGHT = Gauge(
    "http_requests_in_flight",
    "HTTP requests being handled, as counted against http_max_in_flight (health, metrics, SSE excluded).",
)
HTTP_SHED = Counter(
    "http_requests_shed_total", "HTTP requests refused with 503 because http_max_in_flight were in flight."
)

log = get_logger(__name__)


def stream_routes(app: Starlette) -> list[RouteContext]:
    """The app's Server-Sent Events routes: their response class or their documented answer is
    text/event-stream (feedback's ``/v1/grievances/{tracking_no}/events``). Routers included in
    the app are looked into, with their prefixes."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        media_type = getattr(getattr(route, "response_class", None), "media_type", None)
        responses: dict[Any, dict[str, Any]] = getattr(route, "responses", None) or {}
        documented = any(EVENT_STREAM in (answer.get("content") or {}) for answer in responses.values())
        if media_type == EVENT_STREAM or documented:
            found.append(context)
    return found


def _setting(owner: Starlette, name: str) -> Any:
    """The service's own setting (``app.state.settings``, set by its factory), else the default."""
    settings = getattr(owner.state, "settings", None)
    return getattr(settings, name, ServiceSettings.model_fields[name].default)


class AdmissionControl:
    """Refuse a request with 503 + Retry-After at once while ``max_in_flight`` are being handled.

    Built when the server starts (Starlette builds its middleware stack on the first ASGI call),
    after the service's factory has set ``app.state.settings``: the bound and the Retry-After are
    that service's ``http_max_in_flight`` and ``http_shed_retry_after_s`` unless given here.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        owner: Starlette,
        max_in_flight: int | None = None,
        retry_after_s: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_in_flight: int = max_in_flight if max_in_flight is not None else _setting(owner, "http_max_in_flight")
        self.retry_after_s: int = (
            retry_after_s if retry_after_s is not None else _setting(owner, "http_shed_retry_after_s")
        )
        self.in_flight = 0
        self._streams = stream_routes(owner)
        self._clock = clock
        self._burst_started: float | None = None
        self._burst_refused = 0
        self._last_refusal = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        if 0 < self.max_in_flight <= self.in_flight:
            await self._refuse(scope, send)
            return
        # No await between the check and the count: one event loop admits one request at a time.
        self.in_flight += 1
        HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            HTTP_IN_FLIGHT.dec()
            if self._burst_started is not None:
                self._end_burst_if_quiet()

    def exempt(self, scope: Scope) -> bool:
        """Probes, metrics and SSE streams: never counted, never refused."""
        if scope["path"] in EXEMPT_PATHS:
            return True
        return any(route.matches(scope)[0] is Match.FULL for route in self._streams)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        self._note_refusal()
        # Built by hand, as the body limit's 413: this runs before FastAPI's exception handlers.
        body = json.dumps(
            {
                "type": f"{TYPE_BASE}overloaded",
                "title": problem_title(503),
                "status": 503,
                "detail": OVERLOADED_DETAIL,
                "instance": scope["path"],
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after_s).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _note_refusal(self) -> None:
        HTTP_SHED.inc()
        now = self._clock()
        if self._burst_started is not None and now - self._last_refusal >= BURST_GAP_S:
            self._end_burst()
        if self._burst_started is None:
            self._burst_started, self._burst_refused = now, 0
            log.warning(
                "shedding load: too many requests in flight",
                max_in_flight=self.max_in_flight,
                retry_after_s=self.retry_after_s,
            )
        self._burst_refused += 1
        self._last_refusal = now

    def _end_burst_if_quiet(self) -> None:
        if self._clock() - self._last_refusal >= BURST_GAP_S:
            self._end_burst()

    def _end_burst(self) -> None:
        started = self._burst_started or self._last_refusal
        log.info(
            "load shedding ended",
            refused=self._burst_refused,
            lasted_s=round(self._last_refusal - started, 1),
        )
        self._burst_started = None
