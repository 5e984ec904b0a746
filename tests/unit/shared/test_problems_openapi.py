"""Every service's OpenAPI document describes its problem answers as problem+json with a schema."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel

from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.problem_openapi import PROBLEM_REF, raw_body_openapi
from shared.problems import PROBLEM_JSON, problem_responses
from shared.web import create_service_app, rate_limit


class Inner(BaseModel):
    code: str


class Signed(BaseModel):
    kind: str
    inner: Inner


class Body(BaseModel):
    text: str


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app: FastAPI = create_service_app(title="openapi test")

    @app.get("/items/{item_id}", dependencies=[rate_limit("lookup")])
    async def read_item(item_id: str, limit: int = Query(default=10, le=100)) -> dict[str, str]:
        return {}

    @app.post("/items", responses=problem_responses(409))
    async def add_item(body: Body, _: object = Depends(require_roles(Role.registrar))) -> dict[str, str]:
        return {}

    @app.post("/signed", openapi_extra=raw_body_openapi(Signed, headers={"webhook-id": "message id"}))
    async def signed() -> dict[str, str]:
        return {}

    # Routers are included lazily by FastAPI: their rate limits must be found all the same.
    router = APIRouter(prefix="/included", dependencies=[rate_limit("stream")])

    @router.get("/ping")
    async def ping() -> dict[str, str]:
        return {}

    app.include_router(router)
    spec: dict[str, Any] = app.openapi()
    return spec


def responses(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method]["responses"]
    return found


def test_every_error_answer_is_problem_json_with_the_problem_schema(document: dict[str, Any]) -> None:
    errors = 0
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and not (status == "503" and "application/json" in response["content"]):
                    errors += 1
                    assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}, status
    assert errors >= 10
    schemas = document["components"]["schemas"]
    assert {"Problem", "ProblemFieldError"} <= set(schemas)
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


def test_statuses_follow_what_the_operation_takes(document: dict[str, Any]) -> None:
    assert set(responses(document, "/items/{item_id}", "get")) == {"200", "404", "422", "429"}
    assert set(responses(document, "/items", "post")) == {"200", "401", "403", "409", "413", "415", "422"}
    assert set(responses(document, "/included/ping", "get")) == {"200", "429"}
    assert set(responses(document, "/healthz", "get")) == {"200"}
    assert set(responses(document, "/readyz", "get")) == {"200", "503"}


def test_a_raw_body_route_declares_its_body_and_headers(document: dict[str, Any]) -> None:
    operation = document["paths"]["/signed"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["kind", "inner"]
    assert schema["properties"]["inner"] == {"$ref": "#/components/schemas/Inner"}
    assert "$defs" not in schema and "Inner" in document["components"]["schemas"]
    assert operation["parameters"][0]["name"] == "webhook-id" and operation["parameters"][0]["in"] == "header"
    assert {"413", "415", "422"} <= set(operation["responses"])
