"""Statistics: success rate over results, median duration, counts by type, street and kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.mediation.domain.statistics import CaseFacts, summarise
from services.mediation.domain.vocabulary import Outcome

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def case(
    kind: str, outcome: Outcome | None, days: float | None, *, type_: str = "people", street: str = "公明街道"
) -> CaseFacts:
    concluded = T0 + timedelta(days=days) if days is not None else None
    return CaseFacts(type_, street, kind, outcome, T0, concluded)


def test_success_rate_counts_only_results() -> None:
    result = summarise(
        [
            case("neighbour", Outcome.agreement, 4),
            case("neighbour", Outcome.agreement, 10),
            case("labour", Outcome.failure, 20, type_="administrative", street="新湖街道"),
            case("labour", Outcome.refusal, 1, type_="administrative"),
            case("family", Outcome.withdrawal, 2),
            case("family", None, None),
        ]
    )
    assert result.overall.total == 6
    assert result.overall.success_rate == 0.5  # 2 agreements of 4 results; withdrawal and open excluded
    assert result.median_duration_days == 7.0  # median of 1, 4, 10, 20
    assert result.by_type["people"].agreed == 2
    assert result.by_type["administrative"].success_rate == 0.0
    assert result.by_street["新湖街道"].failed == 1
    assert result.by_kind["family"].withdrawn == 1
    assert result.by_kind["family"].open == 1
    assert result.by_kind["family"].success_rate is None


def test_no_cases_no_rates() -> None:
    result = summarise([])
    assert result.overall.total == 0
    assert result.overall.success_rate is None
    assert result.median_duration_days is None
