"""Run a POST under an optional Idempotency-Key: replay the first answer, or act and remember it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.casework.handlers.idempotency import attempt, recall, remember
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork

REPLAYED = {"Idempotent-Replayed": "true"}


async def keyed_action(
    *,
    uow: UnitOfWork,
    staff: StaffPrincipal,
    key: str | None,
    scope: str,
    operation: str,
    request: BaseModel | None,
    problems: Callable[[], AbstractContextManager[None]],
    run: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> JSONResponse:
    """``run`` is the use case; it must not commit: its changes and the remembered answer commit together."""
    async with uow:
        with problems():
            keyed = attempt(staff, key, scope=scope, operation=operation, request=request) if key else None
            earlier = await recall(uow, keyed) if keyed else None
            if earlier is not None:
                return JSONResponse(earlier, status_code=status_code, headers=REPLAYED)
            view = await run()
            if keyed is not None:
                await remember(uow, keyed, view)
        await uow.commit()
    return JSONResponse(view.model_dump(mode="json"), status_code=status_code)
