"""Document every operation's RFC 9457 answers in the OpenAPI document, once for every service.

FastAPI documents 422 as ``application/json`` with its own error schema, and knows nothing of the
413, 415 and 429 answers the shared web layer gives. Client generators and contract testers read
the document, so each operation gets, as ``application/problem+json`` with the ``Problem`` schema:
422 when it takes input, 400 when it takes an Idempotency-Key, 413 and 415 when it takes a body,
429 when it is rate-limited, 401 and 403 when it needs a staff token, and 404 when its path names
a resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from shared.idempotency import HEADER as IDEMPOTENCY_HEADER
from shared.problems import PROBLEM_JSON, problem_title

OpenAPI = dict[str, Any]
COMPONENT_REF = "#/components/schemas/{model}"
PROBLEM_REF = COMPONENT_REF.format(model="Problem")
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_FASTAPI_422_SCHEMAS = ("HTTPValidationError", "ValidationError")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; extension members may follow.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank` or a tag URI naming the problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string", "description": "for people; Chinese where the citizen reads it"},
        "instance": {"type": "string", "description": "the request path"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
    },
    "additionalProperties": True,
}

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "description": "One invalid input: where it is and what is wrong with it.",
    "type": "object",
    "required": ["pointer", "code", "message"],
    "properties": {
        "pointer": {"type": "string", "description": "JSON Pointer (URI fragment form); `#` is the whole body"},
        "field": {"type": "string"},
        "in": {"type": "string", "description": "body, query, path or header"},
        "code": {"type": "string", "description": "a stable code, e.g. missing, string_too_long"},
        "message": {"type": "string"},
        "message_zh": {"type": "string"},
        "position": {"type": "integer", "description": "for malformed JSON: the character offset"},
    },
    "additionalProperties": True,
}


def install_problem_openapi(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the generated document describes the problem answers."""
    generate: Callable[[], OpenAPI] = app.openapi

    def openapi() -> OpenAPI:
        if app.openapi_schema is None:
            document = generate()
            document_problems(document, rate_limited_operations(app))
            app.openapi_schema = document
        return app.openapi_schema

    # FastAPI's documented way of customising the schema is replacing this method.
    app.openapi = openapi  # type: ignore[method-assign]


def raw_body_openapi(
    model: type[BaseModel], *, media_type: str = "application/json", headers: dict[str, str] | None = None
) -> OpenAPI:
    """``openapi_extra`` for a route that reads its raw body itself (to check a signature, say):
    declares the body's schema and the headers the route reads, so clients can be generated."""
    extra: OpenAPI = {
        "requestBody": {
            "required": True,
            "content": {media_type: {"schema": model.model_json_schema(ref_template=COMPONENT_REF)}},
        }
    }
    if headers:
        extra["parameters"] = [
            {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        ]
    return extra


def document_problems(document: OpenAPI, rate_limited: set[tuple[str, str]]) -> None:
    """Add and normalise the problem responses of every operation in ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                _hoist_body_defs(operation, schemas)
                _document_operation(path, operation, rate_limited=(path, method) in rate_limited)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    text = json.dumps(document.get("paths", {}))
    for name in _FASTAPI_422_SCHEMAS:
        if f'"#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)


def _hoist_body_defs(operation: OpenAPI, schemas: OpenAPI) -> None:
    """Move the ``$defs`` of a body schema declared by :func:`raw_body_openapi` into components."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        for name, definition in media.get("schema", {}).pop("$defs", {}).items():
            schemas.setdefault(name, definition)


def _document_operation(path: str, operation: OpenAPI, *, rate_limited: bool) -> None:
    responses: OpenAPI = operation.setdefault("responses", {})
    statuses: list[int] = []
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append(422)
    if any(p.get("in") == "header" and p.get("name") == IDEMPOTENCY_HEADER for p in operation.get("parameters", [])):
        statuses.append(400)  # a malformed (or, where required, missing) Idempotency-Key
    if "requestBody" in operation:
        statuses += [413, 415]
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if rate_limited:
        statuses.append(429)
    for added in statuses:
        responses.setdefault(str(added), {})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            _as_problem(int(code), response)


def _as_problem(status: int, response: OpenAPI) -> None:
    response.setdefault("description", problem_title(status))
    content: OpenAPI = response.get("content") or {}
    fastapi_422 = status == 422 and "HTTPValidationError" in json.dumps(content.get("application/json", {}))
    if fastapi_422:
        content.pop("application/json")
    if not content or PROBLEM_JSON in content:
        problem = content.get(PROBLEM_JSON) or {}
        problem.setdefault("schema", {"$ref": PROBLEM_REF})
        content[PROBLEM_JSON] = problem
    response["content"] = content


def rate_limited_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of every route that depends on ``shared.web.rate_limit``."""
    found: set[tuple[str, str]] = set()
    # Included routers are resolved lazily; their contexts carry the router-level dependencies too.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        dependant: Dependant = route.dependant
        if any(_is_rate_limit(d) for d in _dependencies(dependant)):
            found.update((str(route.path_format), method.lower()) for method in route.methods or ())
    return found


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _is_rate_limit(dependant: Dependant) -> bool:
    return str(getattr(dependant.call, "__qualname__", "")).startswith("rate_limit.")
