"""The scheduler's work: warn owners of near-due clocks, supervise (督办) overdue ones and tell the
citizen, close replies nobody challenged in time. Safe to run in several processes at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.casework.domain import messages
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.domain.deadlines import STEP_NAMES_ZH, Deadline
from services.casework.domain.review import close_if_window_passed
from services.casework.domain.supervision import SupervisionLevel, due_notices
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import tell_citizen, tell_departments
from services.casework.repositories import CaseworkUnitOfWork, CaseworkUowFactory
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Status
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class SupervisionRun:
    warned: int = 0
    supervised: int = 0
    closed: int = 0


def clock_detail(clock: Deadline, level: str) -> dict[str, str]:
    """What a warning or 督办 notice says about its clock (citizen and department events alike)."""
    return {"step": clock.step.value, "owner": clock.owner, "due_on": clock.due_on.isoformat(), "level": level}


async def tell_citizen_supervised(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, case: Case, clock: Deadline, *, now: datetime, detail: dict[str, str]
) -> None:
    """The citizen's timeline entry for a clock the bureau supervised (督办), by schedule or by hand."""
    await tell_citizen(
        uow,
        case,
        status=Status.supervised,
        message_zh=messages.supervised(clock.step, ctx.name(clock.owner), clock.due_on),
        actor=ctx.settings.bureau_name,
        now=now,
        due_at=clock.due_at,
        detail=detail,
    )


async def supervise_once(*, uow_factory: CaseworkUowFactory, ctx: CaseworkContext) -> SupervisionRun:
    run = SupervisionRun()
    today = local_date(ctx.clock.now())
    async with uow_factory() as uow:
        candidates = await uow.cases.needing_supervision(
            today=today,
            horizon=ctx.calendar.add_working_days(today, ctx.settings.near_due_working_days),
            limit=ctx.settings.scheduler_batch_size,
        )
    for grievance_id in candidates:
        async with uow_factory() as uow:
            await _supervise_case(uow, ctx, grievance_id, run)
    if candidates:
        log.info("supervision run", candidates=len(candidates), **run.__dict__)
    return run


async def _supervise_case(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, grievance_id: str, run: SupervisionRun
) -> None:
    # Another scheduler holding the case handles it this round.
    case = await uow.cases.for_update(grievance_id, skip_locked=True)
    if case is None:
        return
    now = ctx.clock.now()
    notices = due_notices(
        case, today=local_date(now), calendar=ctx.calendar, near_working_days=ctx.settings.near_due_working_days
    )
    closed = close_if_window_passed(case, now=now, calendar=ctx.calendar)
    if not notices and not closed:
        return
    await uow.cases.save(case, calendar=ctx.calendar)
    bureau = ctx.settings.bureau_name
    for notice in notices:
        clock = notice.deadline
        detail = clock_detail(clock, notice.level.value)
        step_zh = STEP_NAMES_ZH[clock.step]
        if notice.level is SupervisionLevel.overdue:
            run.supervised += 1
            await tell_citizen_supervised(uow, ctx, case, clock, now=now, detail=detail)
            text = f"【督办】{step_zh}时限已于{messages.day_zh(clock.due_on)}届满，请立即办理并报告。"
            action = DepartmentAction.supervised
        else:
            run.warned += 1
            text = f"【预警】{step_zh}时限将于{messages.day_zh(clock.due_on)}届满，请抓紧办理。"
            action = DepartmentAction.due_soon
        await tell_departments(
            uow, ctx, case, action=action, message_zh=text, now=now, departments=[clock.owner], detail=detail
        )
    if closed:
        run.closed += 1
        await tell_citizen(
            uow,
            case,
            status=Status.closed,
            message_zh=messages.closed(),
            actor=bureau,
            now=now,
            detail={"closed_because": "remedy_window_passed"},
        )
        await tell_departments(
            uow,
            ctx,
            case,
            action=DepartmentAction.closed,
            message_zh="答复后未在期限内申请复查（复核），本件办结。",
            now=now,
        )
    await uow.commit()
