"""What accumulates on a case: consents, sessions, documents, the re-route, ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.vocabulary import Party, SessionState

S, D = db.mediation_session, db.document


async def consents(session: AsyncSession, case_id: str) -> dict[Party, bool]:
    rows = await session.execute(select(db.consent).where(db.consent.c.mediation_id == case_id))
    return {Party(row.party): row.consented for row in rows}


async def consent_rows(session: AsyncSession, case_id: str) -> list[Any]:
    rows = await session.execute(
        select(db.consent).where(db.consent.c.mediation_id == case_id).order_by(db.consent.c.party)
    )
    return list(rows)


async def put_consent(
    session: AsyncSession, case_id: str, party: Party, consented: bool, note: str, by: str, now: datetime
) -> None:
    values = {"consented": consented, "note": note, "recorded_at": now, "recorded_by": by}
    await session.execute(
        pg_insert(db.consent)
        .values(mediation_id=case_id, party=party.value, **values)
        .on_conflict_do_update(index_elements=[db.consent.c.mediation_id, db.consent.c.party], set_=values)
    )


async def sessions(session: AsyncSession, case_id: str) -> list[Any]:
    return list(await session.execute(select(S).where(S.c.mediation_id == case_id).order_by(S.c.number)))


async def pending_session(session: AsyncSession, case_id: str) -> Any | None:
    return (
        await session.execute(
            select(S).where(S.c.mediation_id == case_id, S.c.state == SessionState.scheduled.value).with_for_update()
        )
    ).first()


async def add_session(session: AsyncSession, case_id: str, values: dict[str, Any]) -> int:
    number = await session.scalar(select(func.coalesce(func.max(S.c.number), 0)).where(S.c.mediation_id == case_id))
    await session.execute(insert(S).values(mediation_id=case_id, number=int(number or 0) + 1, **values))
    return int(number or 0) + 1


async def change_session(session: AsyncSession, session_id: int, **values: Any) -> None:
    await session.execute(update(S).where(S.c.id == session_id).values(**values))


async def cancel_pending_sessions(session: AsyncSession, case_id: str) -> None:
    await session.execute(
        update(S)
        .where(S.c.mediation_id == case_id, S.c.state == SessionState.scheduled.value)
        .values(state=SessionState.cancelled.value)
    )


async def sessions_to_remind(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    C = db.mediation
    rows = await session.execute(
        select(S, C.c.id.label("case_id"))
        .join(C, C.c.id == S.c.mediation_id)
        .where(
            S.c.state == SessionState.scheduled.value,
            S.c.reminded_at.is_(None),
            S.c.remind_at <= now,
            S.c.scheduled_for > now,
        )
        .order_by(S.c.remind_at)
        .limit(limit)
        .with_for_update(of=S, skip_locked=True)
    )
    return list(rows)


async def next_agreement_sequence(session: AsyncSession) -> int:
    return int(await session.scalar(db.agreement_sequence.next_value()) or 0)


async def add_document(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(D).values(**values))


async def documents(session: AsyncSession, case_id: str) -> list[Any]:
    return list(
        await session.execute(
            select(D.c.id, D.c.kind, D.c.number, D.c.title, D.c.created_at)
            .where(D.c.mediation_id == case_id)
            .order_by(D.c.created_at)
        )
    )


async def document(session: AsyncSession, document_id: str) -> Any | None:
    return (await session.execute(select(D).where(D.c.id == document_id))).first()


async def claim_reroute(session: AsyncSession, values: dict[str, Any]) -> bool:
    """True for the first re-route of a case; the primary key refuses any second one."""
    result = await session.execute(
        pg_insert(db.reroute).values(**values).on_conflict_do_nothing().returning(db.reroute.c.mediation_id)
    )
    return result.first() is not None


async def add_rating(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(db.rating).values(**values))
