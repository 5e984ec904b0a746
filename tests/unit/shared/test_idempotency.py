"""The Idempotency-Key rule: header bounds, request fingerprint, and one set of problem documents."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from shared.idempotency import (
    IdempotencyKey,
    KeyedRequest,
    KeyInvalid,
    KeyMissing,
    KeyReused,
    RequestInFlight,
    RequiredIdempotencyKey,
    check_same_request,
    parse_key,
    request_fingerprint,
)
from shared.problems import TYPE_BASE
from shared.web import create_service_app


@pytest.mark.parametrize("key", ["a", "9f1c-Ab_~!", "x" * 128])
def test_visible_ascii_keys_up_to_128_characters_are_accepted(key: str) -> None:
    assert parse_key(key) == key


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "中文键", "tab\there"])
def test_other_keys_are_refused_with_400(key: str) -> None:
    with pytest.raises(KeyInvalid) as refused:
        parse_key(key)
    assert refused.value.status == 400 and refused.value.type == f"{TYPE_BASE}idempotency-key-invalid"


def test_a_missing_key_is_fine_unless_required() -> None:
    assert parse_key(None) is None
    with pytest.raises(KeyMissing) as refused:
        parse_key(None, required=True)
    assert refused.value.status == 400 and refused.value.type == f"{TYPE_BASE}idempotency-key-missing"


def test_the_fingerprint_covers_method_path_and_body_but_not_key_order() -> None:
    base = request_fingerprint("POST", "/v1/x", {"a": 1, "b": [1, 2]})
    assert base == request_fingerprint("post", "/v1/x", {"b": [1, 2], "a": 1})
    assert base != request_fingerprint("PUT", "/v1/x", {"a": 1, "b": [1, 2]})
    assert base != request_fingerprint("POST", "/v1/y", {"a": 1, "b": [1, 2]})
    assert base != request_fingerprint("POST", "/v1/x", {"a": 1, "b": [2, 1]})
    assert len(base) == 64


def test_an_attempt_carries_whose_key_it_is() -> None:
    attempt = KeyedRequest("k1", "POST", "/v1/x").attempt(principal="staff:7", body={"a": 1})
    assert (attempt.principal, attempt.key) == ("staff:7", "k1")
    assert attempt.fingerprint == request_fingerprint("POST", "/v1/x", {"a": 1})


def test_reuse_with_another_request_is_422_and_in_flight_is_409() -> None:
    check_same_request("abc", "abc")
    check_same_request(None, "abc")  # a row from before fingerprints were kept
    with pytest.raises(KeyReused) as reused:
        check_same_request("abc", "abd")
    assert reused.value.status == 422 and reused.value.type.endswith(":idempotency-key-reused")
    in_flight = RequestInFlight()
    assert in_flight.status == 409 and in_flight.type.endswith(":request-in-progress")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_service_app(title="idempotency test")

    @app.post("/optional/{thing}")
    async def optional(thing: str, key: IdempotencyKey = None) -> dict[str, str | None]:
        return {"key": key.key if key else None, "path": key.path if key else None}

    @app.post("/required")
    async def required(key: RequiredIdempotencyKey) -> dict[str, str]:
        return {"key": key.key, "method": key.method}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_routes_get_the_key_with_the_request_it_came_with(client: httpx.AsyncClient) -> None:
    sent = await client.post("/optional/7", headers={"Idempotency-Key": "k-1"})
    assert sent.json() == {"key": "k-1", "path": "/optional/7"}
    assert (await client.post("/optional/7")).json() == {"key": None, "path": None}
    assert (await client.post("/required", headers={"Idempotency-Key": "k-2"})).json() == {
        "key": "k-2",
        "method": "POST",
    }


async def test_a_route_answers_the_header_problems_as_problem_json(client: httpx.AsyncClient) -> None:
    missing = await client.post("/required")
    assert missing.status_code == 400
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["type"].endswith(":idempotency-key-missing")
    invalid = await client.post("/optional/7", headers={"Idempotency-Key": "x" * 129})
    assert invalid.status_code == 400
    assert invalid.json()["type"].endswith(":idempotency-key-invalid")
    assert invalid.json()["errors"][0]["in"] == "header"
