"""Control characters at the edge: refused in request text, invisible formatting stripped.

A NUL byte cannot be stored in PostgreSQL text and other control characters have no place in a
grievance, so they are refused with a 422 that names the field. Bidi overrides and zero-width
characters arrive by copy-paste, are invisible to the citizen and can make an official document
render reversed, so they are removed silently.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.problems import PROBLEM_JSON, TYPE_BASE

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and marks, and zero-width characters (BOM included).
_INVISIBLE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")

CONTROL_CHARACTER = "control_character"  # the error code; its Chinese text is in shared.problems


def forbidden_position(text: str) -> int | None:
    """1-based position of the first refused control character, or None."""
    found = _FORBIDDEN.search(text)
    return found.start() + 1 if found else None


def strip_invisible(text: str) -> str:
    """Remove bidi controls and zero-width characters."""
    return _INVISIBLE.sub("", text)


def _control_character(position: int) -> PydanticCustomError:
    return PydanticCustomError(
        CONTROL_CHARACTER, "text contains a control character at position {position}", {"position": position}
    )


def clean_text(text: str) -> str:
    """Refuse control characters, strip invisible formatting; raises a pydantic error."""
    position = forbidden_position(text)
    if position is not None:
        raise _control_character(position)
    return strip_invisible(text)


def _clean(value: Any, loc: tuple[str | int, ...], errors: list[InitErrorDetails]) -> Any:
    if isinstance(value, str):
        position = forbidden_position(value)
        if position is not None:
            errors.append(InitErrorDetails(type=_control_character(position), loc=loc, input=value))
            return value
        return strip_invisible(value)
    if isinstance(value, list):
        return [_clean(item, (*loc, index), errors) for index, item in enumerate(value)]
    # Nested objects are cleaned by their own model (every request model derives from RequestModel).
    return value


class RequestModel(BaseModel):
    """Base of every HTTP request model: text fields are cleaned before any other validation.

    A model validator rather than a field validator: pydantic forbids "before" field validators
    on the discriminator field of a tagged union, which several request models are.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _no_control_characters(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        if isinstance(data, dict):
            errors: list[InitErrorDetails] = []
            data = {key: _clean(value, (key,), errors) for key, value in data.items()}
            if errors:
                raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler(data)


class ControlCharacterGuard:
    """Refuse percent-encoded control characters in the path or query string with 422.

    Path and query parameters are free text to the database too (a tracking number, a token);
    they never legitimately contain control characters.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for where, raw in (("path", scope.get("path", "")), ("query", _query(scope))):
                if forbidden_position(raw) is not None:
                    await _refuse(scope, send, where)
                    return
        await self.app(scope, receive, send)


def _query(scope: Scope) -> str:
    query: bytes = scope.get("query_string", b"")
    return unquote(query.decode("latin-1").replace("+", " "), errors="replace")


async def _refuse(scope: Scope, send: Send, where: str) -> None:
    # Built by hand: this runs outside FastAPI's exception handlers, like the body size limit.
    body = json.dumps(
        {
            "type": f"{TYPE_BASE}validation",
            "title": "Invalid request",
            "status": 422,
            "detail": "提交的内容有误，请按提示修改后重试。",
            "instance": "".join(ch for ch in scope.get("path", "") if forbidden_position(ch) is None),
            "errors": [
                {
                    "pointer": "#/",
                    "field": where,
                    "in": where,
                    "code": CONTROL_CHARACTER,
                    "message": f"the {where} contains a control character",
                    "message_zh": "网址中含有不可见的控制字符（如 NUL），请删除后重试",
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
