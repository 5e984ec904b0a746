"""Admission control (load shedding): past ``http_max_in_flight`` requests in flight a request is
refused at once with 503 problem+json and Retry-After, unread and before any dependency runs;
probes, metrics and SSE streams are never counted nor refused; the count comes back to zero
whatever ends a request. Requests are held in flight by routes that wait on a gate the test opens,
so which request meets a full process is decided by the test, never by timing."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import StreamingResponse
from prometheus_client import REGISTRY
from pydantic import BaseModel
from starlette.types import Message, Scope

from shared.admission import AdmissionControl, stream_routes
from shared.problems import PROBLEM_JSON
from shared.settings import ServiceSettings
from shared.web import create_service_app

BOUND = 2
RETRY_AFTER_S = 3


class Gate:
    """Requests that wait here stay in flight until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = 0
        self.opened = asyncio.Event()
        self._changed = asyncio.Condition()

    async def pass_through(self) -> None:
        async with self._changed:
            self.entered += 1
            self._changed.notify_all()
        await self.opened.wait()

    async def until_entered(self, count: int) -> None:
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(lambda: self.entered >= count)


class Note(BaseModel):
    text: str


class Service:
    """A service app as create_service_app makes it, with routes that can be held in flight."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.gate = Gate()
        self.dependency_runs = 0
        app = create_service_app(title="admission test")
        app.state.settings = settings  # as every service's factory does
        self.app = app

        async def counted() -> None:
            self.dependency_runs += 1

        @app.get("/hold")
        async def hold() -> dict[str, str]:
            await self.gate.pass_through()
            return {"status": "done"}

        @app.post("/notes", status_code=202, dependencies=[Depends(counted)])
        async def add_note(note: Note) -> dict[str, str]:
            return {"text": note.text}

        @app.get("/fail")
        async def fail() -> None:
            raise RuntimeError("a bug")

        @app.get(
            "/stream",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}},
        )
        async def stream() -> StreamingResponse:
            async def frames() -> AsyncIterator[bytes]:
                yield b": open\n\n"
                await self.gate.pass_through()
                yield b"event: status\ndata: {}\n\n"

            return StreamingResponse(frames(), media_type="text/event-stream")

    @property
    def admission(self) -> AdmissionControl:
        """The middleware instance of this app (the stack is built by the first call)."""
        layer: Any = self.app.middleware_stack
        while layer is not None and not isinstance(layer, AdmissionControl):
            layer = getattr(layer, "app", None)
        assert isinstance(layer, AdmissionControl), "create_service_app installs admission control"
        return layer

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://svc", timeout=5)


@pytest.fixture
def service() -> Service:
    return Service(ServiceSettings(http_max_in_flight=BOUND, http_shed_retry_after_s=RETRY_AFTER_S))


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with service.client() as http:
        yield http


@contextlib.asynccontextmanager
async def held(service: Service, client: httpx.AsyncClient, count: int, path: str = "/hold") -> AsyncIterator[None]:
    """``count`` requests to ``path`` in flight (in the route) until the block ends; then they finish."""
    tasks = [asyncio.create_task(client.get(path)) for _ in range(count)]
    try:
        await service.gate.until_entered(service.gate.entered + count)
        yield
    finally:
        service.gate.opened.set()
        answers = await asyncio.gather(*tasks)
    assert [a.status_code for a in answers] == [200] * count


def shed_total() -> float:
    return REGISTRY.get_sample_value("http_requests_shed_total") or 0.0


def in_flight() -> float:
    return REGISTRY.get_sample_value("http_requests_in_flight") or 0.0


def requests_total(route: str, status: str) -> float:
    labels = {"method": "POST", "route": route, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


def assert_overloaded(response: httpx.Response, path: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert response.json() == {
        "type": "tag:guangming-grievance,2026:problem:overloaded",
        "title": "Service unavailable",
        "status": 503,
        "detail": "当前请求过多，系统暂时无法处理，请稍后重试。",
        "instance": path,
    }


async def test_past_the_bound_a_request_is_refused_at_once_and_never_reaches_its_route(
    service: Service, client: httpx.AsyncClient
) -> None:
    shed_before, counted_before = shed_total(), requests_total("/notes", "503")
    async with held(service, client, BOUND):
        assert service.admission.in_flight == BOUND
        in_flight_gauge = in_flight()
        refused = await client.post("/notes", json={"text": "第三个请求"})
        assert_overloaded(refused, "/notes")
        assert service.dependency_runs == 0, "refused before any dependency ran"
        assert shed_total() == shed_before + 1
        # Refusals are 503s of their route in the request metrics too (HighErrorRate sees them).
        assert requests_total("/notes", "503") == counted_before + 1
    assert service.admission.in_flight == 0
    assert in_flight() == in_flight_gauge - BOUND
    accepted = await client.post("/notes", json={"text": "稍后重试"})
    assert accepted.status_code == 202
    assert service.dependency_runs == 1


async def test_up_to_the_bound_every_request_is_admitted(service: Service, client: httpx.AsyncClient) -> None:
    async with held(service, client, BOUND - 1):
        assert (await client.post("/notes", json={"text": "还有空位"})).status_code == 202
    assert service.admission.in_flight == 0


async def test_a_refused_request_body_is_never_read(service: Service, client: httpx.AsyncClient) -> None:
    async with held(service, client, BOUND):
        reads: list[Message] = []
        sent: list[Message] = []

        async def receive() -> Message:
            message: Message = {"type": "http.request", "body": b'{"text": "x"}', "more_body": False}
            reads.append(message)
            return message

        async def send(message: Message) -> None:
            sent.append(message)

        await service.app(http_scope("POST", "/notes"), receive, send)
        assert reads == []
        assert sent[0]["status"] == 503


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_probes_and_metrics_are_answered_while_the_process_is_full(
    service: Service, client: httpx.AsyncClient, path: str
) -> None:
    async with held(service, client, BOUND):
        shed_before = shed_total()
        for _ in range(3):
            assert (await client.get(path)).status_code == 200
        assert shed_total() == shed_before
        assert service.admission.in_flight == BOUND


async def test_event_streams_are_neither_counted_nor_refused(service: Service, client: httpx.AsyncClient) -> None:
    # More open streams than the bound, and the bound's worth of requests still gets in.
    streams = [asyncio.create_task(client.get("/stream")) for _ in range(BOUND + 1)]
    await service.gate.until_entered(BOUND + 1)
    assert service.admission.in_flight == 0
    async with held(service, client, BOUND):
        assert service.admission.in_flight == BOUND
        assert_overloaded(await client.post("/notes", json={"text": "满了"}), "/notes")
    for answer in await asyncio.gather(*streams):
        assert answer.status_code == 200
        assert "event: status" in answer.text


async def test_zero_means_no_bound() -> None:
    service = Service(ServiceSettings(http_max_in_flight=0))
    async with service.client() as client, held(service, client, 5):
        assert (await client.post("/notes", json={"text": "不限"})).status_code == 202
        assert service.admission.in_flight == 5


async def test_the_count_returns_to_zero_after_errors(service: Service, client: httpx.AsyncClient) -> None:
    for _ in range(BOUND + 1):
        assert (await client.get("/fail")).status_code == 500
    assert service.admission.in_flight == 0
    invalid = await client.post("/notes", content=b"{not json", headers={"Content-Type": "application/json"})
    assert invalid.status_code == 422
    assert service.admission.in_flight == 0


async def test_the_count_returns_to_zero_when_the_client_goes_away(service: Service) -> None:
    async def gone() -> Message:
        return {"type": "http.disconnect"}

    async def send(_: Message) -> None:
        return None

    for _ in range(BOUND + 1):
        # The route reads the body and meets the disconnect (Starlette's ClientDisconnect).
        with contextlib.suppress(Exception):
            await service.app(http_scope("POST", "/notes"), gone, send)
    assert service.admission.in_flight == 0


async def test_the_count_returns_to_zero_when_a_request_is_cancelled(
    service: Service, client: httpx.AsyncClient
) -> None:
    tasks = [asyncio.create_task(client.get("/hold")) for _ in range(BOUND)]
    await service.gate.until_entered(BOUND)
    assert service.admission.in_flight == BOUND
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert service.admission.in_flight == 0
    assert (await client.post("/notes", json={"text": "又有空位"})).status_code == 202


def test_feedback_timeline_stream_is_exempt() -> None:
    """The portal's live timeline (feedback's SSE route) is found from its declared media type."""
    from services.feedback.app import create_app
    from services.feedback.settings import Settings

    app = create_app(Settings(environment="test"))  # builds no connection: the lifespan is not entered
    assert [getattr(r, "path", None) for r in stream_routes(app)] == ["/v1/grievances/{tracking_no}/events"]
    admission = AdmissionControl(app, owner=app)
    assert admission.exempt(http_scope("GET", "/v1/grievances/GM20260101000001/events"))
    assert not admission.exempt(http_scope("GET", "/v1/grievances/GM20260101000001"))
    assert not admission.exempt(http_scope("POST", "/v1/grievances/GM20260101000001/events"))


def test_the_bound_is_a_setting_with_a_service_override(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.intake.settings import Settings as IntakeSettings

    monkeypatch.delenv("INTAKE_HTTP_MAX_IN_FLIGHT", raising=False)
    monkeypatch.setenv("GRIEVANCE_HTTP_MAX_IN_FLIGHT", "300")
    assert IntakeSettings().http_max_in_flight == 300
    monkeypatch.setenv("INTAKE_HTTP_MAX_IN_FLIGHT", "40")
    assert IntakeSettings().http_max_in_flight == 40
    monkeypatch.setenv("INTAKE_HTTP_MAX_IN_FLIGHT", "-1")
    with pytest.raises(ValueError, match="http_max_in_flight"):
        IntakeSettings()


def test_without_settings_the_defaults_apply() -> None:
    app = FastAPI()
    admission = AdmissionControl(app, owner=app)
    assert admission.max_in_flight == ServiceSettings.model_fields["http_max_in_flight"].default > 0
    assert admission.retry_after_s == ServiceSettings.model_fields["http_shed_retry_after_s"].default


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def logged(output: io.StringIO, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(text) for text in output.getvalue().splitlines() if text.startswith("{")]
    return [line for line in lines if line["event"] == event]


async def test_one_warning_per_burst_of_refusals(log_output: io.StringIO) -> None:
    service = Service(ServiceSettings(http_max_in_flight=BOUND, http_shed_retry_after_s=RETRY_AFTER_S))
    clock = FakeClock()
    async with service.client() as client:
        async with held(service, client, BOUND):
            service.admission._clock = clock
            for _ in range(5):
                assert (await client.post("/notes", json={"text": "高峰"})).status_code == 503
                clock.now += 1.0
        [warning] = logged(log_output, "shedding load: too many requests in flight")
        assert warning["level"] == "warning"
        assert warning["max_in_flight"] == BOUND
        assert not logged(log_output, "load shedding ended"), "the burst may still go on"

        clock.now += 30.0  # quiet for longer than a burst's gap: the next request that ends says so
        assert (await client.post("/notes", json={"text": "平稳"})).status_code == 202
        [ended] = logged(log_output, "load shedding ended")
        assert ended["refused"] == 5
        assert ended["lasted_s"] == 4.0

        service.gate = Gate()
        async with held(service, client, BOUND):
            assert (await client.post("/notes", json={"text": "又一次高峰"})).status_code == 503
    assert len(logged(log_output, "shedding load: too many requests in flight")) == 2


def http_scope(method: str, path: str) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"svc"), (b"content-type", b"application/json"), (b"content-length", b"13")],
        "client": ("127.0.0.1", 50000),
        "server": ("svc", 80),
    }
