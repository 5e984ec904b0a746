"""Answering a repeated request with its first answer (Idempotency-Key, 民意速办 webhook-id).

The rule is shared.idempotency's: a concurrent request holding the same key is refused (409), so
two simultaneous requests with one key never create two grievances; a key reused for a different
request is refused (422). The remembered answer is stored encrypted, bound to its key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from services.intake.domain.replay import replay_associated_data
from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork
from services.intake.schemas import GrievanceAccepted, MinyiCaseAccepted
from shared.idempotency import RequestInFlight, check_same_request
from shared.problems import Problem


@dataclass(frozen=True, slots=True)
class Replay:
    """Where an earlier answer to the same request is remembered (Idempotency-Key, webhook-id)."""

    table: Literal["idempotency", "webhook"]
    key: str
    request_hash: str


async def recall(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, replay: Replay
) -> GrievanceAccepted | MinyiCaseAccepted | None:
    """Hold the key for this request, or return the answer given to the first request with it."""
    if replay.table == "webhook":
        return await _recall_webhook(uow, ctx, replay)
    if replay.table != "idempotency":
        raise ValueError(f"unknown replay table {replay.table!r}")
    await uow.idempotency_keys.hold(replay.key)
    earlier = await uow.idempotency_keys.live(replay.key, ctx.clock.now())
    if earlier is None:
        return None
    check_same_request(earlier.request_hash, replay.request_hash)
    if earlier.response_encrypted is None:
        raise RequestInFlight()  # a claim from before the shared rule, whose answer never came
    answer = ctx.cipher.decrypt(earlier.response_encrypted, field=replay_associated_data(replay.key))
    return GrievanceAccepted.model_validate_json(answer)


async def _recall_webhook(uow: IntakeUnitOfWork, ctx: IntakeContext, replay: Replay) -> MinyiCaseAccepted | None:
    """Claim a webhook-id with its body's fingerprint, or answer a true replay without the token.

    A different body under a used id is refused like a reused Idempotency-Key: answering it with
    the first grievance would drop the new case silently. A replay (a retry, or a copy resent
    within the signature tolerance) gets the first answer but never the citizen's token again.
    """
    receipts = uow.webhook_receipts
    if await receipts.claim(replay.key, source="minyi", body_fingerprint=replay.request_hash):
        return None
    earlier = await receipts.get(replay.key)
    assert earlier is not None, "a webhook-id that could not be claimed has a receipt"
    # Receipts from before migration 0005 have no fingerprint: answered as replays, as they were.
    if earlier.request_hash is not None and earlier.request_hash != replay.request_hash:
        raise Problem(
            422,
            slug="webhook-id-reused",
            detail="同一个 webhook-id 已用于内容不同的推送，请为新的推送使用新的 webhook-id。",
        )
    if earlier.response_encrypted is None:
        raise Problem(409, slug="request-in-progress", detail="相同的请求正在处理中，请稍后重试。")
    answer = json.loads(ctx.cipher.decrypt(earlier.response_encrypted, field=replay_associated_data(replay.key)))
    # Receipts from before migration 0005 still hold the token: it is dropped here too.
    return MinyiCaseAccepted.model_validate({**answer, "tracking_token": None})


async def remember(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, replay: Replay, grievance_id: str, accepted: GrievanceAccepted
) -> None:
    """Store the first answer, encrypted, in the transaction that filed the grievance."""
    # A webhook replay is answered without the token, so the token is not kept for it at all.
    answer = accepted.model_dump_json(exclude={"tracking_token"} if replay.table == "webhook" else None)
    blob = ctx.cipher.encrypt(answer, field=replay_associated_data(replay.key))
    if replay.table == "idempotency":
        # The key is held and no live row has it: the first answer to this key.
        expires_at = ctx.clock.now() + timedelta(hours=ctx.settings.idempotency_ttl_hours)
        await uow.idempotency_keys.add(
            replay.key,
            request_hash=replay.request_hash,
            grievance_id=grievance_id,
            response_encrypted=blob,
            expires_at=expires_at,
        )
    else:
        await uow.webhook_receipts.record_answer(replay.key, grievance_id=grievance_id, response_encrypted=blob)
