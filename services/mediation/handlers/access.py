"""Who may see and act on a case: a mediator only on cases it is assigned to, a supervisor on all.

A staff token maps to a roster entry by account (``sub``) and office (``department``). A case the
caller may not see answers exactly like a case that does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.mediation.domain.roster import Mediator
from services.mediation.domain.states import Action, IllegalTransition, next_state
from services.mediation.domain.vocabulary import State
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Role
from shared.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)

SEES_ALL = frozenset({Role.supervisor, Role.admin})


@dataclass(frozen=True, slots=True)
class Viewer:
    staff: StaffPrincipal
    mediator: Mediator | None  # the caller's roster entry, for mediators

    @property
    def sees_all(self) -> bool:
        return self.staff.role in SEES_ALL


async def viewer_for(uow: MediationUnitOfWork, staff: StaffPrincipal) -> Viewer:
    mediator = None
    if staff.role is Role.mediator:
        mediator = await uow.mediators.for_subject(staff.subject, staff.department)
    return Viewer(staff, mediator)


def not_found() -> Problem:
    return Problem(404, slug="mediation-not-found", detail="未找到该调解案件。")


async def may_see(uow: MediationUnitOfWork, viewer: Viewer, case_id: str) -> bool:
    if viewer.sees_all:
        return True
    if viewer.mediator is None:
        return False
    return await uow.teams.is_assigned(case_id, viewer.mediator.id)


async def case_for(
    uow: MediationUnitOfWork, staff: StaffPrincipal, case_id: str, *, lock: bool
) -> tuple[CaseRecord, Viewer]:
    """The case, locked for a change when asked; 404 when absent or not the caller's."""
    viewer = await viewer_for(uow, staff)
    case = await uow.cases.get(case_id, lock=lock)
    if case is None or not await may_see(uow, viewer, case_id):
        if case is not None:
            log.warning("staff asked for a case not theirs", actor=staff.subject, mediation_id=case_id)
        raise not_found()
    return case, viewer


def conflict(exc: IllegalTransition) -> Problem:
    return Problem(
        409,
        slug="illegal-transition",
        detail=f"当前状态（{exc.state.value}）下不能执行该操作（{exc.action.value}）。",
        state=exc.state.value,
        action=exc.action.value,
    )


def transition(case: CaseRecord, action: Action) -> State:
    """The state the action leads to, or 409 with nothing changed."""
    try:
        return next_state(case.state, action)
    except IllegalTransition as exc:
        raise conflict(exc) from exc
