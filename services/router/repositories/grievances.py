"""The router's read model of grievances: one row per grievance it routed, its current decision,
and the candidates for repeat (重复件) and group-case (集体访) matching."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.router import db
from services.router.domain.matching import Earlier
from services.router.domain.records import RoutedGrievance
from services.router.repositories.base import Repository
from shared.events.contracts import GrievanceReceived, RoutingDecision


def _state(decision: RoutingDecision) -> str:
    return "under_review" if decision.needs_review else "routed"


def _decision_values(decision: RoutingDecision) -> dict[str, Any]:
    """The columns that follow the current decision."""
    return {
        "state": _state(decision),
        "track": decision.track.value,
        "area": decision.area.value,
        "category": decision.category,
        "item": decision.item,
        "model_version": decision.model_version,
        "decision": decision.model_dump(mode="json"),
    }


class GrievanceRepository(Repository):
    async def add(self, received: GrievanceReceived, decision: RoutingDecision) -> bool:
        """Insert the first decision's row; False if this grievance was already routed."""
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
                revision=1,
                repeat_of=decision.repeat_of,
                cluster_id=decision.cluster_id,
                **_decision_values(decision),
            )
            .on_conflict_do_nothing()
            .returning(db.grievance.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def get(self, grievance_id: str, *, for_update: bool = False) -> RoutedGrievance | None:
        query = select(db.grievance).where(db.grievance.c.id == grievance_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return RoutedGrievance(
            received=GrievanceReceived.model_validate(row.received),
            revision=row.revision,
            decision=RoutingDecision.model_validate(row.decision),
            repeat_of=row.repeat_of,
            cluster_id=row.cluster_id,
            excluded_departments=tuple(row.excluded_departments),
            alerted_at=row.alerted_at,
        )

    async def apply_decision(
        self,
        grievance_id: str,
        decision: RoutingDecision,
        *,
        revision: int,
        excluded_departments: Sequence[str] | None = None,
    ) -> None:
        """A later decision becomes the current one (a re-route, a reviewer's decision)."""
        values = {**_decision_values(decision), "revision": revision}
        if excluded_departments is not None:
            values["excluded_departments"] = list(excluded_departments)
        await self._update(grievance_id, **values)

    async def mark_alerted(self, grievance_id: str, at: datetime) -> None:
        await self._update(grievance_id, alerted_at=at)

    async def replace_received(self, received: GrievanceReceived) -> None:
        """The kept payload and its pseudonym columns after a pseudonym-key rotation."""
        await self._update(
            received.grievance_id,
            phone_pseudonym=received.complainant.phone_pseudonym,
            id_card_pseudonym=received.complainant.id_card_pseudonym,
            received=received.model_dump(mode="json"),
        )

    async def set_cluster(self, grievance_ids: Sequence[str], cluster_id: str) -> None:
        await self._session.execute(
            update(db.grievance).where(db.grievance.c.id.in_(grievance_ids)).values(cluster_id=cluster_id)
        )

    async def earlier_of_complainant(
        self,
        *,
        phones: Sequence[str],
        id_cards: Sequence[str],
        before: datetime,
        since: datetime,
        exclude: str,
    ) -> list[Earlier]:
        """The complainant's earlier grievances; several pseudonyms each while a pseudonym key rotates."""
        g = db.grievance
        pairs = ((g.c.phone_pseudonym, phones), (g.c.id_card_pseudonym, id_cards))
        who = [column.in_(values) for column, values in pairs if values]
        if not who:
            return []
        query = (
            select(*_earlier_columns())
            .where(or_(*who), g.c.received_at <= before, g.c.received_at >= since, g.c.id != exclude)
            .order_by(g.c.received_at)
            .limit(50)
        )
        return [_earlier(row) for row in (await self._session.execute(query)).all()]

    async def neighbours(
        self, *, street: str, area: str, since: datetime, until: datetime, exclude: str
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
        return [_earlier(row) for row in (await self._session.execute(query)).all()]

    async def _update(self, grievance_id: str, **values: Any) -> None:
        await self._session.execute(
            update(db.grievance).where(db.grievance.c.id == grievance_id).values(**values, updated_at=func.now())
        )


def _earlier_columns() -> list[Any]:
    """Only what matching needs: the JSON payloads stay in the database."""
    g = db.grievance
    return [g.c.id, g.c.tracking_no, g.c.title, g.c.content, g.c.area, g.c.received_at, g.c.repeat_of,
            g.c.phone_pseudonym, g.c.id_card_pseudonym, g.c.cluster_id]  # fmt: skip


def _earlier(row: Any) -> Earlier:
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
