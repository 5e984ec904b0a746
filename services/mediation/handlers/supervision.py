"""The clock-driven work the scheduler does: supervision (督办) of overdue cases, session
reminders, and follow-up calls (回访) once an agreement's performance deadline has passed.

Each job locks its rows ``FOR UPDATE SKIP LOCKED`` and marks them in the same transaction as
its events, so several workers never double a reminder and a crash repeats nothing twice.
"""

from __future__ import annotations

from services.mediation.domain import messages
from services.mediation.domain.deadlines import overdue_days, supervision_due
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import BUREAU_OFFICE, notify_offices, publish_status
from services.mediation.repositories import MediationUnitOfWork, MediationUowFactory
from services.mediation.repositories.cases import CaseRecord
from shared.events.vocabulary import Status
from shared.logging import get_logger

log = get_logger(__name__)


async def supervise_overdue(*, uow_factory: MediationUowFactory, ctx: MediationContext) -> int:
    async with uow_factory() as uow:
        now = ctx.clock.now()
        due = await uow.cases.due_for_supervision(now, ctx.settings.scheduler_batch_size)
        for case in due:
            new_due = supervision_due(now, ctx.limits)
            late = overdue_days(case.due_at, now)
            await uow.cases.change(
                case.id,
                now,
                supervision_level=case.supervision_level + 1,
                supervised_at=now,
                due_at=new_due,
            )
            await publish_status(
                uow,
                case,
                status=Status.supervised,
                message=messages.supervised(late, new_due),
                now=now,
                due_at=new_due,
                detail={
                    "overdue_days": late,
                    "level": case.supervision_level + 1,
                    "previous_due_at": case.due_at.isoformat(),
                },
            )
            await notify_offices(
                uow,
                case,
                notice="supervised",
                summary=f"超过调解期限{late}天，督办第{case.supervision_level + 1}次",
                now=now,
                mediators=await _team_ids(uow, case),
                due_at=new_due,
                offices=[case.office, BUREAU_OFFICE],
            )
        await uow.commit()
        return len(due)


async def remind_sessions(*, uow_factory: MediationUowFactory, ctx: MediationContext) -> int:
    async with uow_factory() as uow:
        now = ctx.clock.now()
        due = await uow.mediation_sessions.due_for_reminder(now, ctx.settings.scheduler_batch_size)
        for row in due:
            case = await uow.cases.get(row.mediation_id)
            assert case is not None  # a session belongs to its case (foreign key)
            await uow.mediation_sessions.change(row.id, reminded_at=now)
            await publish_status(
                uow,
                case,
                status=Status.mediation_scheduled,
                message=messages.reminder(row.scheduled_for, row.location),
                now=now,
                due_at=case.due_at,
                detail={"session": row.number, "scheduled_for": row.scheduled_for.isoformat(), "reminder": True},
            )
            await notify_offices(
                uow,
                case,
                notice="session_reminder",
                summary=f"第{row.number}次调解会：{row.location}",
                now=now,
                mediators=await _team_ids(uow, case),
                due_at=row.scheduled_for,
            )
        await uow.commit()
        return len(due)


async def call_for_follow_ups(*, uow_factory: MediationUowFactory, ctx: MediationContext) -> int:
    async with uow_factory() as uow:
        now = ctx.clock.now()
        due = await uow.cases.due_for_follow_up(now, ctx.settings.scheduler_batch_size)
        for case in due:
            await uow.cases.change(case.id, now, follow_up_notified_at=now)
            await publish_status(uow, case, status=Status.in_progress, message=messages.follow_up_due(), now=now)
            await notify_offices(
                uow,
                case,
                notice="follow_up_due",
                summary="调解协议履行期限已到，请回访履行情况",
                now=now,
                mediators=await _team_ids(uow, case),
            )
        await uow.commit()
        return len(due)


JOBS = {
    "supervised": supervise_overdue,
    "reminded": remind_sessions,
    "follow_ups": call_for_follow_ups,
}


async def run_due_work(*, uow_factory: MediationUowFactory, ctx: MediationContext) -> dict[str, int]:
    """One scheduler pass; each job in its own transaction, so one failing does not hold up the others."""
    done: dict[str, int] = {}
    for name, job in JOBS.items():
        try:
            done[name] = await job(uow_factory=uow_factory, ctx=ctx)
        except Exception as exc:  # the next pass retries; a stuck job must not stop reminders
            log.error("scheduler job failed", job=name, error=repr(exc))
            done[name] = -1
    return done


async def _team_ids(uow: MediationUnitOfWork, case: CaseRecord) -> list[str]:
    return [member.mediator.id for member in await uow.teams.members(case.id)]
