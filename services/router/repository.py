"""Queries on the router's schema (read model, decisions, review queue); handlers stay readable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.router import db
from services.router.domain import Earlier
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived, RoutingDecision


async def lock(session: AsyncSession, keys: list[str]) -> None:
    """Serialise transactions about one complainant or one street (repeat and cluster matching).

    One round trip for all keys, taken in sorted order so two transactions never deadlock."""
    if not keys:
        return
    statement = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")
    await session.execute(statement, {"keys": sorted(set(keys))})


async def add_grievance(session: AsyncSession, received: GrievanceReceived, decision: RoutingDecision) -> bool:
    """Insert the read-model row; False if this grievance was already routed."""
    complainant = received.complainant
    statement = (
        pg_insert(db.grievance)
        .values(
            id=received.grievance_id,
            tracking_no=received.tracking_no,
            received=received.model_dump(mode="json"),
            title=received.title,
            content=received.content,
            street=received.street,
            community=received.community,
            phone_pseudonym=complainant.phone_pseudonym,
            id_card_pseudonym=complainant.id_card_pseudonym,
            received_at=received.received_at,
            state="under_review" if decision.needs_review else "routed",
            revision=1,
            track=decision.track.value,
            area=decision.area.value,
            category=decision.category,
            item=decision.item,
            model_version=decision.model_version,
            decision=decision.model_dump(mode="json"),
            repeat_of=decision.repeat_of,
            cluster_id=decision.cluster_id,
        )
        .on_conflict_do_nothing()
        .returning(db.grievance.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def get_grievance(session: AsyncSession, grievance_id: str, *, for_update: bool = False) -> Row[Any] | None:
    query = select(db.grievance).where(db.grievance.c.id == grievance_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def update_grievance(session: AsyncSession, grievance_id: str, **values: Any) -> None:
    await session.execute(
        update(db.grievance).where(db.grievance.c.id == grievance_id).values(**values, updated_at=func.now())
    )


async def record_decision(session: AsyncSession, grievance_id: str, revision: int, decision: RoutingDecision) -> None:
    await session.execute(
        insert(db.routing_decision).values(
            grievance_id=grievance_id,
            revision=revision,
            decided_by=decision.decided_by,
            decision=decision.model_dump(mode="json"),
            category=decision.category,
            model_version=decision.model_version,
        )
    )


def _earlier_columns() -> list[Any]:
    """Only what matching needs: the JSON payloads stay in the database."""
    g = db.grievance
    return [g.c.id, g.c.tracking_no, g.c.title, g.c.content, g.c.area, g.c.received_at, g.c.repeat_of,
            g.c.phone_pseudonym, g.c.id_card_pseudonym, g.c.cluster_id]  # fmt: skip


def _earlier(row: Row[Any]) -> Earlier:
    return Earlier(
        grievance_id=row.id,
        tracking_no=row.tracking_no,
        text=f"{row.title}。{row.content}",
        area=row.area,
        received_at=row.received_at,
        repeat_of=row.repeat_of,
        complainant=row.phone_pseudonym or row.id_card_pseudonym,
        cluster_id=row.cluster_id,
    )


async def earlier_of_complainant(
    session: AsyncSession,
    *,
    phones: Sequence[str],
    id_cards: Sequence[str],
    before: datetime,
    since: datetime,
    exclude: str,
) -> list[Earlier]:
    """The complainant's earlier grievances; several pseudonyms each while a pseudonym key rotates."""
    g = db.grievance
    who = [c.in_(values) for c, values in ((g.c.phone_pseudonym, phones), (g.c.id_card_pseudonym, id_cards)) if values]
    if not who:
        return []
    query = (
        select(*_earlier_columns())
        .where(or_(*who), g.c.received_at <= before, g.c.received_at >= since, g.c.id != exclude)
        .order_by(g.c.received_at)
        .limit(50)
    )
    return [_earlier(row) for row in (await session.execute(query)).all()]


async def neighbours(
    session: AsyncSession, *, street: str, area: str, since: datetime, until: datetime, exclude: str
) -> list[Earlier]:
    """Recent grievances of the same street and area: the candidates for a group case."""
    g = db.grievance
    query = (
        select(*_earlier_columns())
        .where(
            and_(
                g.c.street == street,
                g.c.area == area,
                g.c.received_at >= since,
                g.c.received_at <= until,
                g.c.id != exclude,
            )
        )
        .order_by(g.c.received_at.desc())
        .limit(100)
    )
    return [_earlier(row) for row in (await session.execute(query)).all()]


async def set_cluster(session: AsyncSession, grievance_ids: list[str], cluster_id: str) -> None:
    await session.execute(
        update(db.grievance).where(db.grievance.c.id.in_(grievance_ids)).values(cluster_id=cluster_id)
    )


async def supersede_pending_reviews(session: AsyncSession, grievance_id: str, at: datetime) -> None:
    r = db.review_item
    await session.execute(
        update(r)
        .where(r.c.grievance_id == grievance_id, r.c.status == "pending")
        .values(status="superseded", decided_at=at)
    )


async def add_review(
    session: AsyncSession,
    *,
    review_id: str,
    grievance_id: str,
    revision: int,
    reason: str,
    reason_detail: str,
    proposed: RoutingDecision,
    at: datetime,
) -> None:
    await session.execute(
        insert(db.review_item).values(
            id=review_id,
            grievance_id=grievance_id,
            revision=revision,
            reason=reason,
            reason_detail=reason_detail,
            proposed=proposed.model_dump(mode="json"),
            confidence=proposed.confidence,
            urgent=proposed.urgent,
            status="pending",
            created_at=at,
        )
    )


async def pending_reviews(session: AsyncSession) -> int:
    r = db.review_item
    count = await session.scalar(select(func.count()).select_from(r).where(r.c.status == "pending"))
    return int(count or 0)


async def take_pending_rotation(session: AsyncSession, grievance_id: str) -> Row[Any] | None:
    """A pseudonym rotation that arrived before the grievance, removed as it is applied."""
    p = db.pending_pseudonym_rotation
    statement = delete(p).where(p.c.grievance_id == grievance_id).returning(p)
    return (await session.execute(statement)).first()


async def keep_pending_rotation(session: AsyncSession, rotated: ComplainantPseudonymsRotated) -> None:
    """Remember a rotation for a grievance not routed yet; a later rotation replaces it."""
    p = db.pending_pseudonym_rotation
    values = {
        "key_id": rotated.key_id,
        "phone_pseudonym": rotated.phone_pseudonym,
        "id_card_pseudonym": rotated.id_card_pseudonym,
        "rotated_at": rotated.rotated_at,
    }
    statement = pg_insert(p).values(grievance_id=rotated.grievance_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=[p.c.grievance_id], set_=values))
