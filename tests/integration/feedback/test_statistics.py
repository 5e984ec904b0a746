"""GET /v1/statistics/satisfaction under the one period convention, on a real database: dates are
whole Asia/Shanghai days, date-times instants (until exclusive), and unknown parameters are 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from services.feedback import db
from services.feedback.app import create_app
from services.feedback.settings import Settings
from shared.auth import issue_token
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role
from tests.support.namespace import Namespace

# Two ratings: the last second of 1 November and the first of 2 November, Shanghai time.
LATE_ON_THE_FIRST = datetime(2026, 11, 1, 23, 59, 59, tzinfo=CHINA_TZ)
EARLY_ON_THE_SECOND = datetime(2026, 11, 2, 0, 0, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
async def http(namespace: Namespace) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    settings = namespace.settings(Settings)
    engine = create_async_engine(namespace.database_url)
    async with engine.begin() as connection:
        ratings = ((LATE_ON_THE_FIRST, "satisfied"), (EARLY_ON_THE_SECOND, "dissatisfied"))
        for n, (submitted, rating) in enumerate(ratings):
            gid = f"statistics-{n}"
            await connection.execute(insert(db.grievance).values(grievance_id=gid, tracking_no=f"GM-20261101-00000{n}"))
            await connection.execute(
                insert(db.rating).values(
                    grievance_id=gid, round=1, rating=rating, comment="", within_window=True,
                    reopen_requested=rating == "dissatisfied", answered_at=submitted, submitted_at=submitted,
                )
            )  # fmt: skip
    await engine.dispose()
    app = create_app(settings)
    token = issue_token(settings, subject="supervisor-1", role=Role.supervisor)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://feedback") as client:
            yield client, {"Authorization": f"Bearer {token}"}


async def test_dates_and_instants_follow_the_one_convention(http: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, headers = http

    async def rated(**params: str) -> int:
        response = await client.get("/v1/statistics/satisfaction", params=params, headers=headers)
        assert response.status_code == 200, response.text
        total: int = response.json()["overall"]["total"]
        return total

    assert await rated() == 2
    assert await rated(since="2026-11-01", until="2026-11-01") == 1  # the whole first day, nothing of the second
    assert await rated(since="2026-11-02", until="2026-11-02") == 1
    assert await rated(until="2026-11-02T00:00:00") == 1  # an instant: exclusive, Shanghai time
    assert await rated(since="2026-11-01T16:00:00Z") == 1  # = 2 November 00:00 in Shanghai
    answer = (await client.get("/v1/statistics/satisfaction", params={"since": "2026-11-01"}, headers=headers)).json()
    assert answer["since"] == "2026-11-01T00:00:00+08:00"


async def test_reversed_periods_and_unknown_parameters_are_422(http: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, headers = http
    url = "/v1/statistics/satisfaction"
    for params in ({"since": "2026-11-02", "until": "2026-11-01"}, {"since": "soon"}, {"track": "petition"}):
        refused = await client.get(url, params=params, headers=headers)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"] == "application/problem+json"
    unknown = await client.get(url, params={"from": "2026-11-01"}, headers=headers)
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("from", "unknown_parameter")]
