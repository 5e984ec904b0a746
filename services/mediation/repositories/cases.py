"""The mediation case row, typed, and the repository that finds, locks, adds and changes cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.states import OPEN_STATES
from services.mediation.domain.statistics import CaseFacts
from services.mediation.domain.vocabulary import DisputeKind, MediationType, Outcome, State
from services.mediation.repositories.teams import current_cases_of

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
    updated_at: datetime
    accepted_at: datetime | None = None
    supervision_level: int = 0
    supervised_at: datetime | None = None
    outcome: Outcome | None = None
    outcome_detail: dict[str, Any] = field(default_factory=dict)
    concluded_at: datetime | None = None
    performance_deadline: date | None = None
    follow_up_due_at: datetime | None = None
    follow_up_notified_at: datetime | None = None
    performed: bool | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    # the routing decision's taxonomy below the area (revision 0002); none on older cases
    category: str | None = None
    item: str | None = None
    # the panel's legal adviser (法律顾问), revision 0003: id, name, firm, reason, assigned_at
    legal_adviser: dict[str, Any] | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> CaseRecord:
        """A record from column values, the enumerations typed (a row, or a record with changes)."""
        typed = {f.name: values[f.name] for f in fields(cls) if f.name in values}
        typed["dispute_kind"] = DisputeKind(typed["dispute_kind"])
        typed["mediation_type"] = MediationType(typed["mediation_type"])
        typed["state"] = State(typed["state"])
        typed["outcome"] = Outcome(typed["outcome"]) if typed.get("outcome") else None
        return cls(**typed)

    def columns(self) -> dict[str, Any]:
        """The record as column values (enumerations as their text)."""
        return {f.name: _column_value(getattr(self, f.name)) for f in fields(self)}


def _column_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _case(row: Any) -> CaseRecord:
    return CaseRecord.from_mapping(row._mapping)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, case_id: str, *, lock: bool = False) -> CaseRecord | None:
        statement = select(CASE).where(CASE.c.id == case_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def for_revision(self, grievance_id: str, revision: int) -> CaseRecord | None:
        statement = select(CASE).where(CASE.c.grievance_id == grievance_id, CASE.c.revision == revision)
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def latest_for_grievance(self, grievance_id: str, *, lock: bool = False) -> CaseRecord | None:
        statement = select(CASE).where(CASE.c.grievance_id == grievance_id).order_by(CASE.c.revision.desc()).limit(1)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def add(self, case: CaseRecord) -> bool:
        """Insert a case; False when this grievance's routing revision already has one."""
        result = await self._session.execute(
            pg_insert(CASE)
            .values(**case.columns())
            .on_conflict_do_nothing(index_elements=[CASE.c.grievance_id, CASE.c.revision])
            .returning(CASE.c.id)
        )
        return result.first() is not None

    async def change(self, case_id: str, now: datetime, **values: Any) -> None:
        """Set columns of a case (enumerations may be given as members) and its ``updated_at``."""
        changes = {name: _column_value(value) for name, value in values.items()}
        await self._session.execute(update(CASE).where(CASE.c.id == case_id).values(updated_at=now, **changes))

    async def due_for_supervision(self, now: datetime, limit: int) -> list[CaseRecord]:
        """Open cases past their limit, locked; rows another scheduler holds are skipped, not awaited."""
        rows = await self._session.execute(
            select(CASE)
            .where(CASE.c.state.in_(sorted(s.value for s in OPEN_STATES)), CASE.c.due_at < now)
            .order_by(CASE.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_case(row) for row in rows]

    async def due_for_follow_up(self, now: datetime, limit: int) -> list[CaseRecord]:
        """Agreed cases whose follow-up call is due and not yet asked for, locked like the above."""
        rows = await self._session.execute(
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
        return [_case(row) for row in rows]

    async def list_by_due(
        self,
        *,
        assigned_to: str | None,
        state: State | None,
        overdue: bool | None,
        now: datetime,
        limit: int,
        offset: int,
    ) -> list[CaseRecord]:
        """Cases by due date: every case, or those ``assigned_to`` a mediator now; ``overdue`` filters
        open cases past their limit (True) or every other case (False)."""
        statement = select(CASE).order_by(CASE.c.due_at, CASE.c.id).limit(limit).offset(offset)
        if assigned_to is not None:
            statement = statement.where(CASE.c.id.in_(current_cases_of(assigned_to)))
        if state is not None:
            statement = statement.where(CASE.c.state == state.value)
        if overdue is not None:
            late = CASE.c.state.in_([s.value for s in OPEN_STATES]) & (CASE.c.due_at < now)
            statement = statement.where(late if overdue else ~late)
        return [_case(row) for row in await self._session.execute(statement)]

    async def facts_opened(
        self, *, office: str | None, since: datetime | None, until: datetime | None
    ) -> list[CaseFacts]:
        """What the statistics count of the cases opened in [since, until), one office's or all."""
        statement = select(
            CASE.c.mediation_type,
            CASE.c.street,
            CASE.c.dispute_kind,
            CASE.c.outcome,
            CASE.c.opened_at,
            CASE.c.concluded_at,
        )
        if office is not None:
            statement = statement.where(CASE.c.office == office)
        if since is not None:
            statement = statement.where(CASE.c.opened_at >= since)
        if until is not None:
            statement = statement.where(CASE.c.opened_at < until)
        return [
            CaseFacts(
                row.mediation_type,
                row.street or "未知",
                row.dispute_kind,
                Outcome(row.outcome) if row.outcome else None,
                row.opened_at,
                row.concluded_at,
            )
            for row in await self._session.execute(statement)
        ]

    async def token_hash(self, case_id: str) -> str | None:
        """The hash of the citizen's tracking token, which opens the case's documents to them."""
        found = await self._session.scalar(select(CASE.c.tracking_token_hash).where(CASE.c.id == case_id))
        return str(found) if found else None
