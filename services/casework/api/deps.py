"""Dependencies and error translation shared by the casework routers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from services.casework.domain.states import CaseError, IllegalTransition, NotPermitted, RuleViolation, WindowClosed
from services.casework.handlers.actions import CaseNotFound
from services.casework.handlers.context import CaseworkContext
from shared.idempotency import IdempotencyKey
from shared.problems import Problem

__all__ = ["IdempotencyKey", "context", "problems"]


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
    except CaseError as exc:
        status = next((s for cls, s in _STATUS_OF_ERROR.items() if isinstance(exc, cls)), 409)
        raise Problem(status, slug=exc.code, detail=exc.message_zh) from exc
