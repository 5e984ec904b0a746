"""A real PostgreSQL error caused by a request puts none of the request's personal data into the
log: the engine hides statement parameters and the 500 handler logs no exception messages
(PostgreSQL quotes the offending value in its own message)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.settings import Settings
from shared.db.base import create_engine
from shared.web import create_service_app
from tests.support.namespace import Namespace

RAW = "身份证11010519491231002X手机15012345678"


@pytest.fixture
async def engine(namespace: Namespace) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(namespace.settings(Settings), pool_size=1, max_overflow=0)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_database_error_message_hides_the_parameters(engine: AsyncEngine) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT CAST(:value AS integer)"), {"value": "13812345678号"})
    message = str(caught.value)
    assert "SQL parameters hidden" in message
    assert "[parameters:" not in message


# asyncpg refuses the argument itself ("invalid input for query argument $1: '…'"), PostgreSQL
# refuses the cast ('invalid input syntax for type integer: "…"'): both messages quote the value.
STATEMENTS = ["SELECT CAST(:value AS integer)", "SELECT CAST(CAST(:value AS text) AS integer)"]


@pytest.mark.parametrize("statement", STATEMENTS, ids=["client-side", "server-side"])
async def test_request_causing_a_database_error_leaves_no_personal_data_in_the_log(
    engine: AsyncEngine, log_output: io.StringIO, statement: str
) -> None:
    app = create_service_app(title="log privacy")

    @app.post("/store")
    async def store(body: dict[str, str]) -> None:
        async with engine.connect() as connection:
            await connection.execute(text(statement), {"value": body["content"]})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        response = await http.post("/store", json={"content": RAW})

    assert response.status_code == 500
    output = log_output.getvalue()
    [entry] = [json.loads(line) for line in output.splitlines() if "unhandled error" in line]
    assert entry["sqlstate"].startswith("22")  # a data exception: the log still says what failed
    for secret in ("11010519491231002X", "15012345678", "身份证"):
        assert secret not in output
