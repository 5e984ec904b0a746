"""Twenty kinds of bad input: each gets a problem+json answer and changes nothing — no grievance
row, no outbox row, no record on any intake topic."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS
from tests.integration.intake.conftest import portal_body
from tests.support.kafka import end_offsets
from tests.support.namespace import Namespace


def complainant(**changes: Any) -> dict[str, Any]:
    return portal_body(complainant={**portal_body()["complainant"], **changes})


def address(**changes: Any) -> dict[str, Any]:
    return portal_body(address={**portal_body()["address"], **changes})


def without(*keys: str) -> dict[str, Any]:
    body = portal_body()
    for key in keys:
        del body[key]
    return body


JSON = {"content-type": "application/json"}
BAD_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("missing name", {"json": complainant(name="")}),
    ("mobile too short", {"json": complainant(mobile="1381234")}),
    ("mobile not a mainland number", {"json": complainant(mobile="12812345678")}),
    ("ID check character wrong", {"json": complainant(id_card="110105194912310021")}),
    ("ID with impossible birth date", {"json": complainant(id_card="11010519491331002X")}),
    ("anonymity not a boolean", {"json": complainant(anonymous="maybe")}),
    ("unknown street", {"json": address(street="罗湖街道")}),
    ("empty community", {"json": address(community="")}),
    ("title too short", {"json": portal_body(title="灯")}),
    ("title too long", {"json": portal_body(title="标题" * 40)}),
    ("content missing", {"json": without("content")}),
    ("content without Chinese", {"json": portal_body(content="please fix the road near my home")}),
    ("attachment not a URL", {"json": portal_body(attachments=["not a url"])}),
    ("too many attachments", {"json": portal_body(attachments=[f"https://f.example.org/{i}.jpg" for i in range(11)])}),
    ("unknown field", {"json": portal_body(priority="VIP")}),
    ("channel reserved for staff", {"json": portal_body(channel="walk_in")}),
    ("body is not JSON", {"content": b"title=road&content=broken", "headers": JSON}),
    ("body is a JSON array", {"content": json.dumps([portal_body()]).encode(), "headers": JSON}),
    ("body over the size limit", {"json": portal_body(content="很长的诉求" * 20000)}),
    ("desired outcome too long", {"json": portal_body(desired_outcome="要求" * 600)}),
]


async def relayed(db: asyncpg.Connection, timeout_s: float = 20.0) -> None:
    """Wait until the relay has published every outbox row: an earlier test's grievance reaching
    Kafka in the middle of this one would look like a change this request made."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while await db.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"):
        assert asyncio.get_running_loop().time() < deadline, "the outbox relay did not catch up"
        await asyncio.sleep(0.05)


async def counts(db: asyncpg.Connection, namespace: Namespace) -> dict[str, Any]:
    await relayed(db)
    return {
        "grievances": await db.fetchval("SELECT count(*) FROM intake.grievance"),
        "complainants": await db.fetchval("SELECT count(*) FROM intake.complainant"),
        "outbox": await db.fetchval("SELECT count(*) FROM intake.outbox"),
        "received": await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED)),
        "status": await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_STATUS)),
    }


def test_there_are_twenty_distinct_cases() -> None:
    assert len({name for name, _ in BAD_REQUESTS}) == 20


@pytest.mark.parametrize(("case", "request_kwargs"), BAD_REQUESTS, ids=[name for name, _ in BAD_REQUESTS])
async def test_bad_input_is_refused_and_changes_nothing(
    case: str,
    request_kwargs: dict[str, Any],
    namespace: Namespace,
    http: httpx.AsyncClient,
    db: asyncpg.Connection,
) -> None:
    before = await counts(db, namespace)
    response = await http.post("/v1/grievances", **request_kwargs)
    assert response.status_code in (413, 422), f"{case}: {response.status_code} {response.text[:200]}"
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == response.status_code
    if response.status_code == 422:
        assert problem["errors"], case
        # A JSON pointer in URI-fragment form: "#" is the body as a whole (malformed JSON).
        assert all(
            (e["pointer"] == "#" or e["pointer"].startswith("#/")) and e["message_zh"] for e in problem["errors"]
        )
    assert await counts(db, namespace) == before, f"{case} changed something"
