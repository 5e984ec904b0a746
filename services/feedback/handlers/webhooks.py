"""What feedback tells the city's "@深圳-民意速办" platform: every status change of a grievance that
came from it, as a Standard Webhooks message queued in the same transaction as the timeline row,
then leased, sent (by the dispatcher, outside any transaction) and settled."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from services.feedback.domain.grievance import Grievance
from services.feedback.domain.webhooks import (
    MINYI_TARGET,
    STATUS_CHANGED_TYPE,
    Attempt,
    Delivery,
    retry_delay,
    webhook_id,
)
from services.feedback.handlers.context import FeedbackContext
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.schemas import TimelineEntryRead
from shared.logging import get_logger

log = get_logger(__name__)

# Past the HTTP timeout, so a lease never runs out while its request may still be answered.
LEASE_MARGIN = timedelta(seconds=30)


def status_changed_body(*, tracking_no: str, external_ref: str | None, entry: TimelineEntryRead) -> bytes:
    """The Standard Webhooks envelope ``{type, timestamp, data}``; fixed once, resent byte for byte."""
    data: dict[str, Any] = {
        "tracking_no": tracking_no,
        "external_id": external_ref,
        **entry.model_dump(mode="json", exclude={"detail"}),
    }
    envelope = {"type": STATUS_CHANGED_TYPE, "timestamp": data["occurred_at"], "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


async def queue_minyi_status(*, uow: FeedbackUnitOfWork, grievance: Grievance, entry: TimelineEntryRead) -> None:
    """Queue one delivery of ``entry``; queuing the same entry again changes nothing."""
    await uow.webhooks.queue(
        webhook_id=webhook_id(grievance.grievance_id, entry.sequence),
        target=MINYI_TARGET,
        grievance_id=grievance.grievance_id,
        seq=entry.sequence,
        body=status_changed_body(tracking_no=grievance.tracking_no, external_ref=grievance.external_ref, entry=entry),
    )


async def lease_due(*, uow: FeedbackUnitOfWork, ctx: FeedbackContext) -> list[Delivery]:
    """Take a batch of due deliveries for one round of sending, committed before any request goes
    out: no transaction stays open across the network, and a dispatcher that dies mid-send leaves
    rows another one retries when the lease runs out."""
    settings = ctx.settings
    lease = timedelta(seconds=settings.webhook_timeout_s) + LEASE_MARGIN
    leased = await uow.webhooks.lease_due(limit=settings.webhook_batch_size, lease=lease)
    await uow.commit()
    return leased


async def settle_attempts(
    *, uow: FeedbackUnitOfWork, ctx: FeedbackContext, attempts: Sequence[Attempt], jitter: Callable[[], float]
) -> None:
    """Record each attempt: delivered, retried with exponential backoff (``jitter()`` in [0, 1) per
    delivery spreads those that failed together), or given up after the last."""
    settings = ctx.settings
    for attempt in attempts:
        delivery = attempt.delivery
        if attempt.delivered:
            await uow.webhooks.record_delivered(delivery.id, status=attempt.status)
        elif delivery.attempt >= settings.webhook_max_attempts:
            await uow.webhooks.record_given_up(delivery.id, status=attempt.status, error=attempt.error)
            log.error(
                "webhook given up", webhook_id=delivery.webhook_id, attempts=delivery.attempt, error=attempt.error
            )
        else:
            delay = retry_delay(
                delivery.attempt,
                base_s=settings.webhook_backoff_base_s,
                cap_s=settings.webhook_backoff_max_s,
                jitter=jitter(),
            )
            await uow.webhooks.record_retry(
                delivery.id, status=attempt.status, error=attempt.error, after=timedelta(seconds=delay)
            )
            log.warning(
                "webhook failed, will retry",
                webhook_id=delivery.webhook_id,
                attempt=delivery.attempt,
                retry_in_s=round(delay, 1),
                error=attempt.error,
            )
    await uow.commit()
