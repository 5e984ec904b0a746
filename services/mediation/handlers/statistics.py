"""The mediation statistics: cases opened in a period by type, street and dispute kind, the
success rate and median duration, and the assistance referrals made (docs/statistics.md)."""

from __future__ import annotations

from services.mediation.domain.statistics import Counts, summarise
from services.mediation.handlers.access import viewer_for
from services.mediation.handlers.assistance import statistics as referral_statistics
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.schemas.statistics import CountsRead, StatisticsRead
from shared.auth import StaffPrincipal
from shared.statistics_params import Period


def _counts(counts: Counts) -> CountsRead:
    return CountsRead(
        total=counts.total,
        open=counts.open,
        agreed=counts.agreed,
        failed=counts.failed,
        refused=counts.refused,
        withdrawn=counts.withdrawn,
        success_rate=counts.success_rate,
    )


async def statistics(*, uow: MediationUnitOfWork, staff: StaffPrincipal, period: Period) -> StatisticsRead:
    """Cases opened in the period: every case for supervisors; a mediator sees its own office's
    figures. Referrals to assistance are counted by the day they were made (docs/statistics.md)."""
    viewer = await viewer_for(uow, staff)
    scope = "all" if viewer.sees_all else staff.department or "none"
    office = None if viewer.sees_all else scope
    facts = await uow.cases.facts_opened(office=office, since=period.since, until=period.until)
    result = summarise(facts)
    referrals = await referral_statistics(uow, office=office, since=period.first_day, until=period.last_day)
    return StatisticsRead(
        scope=scope,
        since=period.since,
        until=period.until,
        overall=_counts(result.overall),
        median_duration_days=result.median_duration_days,
        by_type={k: _counts(v) for k, v in sorted(result.by_type.items())},
        by_street={k: _counts(v) for k, v in sorted(result.by_street.items())},
        by_dispute_kind={k: _counts(v) for k, v in sorted(result.by_kind.items())},
        assistance=referrals,
    )
