"""Routing statistics' arithmetic (DESIGN §8): counted rows, completed to the vocabularies, and
rates. The period is the platform's one convention (``shared.statistics_params``): grievances
received at ``since <= received_at < until``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.events.vocabulary import Area, Channel, PetitionKind, Street, Track

UNKNOWN_STREET = "unknown"
# Why a grievance was decided again (revision > 1): a reviewer's decision, or the reason a
# handler gave in grievance.reroute (RerouteRequested.reason).
REROUTE_REASONS = ("reviewer", "returned_by_department", "mediation_failed", "mediation_refused", "reopened", "other")
REVIEW_REASONS = ("low_confidence", "returned_by_department", "reroute")


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


def reroute_causes(later_decisions: Mapping[tuple[str, str | None], int]) -> dict[str, int]:
    """Decisions after the first per cause, every cause listed."""
    causes: dict[str | None, int] = {}
    for (decided_by, code), n in later_decisions.items():
        cause = reroute_reason(decided_by, code)
        causes[cause] = causes.get(cause, 0) + n
    return complete(causes, REROUTE_REASONS)


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
    # dimension (track, petition_kind, area, category, street, channel, legal_body) -> value -> grievances
    dimensions: Mapping[str, Mapping[str | None, int]] = field(default_factory=dict)
    # (decided_by, reroute reason code or None) -> decisions after the first
    later_decisions: Mapping[tuple[str, str | None], int] = field(default_factory=dict)
    reviews: Mapping[str, ReviewCounts] = field(default_factory=dict)  # per review reason
