"""Run a POST under an optional Idempotency-Key (shared.idempotency): replay the first answer, or
act and remember it — refusals as problem documents, and nothing committed unless it succeeded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.casework.api.problems import problems
from services.casework.handlers.actions import principal
from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal
from shared.idempotency import REPLAYED_HEADERS, KeyedRequest


async def keyed_action(
    *,
    uow: CaseworkUnitOfWork,
    staff: StaffPrincipal,
    key: KeyedRequest | None,
    scope: str,
    request: BaseModel | None,
    run: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> JSONResponse:
    """``run`` is the use case; it must not commit: its changes and the remembered answer commit
    together. ``scope`` is the case id, or the resource the request creates or changes."""
    body = request.model_dump(mode="json") if request else None
    keyed = key.attempt(principal=principal(staff), body=body) if key else None
    async with uow:
        with problems():
            earlier = await uow.idempotency.recall(keyed) if keyed else None
            if earlier is not None:
                return JSONResponse(earlier, status_code=status_code, headers=REPLAYED_HEADERS)
            view = await run()
            if keyed is not None:
                await uow.idempotency.remember(keyed, scope=scope, response=view.model_dump(mode="json"))
        await uow.commit()
    return JSONResponse(view.model_dump(mode="json"), status_code=status_code)
