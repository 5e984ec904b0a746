"""The questions repeat (重复件) and group-case (集体访) matching ask the router's read model of
grievances: a complainant's earlier grievances and a street's recent ones, one at a time (a
grievance routed alone) or for a whole consumer batch in one statement (RoutingBatch answers each
question from those rows in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Text, and_, any_, bindparam, column, func, literal_column, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.router import db
from services.router.domain.batch import Candidate, ComplainantQuery, NeighbourQuery
from services.router.domain.matching import EARLIER_LIMIT, NEIGHBOUR_LIMIT, Earlier
from services.router.repositories.candidate_rows import candidate_rows_of

_TEXTS = ARRAY(Text)
# This version of a row (candidate_rows.py): the transaction that wrote it and where it lies.
_ROW_VERSION = literal_column("xmin::text || ctid::text", Text).label("version")
_STAMP = DateTime(timezone=True)
# The columns of ComplainantQuery.row() and NeighbourQuery.row(), as the statement reads them.
_COMPLAINANT_COLUMNS = [column("id", Text), column("phones", _TEXTS), column("id_cards", _TEXTS)]
_NEIGHBOUR_COLUMNS = [column("id", Text), column("street", Text), column("area", Text),
                      column("since", _STAMP), column("until", _STAMP)]  # fmt: skip


class CandidateQuestions:
    """Part of GrievanceRepository: every question first writes the rows the repository holds
    back (``flush``), so its answer includes them."""

    _session: AsyncSession

    async def flush(self) -> None:
        raise NotImplementedError

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
        theirs = select(g.c.id, _ROW_VERSION).where(
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
            select(g.c.id, _ROW_VERSION)
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
        """The rows ``answer`` (a select of ids and row versions correlated with a row of
        ``questions``) finds for any of the questions, each once: a LATERAL per question for their
        ids and row versions, then the rows not held at that version (candidate_rows.py) in full.

        The ids come straight from the LATERAL, never as ``id IN (...)`` of the table: once the
        read model held a few thousand rows, the planner ran that as a scan of the whole table
        probing the LATERAL for each row (3 ms became 200 ms per batch of 200)."""
        g = db.grievance
        per_question = answer.lateral("answer")
        wanted = select(per_question.c.id, per_question.c.version).select_from(questions).join(per_question, true())
        versions = (await self._session.execute(wanted.distinct())).all()
        held = candidate_rows_of(self._session.bind)
        found, missing = held.known(versions)
        if missing:
            query = select(*_earlier_columns(), _ROW_VERSION).where(g.c.id == any_(bindparam("ids", missing, _TEXTS)))
            read = [(row.version, _candidate(row)) for row in (await self._session.execute(query)).all()]
            held.remember(read)
            found += [candidate for _, candidate in read]
        return found


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


def _candidate(row: Any) -> Candidate:
    return Candidate(_earlier(row), row.street, row.phone_pseudonym, row.id_card_pseudonym)


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
