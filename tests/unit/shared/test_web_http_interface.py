"""The shared web layer's answers to malformed requests: the right status, always problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field

from shared.web import DOCUMENT_CSP, create_service_app, document_html

LIMIT = 1024


class Note(BaseModel):
    text: str = Field(max_length=2000)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(title="http interface test", max_body_bytes=LIMIT)

    @app.post("/notes")
    async def add_note(note: Note) -> dict[str, str]:
        return {"text": note.text}

    @app.get("/document")
    async def document() -> object:
        return document_html("<p>告知书</p>", headers={"Cache-Control": "no-store"})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body, as parsed JSON (nested values are whatever the document holds)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_json_body_is_accepted_as_json_or_a_json_suffix(client: httpx.AsyncClient) -> None:
    for content_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post("/notes", content=b'{"text": "ok"}', headers={"Content-Type": content_type})
        assert response.status_code == 200, (content_type, response.text)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_of_another_media_type_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/notes", content=b'{"text": "ok"}', headers=headers)
    body = assert_problem(response, 415)
    assert body["type"] == "tag:guangming-grievance,2026:problem:unsupported-media-type"


async def test_a_missing_body_is_still_422(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/notes"), 422)
    assert body["errors"][0]["code"] == "missing"


async def test_malformed_json_reports_a_position_not_a_pointer_into_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", content=b'{"text": "ok",}', headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422)
    [error] = body["errors"]
    assert error["pointer"] == "#" and error["code"] == "json_invalid" and error["in"] == "body"
    assert error["position"] == 14
    assert "14" in error["message"] and "14" in str(body["detail"])


async def test_json_that_is_not_utf8_is_malformed_json_not_a_bare_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", content=b'{"text": "\xff"}', headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422)
    [error] = body["errors"]
    assert error["code"] == "json_invalid" and error["position"] == 10


async def chunks(total: int, size: int = 256) -> AsyncIterator[bytes]:
    yield b'{"text": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


async def test_an_oversize_chunked_body_is_413(client: httpx.AsyncClient) -> None:
    # A generator body goes out chunked: no Content-Length for the limit to read up front.
    response = await client.post("/notes", content=chunks(4 * LIMIT), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    body = assert_problem(response, 413)
    assert str(LIMIT) in str(body["detail"])


async def test_a_chunked_body_within_the_limit_reaches_the_route(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", content=chunks(512), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "x" * 512


async def test_an_oversize_declared_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/notes", content=b'{"text": "' + b"x" * 2 * LIMIT + b'"}', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)


async def test_documents_are_served_under_a_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/document")
    assert response.headers["content-type"].startswith("text/html")
    policy = {
        part.strip().split(" ", 1)[0]: part.strip() for part in response.headers["content-security-policy"].split(";")
    }
    assert response.headers["content-security-policy"] == DOCUMENT_CSP
    assert policy["default-src"] == "default-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "script-src" not in policy and "img-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
