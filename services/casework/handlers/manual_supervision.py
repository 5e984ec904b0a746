"""督办 by a supervisor: the bureau presses the departments whose clocks on a case are past due.

The scheduler (supervision.py) supervises every overdue clock once by itself; a supervisor may
supervise again, with a note, as often as the case needs. The citizen is told only the first
time a clock is supervised, so repeated pressing does not fill their timeline."""

from __future__ import annotations

from services.casework.domain import messages
from services.casework.domain.calendar import local_date
from services.casework.domain.deadlines import STEP_NAMES_ZH
from services.casework.domain.states import CaseError
from services.casework.handlers.actions import find_case, read_view
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import audit, tell_departments
from services.casework.handlers.supervision import clock_detail, tell_citizen_supervised
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.schemas.cases import CaseRead
from shared.auth import StaffPrincipal
from shared.events.department import DepartmentAction


class NothingOverdue(CaseError):
    """No running clock of the case is past its due day: there is nothing to supervise."""

    code = "nothing-overdue"


async def supervise_case(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, note: str
) -> CaseRead:
    now = ctx.clock.now()
    today = local_date(now)
    case, reader = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="supervise")
    overdue = [d for d in case.deadlines if d.overdue_on(today)]
    if not overdue:
        raise NothingOverdue("本件没有超过办理时限的环节，无需督办。")
    bureau = ctx.settings.bureau_name
    for clock in overdue:
        step_zh = STEP_NAMES_ZH[clock.step]
        detail = {**clock_detail(clock, "overdue"), "by": "supervisor", "note": note}
        if not clock.supervised:
            await tell_citizen_supervised(uow, ctx, case, clock, now=now, detail=detail)
        clock.supervised = clock.warned = True
        text = f"【督办】{step_zh}时限已于{messages.day_zh(clock.due_on)}届满，{bureau}督办，请立即办理并报告。"
        await tell_departments(
            uow,
            ctx,
            case,
            action=DepartmentAction.supervised,
            message_zh=f"{text}督办意见：{note}" if note else text,
            now=now,
            departments=[clock.owner],
            detail=detail,
        )
    await uow.cases.save(case, calendar=ctx.calendar)
    steps = [{"step": d.step.value, "owner": d.owner, "due_on": d.due_on.isoformat()} for d in overdue]
    await audit(uow, staff, "supervise", grievance_id, {"note": note, "clocks": steps})
    view = await read_view(uow, ctx, case, reader, now, staff=staff)
    await uow.commit()
    return view
