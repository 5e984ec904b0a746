"""Idempotency-Key for the hearing, recommendation, assistance and evaluation POSTs, as the case
actions have it: a retry with the same key answers the first response and changes nothing more; the
same key on a different request is refused (422). The remembered answer commits with the action."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.casework import db
from services.casework.handlers.actions import IdempotencyConflict
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork

K = db.idempotency_key


@dataclass(frozen=True, slots=True)
class Attempt:
    """One keyed request: who sent it, under which key, what it asked (hashed)."""

    principal: str
    key: str
    scope: str  # the case id, or the resource the request creates or changes
    request_hash: str


def attempt(staff: StaffPrincipal, key: str, *, scope: str, operation: str, request: BaseModel | None) -> Attempt:
    body = {"scope": scope, "operation": operation, "request": request.model_dump(mode="json") if request else None}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return Attempt(
        principal=f"{staff.role.value}:{staff.subject}",
        key=key,
        scope=scope,
        request_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


async def recall(uow: UnitOfWork, keyed: Attempt) -> dict[str, Any] | None:
    """The first answer to this key, or None; waits for a concurrent retry of the same key to finish."""
    # Two retries racing with one key: the second waits here until the first commits, then replays.
    lock_key = func.hashtextextended(f"{keyed.principal}\x1f{keyed.key}", 0)
    await uow.session.execute(select(func.pg_advisory_xact_lock(lock_key)))
    row = (
        await uow.session.execute(
            select(K.c.request_hash, K.c.response).where(K.c.principal == keyed.principal, K.c.key == keyed.key)
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != keyed.request_hash:
        raise IdempotencyConflict(keyed.key)
    response: dict[str, Any] = row.response
    return response


async def remember(uow: UnitOfWork, keyed: Attempt, response: BaseModel) -> None:
    """Store the answer in the action's own transaction, so both commit or neither does."""
    await uow.session.execute(
        pg_insert(K).values(
            principal=keyed.principal,
            key=keyed.key,
            request_hash=keyed.request_hash,
            grievance_id=keyed.scope,
            response=response.model_dump(mode="json"),
        )
    )
