"""Intake's read model of ``grievance.status.v1``: the latest status of every grievance.

Status events come from every service; one grievance's events share a partition, but two
services may publish close together, so the newest ``occurred_at`` wins and a late older event
changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.intake import db
from services.intake.progress import is_closed
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceStatusChanged

_TABLE = db.grievance_status


async def record_status(*, uow: UnitOfWork, status: GrievanceStatusChanged) -> bool:
    """Keep ``status`` if it is the newest known for its grievance; True when it was kept."""
    current = (
        await uow.session.execute(
            select(_TABLE.c.closed, _TABLE.c.updated_at)
            .where(_TABLE.c.grievance_id == status.grievance_id)
            .with_for_update()
        )
    ).first()
    if current is not None and current.updated_at > status.occurred_at:
        return False
    values = {
        "status": status.status.value,
        "closed": is_closed(status.status, was_closed=current is not None and current.closed),
        "actor": status.actor,
        "message_zh": status.message_zh,
        "due_at": status.due_at,
        "updated_at": status.occurred_at,
    }
    statement = pg_insert(_TABLE).values(grievance_id=status.grievance_id, **values)
    await uow.session.execute(statement.on_conflict_do_update(index_elements=[_TABLE.c.grievance_id], set_=values))
    return True
