"""The FastAPI base every service builds on: problem details, body limit, admission control,
correlation ids, request metrics, /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.admission import AdmissionControl
from shared.db.uow import UnitOfWork
from shared.logging import correlation_scope
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS, metrics_endpoint
from shared.problem_openapi import install_problem_openapi
from shared.problems import PROBLEM_JSON, install_problem_handlers
from shared.text import ControlCharacterGuard

ReadinessCheck = Callable[[], Awaitable[None]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
CORRELATION_HEADER = b"x-correlation-id"
# Paging and sequence parameters are bounded so a huge number is a 422, not a database overflow.
MAX_OFFSET = 100_000
MAX_SEQUENCE = 2**31 - 1
# Issued documents are self-contained HTML (inline <style>, no scripts, images or fonts): a text
# smuggled into one can then neither run, load, submit nor be framed by another site.
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DOCUMENT_HEADERS = {"Content-Security-Policy": DOCUMENT_CSP, "X-Content-Type-Options": "nosniff"}


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413 before the route reads them, declared or not."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        if declared is None:
            # A chunked body of unknown length is read here, up to the limit, before the app runs:
            # an error raised from inside the app's receive() would reach FastAPI's body parser,
            # which turns every read failure into a 400.
            buffered = await self._read_within_limit(receive)
            if buffered is None:
                await self._refuse(scope, send)
                return
            receive = _replay(buffered, receive)
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._refuse(scope, send)

    async def _read_within_limit(self, receive: Receive) -> list[Message] | None:
        """The request's messages up to the end of its body; None once it passes the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages  # the client went away: the app sees the disconnect
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = (
            '{"type":"about:blank","title":"Request body too large","status":413,'
            f'"detail":"请求内容超过 {self.max_bytes} 字节的上限。","instance":"{scope["path"]}"}}'
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive() that hands out already-read messages first, then reads on."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class CorrelationAndMetrics:
    """Bind the caller's X-Correlation-ID (or a new one) to logs and events; time each route."""

    def __init__(self, app: ASGIApp, *, router_app: FastAPI) -> None:
        self.app = app
        self.router_app = router_app
        # The metric series of each (method, route, status), looked up once rather than per request.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER)
        # Routing adds to the scope; the route is told from the request as it came in.
        arrived = dict(scope)
        status = 500
        started = time.perf_counter()
        with correlation_scope(incoming.decode(errors="replace")[:64] if incoming else None) as cid:

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (CORRELATION_HEADER, cid.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = self._route_template(arrived, scope.get("route"))
                if route != "/metrics":
                    requests, latency = self._series_of(scope["method"], route, str(status))
                    requests.inc()
                    latency.observe(time.perf_counter() - started)

    def _route_template(self, arrived: Scope, routed: Any) -> str:
        # The router records the route it chose: checking that one is enough (a partial match,
        # e.g. a 405, does not name the route, as before).
        if routed is not None and routed.matches(arrived)[0] is Match.FULL:
            return str(getattr(routed, "path", arrived["path"]))
        for route in self.router_app.router.routes:
            match, _ = route.matches(arrived)
            if match is Match.FULL:
                return str(getattr(route, "path", arrived["path"]))
        return "unmatched"

    def _series_of(self, method: str, route: str, status: str) -> tuple[Any, Any]:
        series = self._series.get((method, route, status))
        if series is None:
            series = (HTTP_REQUESTS.labels(method, route, status), HTTP_LATENCY.labels(method, route))
            self._series[(method, route, status)] = series
        return series


class Readiness:
    """Named checks that must all pass for /readyz (DB reachable, Kafka reachable, ...)."""

    def __init__(self) -> None:
        self.checks: dict[str, ReadinessCheck] = {}

    def add(self, name: str, check: ReadinessCheck) -> None:
        self.checks[name] = check

    async def run(self, timeout_s: float = 3.0) -> dict[str, str]:
        async def one(check: ReadinessCheck) -> str:
            try:
                await asyncio.wait_for(check(), timeout_s)
                return "ok"
            except Exception as exc:
                return f"failed: {type(exc).__name__}: {exc}"[:300]

        names = list(self.checks)
        results = await asyncio.gather(*(one(self.checks[n]) for n in names))
        return dict(zip(names, results, strict=True))


def create_service_app(
    *,
    title: str,
    version: str = "1.0.0",
    description: str = "",
    lifespan: Lifespan | None = None,
    max_body_bytes: int = 64 * 1024,
    readiness: Readiness | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    app = FastAPI(title=title, version=version, description=description, lifespan=lifespan, **fastapi_kwargs)
    install_problem_handlers(app)
    install_problem_openapi(app)
    app.state.readiness = readiness or Readiness()

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Dependencies (database, Kafka) are reachable",
        responses={503: {"description": "Not ready: the failed checks", "content": {"application/json": {}}}},
    )
    async def readyz() -> JSONResponse:
        results = await app.state.readiness.run()
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results}, status_code=200 if ready else 503
        )

    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(ControlCharacterGuard)
    # Outside the body limit, which reads a chunked body before the app runs: a request over the
    # bound is refused unread. Inside the metrics, so refusals count as 503s of their route.
    app.add_middleware(AdmissionControl, owner=app)
    app.add_middleware(CorrelationAndMetrics, router_app=app)
    return app


async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


async def unit_of_work(request: Request) -> UnitOfWork:
    """FastAPI dependency: a fresh unit of work of the app's service schema (not yet begun)."""
    uow: UnitOfWork = request.app.state.infra.uow()
    return uow


def document_html(html: str, *, headers: dict[str, str] | None = None) -> HTMLResponse:
    """An issued document as HTML, locked down by DOCUMENT_HEADERS."""
    return HTMLResponse(html, headers={**DOCUMENT_HEADERS, **(headers or {})})


def rate_limit(name: str) -> Any:
    """FastAPI dependency applying the app's named limit (``app.state.rate_limits[name]``)."""

    async def dependency(request: Request) -> None:
        await request.app.state.rate_limits[name](request)

    return Depends(dependency)
