"""Dependencies and error translation shared by the casework routers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Header, Request

from services.casework.domain.states import CaseError, IllegalTransition, NotPermitted, RuleViolation, WindowClosed
from services.casework.handlers.actions import CaseNotFound, IdempotencyConflict
from services.casework.handlers.context import CaseworkContext
from shared.problems import Problem

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Retry an action safely: the same key returns the first answer and changes nothing more.",
    ),
]

_STATUS_OF_ERROR: dict[type[CaseError], int] = {
    IllegalTransition: 409,
    WindowClosed: 409,
    RuleViolation: 422,
    NotPermitted: 403,
}


async def context(request: Request) -> CaseworkContext:
    ctx: CaseworkContext = request.app.state.ctx
    return ctx


@contextmanager
def problems() -> Iterator[None]:
    """Domain refusals become problem documents; the transaction is not committed, so nothing changes."""
    try:
        yield
    except CaseNotFound as exc:
        raise Problem(404, slug="case-not-found", detail="未找到该案件。") from exc
    except IdempotencyConflict as exc:
        raise Problem(
            422, slug="idempotency-key-reused", detail="同一个 Idempotency-Key 已用于内容不同的请求，请使用新的键。"
        ) from exc
    except CaseError as exc:
        status = next((s for cls, s in _STATUS_OF_ERROR.items() if isinstance(exc, cls)), 409)
        raise Problem(status, slug=exc.code, detail=exc.message_zh) from exc
