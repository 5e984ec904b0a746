"""Routing statistics for the bureau (DESIGN §8): the figures of the grievances received in a
period, counted by the statistics repository from one snapshot (docs/statistics.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.router.domain import statistics as arithmetic
from services.router.domain.series import Interval
from services.router.domain.statistics import Counts, ReviewCounts, rate
from services.router.handlers.series import build_series
from services.router.repositories import RouterUnitOfWork
from services.router.schemas import (
    FirstDecisionFigures,
    GroupCaseFigures,
    LitigationFigures,
    RepeatFigures,
    RerouteFigures,
    ReviewFigures,
    RoutingStatistics,
    Series,
)
from shared.catalog import Catalog
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Area, Street, Track
from shared.statistics_params import TIME_ZONE, Period

OTHER_BODY = "other"


async def routing_statistics(
    *, uow: RouterUnitOfWork, catalog: Catalog, window: Period, as_of: datetime, interval: Interval | None = None
) -> RoutingStatistics:
    await uow.statistics.snapshot()
    counts = await uow.statistics.counts(window)
    series = None
    if interval is not None:
        series = build_series(
            await uow.statistics.series_rows(window),
            window,
            interval,
            tracks=[t.value for t in Track],
            areas=[a.value for a in Area],
            streets=[s.value for s in Street],
            unknown_street=arithmetic.UNKNOWN_STREET,
        )
    return figures(counts, window, as_of, catalog, series)


def legal_body_codes(catalog: Catalog) -> list[str]:
    return sorted(d.code for d in catalog.departments.values() if d.kind == "legal_body")


def litigation_figures(counts: Mapping[str | None, int], catalog: Catalog) -> LitigationFigures:
    """``counts``: litigation-track grievances per lead department code (None: another track)."""
    bodies = dict.fromkeys(legal_body_codes(catalog), 0)
    bodies[OTHER_BODY] = 0
    for code, n in counts.items():
        if code is None:
            continue
        bodies[code if code in bodies and code != OTHER_BODY else OTHER_BODY] += n
    return LitigationFigures(grievances=sum(bodies.values()), by_legal_body=bodies)


def figures(
    counts: Counts, window: Period, as_of: datetime, catalog: Catalog, series: Series | None = None
) -> RoutingStatistics:
    dimension = counts.dimensions.get
    reviews = sum(counts.reviews.values(), ReviewCounts())
    decided_first = counts.first_automatic + counts.first_to_review
    return RoutingStatistics(
        since=window.since,
        until=window.until,
        time_zone=TIME_ZONE,
        as_of=as_of.astimezone(CHINA_TZ),
        received=counts.received,
        by_track=arithmetic.by_track(dimension("track", {})),
        by_petition_kind=arithmetic.by_petition_kind(dimension("petition_kind", {})),
        by_area=arithmetic.by_area(dimension("area", {})),
        by_category=arithmetic.by_category(dimension("category", {})),
        by_street=arithmetic.by_street(dimension("street", {})),
        by_channel=arithmetic.by_channel(dimension("channel", {})),
        urgent=counts.urgent,
        repeats=RepeatFigures(grievances=counts.repeats, rate=rate(counts.repeats, counts.received)),
        group_cases=GroupCaseFigures(clusters=counts.clusters, grievances=counts.in_clusters),
        first_decision=FirstDecisionFigures(
            automatic=counts.first_automatic,
            to_review=counts.first_to_review,
            automatic_share=rate(counts.first_automatic, decided_first),
            awaiting_review=counts.awaiting_review,
        ),
        reviews=ReviewFigures(
            requested=reviews.requested,
            pending=reviews.pending,
            decided=reviews.decided,
            superseded=reviews.superseded,
            track_changed=reviews.track_changed,
            area_changed=reviews.area_changed,
            track_or_area_changed=reviews.track_or_area_changed,
            change_rate=rate(reviews.track_or_area_changed, reviews.decided),
            by_reason=arithmetic.complete(
                {k: v.requested for k, v in counts.reviews.items()}, arithmetic.REVIEW_REASONS
            ),
        ),
        reroutes=RerouteFigures(
            decisions=sum(counts.later_decisions.values()),
            grievances=counts.rerouted,
            by_reason=arithmetic.reroute_causes(counts.later_decisions),
        ),
        litigation=litigation_figures(dimension("legal_body", {}), catalog),
        series=series,
    )
