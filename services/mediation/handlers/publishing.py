"""Writing what others see, always into the caller's transaction: the citizen's status events,
the offices' notices, and the staff audit log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from shared.auth import StaffPrincipal
from shared.events.citizen_status import citizen_status
from shared.events.contracts import DocumentRef
from shared.events.department import MediationNotice, NoticeKind
from shared.events.topics import department_topic
from shared.events.vocabulary import Area, Status

BUREAU_OFFICE = "petitions-bureau"


async def publish_status(
    uow: MediationUnitOfWork,
    case: CaseRecord,
    *,
    status: Status,
    message: str,
    now: datetime,
    due_at: datetime | None = None,
    documents: Sequence[DocumentRef] = (),
    detail: dict[str, Any] | None = None,
) -> None:
    """One entry on the citizen's timeline; the actor is the office, never a mediator's name."""
    await uow.publish(
        citizen_status(
            grievance_id=case.grievance_id,
            tracking_no=case.tracking_no,
            status=status,
            stage="mediation",
            message_zh=message,
            detail={"mediation_id": case.id, "mediation_type": case.mediation_type.value},
            extra=detail,
            actor=case.office_name,
            due_at=due_at,
            documents=documents,
            occurred_at=now,
        ),
        subject=case.grievance_id,
    )


_AREAS = {area.value: area for area in Area}


async def notify_offices(
    uow: MediationUnitOfWork,
    case: CaseRecord,
    *,
    notice: NoticeKind,
    summary: str,
    now: datetime,
    mediators: Iterable[str] = (),
    due_at: datetime | None = None,
    offices: Iterable[str] | None = None,
) -> None:
    """A notice on each office's department topic (the case's office unless told otherwise)."""
    ids = list(mediators)
    for office in dict.fromkeys(offices or [case.office]):
        await uow.publish(
            MediationNotice(
                grievance_id=case.grievance_id,
                tracking_no=case.tracking_no,
                mediation_id=case.id,
                notice=notice,
                mediation_type=case.mediation_type.value,
                dispute_kind=case.dispute_kind.value,
                area=_AREAS.get(case.area),
                category=case.category,
                street=case.street,
                office=case.office,
                mediators=ids,
                summary_zh=summary,
                due_at=due_at,
                occurred_at=now,
            ),
            subject=case.grievance_id,
            topic=department_topic(office),
        )


async def audit(
    uow: MediationUnitOfWork,
    staff: StaffPrincipal,
    action: str,
    case_id: str | None,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    await uow.audit.record(staff, action=action, case_id=case_id, detail=detail, at=now)
