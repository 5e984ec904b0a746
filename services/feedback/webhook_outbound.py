"""What feedback tells the city's "@深圳-民意速办" platform: every status change of a grievance that
came from it, as a Standard Webhooks message queued in the same transaction as the timeline row."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.feedback import db
from services.feedback.schemas import TimelineEntryRead
from shared.db.uow import UnitOfWork

MINYI_TARGET = "minyi"
STATUS_CHANGED_TYPE = "grievance.status.changed"
_WEBHOOK_ID_NAMESPACE = uuid.UUID("6f1c2a5e-3d4b-4c8e-9a7f-0b1d2e3f4a5b")


def webhook_id(grievance_id: str, seq: int) -> str:
    """One id per timeline entry, stable across retries and redeliveries (the receiver's dedup key)."""
    return "msg_" + uuid.uuid5(_WEBHOOK_ID_NAMESPACE, f"{grievance_id}/{seq}").hex


def status_changed_body(*, tracking_no: str, external_ref: str | None, entry: TimelineEntryRead) -> bytes:
    """The Standard Webhooks envelope ``{type, timestamp, data}``; fixed once, resent byte for byte."""
    data: dict[str, Any] = {
        "tracking_no": tracking_no,
        "external_id": external_ref,
        **entry.model_dump(mode="json", exclude={"detail"}),
    }
    envelope = {"type": STATUS_CHANGED_TYPE, "timestamp": data["occurred_at"], "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


async def queue_minyi_status(
    *, uow: UnitOfWork, grievance_id: str, tracking_no: str, external_ref: str | None, entry: TimelineEntryRead
) -> None:
    """Queue one delivery; queuing the same entry again changes nothing."""
    await uow.session.execute(
        pg_insert(db.webhook_delivery)
        .values(
            webhook_id=webhook_id(grievance_id, entry.sequence),
            target=MINYI_TARGET,
            grievance_id=grievance_id,
            seq=entry.sequence,
            body=status_changed_body(tracking_no=tracking_no, external_ref=external_ref, entry=entry),
        )
        .on_conflict_do_nothing(index_elements=[db.webhook_delivery.c.webhook_id])
    )
