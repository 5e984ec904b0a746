"""The RateLimit dependency with in-process counters: 429 problem+json with Retry-After, buckets per
client address, open when the store is unreachable, loud when the store is broken."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from shared.problems import install_problem_handlers
from shared.ratelimit import RateLimit
from shared.runtime import ApiServer
from shared.settings import ServiceSettings
from shared.sliding_window import Count, WindowPosition
from shared.web import rate_limit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FailingStore:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def hit(self, *, scope: str, client: str, limit: int, at: WindowPosition) -> Count:
        raise self.error


def limited_app(limit: RateLimit, *, trusted: str = "") -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.settings = ServiceSettings(trusted_proxies=[ipaddress.ip_network(trusted)] if trusted else [])
    app.state.rate_limits = {"submit": limit}

    @app.post("/submit", dependencies=[rate_limit("submit")])
    async def submit() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)), base_url="http://t")


async def statuses(
    app: FastAPI, address: str, n: int, headers: Callable[[int], dict[str, str]] | None = None
) -> list[int]:
    async with client_from(app, address) as client:
        return [(await client.post("/submit", headers=headers(i) if headers else None)).status_code for i in range(n)]


async def test_the_limit_answers_429_problem_with_retry_after() -> None:
    clock = Clock(1_000_000.0 * 60 + 30)
    app = limited_app(RateLimit("3/minute", scope="submit", clock=clock))
    assert await statuses(app, "203.0.113.1", 3) == [200] * 3
    async with client_from(app, "203.0.113.1") as client:
        refused = await client.post("/submit")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429
    # Three of three used halfway through the minute: 30 s to the next one, then 60 * (1 - 2/3).
    assert refused.headers["Retry-After"] == "50"
    clock.now += 50
    assert await statuses(app, "203.0.113.1", 1) == [200]


async def test_each_client_has_its_own_bucket() -> None:
    app = limited_app(RateLimit("2/minute", scope="submit", clock=Clock(600.0)))
    assert await statuses(app, "203.0.113.1", 3) == [200, 200, 429]
    assert await statuses(app, "203.0.113.2", 1) == [200]


async def test_forwarded_for_from_an_untrusted_peer_changes_nothing() -> None:
    app = limited_app(RateLimit("2/minute", scope="submit", clock=Clock(600.0)))
    spoofed = await statuses(app, "127.0.0.1", 4, headers=lambda i: {"X-Forwarded-For": f"198.51.100.{i}"})
    assert spoofed == [200, 200, 429, 429]


async def test_forwarded_for_from_a_trusted_proxy_names_the_bucket() -> None:
    app = limited_app(RateLimit("2/minute", scope="submit", clock=Clock(600.0)), trusted="10.0.0.0/8")
    same = await statuses(app, "10.0.0.9", 3, headers=lambda i: {"X-Forwarded-For": "198.51.100.1"})
    assert same == [200, 200, 429]
    assert await statuses(app, "10.0.0.9", 1, headers=lambda i: {"X-Forwarded-For": "198.51.100.2"}) == [200]


async def test_an_unreachable_store_lets_requests_through() -> None:
    app = limited_app(RateLimit("1/minute", scope="submit", store=FailingStore(ConnectionRefusedError("down"))))
    assert await statuses(app, "203.0.113.1", 3) == [200, 200, 200]


async def test_a_broken_store_is_not_mistaken_for_an_outage() -> None:
    app = limited_app(RateLimit("1/minute", scope="submit", store=FailingStore(KeyError("bug"))))
    with pytest.raises(KeyError):
        await statuses(app, "203.0.113.1", 1)


def test_a_limit_must_admit_something() -> None:
    with pytest.raises(ValueError, match="admits nothing"):
        RateLimit("0/minute", scope="submit")


def test_uvicorn_does_not_rewrite_the_peer_from_forwarded_headers() -> None:
    server = ApiServer(FastAPI(), host="127.0.0.1", port=8999)
    assert server._server.config.proxy_headers is False
