"""The mediation state machine: every legal move, every illegal one, consent and reopening."""

from __future__ import annotations

import itertools

import pytest

from services.mediation.domain.states import (
    FINAL_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    IllegalTransition,
    allowed_actions,
    can_reopen,
    consent_outcome,
    next_state,
)
from services.mediation.domain.vocabulary import Outcome, Party, State

LEGAL = [
    (State.opened, Action.accept, State.accepted),
    (State.opened, Action.withdraw, State.withdrawn),
    (State.accepted, Action.consent, State.in_mediation),
    (State.accepted, Action.refuse, State.refused),
    (State.accepted, Action.withdraw, State.withdrawn),
    (State.in_mediation, Action.schedule, State.scheduled),
    (State.in_mediation, Action.agree, State.agreed),
    (State.in_mediation, Action.fail, State.failed),
    (State.in_mediation, Action.refuse, State.refused),
    (State.in_mediation, Action.withdraw, State.withdrawn),
    (State.scheduled, Action.reschedule, State.scheduled),
    (State.scheduled, Action.record_session, State.in_mediation),
    (State.scheduled, Action.agree, State.agreed),
    (State.scheduled, Action.fail, State.failed),
    (State.scheduled, Action.refuse, State.refused),
    (State.scheduled, Action.withdraw, State.withdrawn),
    (State.agreed, Action.follow_up, State.closed),
    (State.closed, Action.reopen, State.in_mediation),
]


@pytest.mark.parametrize(("state", "action", "expected"), LEGAL)
def test_legal_transitions(state: State, action: Action, expected: State) -> None:
    assert next_state(state, action) is expected


def test_the_table_is_exactly_the_documented_moves() -> None:
    assert {(s, a): t for s, a, t in LEGAL} == dict(TRANSITIONS)


ILLEGAL = [(s, a) for s, a in itertools.product(State, Action) if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transitions_raise(state: State, action: Action) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, action)
    assert caught.value.state is state
    assert caught.value.action is action


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.opened, Action.agree),  # no agreement before the parties consented
        (State.opened, Action.schedule),
        (State.accepted, Action.schedule),  # §17: no session without consent
        (State.accepted, Action.fail),
        (State.agreed, Action.fail),
        (State.failed, Action.reopen),  # a failed case has left mediation
        (State.refused, Action.consent),
        (State.withdrawn, Action.accept),
    ],
)
def test_notable_illegal_moves(state: State, action: Action) -> None:
    with pytest.raises(IllegalTransition):
        next_state(state, action)


@pytest.mark.parametrize("state", sorted(FINAL_STATES))
def test_final_states_allow_nothing(state: State) -> None:
    assert allowed_actions(state) == []


def test_open_states_can_always_be_withdrawn() -> None:
    for state in OPEN_STATES:
        assert Action.withdraw in allowed_actions(state)


def test_allowed_actions_of_a_scheduled_case() -> None:
    assert set(allowed_actions(State.scheduled)) == {
        Action.reschedule,
        Action.record_session,
        Action.agree,
        Action.fail,
        Action.refuse,
        Action.withdraw,
    }


def test_consent_needs_both_parties() -> None:
    assert consent_outcome({}) == "pending"
    assert consent_outcome({Party.applicant: True}) == "pending"
    assert consent_outcome({Party.applicant: True, Party.respondent: True}) == "complete"


def test_one_refusal_ends_consent_even_after_the_other_agreed() -> None:
    assert consent_outcome({Party.applicant: True, Party.respondent: False}) == "refused"
    assert consent_outcome({Party.respondent: False}) == "refused"


def test_only_a_performed_agreement_can_be_reopened() -> None:
    assert can_reopen(State.closed, Outcome.agreement, True)
    assert not can_reopen(State.closed, Outcome.agreement, False)
    assert not can_reopen(State.agreed, Outcome.agreement, None)
    assert not can_reopen(State.failed, Outcome.failure, None)
