"""Routing statistics for the bureau (DESIGN §8): the reporting window and the arithmetic that
turns counted rows into figures. Pure: no database, Kafka or HTTP here.

A window bound is either a date, meaning a day in the bureau's local time (Asia/Shanghai) with
``until`` covering its whole day, or an ISO 8601 / RFC 3339 date-time, an instant (without an
offset it is read as Asia/Shanghai time). The window is half-open: ``since <= t < until``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from services.router.schemas import (
    FirstDecisionFigures,
    GroupCaseFigures,
    RepeatFigures,
    RerouteFigures,
    ReviewFigures,
    RoutingStatistics,
)
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Area, Channel, PetitionKind, Street, Track

TIME_ZONE = CHINA_TZ.key  # "Asia/Shanghai"
UNKNOWN_STREET = "unknown"
# Why a grievance was decided again (revision > 1): a reviewer's decision, or the reason a
# handler gave in grievance.reroute (RerouteRequested.reason).
REROUTE_REASONS = ("reviewer", "returned_by_department", "mediation_failed", "mediation_refused", "reopened", "other")
REVIEW_REASONS = ("low_confidence", "returned_by_department", "reroute")
# Far enough from datetime's limits that the day after and the UTC conversion stay representable.
_FIRST_YEAR, _LAST_YEAR = 1900, 9998


class InvalidWindow(ValueError):
    """A bound that is not a date or date-time, or a window that ends before it begins."""

    def __init__(self, field: str, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Window:
    """Grievances received at ``since <= received_at < until``; None leaves that side open."""

    since: datetime | None = None
    until: datetime | None = None


def _instant(text: str, *, field: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidWindow(
            field,
            "datetime_parsing",
            "expected a date (2026-11-01) or an ISO 8601 date-time (2026-11-01T08:00:00+08:00)",
            "应为日期（如 2026-11-01）或带时区的时间（如 2026-11-01T08:00:00+08:00）",
        ) from None


def _bound(value: str, *, field: str, end: bool) -> tuple[datetime, bool]:
    """The instant a bound stands for, and whether it was given as a date."""
    text = value.strip()
    parsed: date | datetime
    try:
        parsed = date.fromisoformat(text)  # 2026-11-01 (also 20261101): a day
    except ValueError:
        parsed = _instant(text, field=field)
    if not _FIRST_YEAR <= parsed.year <= _LAST_YEAR:
        raise InvalidWindow(
            field,
            "datetime_out_of_range",
            f"the year must lie between {_FIRST_YEAR} and {_LAST_YEAR}",
            f"年份应在 {_FIRST_YEAR} 至 {_LAST_YEAR} 之间",
        )
    if isinstance(parsed, datetime):
        aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA_TZ)
        return aware.astimezone(CHINA_TZ), False
    day = parsed + timedelta(days=1) if end else parsed  # until a date: to the end of that day
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ), True


def parse_window(since: str | None, until: str | None) -> Window:
    """The window of the query parameters; InvalidWindow for a bad bound or since after until.

    Both ends come back in Asia/Shanghai time; an empty parameter (``?since=``) is no bound."""
    since, until = (v.strip() or None if v is not None else None for v in (since, until))
    start = _bound(since, field="since", end=False)[0] if since is not None else None
    stop, until_is_date = _bound(until, field="until", end=True) if until is not None else (None, False)
    # A date ``until`` covers its whole day, so since=until=the same date is that one day; two
    # equal instants are an empty window, which is allowed.
    if start is not None and stop is not None and (start > stop or (start == stop and until_is_date)):
        raise InvalidWindow(
            "until",
            "window_order",
            "until must not lie before since",
            "结束时间不能早于开始时间",
        )
    return Window(start, stop)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def complete(counts: Mapping[str | None, int], keys: Iterable[str], *, other: str | None = None) -> dict[str, int]:
    """Every key of the vocabulary, with zeros, in vocabulary order.

    A value outside the vocabulary (or None) goes to ``other`` when given; otherwise an unknown
    value keeps its own key (a contract may grow) and None is dropped."""
    result = dict.fromkeys(keys, 0)
    if other is not None:
        result[other] = 0
    for key, count in counts.items():
        if key is not None and key in result and key != other:
            result[key] += count
        elif other is not None:
            result[other] += count
        elif key is not None:
            result[key] = result.get(key, 0) + count
    return result


def by_track(counts: Mapping[str | None, int]) -> dict[str, int]:
    return complete(counts, (t.value for t in Track))


def by_petition_kind(counts: Mapping[str | None, int]) -> dict[str, int]:
    return complete(counts, (k.value for k in PetitionKind))


def by_area(counts: Mapping[str | None, int]) -> dict[str, int]:
    return complete(counts, (a.value for a in Area))


def by_category(counts: Mapping[str | None, int]) -> dict[str, int]:
    """ "area/category" with at least one grievance; decisions made before the taxonomy have none."""
    return {label: n for label, n in sorted(counts.items(), key=lambda kv: str(kv[0])) if label and n}


def by_street(counts: Mapping[str | None, int]) -> dict[str, int]:
    """The six streets and ``unknown``: no street given, or one outside 光明区."""
    return complete(counts, (s.value for s in Street), other=UNKNOWN_STREET)


def by_channel(counts: Mapping[str | None, int]) -> dict[str, int]:
    return complete(counts, (c.value for c in Channel))


def reroute_reason(decided_by: str, reason_code: str | None) -> str:
    """The cause of a decision after the first: the reviewer, else the re-route's reason code
    (``reroute.<reason>`` in the decision's reasons); ``other`` when none was recorded."""
    if decided_by == "reviewer":
        return "reviewer"
    if reason_code and reason_code.startswith("reroute."):
        return reason_code.removeprefix("reroute.")
    return "other"


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """Review items of one reason (or all of them)."""

    requested: int = 0
    pending: int = 0
    decided: int = 0
    superseded: int = 0
    track_changed: int = 0
    area_changed: int = 0
    track_or_area_changed: int = 0

    def __add__(self, other: ReviewCounts) -> ReviewCounts:
        return ReviewCounts(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (self.requested, self.pending, self.decided, self.superseded,
                self.track_changed, self.area_changed, self.track_or_area_changed)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Counts:
    """What the queries count over the grievances received in the window."""

    received: int = 0
    urgent: int = 0
    repeats: int = 0
    clusters: int = 0
    in_clusters: int = 0
    awaiting_review: int = 0
    rerouted: int = 0  # grievances whose current revision is above 1
    first_automatic: int = 0
    first_to_review: int = 0
    # dimension (track, petition_kind, area, category, street, channel) -> value -> grievances
    dimensions: Mapping[str, Mapping[str | None, int]] = field(default_factory=dict)
    # (decided_by, reroute reason code or None) -> decisions after the first
    later_decisions: Mapping[tuple[str, str | None], int] = field(default_factory=dict)
    reviews: Mapping[str, ReviewCounts] = field(default_factory=dict)  # per review reason


def figures(counts: Counts, window: Window, as_of: datetime) -> RoutingStatistics:
    dimension = counts.dimensions.get
    causes: dict[str | None, int] = {}
    for (decided_by, code), n in counts.later_decisions.items():
        cause = reroute_reason(decided_by, code)
        causes[cause] = causes.get(cause, 0) + n
    reviews = sum(counts.reviews.values(), ReviewCounts())
    decided_first = counts.first_automatic + counts.first_to_review
    return RoutingStatistics(
        since=window.since,
        until=window.until,
        time_zone=TIME_ZONE,
        as_of=as_of.astimezone(CHINA_TZ),
        received=counts.received,
        by_track=by_track(dimension("track", {})),
        by_petition_kind=by_petition_kind(dimension("petition_kind", {})),
        by_area=by_area(dimension("area", {})),
        by_category=by_category(dimension("category", {})),
        by_street=by_street(dimension("street", {})),
        by_channel=by_channel(dimension("channel", {})),
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
            by_reason=complete({k: v.requested for k, v in counts.reviews.items()}, REVIEW_REASONS),
        ),
        reroutes=RerouteFigures(
            decisions=sum(counts.later_decisions.values()),
            grievances=counts.rerouted,
            by_reason=complete(causes, REROUTE_REASONS),
        ),
    )
