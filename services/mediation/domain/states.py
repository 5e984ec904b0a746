"""The mediation state machine: which action may move a case from which state to which.

    opened --accept--> accepted --consent--> in_mediation <--record_session-- scheduled
                                                  |  --schedule-->  scheduled --reschedule--> scheduled
    in_mediation | scheduled --agree--> agreed --follow_up--> closed --reopen--> in_mediation
    accepted | in_mediation | scheduled --refuse--> refused      (人民调解法 §17: consent is required)
    in_mediation | scheduled --fail--> failed                    (§26: tell the parties the other routes)
    any open state --withdraw--> withdrawn

``failed``, ``refused`` and ``withdrawn`` are final: the grievance has left mediation.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import StrEnum
from typing import Literal

from services.mediation.domain.vocabulary import Outcome, Party, State


class Action(StrEnum):
    accept = "accept"
    consent = "consent"  # every required party has consented
    refuse = "refuse"  # a party refused (or withdrew its consent)
    schedule = "schedule"
    reschedule = "reschedule"
    record_session = "record_session"
    agree = "agree"
    fail = "fail"
    withdraw = "withdraw"
    follow_up = "follow_up"
    reopen = "reopen"


class IllegalTransition(Exception):
    """The action is not allowed in the case's current state."""

    def __init__(self, state: State, action: Action) -> None:
        super().__init__(f"action {action.value!r} is not allowed in state {state.value!r}")
        self.state = state
        self.action = action


OPEN_STATES = frozenset({State.opened, State.accepted, State.in_mediation, State.scheduled})
FINAL_STATES = frozenset({State.failed, State.refused, State.withdrawn})
# States in which the mediator still carries the case (its load); agreed cases only wait for a call.
LOAD_STATES = OPEN_STATES

TRANSITIONS: Mapping[tuple[State, Action], State] = {
    (State.opened, Action.accept): State.accepted,
    (State.opened, Action.withdraw): State.withdrawn,
    (State.accepted, Action.consent): State.in_mediation,
    (State.accepted, Action.refuse): State.refused,
    (State.accepted, Action.withdraw): State.withdrawn,
    (State.in_mediation, Action.schedule): State.scheduled,
    (State.in_mediation, Action.agree): State.agreed,
    (State.in_mediation, Action.fail): State.failed,
    (State.in_mediation, Action.refuse): State.refused,
    (State.in_mediation, Action.withdraw): State.withdrawn,
    (State.scheduled, Action.reschedule): State.scheduled,
    (State.scheduled, Action.record_session): State.in_mediation,
    (State.scheduled, Action.agree): State.agreed,
    (State.scheduled, Action.fail): State.failed,
    (State.scheduled, Action.refuse): State.refused,
    (State.scheduled, Action.withdraw): State.withdrawn,
    (State.agreed, Action.follow_up): State.closed,
    (State.closed, Action.reopen): State.in_mediation,
}

OUTCOME_ACTIONS: Mapping[Outcome, Action] = {
    Outcome.agreement: Action.agree,
    Outcome.failure: Action.fail,
    Outcome.refusal: Action.refuse,
    Outcome.withdrawal: Action.withdraw,
}


def next_state(state: State, action: Action) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def allowed_actions(state: State) -> list[Action]:
    """What a mediator may do next, for the API (``allowed_actions`` of a case)."""
    return [action for (source, action) in TRANSITIONS if source is state]


ConsentOutcome = Literal["refused", "complete", "pending"]
# Both sides must agree to be mediated, whether or not the grievance named the respondent.
REQUIRED_CONSENT = frozenset({Party.applicant, Party.respondent})


def consent_outcome(answers: Mapping[Party, bool], required: Set[Party] = REQUIRED_CONSENT) -> ConsentOutcome:
    """One refusal ends mediation (人民调解法 §17); otherwise it starts once everyone said yes."""
    if any(consented is False for consented in answers.values()):
        return "refused"
    if all(answers.get(party) is True for party in required):
        return "complete"
    return "pending"


def can_reopen(state: State, outcome: Outcome | None, performed: bool | None) -> bool:
    """重办 after 不满意: only a case closed on a performed agreement is mediated again; a failed,
    refused or unperformed one has already left mediation for another track."""
    return state is State.closed and outcome is Outcome.agreement and performed is True
