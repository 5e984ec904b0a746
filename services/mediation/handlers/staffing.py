"""Who mediates: picking a mediator or panel, reassignment by a supervisor, recusal (回避)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.mediation.domain.roster import CaseNeeds, Selection, check_chosen, select
from services.mediation.domain.states import FINAL_STATES
from services.mediation.domain.vocabulary import State
from services.mediation.handlers.access import case_for
from services.mediation.handlers.adviser import assign_if_needed
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import BUREAU_OFFICE, audit, notify_offices
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from shared.auth import StaffPrincipal
from shared.events.department import NoticeKind
from shared.problems import Problem

# A case nobody works on any more keeps its last team for the record.
UNSTAFFABLE = FINAL_STATES | {State.closed}


def needs_of(
    case: CaseRecord,
    ctx: MediationContext,
    *,
    panel: bool | None = None,
    recused: frozenset[str] = frozenset(),
    exclude: frozenset[str] = frozenset(),
) -> CaseNeeds:
    return CaseNeeds(
        street=case.street,
        office=case.office,
        kind=case.dispute_kind,
        panel=case.panel if panel is None else panel,
        respondent=case.respondent,
        recused=recused,
        exclude=exclude,
        member_offices=frozenset(office for office in (case.office, _street_office(ctx, case.street)) if office),
    )


def _street_office(ctx: MediationContext, street: str | None) -> str | None:
    office = ctx.catalog.street_office(street)
    return office.code if office else None


async def pick_team(
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    case: CaseRecord,
    *,
    panel: bool | None = None,
    exclude: frozenset[str] = frozenset(),
    opened_now: bool = False,
) -> Selection:
    # A case opened in this transaction has had no one to declare a conflict yet.
    recused = frozenset[str]() if opened_now else await uow.teams.recused(case.id)
    roster = await uow.mediators.active()
    loads = await uow.teams.loads()
    return select(roster, loads, needs_of(case, ctx, panel=panel, recused=recused, exclude=exclude))


async def staff_case(
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    case: CaseRecord,
    selection: Selection,
    *,
    now: datetime,
    notice: NoticeKind,
) -> None:
    """Assign the selection and tell the office; a shortfall also goes to the bureau to fix."""
    await uow.teams.assign(case.id, selection, now)
    # A three-person panel on a legal dispute also gets a lawyer as legal adviser (法律顾问).
    await assign_if_needed(uow, ctx, case, panel=len(selection.everyone) > 1 or case.panel, now=now)
    notes = "；".join(selection.notes)
    await notify_offices(
        uow,
        case,
        notice="needs_assignment" if selection.shortfall else notice,
        summary=f"{case.title}（{case.street or '街道未知'}）" + (f"；{notes}" if notes else ""),
        now=now,
        mediators=[m.id for m in selection.everyone],
        due_at=case.due_at,
        offices=[case.office, BUREAU_OFFICE] if selection.shortfall else [case.office],
    )


def _refuse_if_finished(case: CaseRecord) -> None:
    if case.state in UNSTAFFABLE:
        raise Problem(
            409, slug="mediation-finished", detail="该调解案件已结束，不能再调整调解员。", state=case.state.value
        )


async def reassign(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    mediator_ids: Sequence[str] | None,
    panel: bool | None,
    reason: str,
) -> None:
    """A supervisor names the new mediator(s), or lets the rules pick others than the current ones."""
    case, _ = await case_for(uow, staff, case_id, lock=True)
    _refuse_if_finished(case)
    now = ctx.clock.now()
    current = frozenset(member.mediator.id for member in await uow.teams.members(case.id))
    if mediator_ids:
        chosen = await uow.mediators.by_ids(mediator_ids)
        unknown = sorted(set(mediator_ids) - {m.id for m in chosen})
        if unknown:
            raise Problem(422, slug="unknown-mediator", detail=f"名册中没有这些调解员：{'、'.join(unknown)}")
        problems = check_chosen(chosen, needs_of(case, ctx, recused=await uow.teams.recused(case.id)))
        if problems:
            raise Problem(409, slug="mediator-not-assignable", detail="；".join(problems), problems=problems)
        selection = Selection(lead=chosen[0], members=tuple(chosen[1:]))
    else:
        selection = await pick_team(uow, ctx, case, panel=panel, exclude=current)
        if selection.lead is None or selection.shortfall == "no_mediator":
            raise Problem(409, slug="no-mediator-available", detail="没有其他可指派的对口调解员。")
    await uow.teams.release(case.id, now, f"reassigned: {reason}")
    await uow.cases.change(case.id, now, panel=len(selection.everyone) > 1)
    await staff_case(uow, ctx, case, selection, now=now, notice="reassigned")
    await audit(
        uow,
        staff,
        "reassign",
        case.id,
        {"from": sorted(current), "to": [m.id for m in selection.everyone], "reason": reason},
        now,
    )
    await uow.commit()


async def recuse(
    *, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str, reason: str
) -> None:
    """The mediator declares a conflict of interest: it leaves the case for good and is replaced."""
    case, viewer = await case_for(uow, staff, case_id, lock=True)
    if viewer.mediator is None:
        raise Problem(403, slug="not-a-mediator", detail="只有承办本案的调解员可以申请回避。")
    _refuse_if_finished(case)
    now = ctx.clock.now()
    await uow.teams.add_recusal(case.id, viewer.mediator.id, reason, now)
    await uow.teams.release(case.id, now, f"recusal: {reason}")
    selection = await pick_team(uow, ctx, case)
    await uow.cases.change(case.id, now, panel=len(selection.everyone) > 1 or case.panel)
    await staff_case(uow, ctx, case, selection, now=now, notice="reassigned")
    await audit(
        uow,
        staff,
        "recusal",
        case.id,
        {"mediator": viewer.mediator.id, "reason": reason, "replaced_by": [m.id for m in selection.everyone]},
        now,
    )
    await uow.commit()


async def sync_roster(*, uow: MediationUnitOfWork, ctx: MediationContext) -> int:
    """Load the roster data file into the schema (idempotent; run by every process at start)."""
    await uow.mediators.sync(ctx.roster_file, ctx.clock.now())
    await uow.commit()
    return len(ctx.roster_file)
