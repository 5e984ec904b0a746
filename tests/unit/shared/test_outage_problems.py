"""A database outage is a 503 with Retry-After (nothing stored, repeat later), answered without
dropping the connection; a real error is still a 500."""

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.web import create_service_app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(title="outage test")

    @app.get("/refused")
    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    @app.get("/closed")
    async def closed() -> None:
        raise DBAPIError("SELECT 1", {}, asyncpg.exceptions.ConnectionDoesNotExistError("closed"))

    @app.get("/starting")
    async def starting() -> None:
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    @app.get("/bug")
    async def bug() -> None:
        raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


@pytest.mark.parametrize("path", ["/refused", "/closed", "/starting"])
async def test_database_outage_is_503_with_retry_after(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(":unavailable")


async def test_other_database_errors_stay_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/bug")
    assert response.status_code == 500
