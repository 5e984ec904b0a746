"""The roster in the database, current loads, who is assigned to a case, and recusals (回避)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.roster import Mediator, Selection
from services.mediation.domain.states import LOAD_STATES
from services.mediation.domain.vocabulary import AssignmentRole, DisputeKind, MediatorKind

M, A = db.mediator, db.assignment
# Serialises roster syncs from processes starting together (any constant would do; this is "MEDR").
ROSTER_LOCK_KEY = 0x4D454452


@dataclass(frozen=True, slots=True)
class TeamMember:
    mediator: Mediator
    role: AssignmentRole
    assigned_at: datetime


def _mediator(row: Any) -> Mediator:
    return Mediator(
        id=row.id,
        name=row.name,
        street=row.street,
        office=row.office,
        kind=MediatorKind(row.kind),
        skills=frozenset(DisputeKind(s) for s in row.skills),
        capacity=row.capacity,
        subject=row.subject,
        conflict_respondents=tuple(row.conflict_respondents),
        active=row.active,
    )


async def sync_roster(session: AsyncSession, roster: Sequence[Mediator], now: datetime) -> None:
    """Make the table match the data file: upsert every entry, deactivate the ones that left."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROSTER_LOCK_KEY})
    # A subject can move between roster entries; free it first so the unique index holds.
    await session.execute(
        update(M).where(M.c.subject.in_([m.subject for m in roster if m.subject])).values(subject=None)
    )
    for mediator in roster:
        values = {
            "name": mediator.name,
            "street": mediator.street,
            "office": mediator.office,
            "kind": mediator.kind.value,
            "skills": sorted(s.value for s in mediator.skills),
            "capacity": mediator.capacity,
            "subject": mediator.subject,
            "conflict_respondents": list(mediator.conflict_respondents),
            "active": True,
            "synced_at": now,
        }
        await session.execute(
            pg_insert(M).values(id=mediator.id, **values).on_conflict_do_update(index_elements=[M.c.id], set_=values)
        )
    await session.execute(
        update(M).where(M.c.id.not_in([m.id for m in roster])).values(active=False, subject=None, synced_at=now)
    )


async def roster(session: AsyncSession, *, active_only: bool = True) -> list[Mediator]:
    statement = select(M).order_by(M.c.id)
    if active_only:
        statement = statement.where(M.c.active.is_(True))
    return [_mediator(row) for row in await session.execute(statement)]


async def by_ids(session: AsyncSession, ids: Sequence[str]) -> list[Mediator]:
    rows = {row.id: _mediator(row) for row in await session.execute(select(M).where(M.c.id.in_(list(ids))))}
    return [rows[i] for i in ids if i in rows]


async def for_subject(session: AsyncSession, subject: str, office: str | None) -> Mediator | None:
    """The roster entry a staff token stands for: same account and same office, still active."""
    row = (
        await session.execute(select(M).where(M.c.subject == subject, M.c.office == office, M.c.active.is_(True)))
    ).first()
    return _mediator(row) if row else None


async def loads(session: AsyncSession) -> dict[str, int]:
    """Open cases per mediator right now (cases waiting only for the follow-up call do not count)."""
    C = db.mediation
    rows = await session.execute(
        select(A.c.mediator_id, func.count())
        .join(C, C.c.id == A.c.mediation_id)
        .where(A.c.released_at.is_(None), C.c.state.in_([s.value for s in LOAD_STATES]))
        .group_by(A.c.mediator_id)
    )
    return {mediator_id: count for mediator_id, count in rows}


async def team(session: AsyncSession, case_id: str) -> list[TeamMember]:
    rows = await session.execute(
        select(M, A.c.role, A.c.assigned_at)
        .join(A, A.c.mediator_id == M.c.id)
        .where(A.c.mediation_id == case_id, A.c.released_at.is_(None))
        .order_by(A.c.role, A.c.id)
    )
    return [TeamMember(_mediator(row), AssignmentRole(row.role), row.assigned_at) for row in rows]


async def assign(session: AsyncSession, case_id: str, selection: Selection, now: datetime) -> None:
    entries = [(selection.lead, AssignmentRole.lead)] if selection.lead else []
    entries += [(member, AssignmentRole.member) for member in selection.members]
    for mediator, role in entries:
        await session.execute(
            insert(A).values(mediation_id=case_id, mediator_id=mediator.id, role=role.value, assigned_at=now)
        )


async def release(
    session: AsyncSession, case_id: str, now: datetime, reason: str, mediator_ids: Sequence[str] | None = None
) -> None:
    condition = and_(A.c.mediation_id == case_id, A.c.released_at.is_(None))
    if mediator_ids is not None:
        condition = and_(condition, A.c.mediator_id.in_(list(mediator_ids)))
    await session.execute(update(A).where(condition).values(released_at=now, release_reason=reason))


async def is_assigned(session: AsyncSession, case_id: str, mediator_id: str) -> bool:
    found = await session.scalar(
        select(A.c.id).where(A.c.mediation_id == case_id, A.c.mediator_id == mediator_id, A.c.released_at.is_(None))
    )
    return found is not None


async def recused(session: AsyncSession, case_id: str) -> frozenset[str]:
    rows = await session.execute(select(db.recusal.c.mediator_id).where(db.recusal.c.mediation_id == case_id))
    return frozenset(row.mediator_id for row in rows)


async def add_recusal(session: AsyncSession, case_id: str, mediator_id: str, reason: str, now: datetime) -> None:
    await session.execute(
        pg_insert(db.recusal)
        .values(mediation_id=case_id, mediator_id=mediator_id, reason=reason, declared_at=now)
        .on_conflict_do_nothing()
    )
