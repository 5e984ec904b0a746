"""The mediation case row, typed, and the queries that find, lock, insert and update it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.vocabulary import DisputeKind, MediationType, Outcome, State
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit

CASE = db.mediation


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    grievance_id: str
    revision: int
    tracking_no: str
    tracking_token_hash: str
    title: str
    facts: str
    street: str | None
    community: str | None
    respondent: str | None
    desired_outcome: str | None
    applicant_name: str
    area: str
    lead_department: str
    dispute_kind: DisputeKind
    mediation_type: MediationType
    office: str
    office_name: str
    panel: bool
    triage: list[dict[str, Any]]
    state: State
    opened_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    supervision_level: int
    supervised_at: datetime | None
    outcome: Outcome | None
    outcome_detail: dict[str, Any]
    concluded_at: datetime | None
    performance_deadline: date | None
    follow_up_due_at: datetime | None
    follow_up_notified_at: datetime | None
    performed: bool | None
    closed_at: datetime | None
    reopen_count: int
    updated_at: datetime
    # the routing decision's taxonomy below the area (revision 0002); none on older cases
    category: str | None = None
    item: str | None = None
    # the panel's legal adviser (法律顾问), revision 0003: id, name, firm, reason, assigned_at
    legal_adviser: dict[str, Any] | None = None

    @classmethod
    def from_row(cls, row: Any) -> CaseRecord:
        values = dict(row._mapping)
        values["dispute_kind"] = DisputeKind(values["dispute_kind"])
        values["mediation_type"] = MediationType(values["mediation_type"])
        values["state"] = State(values["state"])
        values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
        return cls(**values)


async def get(session: AsyncSession, case_id: str, *, lock: bool = False) -> CaseRecord | None:
    statement = select(CASE).where(CASE.c.id == case_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return CaseRecord.from_row(row) if row else None


async def for_revision(session: AsyncSession, grievance_id: str, revision: int) -> CaseRecord | None:
    row = (
        await session.execute(select(CASE).where(CASE.c.grievance_id == grievance_id, CASE.c.revision == revision))
    ).first()
    return CaseRecord.from_row(row) if row else None


async def latest_for_grievance(session: AsyncSession, grievance_id: str, *, lock: bool = False) -> CaseRecord | None:
    statement = select(CASE).where(CASE.c.grievance_id == grievance_id).order_by(CASE.c.revision.desc()).limit(1)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return CaseRecord.from_row(row) if row else None


async def insert_new(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a case; False when this grievance's routing revision already has one."""
    result = await session.execute(
        pg_insert(CASE)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[CASE.c.grievance_id, CASE.c.revision])
        .returning(CASE.c.id)
    )
    return result.first() is not None


async def change(session: AsyncSession, case_id: str, now: datetime, **values: Any) -> None:
    await session.execute(update(CASE).where(CASE.c.id == case_id).values(updated_at=now, **values))


async def due_for_supervision(
    session: AsyncSession, now: datetime, open_states: Sequence[State], limit: int
) -> list[CaseRecord]:
    """Open cases past their limit, locked; rows another scheduler holds are skipped, not awaited."""
    rows = await session.execute(
        select(CASE)
        .where(CASE.c.state.in_([s.value for s in open_states]), CASE.c.due_at < now)
        .order_by(CASE.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [CaseRecord.from_row(row) for row in rows]


async def due_for_follow_up(session: AsyncSession, now: datetime, limit: int) -> list[CaseRecord]:
    rows = await session.execute(
        select(CASE)
        .where(
            CASE.c.state == State.agreed.value,
            CASE.c.follow_up_due_at <= now,
            CASE.c.follow_up_notified_at.is_(None),
        )
        .order_by(CASE.c.follow_up_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [CaseRecord.from_row(row) for row in rows]


async def insert_audit(
    session: AsyncSession,
    staff: StaffPrincipal,
    *,
    action: str,
    case_id: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    await record_audit(session, db.audit_log, actor=staff, action=action, subject=case_id, detail=detail, at=at)
