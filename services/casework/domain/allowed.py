"""Which actions a staff member may take on a case today: the state table, the caller's part
(lead, co-handler, the bureau) and the one-off rules the steps enforce (the 退单 window, one
延期 before the period ends, no answer while a hearing pauses the clock).

Asked by the case read so a client offers exactly what the steps would accept; the steps still
decide, so a race between two officers is answered by the step, not by this list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.casework.domain.case import Case, ReviewLevel, Role
from services.casework.domain.deadlines import Step
from services.casework.domain.states import Action, is_legal
from shared.events.vocabulary import Role as StaffRole

# Whose step each action is. Actions missing here are the citizen's or the system's
# (close, reopen, request_review, request_re_review) and never offered to staff.
DEPARTMENT_ROLES = frozenset({StaffRole.department_officer, StaffRole.admin})
BUREAU_ROLES = frozenset({StaffRole.supervisor, StaffRole.admin})


@dataclass(frozen=True, slots=True)
class Actor:
    staff_roles: frozenset[StaffRole]
    part: Role | None  # the department's part on the case; None: the bureau, whatever its department


ACTORS: dict[Action, Actor] = {
    Action.sign_for: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.return_case: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.accept: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.not_accept: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.start: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.extend: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.submit_co_opinion: Actor(DEPARTMENT_ROLES, Role.co),
    Action.reply: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.receive_legal: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.record_legal_progress: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.conclude_legal: Actor(DEPARTMENT_ROLES, Role.lead),
    Action.decide_review: Actor(BUREAU_ROLES, None),
}


def _paused(case: Case, step: Step) -> bool:
    clock = case.running(step)
    return clock is not None and clock.paused


def _within_rules(case: Case, action: Action, today: date) -> bool:
    """The step's own preconditions beyond the state table (petition.py, review.py)."""
    if action is Action.return_case:
        window = case.return_window_ends_on
        return window is not None and today <= window
    if action is Action.extend:
        clock = case.running(Step.reply)
        return case.extension is None and clock is not None and today <= clock.due_on
    if action is Action.reply:
        return not _paused(case, Step.reply)
    if action is Action.decide_review:
        review = case.last_review
        step = Step.re_review if review is not None and review.level is ReviewLevel.re_review else Step.review
        return not _paused(case, step)
    return True


def allowed_actions(case: Case, *, staff_role: StaffRole, department: str | None, today: date) -> list[Action]:
    """The actions this caller may take now, in the order of the procedure."""
    part = case.role_of(department)
    return [
        action
        for action, actor in ACTORS.items()
        if staff_role in actor.staff_roles
        and (actor.part is None or actor.part is part)
        and is_legal(action, case.state, case.track)
        and _within_rules(case, action, today)
    ]
