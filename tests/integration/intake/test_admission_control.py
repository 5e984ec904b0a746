"""Load shedding on a real intake API process (``INTAKE_HTTP_MAX_IN_FLIGHT=2``) against the real
database: with its two places taken, filings are refused at once with 503 problem+json and
Retry-After and store nothing, while /healthz and /metrics still answer; the two taken ones then
finish with 202 and are stored; under many concurrent filings every 202 is stored and no 503 is.

The two places are taken deterministically: two filings over raw connections send their headers
and hold back the rest of their body, so the route waits for it; the test goes on once the
process's ``http_requests_in_flight`` says 2."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.intake.conftest import intake_process, portal_body
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess

BOUND = 2
REFUSED_WHILE_FULL = 20
CONCURRENT = 40


@pytest.fixture(scope="module")
async def intake(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    async with intake_process(
        namespace, "api", INTAKE_HTTP_MAX_IN_FLIGHT=str(BOUND), INTAKE_HTTP_SHED_RETRY_AFTER_S="2"
    ) as process:
        yield process


def metric(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and not sample.labels:
                return float(sample.value)
    raise AssertionError(f"{name} is not exported")


class HeldFiling:
    """A filing over its own connection whose body is sent in two parts: headers and the first
    byte now, the rest when the test says (``Connection: close``: the answer ends at EOF)."""

    def __init__(self, port: int, title: str) -> None:
        self.port = port
        self.body = json.dumps(portal_body(title=title), ensure_ascii=False).encode()
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def start(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (
            f"POST /v1/grievances HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        writer.write(head + self.body[:1])
        await writer.drain()
        self._stream = reader, writer

    async def finish(self) -> tuple[int, dict[str, object]]:
        assert self._stream is not None
        reader, writer = self._stream
        writer.write(self.body[1:])
        await writer.drain()
        async with asyncio.timeout(15):
            answer = await reader.read()
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, json.loads(body)


async def in_flight(http: httpx.AsyncClient) -> float:
    return metric((await http.get("/metrics")).text, "http_requests_in_flight")


async def until_in_flight(http: httpx.AsyncClient, count: int) -> None:
    """Wait (bounded) until the process counts ``count`` requests in flight."""
    async with asyncio.timeout(10):
        while await in_flight(http) != count:
            await asyncio.sleep(0.05)


async def stored_tracking_numbers(namespace: Namespace) -> set[str]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        return {row["tracking_no"] for row in await conn.fetch("SELECT tracking_no FROM intake.grievance")}
    finally:
        await conn.close()


async def test_a_full_process_refuses_filings_at_once_and_stores_only_what_it_accepted(
    intake: ServiceProcess, namespace: Namespace
) -> None:
    assert intake.port is not None
    accepted: set[str] = set()
    limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=CONCURRENT)
    async with httpx.AsyncClient(base_url=intake.base_url, timeout=15, limits=limits) as http:
        shed_before = metric((await http.get("/metrics")).text, "http_requests_shed_total")
        holders = [HeldFiling(intake.port, f"占位投诉{n}") for n in range(BOUND)]
        for holder in holders:
            await holder.start()
        await until_in_flight(http, BOUND)

        # Full: every filing is refused at once, whatever else is waiting.
        began = time.monotonic()
        refused = await asyncio.gather(
            *(http.post("/v1/grievances", json=portal_body(title=f"被拒投诉{n}")) for n in range(REFUSED_WHILE_FULL))
        )
        took = time.monotonic() - began
        for response in refused:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["Retry-After"] == "2"
            problem = response.json()
            assert problem["type"].endswith(":overloaded")
            assert problem["detail"] == "当前请求过多，系统暂时无法处理，请稍后重试。"
        assert took < 5, f"refusals took {took:.1f}s: they must not wait for a place (the pool waits 30 s)"
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
        metrics = (await http.get("/metrics")).text
        assert metric(metrics, "http_requests_shed_total") == shed_before + REFUSED_WHILE_FULL
        assert metric(metrics, "http_requests_in_flight") == BOUND, "the held filings are still in flight"
        assert await stored_tracking_numbers(namespace) == set(), "a refused filing stores nothing"

        # The two held filings finish and are stored.
        for holder in holders:
            status, answer = await holder.finish()
            assert status == 202, answer
            accepted.add(str(answer["tracking_no"]))
        await until_in_flight(http, 0)

        # Many at once: each is accepted or refused, and exactly the accepted ones are stored.
        answers = await asyncio.gather(
            *(http.post("/v1/grievances", json=portal_body(title=f"并发投诉{n}")) for n in range(CONCURRENT))
        )
        statuses = [a.status_code for a in answers]
        assert set(statuses) <= {202, 503}, statuses
        assert 202 in statuses, "the first of them found the process empty"
        accepted |= {a.json()["tracking_no"] for a in answers if a.status_code == 202}
        assert all(a.headers["Retry-After"] == "2" for a in answers if a.status_code == 503)
        assert await in_flight(http) == 0

    assert await stored_tracking_numbers(namespace) == accepted
    assert len(accepted) == BOUND + statuses.count(202)
