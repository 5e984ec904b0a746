"""In-memory recommendation, assistance, evaluation and statistics repositories (see fakes.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from services.casework.domain.calendar import local_date
from services.casework.domain.recommendation import RecommendationState
from services.casework.repositories.assistance import AssistanceRepository, Referral, ReferralCount
from services.casework.repositories.evaluations import Evaluation, EvaluationRepository, EvaluationSheet, ScoredSheet
from services.casework.repositories.recommendations import (
    Recommendation,
    RecommendationQuery,
    RecommendationRepository,
)
from services.casework.repositories.statistics import (
    HandlingCounts,
    OverdueClockRow,
    OverdueQuery,
    StatisticsRepository,
    StepCount,
)
from shared.events.vocabulary import PetitionKind, Track

if TYPE_CHECKING:
    from tests.unit.casework.fakes import FakeCaseRepository


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


class FakeRecommendationRepository(RecommendationRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Recommendation] = {}

    async def add(self, recommendation: Recommendation) -> None:
        self.rows[recommendation.id] = replace(recommendation)

    async def get(self, recommendation_id: str, *, for_update: bool = False) -> Recommendation | None:
        row = self.rows.get(recommendation_id)
        return replace(row) if row is not None else None

    async def save(self, recommendation: Recommendation) -> None:
        self.rows[recommendation.id] = replace(recommendation)

    async def search(self, query: RecommendationQuery, *, today: date) -> tuple[int, list[Recommendation]]:
        def matches(row: Recommendation) -> bool:
            overdue = row.state == RecommendationState.issued.value and row.due_on < today
            return (
                query.department in (None, row.department)
                and query.state in (None, row.state)
                and query.kind in (None, row.kind)
                and query.overdue in (None, overdue)
            )

        found = sorted((r for r in self.rows.values() if matches(r)), key=lambda r: (-r.issued_at.timestamp(), r.id))
        return len(found), [replace(r) for r in found[query.offset : query.offset + query.limit]]

    async def due_for_supervision(self, *, today: date, limit: int) -> list[Recommendation]:
        due = [
            r
            for r in self.rows.values()
            if r.state == RecommendationState.issued.value and r.due_on < today and r.supervised_at is None
        ]
        return [replace(r) for r in sorted(due, key=lambda r: (r.due_on, r.id))[:limit]]

    async def issued_between(self, since: date | None, until: date | None) -> list[Recommendation]:
        return [replace(r) for r in self.rows.values() if _within(local_date(r.issued_at), since, until)]


class FakeAssistanceRepository(AssistanceRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Referral] = {}

    async def add(self, referral: Referral) -> None:
        self.rows[referral.id] = replace(referral)

    async def get(self, grievance_id: str, referral_id: str) -> Referral | None:
        row = self.rows.get(referral_id)
        return replace(row) if row is not None and row.grievance_id == grievance_id else None

    async def for_update(self, grievance_id: str, referral_id: str) -> Referral | None:
        return await self.get(grievance_id, referral_id)

    async def record_outcome(self, referral: Referral) -> None:
        self.rows[referral.id] = replace(referral)

    async def of_case(self, grievance_id: str) -> list[Referral]:
        mine = [r for r in self.rows.values() if r.grievance_id == grievance_id]
        return [replace(r) for r in sorted(mine, key=lambda r: (r.referred_at, r.id))]

    async def counts(self, since: date | None, until: date | None) -> list[ReferralCount]:
        counted = Counter(
            (r.kind, r.scheme, r.outcome)
            for r in self.rows.values()
            if _within(local_date(r.referred_at), since, until)
        )
        return [ReferralCount(k, s, o, n) for (k, s, o), n in sorted(counted.items())]


class FakeEvaluationRepository(EvaluationRepository):
    def __init__(self) -> None:
        self.evaluations: dict[str, Evaluation] = {}
        self.sheets_by_key: dict[tuple[str, str], EvaluationSheet] = {}

    async def add(self, evaluation: Evaluation, sheets: Sequence[EvaluationSheet]) -> None:
        self.evaluations[evaluation.id] = evaluation
        for sheet in sheets:
            self.sheets_by_key[(sheet.evaluation_id, sheet.grievance_id)] = replace(sheet)

    async def get(self, evaluation_id: str, *, for_update: bool = False) -> Evaluation | None:
        return self.evaluations.get(evaluation_id)

    async def sheets(self, evaluation_id: str) -> list[EvaluationSheet]:
        mine = [s for (e, _), s in self.sheets_by_key.items() if e == evaluation_id]
        return [replace(s) for s in sorted(mine, key=lambda s: (s.department, s.grievance_id))]

    async def sheet_for_update(self, evaluation_id: str, grievance_id: str) -> EvaluationSheet | None:
        sheet = self.sheets_by_key.get((evaluation_id, grievance_id))
        return replace(sheet) if sheet is not None else None

    async def save_sheet(self, sheet: EvaluationSheet) -> None:
        self.sheets_by_key[(sheet.evaluation_id, sheet.grievance_id)] = replace(sheet)

    async def unsent_scored(self, evaluation_id: str) -> list[EvaluationSheet]:
        return [s for s in await self.sheets(evaluation_id) if s.total is not None and s.sent_at is None]

    async def sent_findings(self, *, department: str | None, limit: int, offset: int) -> list[EvaluationSheet]:
        sent = [s for s in self.sheets_by_key.values() if s.sent_at is not None and department in (None, s.department)]
        sent.sort(key=lambda s: (-s.sent_at.timestamp() if s.sent_at else 0, s.grievance_id))
        return [replace(s) for s in sent[offset : offset + limit]]

    async def scored_between(self, since: date | None, until: date | None) -> list[ScoredSheet]:
        return [
            ScoredSheet(s.department, dict(s.scores or {}), s.total)
            for s in self.sheets_by_key.values()
            if s.total is not None and s.scored_at is not None and _within(local_date(s.scored_at), since, until)
        ]


class FakeStatisticsRepository(StatisticsRepository):
    """Counts over the fake cases, as the real one counts over the case and deadline tables."""

    def __init__(self, cases: FakeCaseRepository) -> None:
        self._cases = cases

    async def clocks_by_step(
        self, *, since: date | None, until: date | None, owner: str | None, today: date
    ) -> list[StepCount]:
        groups: dict[tuple[str, str], list[int]] = {}
        for case in self._cases.cases.values():
            for d in case.deadlines:
                if d.cancelled or not _within(d.due_on, since, until) or owner not in (None, d.owner):
                    continue
                g = groups.setdefault((d.owner, d.step.value), [0, 0, 0, 0])
                if d.done_at is not None:
                    g[0] += 1
                    g[1] += int(local_date(d.done_at) <= d.due_on)
                else:
                    g[2] += 1
                    g[3] += int(d.paused_at is None and d.due_on < today)
        return [StepCount(o, s, *g) for (o, s), g in sorted(groups.items())]

    async def handling(self, *, since: datetime | None, until: datetime | None) -> HandlingCounts:
        opened = [
            c
            for gid, c in self._cases.cases.items()
            if (since is None or self._cases.created_at[gid] >= since)
            and (until is None or self._cases.created_at[gid] < until)
        ]
        leads = Counter(c.lead for c in opened)
        reports = Counter(c.lead for c in opened if c.petition_kind is PetitionKind.report)
        bodies = Counter(c.legal.body for c in opened if c.legal is not None)
        supervised = [d for c in opened for d in c.deadlines if d.supervised]
        return HandlingCounts(
            by_lead=[(code, n, reports[code]) for code, n in sorted(leads.items(), key=lambda x: (-x[1], x[0]))],
            assignments=sum(1 + len(c.history) for c in opened if c.track is Track.petition),
            transfers_by_body=sorted(bodies.items(), key=lambda x: (-x[1], x[0])),
            supervised_cases=sum(1 for c in opened if any(d.supervised for d in c.deadlines)),
            supervised_clocks=len(supervised),
        )

    async def overdue_clocks(self, query: OverdueQuery, *, today: date) -> tuple[int, list[OverdueClockRow]]:
        rows = []
        for case in self._cases.cases.values():
            for seq, d in enumerate(case.deadlines):
                if not (d.running and d.paused_at is None and d.due_on < today):
                    continue
                if not _within(d.due_on, query.first_day, query.last_day) or query.owner not in (None, d.owner):
                    continue
                if query.step not in (None, d.step.value):
                    continue
                row = OverdueClockRow(
                    case.grievance_id,
                    case.tracking_no,
                    case.track.value,
                    case.urgent,
                    case.lead,
                    d.owner,
                    d.step.value,
                    d.due_on,
                    d.supervised,
                )
                rows.append(((d.due_on, case.grievance_id, seq), row))
        rows.sort(key=lambda pair: pair[0])
        return len(rows), [row for _, row in rows[query.offset : query.offset + query.limit]]

    async def overdue_by_owner(self, today: date) -> dict[str, int]:
        return dict(Counter(d.owner for c in self._cases.cases.values() for d in c.deadlines if d.overdue_on(today)))
