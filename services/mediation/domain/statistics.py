"""Mediation statistics for the bureau: success rate, median duration, counts by type/street/kind.

Success rate = agreements / mediations that reached a result (agreement, failure or refusal);
withdrawals and open cases are counted but are not results. Durations run from opening to the
result, in days.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.mediation.domain.vocabulary import Outcome

RESULTS = frozenset({Outcome.agreement, Outcome.failure, Outcome.refusal})


@dataclass(frozen=True, slots=True)
class CaseFacts:
    mediation_type: str
    street: str
    kind: str
    outcome: Outcome | None
    opened_at: datetime
    concluded_at: datetime | None


@dataclass
class Counts:
    total: int = 0
    open: int = 0
    agreed: int = 0
    failed: int = 0
    refused: int = 0
    withdrawn: int = 0

    def add(self, outcome: Outcome | None) -> None:
        self.total += 1
        if outcome is None:
            self.open += 1
        elif outcome is Outcome.agreement:
            self.agreed += 1
        elif outcome is Outcome.failure:
            self.failed += 1
        elif outcome is Outcome.refusal:
            self.refused += 1
        else:
            self.withdrawn += 1

    @property
    def results(self) -> int:
        return self.agreed + self.failed + self.refused

    @property
    def success_rate(self) -> float | None:
        return round(self.agreed / self.results, 4) if self.results else None


@dataclass
class Statistics:
    overall: Counts = field(default_factory=Counts)
    median_duration_days: float | None = None
    by_type: dict[str, Counts] = field(default_factory=dict)
    by_street: dict[str, Counts] = field(default_factory=dict)
    by_kind: dict[str, Counts] = field(default_factory=dict)


def summarise(cases: Iterable[CaseFacts]) -> Statistics:
    result = Statistics()
    durations: list[float] = []
    groups: list[tuple[dict[str, Counts], Callable[[CaseFacts], str]]] = [
        (result.by_type, lambda c: c.mediation_type),
        (result.by_street, lambda c: c.street),
        (result.by_kind, lambda c: c.kind),
    ]
    for case in cases:
        result.overall.add(case.outcome)
        for table, key in groups:
            table.setdefault(key(case), Counts()).add(case.outcome)
        if case.outcome in RESULTS and case.concluded_at is not None:
            durations.append((case.concluded_at - case.opened_at).total_seconds() / 86400)
    if durations:
        result.median_duration_days = round(statistics.median(durations), 2)
    return result
