"""The router's read model of grievances: one row per grievance it routed, its current decision,
and the candidates for repeat (重复件) and group-case (集体访) matching (candidates.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Text, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.router import db
from services.router.domain.records import RoutedGrievance
from services.router.repositories.base import DeferringRepository
from services.router.repositories.batch_writes import as_stored
from services.router.repositories.candidates import CandidateQuestions
from shared.events.contracts import GrievanceReceived, RoutingDecision

_TEXTS = ARRAY(Text)


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
        "decision": decision,  # made JSON as the row is written (as_stored)
    }


class AlreadyRouted(Exception):
    """A deferred first decision met a row of the same grievance: another worker routed it while
    this batch was being routed. The batch rolls back and is routed again one event at a time."""


def check_all_new(inserted: int, rows: int) -> None:
    if inserted != rows:
        raise AlreadyRouted(f"{rows - inserted} of {rows} grievances were routed meanwhile")


class GrievanceRepository(CandidateQuestions, DeferringRepository):
    """Routed grievances; in a consumer batch first-decision rows are held back by grievance id
    (the batch's reads were all made before; see handlers/batch.py)."""

    async def flush(self) -> None:
        rows = [as_stored(row) for row in self.take_deferred()]
        if rows:
            inserted = (await self._session.execute(_insert_first_decision(), rows)).all()
            check_all_new(len(inserted), len(rows))

    async def add(self, received: GrievanceReceived, decision: RoutingDecision) -> bool:
        """Insert the first decision's row; False if this grievance was already routed."""
        complainant = received.complainant
        row = {
            "id": received.grievance_id,
            "tracking_no": received.tracking_no,
            "received": received,  # the models are made JSON as the row is written (as_stored)
            "title": received.title,
            "content": received.content,
            "street": received.street,
            "community": received.community,
            "phone_pseudonym": complainant.phone_pseudonym,
            "id_card_pseudonym": complainant.id_card_pseudonym,
            "received_at": received.received_at,
            "revision": 1,
            "repeat_of": decision.repeat_of,
            "cluster_id": decision.cluster_id,
            "alerted_at": None,
            **_decision_values(decision),
        }
        if self._deferred is not None and received.grievance_id in self._deferred:
            return False
        if self._hold(row, key=received.grievance_id):
            return True
        return (await self._session.execute(_insert_first_decision(), as_stored(row))).first() is not None

    async def get(self, grievance_id: str, *, for_update: bool = False) -> RoutedGrievance | None:
        await self.flush()
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
        values = as_stored({**_decision_values(decision), "revision": revision})
        if excluded_departments is not None:
            values["excluded_departments"] = list(excluded_departments)
        await self._update(grievance_id, **values)

    async def mark_alerted(self, grievance_id: str, at: datetime) -> None:
        if self._deferred and grievance_id in self._deferred:
            self._deferred[grievance_id]["alerted_at"] = at
            return
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
        deferred = self._deferred or {}
        for grievance_id in grievance_ids:
            if grievance_id in deferred:
                deferred[grievance_id]["cluster_id"] = cluster_id
        stored = [grievance_id for grievance_id in grievance_ids if grievance_id not in deferred]
        if stored:
            await self._session.execute(_set_cluster(), {"ids": stored, "cluster": cluster_id})

    async def routed_among(self, grievance_ids: Sequence[str]) -> set[str]:
        """Which of ``grievance_ids`` were routed before (one query for a batch)."""
        await self.flush()
        g = db.grievance
        found = await self._session.scalars(
            select(g.c.id).where(g.c.id == any_(bindparam("ids", type_=_TEXTS))), {"ids": list(grievance_ids)}
        )
        return set(found)

    async def _update(self, grievance_id: str, **values: Any) -> None:
        await self.flush()
        await self._session.execute(
            update(db.grievance).where(db.grievance.c.id == grievance_id).values(**values, updated_at=func.now())
        )


@cache
def _insert_first_decision() -> Any:
    # One statement object, values as parameters: compiled once; many rows go as one executemany.
    return pg_insert(db.grievance).on_conflict_do_nothing().returning(db.grievance.c.id)


@cache
def _set_cluster() -> Any:
    # Members as one array: one statement text whatever their number (IN (...) is one per count).
    g = db.grievance
    members = g.c.id == any_(bindparam("ids", type_=_TEXTS))
    return update(g).where(members).values(cluster_id=bindparam("cluster"))
