"""Routing statistics counted in SQL over the router's own read model: ``grievance`` (one row per
grievance, its current decision), ``routing_decision`` (every revision) and ``review_item``.

Every figure is about the grievances received in the window (a cohort), including what happened
to them later (reviews, re-routes). The use case takes one read-only REPEATABLE READ snapshot
first, so every query sees the same data and the figures add up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, distinct, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnClause

from services.router import db
from services.router.domain.series import SeriesRow
from services.router.domain.statistics import Counts, ReviewCounts
from services.router.repositories.base import Repository
from shared.statistics_params import TIME_ZONE, Period

DIMENSIONS = ("track", "petition_kind", "area", "category", "street", "channel", "legal_body")
# The code of the reason a re-route added to its decision (domain.decisions: "reroute.<reason>").
_REROUTE_CODE: ColumnClause[Any] = literal_column("""'$.reasons[*].code ? (@ starts with "reroute.")'::jsonpath""")


def _received_in(window: Period) -> list[ColumnElement[bool]]:
    g = db.grievance
    conditions = []
    if window.since is not None:
        conditions.append(g.c.received_at >= window.since)
    if window.until is not None:
        conditions.append(g.c.received_at < window.until)
    return conditions


class StatisticsRepository(Repository):
    async def snapshot(self) -> None:
        """Read the rest of the transaction from one snapshot; must come before any other query."""
        await self._session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))

    async def counts(self, window: Period) -> Counts:
        in_window = _received_in(window)
        return Counts(
            **await self._totals(in_window),
            **await self._first_decisions(in_window),
            dimensions=await self._dimensions(in_window),
            later_decisions=await self._later_decisions(in_window),
            reviews=await self._reviews(in_window),
        )

    async def series_rows(self, window: Period) -> dict[SeriesRow, int]:
        """Grievances received in the period per (local day, current track, area, street, whether
        the first decision went to a reviewer). The local day is taken in a subquery and grouped by
        name: PostgreSQL would not match a GROUP BY expression with bound parameters to the select."""
        g, r = db.grievance, db.routing_decision
        local_day = cast(func.timezone(TIME_ZONE, g.c.received_at), Date)
        to_review = func.coalesce(r.c.decision["needs_review"].as_boolean(), False)
        facts = (
            select(local_day.label("day"), g.c.track, g.c.area, g.c.street, to_review.label("to_review"))
            .select_from(g.outerjoin(r, (r.c.grievance_id == g.c.id) & (r.c.revision == 1)))
            .where(*_received_in(window))
            .subquery("facts")
        )
        columns = [facts.c.day, facts.c.track, facts.c.area, facts.c.street, facts.c.to_review]
        rows = await self._session.execute(select(*columns, func.count()).group_by(*columns))
        return {(row[0], row[1], row[2], row[3], bool(row[4])): int(row[5]) for row in rows}

    async def _totals(self, in_window: list[ColumnElement[bool]]) -> dict[str, int]:
        g = db.grievance
        row = (
            await self._session.execute(
                select(
                    func.count().label("received"),
                    func.count().filter(g.c.alerted_at.is_not(None)).label("urgent"),
                    func.count().filter(g.c.repeat_of.is_not(None)).label("repeats"),
                    func.count(distinct(g.c.cluster_id)).label("clusters"),
                    func.count(g.c.cluster_id).label("in_clusters"),
                    func.count().filter(g.c.state == "under_review").label("awaiting_review"),
                    func.count().filter(g.c.revision > 1).label("rerouted"),
                ).where(*in_window)
            )
        ).one()
        return dict(row._mapping)

    async def _dimensions(self, in_window: list[ColumnElement[bool]]) -> dict[str, dict[str | None, int]]:
        """Grievances per track, petition kind, area, street and channel, in one pass (GROUPING SETS).

        The JSON fields are taken out in a subquery first: grouped by their name, not by an
        expression with bound parameters (which PostgreSQL would not match to the select list)."""
        g = db.grievance
        facts = (
            select(
                g.c.track,
                case((g.c.track == "petition", g.c.decision["petition_kind"].astext)).label("petition_kind"),
                g.c.area,
                # "area/category": category names repeat across areas (其他, 安全生产)
                case((g.c.category.is_not(None), g.c.area + "/" + g.c.category)).label("category"),
                g.c.street,
                g.c.received["channel"].astext.label("channel"),
                # 涉法涉诉: the 政法 body the router chose as lead
                case((g.c.track == "litigation", g.c.decision["departments"]["lead"].astext)).label("legal_body"),
            )
            .where(*in_window)
            .subquery("facts")
        )
        columns = [facts.c[name] for name in DIMENSIONS]
        rows = await self._session.execute(
            select(*columns, *(func.grouping(c) for c in columns), func.count()).group_by(func.grouping_sets(*columns))
        )
        counts: dict[str, dict[str | None, int]] = {name: {} for name in DIMENSIONS}
        width = len(DIMENSIONS)
        for row in rows:
            values, grouping, n = row[:width], row[width : 2 * width], row[-1]
            for name, value, aggregated in zip(DIMENSIONS, values, grouping, strict=True):
                if aggregated == 0:  # this row is a group of that dimension
                    counts[name][value] = n
        return counts

    async def _first_decisions(self, in_window: list[ColumnElement[bool]]) -> dict[str, int]:
        """Revision 1: handed to the track at once, or sent to a reviewer."""
        g, r = db.grievance, db.routing_decision
        to_review = r.c.decision["needs_review"].as_boolean()
        row = (
            await self._session.execute(
                select(
                    func.count().filter(to_review.is_not(True)).label("first_automatic"),
                    func.count().filter(to_review.is_(True)).label("first_to_review"),
                )
                .select_from(r.join(g, g.c.id == r.c.grievance_id))
                .where(r.c.revision == 1, *in_window)
            )
        ).one()
        return dict(row._mapping)

    async def _later_decisions(self, in_window: list[ColumnElement[bool]]) -> dict[tuple[str, str | None], int]:
        """Decisions after the first, per decider and re-route reason code."""
        g, r = db.grievance, db.routing_decision
        code = func.jsonb_path_query_first(r.c.decision, _REROUTE_CODE).op("#>>")(literal_column("'{}'"))
        later = (
            select(r.c.decided_by, code.label("code"))
            .select_from(r.join(g, g.c.id == r.c.grievance_id))
            .where(r.c.revision > 1, *in_window)
            .subquery("later")
        )
        rows = await self._session.execute(
            select(later.c.decided_by, later.c.code, func.count()).group_by(later.c.decided_by, later.c.code)
        )
        return {(decided_by, code): n for decided_by, code, n in rows}

    async def _reviews(self, in_window: list[ColumnElement[bool]]) -> dict[str, ReviewCounts]:
        """Review items per reason; for decided ones, whether the reviewer kept the proposal."""
        g, ri = db.grievance, db.review_item
        decided = ri.c.status == "decided"
        track_changed = ri.c.proposed["track"].astext.is_distinct_from(ri.c.decision["track"].astext)
        area_changed = ri.c.proposed["area"].astext.is_distinct_from(ri.c.decision["area"].astext)

        def count(*conditions: ColumnElement[bool]) -> Any:
            return func.count().filter(and_(*conditions))

        rows = await self._session.execute(
            select(
                ri.c.reason,
                func.count(),
                count(ri.c.status == "pending"),
                count(decided),
                count(ri.c.status == "superseded"),
                count(decided, track_changed),
                count(decided, area_changed),
                count(decided, track_changed | area_changed),
            )
            .select_from(ri.join(g, g.c.id == ri.c.grievance_id))
            .where(*in_window)
            .group_by(ri.c.reason)
        )
        return {reason: ReviewCounts(*values) for reason, *values in rows}
