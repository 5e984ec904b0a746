"""Every (action, state, track) pair: the legal ones lead where the procedure says, every other
one is refused with IllegalTransition and leaves the state alone."""

from __future__ import annotations

import itertools

import pytest

from services.casework.domain.states import (
    STATUS_OF_STATE,
    Action,
    CaseState,
    IllegalTransition,
    is_legal,
    next_state,
)
from shared.events.vocabulary import Status, Track

A, S = Action, CaseState

# The procedure of issue 4 / 《信访工作条例》, written out independently of the implementation's table.
LEGAL: dict[tuple[Action, CaseState], CaseState] = {
    (A.sign_for, S.assigned): S.signed_for,
    (A.return_case, S.assigned): S.returned,
    (A.return_case, S.signed_for): S.returned,
    (A.accept, S.signed_for): S.accepted,
    (A.not_accept, S.signed_for): S.not_accepted,
    (A.start, S.accepted): S.in_progress,
    (A.start, S.reopened): S.in_progress,
    (A.extend, S.in_progress): S.extended,
    (A.submit_co_opinion, S.signed_for): S.signed_for,
    (A.submit_co_opinion, S.accepted): S.accepted,
    (A.submit_co_opinion, S.in_progress): S.in_progress,
    (A.submit_co_opinion, S.extended): S.extended,
    (A.submit_co_opinion, S.reopened): S.reopened,
    (A.reply, S.in_progress): S.replied,
    (A.reply, S.extended): S.replied,
    (A.close, S.replied): S.closed,
    (A.close, S.review_decided): S.closed,
    (A.reopen, S.replied): S.reopened,
    (A.reopen, S.closed): S.reopened,
    (A.request_review, S.replied): S.review_requested,
    (A.request_review, S.closed): S.review_requested,
    (A.request_re_review, S.review_decided): S.review_requested,
    (A.request_re_review, S.closed): S.review_requested,
    (A.decide_review, S.review_requested): S.review_decided,
    (A.receive_legal, S.transferred_legal): S.legal_received,
    (A.record_legal_progress, S.legal_received): S.legal_received,
    (A.conclude_legal, S.legal_received): S.closed,
}
LITIGATION_ACTIONS = {A.receive_legal, A.record_legal_progress, A.conclude_legal}


def _track(action: Action) -> Track:
    return Track.litigation if action in LITIGATION_ACTIONS else Track.petition


@pytest.mark.parametrize(("action", "state"), sorted(LEGAL, key=str))
def test_legal_transition(action: Action, state: CaseState) -> None:
    assert is_legal(action, state, _track(action))
    assert next_state(action, state, _track(action)) is LEGAL[(action, state)]


ILLEGAL = [
    (action, state, track)
    for action, state, track in itertools.product(Action, CaseState, Track)
    if not ((action, state) in LEGAL and track is _track(action))
]


@pytest.mark.parametrize(("action", "state", "track"), ILLEGAL)
def test_illegal_transition(action: Action, state: CaseState, track: Track) -> None:
    assert not is_legal(action, state, track)
    with pytest.raises(IllegalTransition) as caught:
        next_state(action, state, track)
    assert caught.value.state is state
    assert caught.value.action is action
    assert caught.value.message_zh  # said in words staff understand


def test_the_table_has_no_transition_the_spec_lacks() -> None:
    legal_in_code = {
        (action, state)
        for action, state in itertools.product(Action, CaseState)
        if is_legal(action, state, _track(action))
    }
    assert legal_in_code == set(LEGAL)


def test_every_state_has_a_citizen_status_from_the_shared_vocabulary() -> None:
    assert set(STATUS_OF_STATE) == set(CaseState)
    assert all(isinstance(status, Status) for status in STATUS_OF_STATE.values())
    assert STATUS_OF_STATE[S.legal_received] is Status.in_progress
