"""A control character in a reviewer's comment is a 422 naming the field, and the review stays
pending: no decision, no labelled example, no outbox row (it used to be a 500)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.router.app import create_app
from services.router.classifier import Classifier
from shared.auth import issue_token
from shared.events.topics import GRIEVANCE_REVIEW
from shared.events.vocabulary import Role
from tests.integration.router.conftest import RunningRouter, received, start_router
from tests.support.namespace import Namespace

AMBIGUOUS = "这个事情拖了很久了，一直没有人给我一个说法，希望领导重视一下"


@pytest.fixture(scope="module")
async def router(namespace: Namespace, classifier: Classifier) -> AsyncIterator[RunningRouter]:
    # A demanding threshold, so that an unclear text certainly goes to review.
    async for running in start_router(namespace, classifier, review_threshold=0.9):
        yield running


@pytest.fixture(scope="module")
async def http(router: RunningRouter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(router.settings, ctx=router.ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router") as client:
        yield client
    await app.state.infra.close()


async def state(database: asyncpg.Connection, review_id: str) -> tuple[object, ...]:
    return (
        await database.fetchval("SELECT status FROM router.review_item WHERE id = $1", review_id),
        await database.fetchval("SELECT count(*) FROM router.outbox"),
        await database.fetchval("SELECT count(*) FROM router.labelled_example"),
        await database.fetchval("SELECT count(*) FROM router.routing_decision"),
    )


@pytest.mark.parametrize("comment", ["同意\u0000改派到民政", "\x1b[31m改派\x1b[0m", "改派\x9b民政"])
async def test_control_character_in_review_comment_is_refused_and_changes_nothing(
    comment: str, router: RunningRouter, http: httpx.AsyncClient, database: asyncpg.Connection
) -> None:
    grievance = received(AMBIGUOUS, title="反映问题")
    await router.send(grievance)
    await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id)
    token = issue_token(router.settings, subject="reviewer-9", role=Role.reviewer)
    headers = {"Authorization": f"Bearer {token}"}
    review_id = await database.fetchval(
        "SELECT id FROM router.review_item WHERE grievance_id = $1 AND status = 'pending'", grievance.grievance_id
    )
    assert review_id is not None
    before = await state(database, review_id)

    decision = {"track": "petition", "petition_kind": "claim", "area": "民政", "comment": comment}
    response = await http.post(f"/v1/reviews/{review_id}/decision", json=decision, headers=headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "#/comment"
    assert error["code"] == "control_character"
    assert "控制字符" in error["message_zh"]
    assert await state(database, review_id) == before == ("pending", *before[1:])
