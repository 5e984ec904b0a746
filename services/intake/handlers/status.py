"""Keeping intake's read model of ``grievance.status.v1``: the latest status of every grievance.

Status events come from every service; one grievance's events share a partition, but two
services may publish close together, so the newest ``occurred_at`` wins and a late older event
changes nothing.
"""

from __future__ import annotations

from services.intake.domain.progress import is_closed
from services.intake.repositories import IntakeUnitOfWork
from services.intake.repositories.statuses import StatusEntry
from shared.events.contracts import GrievanceStatusChanged


async def record_status(*, uow: IntakeUnitOfWork, status: GrievanceStatusChanged) -> bool:
    """Keep ``status`` if it is the newest known for its grievance; True when it was kept.

    The caller commits (the consumer runner, with the event's inbox claim)."""
    current = await uow.statuses.for_update(status.grievance_id)
    if current is not None and current.updated_at > status.occurred_at:
        return False
    await uow.statuses.save(
        StatusEntry(
            grievance_id=status.grievance_id,
            status=status.status.value,
            closed=is_closed(status.status, was_closed=current is not None and current.closed),
            actor=status.actor,
            message_zh=status.message_zh,
            due_at=status.due_at,
            updated_at=status.occurred_at,
        )
    )
    return True
