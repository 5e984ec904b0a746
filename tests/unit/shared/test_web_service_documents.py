"""Each of the five services' OpenAPI documents: generated without error, every integer query
parameter bounded (a huge offset is a 422, not a database overflow), error answers documented."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from shared.problem_openapi import PROBLEM_REF
from shared.problems import PROBLEM_JSON

SERVICES = ("intake", "router", "casework", "mediation", "feedback")


def service_document(service: str) -> dict[str, Any]:
    settings = importlib.import_module(f"services.{service}.settings").Settings(environment="test")
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    document: dict[str, Any] = app.openapi()  # builds no connection: the lifespan is not entered
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


def integer_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    if schema.get("type") == "integer":
        return [schema]
    return [s for branch in schema.get("anyOf", []) for s in integer_schemas(branch)]


@pytest.mark.parametrize("service", SERVICES)
def test_integer_query_parameters_are_bounded(service: str) -> None:
    for path, method, operation in operations(service_document(service)):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for schema in integer_schemas(parameter["schema"]):
                assert "maximum" in schema, f"{method.upper()} {path} ?{parameter['name']} has no maximum"


@pytest.mark.parametrize("service", SERVICES)
def test_error_answers_are_documented_as_problems(service: str) -> None:
    document = service_document(service)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, operation in operations(document):
        responses = operation["responses"]
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in responses, f"{method.upper()} {path}"
        for status, response in responses.items():
            content = response.get("content", {})
            if int(status) >= 400 and PROBLEM_JSON in content:
                assert content[PROBLEM_JSON]["schema"] == {"$ref": PROBLEM_REF}
            elif int(status) >= 400:
                # Only a deliberate other format (readyz's checks, Open311's error list) stays.
                assert content and "HTTPValidationError" not in str(content), f"{method.upper()} {path} {status}"
