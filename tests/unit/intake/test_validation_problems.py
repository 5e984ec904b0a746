"""Invalid submissions get RFC 9457 problem details with field-level errors (no I/O: validation
fails before any database or Kafka work)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.settings import Settings
from shared.ratelimit import RateLimit

VALID: dict[str, Any] = {
    "complainant": {"name": "李四", "mobile": "13912345678", "id_card": "11010519491231002x"},
    "address": {"street": "公明街道", "community": "上村", "detail": "上村工业区 3 栋"},
    "title": "工业区路面塌陷",
    "content": "上村工业区门口的路面塌了一个坑，电动车经过很危险，请尽快修补。",
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(max_body_bytes=4096))
    # The unit tier has no database: the limits count in memory (the shared PostgreSQL store is
    # proven by tests/integration/shared/test_ratelimit_store.py).
    app.state.rate_limits = {name: RateLimit("1000/minute", scope=name) for name in app.state.rate_limits}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
        yield http


def with_change(path: str, value: Any) -> dict[str, Any]:
    body: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in VALID.items()}
    *parents, leaf = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return body


async def test_problem_shape_with_pointer_and_chinese_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/grievances", json=with_change("complainant.id_card", "110105194912310021"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "Invalid request"
    assert problem["type"].endswith(":validation")
    assert problem["instance"] == "/v1/grievances"
    [error] = problem["errors"]
    assert error["pointer"] == "#/complainant/id_card"
    assert error["field"] == "complainant.id_card"
    assert "校验位" in error["message_zh"]


async def test_every_invalid_field_is_listed(client: httpx.AsyncClient) -> None:
    body = with_change("complainant.mobile", "12345")
    body["title"] = "短"
    del body["content"]
    response = await client.post("/v1/grievances", json=body)
    fields = {e["field"]: e for e in response.json()["errors"]}
    assert set(fields) == {"complainant.mobile", "title", "content"}
    assert fields["content"]["message_zh"] == "此项必填"
    assert fields["title"]["message_zh"] == "内容太短，至少需要 4 个字"


async def test_content_must_be_chinese(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/grievances", json=with_change("content", "the street light is broken again"))
    [error] = response.json()["errors"]
    assert error["message_zh"] == "请用中文描述您的诉求"


async def test_oversized_body_is_refused_before_parsing(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/grievances", json=with_change("content", "很" * 3000))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


async def test_unknown_route_is_a_problem_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_staff_endpoint_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/staff/grievances", json=VALID)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
