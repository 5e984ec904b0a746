"""The router's read model of grievances: one row per grievance it routed, its current decision,
and the candidates for repeat (重复件) and group-case (集体访) matching."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Text, and_, any_, bindparam, column, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.router import db
from services.router.domain.batch import Candidate, ComplainantQuery, NeighbourQuery
from services.router.domain.matching import EARLIER_LIMIT, NEIGHBOUR_LIMIT, Earlier
from services.router.domain.records import RoutedGrievance
from services.router.repositories.base import DeferringRepository
from services.router.repositories.batch_writes import as_stored
from shared.events.contracts import GrievanceReceived, RoutingDecision

_TEXTS = ARRAY(Text)
_STAMP = DateTime(timezone=True)
# The columns of ComplainantQuery.row() and NeighbourQuery.row(), as the statement reads them.
_COMPLAINANT_COLUMNS = [column("id", Text), column("phones", _TEXTS), column("id_cards", _TEXTS)]
_NEIGHBOUR_COLUMNS = [column("id", Text), column("street", Text), column("area", Text),
                      column("since", _STAMP), column("until", _STAMP)]  # fmt: skip


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


class GrievanceRepository(DeferringRepository):
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
        await self.flush()
        g = db.grievance
        pairs = ((g.c.phone_pseudonym, phones), (g.c.id_card_pseudonym, id_cards))
        who = [column.in_(values) for column, values in pairs if values]
        if not who:
            return []
        # Only the pseudonyms in SQL: the window and the order in the statement let the planner
        # walk (or bitmap) the received_at index over the whole window, which holds nearly every
        # row (a generic plan cannot know a pseudonym is rare). The pseudonym indexes find a
        # complainant's few rows; the window, the order and the limit are applied here.
        query = select(*_earlier_columns()).where(or_(*who), g.c.id != exclude)
        rows = [row for row in (await self._session.execute(query)).all() if since <= row.received_at <= before]
        rows.sort(key=lambda row: (row.received_at, row.id))
        return [_earlier(row) for row in rows[:EARLIER_LIMIT]]

    async def neighbours(
        self, *, street: str, area: str, since: datetime, until: datetime, exclude: str
    ) -> list[Earlier]:
        """Recent grievances of the same street and area: the candidates for a group case."""
        await self.flush()
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
            .order_by(g.c.received_at.desc(), g.c.id.desc())
            .limit(NEIGHBOUR_LIMIT)
        )
        return [_earlier(row) for row in (await self._session.execute(query)).all()]

    async def routed_among(self, grievance_ids: Sequence[str]) -> set[str]:
        """Which of ``grievance_ids`` were routed before (one query for a batch)."""
        await self.flush()
        g = db.grievance
        found = await self._session.scalars(
            select(g.c.id).where(g.c.id == any_(bindparam("ids", type_=_TEXTS))), {"ids": list(grievance_ids)}
        )
        return set(found)

    async def earlier_of_complainants(self, queries: Sequence[ComplainantQuery]) -> list[Candidate]:
        """Every row ``earlier_of_complainant`` would choose from for each query, in one statement,
        each row once (callers filter, order and cut per query)."""
        await self.flush()
        if not queries:
            return []
        g = db.grievance
        q = _recordset([x.row() for x in queries], _COMPLAINANT_COLUMNS)
        # Every row of each complainant, through the pseudonym indexes only; the window, the order
        # and the limit are applied per question from memory (RoutingBatch). With them in SQL the
        # planner scanned the received_at index over the window for each question (0.3-2 ms each).
        theirs = select(g.c.id).where(
            or_(g.c.phone_pseudonym == any_(q.c.phones), g.c.id_card_pseudonym == any_(q.c.id_cards)),
            g.c.id != q.c.id,
        )
        return await self._candidates(q, theirs)

    async def neighbours_of(self, queries: Sequence[NeighbourQuery]) -> list[Candidate]:
        """What ``neighbours`` returns for each query, in one statement (each row once)."""
        await self.flush()
        if not queries:
            return []
        g = db.grievance
        q = _recordset([x.row() for x in queries], _NEIGHBOUR_COLUMNS)
        near = (
            select(g.c.id)
            .where(
                g.c.street == q.c.street,
                g.c.area == q.c.area,
                g.c.received_at >= q.c.since,
                g.c.received_at <= q.c.until,
                g.c.id != q.c.id,
            )
            .order_by(g.c.received_at.desc(), g.c.id.desc())
            .limit(NEIGHBOUR_LIMIT)
        )
        return await self._candidates(q, near)

    async def _candidates(self, questions: Any, answer: Any) -> list[Candidate]:
        """The rows ``answer`` (a select of ids correlated with a row of ``questions``) finds for
        any of the questions, each once: one statement, a LATERAL per question."""
        g = db.grievance
        per_question = answer.lateral("answer")
        wanted = select(per_question.c.id).select_from(questions).join(per_question, true())
        rows = (await self._session.execute(select(*_earlier_columns()).where(g.c.id.in_(wanted)))).all()
        return [Candidate(_earlier(row), row.street, row.phone_pseudonym, row.id_card_pseudonym) for row in rows]

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
    members = g.c.id == any_(bindparam("ids", type_=ARRAY(Text)))
    return update(g).where(members).values(cluster_id=bindparam("cluster"))


def _recordset(rows: list[dict[str, Any]], columns: list[Any]) -> Any:
    """``rows`` as a table in the statement: a JSON array read by jsonb_to_recordset."""
    return (
        func.jsonb_to_recordset(bindparam("queries", rows, type_=JSONB))
        .table_valued(*columns)
        .render_derived(name="q", with_types=True)
    )


def _earlier_columns() -> list[Any]:
    """Only what matching needs: the JSON payloads stay in the database."""
    g = db.grievance
    return [g.c.id, g.c.tracking_no, g.c.title, g.c.content, g.c.area, g.c.received_at, g.c.repeat_of,
            g.c.phone_pseudonym, g.c.id_card_pseudonym, g.c.cluster_id, g.c.street]  # fmt: skip


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
