"""The panel's legal adviser from the lawyer roster, and the shared assistance rules mediation uses."""

from __future__ import annotations

import pytest

from services.mediation.domain.legal_adviser import choose, needs_adviser
from services.mediation.domain.vocabulary import DisputeKind
from shared.assistance import (
    OUTCOME_ALREADY_RECORDED,
    AssistanceKind,
    Outcome,
    Scheme,
    kind_of,
    outcome_problem,
    referral_problem,
)
from shared.catalog.lawyers import load_lawyers


@pytest.mark.parametrize(
    ("panel", "kind", "needed"),
    [
        (True, DisputeKind.labour, True),
        (True, DisputeKind.family, True),
        (True, DisputeKind.neighbour, False),  # a quarrel over noise needs no lawyer by default
        (True, DisputeKind.other, False),
        (False, DisputeKind.labour, False),  # one mediator: only on request
    ],
)
def test_which_cases_get_an_adviser_unasked(panel: bool, kind: DisputeKind, needed: bool) -> None:
    assert needs_adviser(panel=panel, kind=kind) is needed


def test_the_specialist_serving_the_street_is_preferred() -> None:
    labour = choose(load_lawyers(), street="公明街道", kind=DisputeKind.labour, parties=("某公司",))
    assert labour.lawyer is not None and labour.lawyer.id == "lawyer-02"
    # 严慧敏 does not serve 新湖街道: a neighbour dispute there goes to 韦晓丹 (neighbour specialist).
    neighbour = choose(load_lawyers(), street="新湖街道", kind=DisputeKind.neighbour, parties=("李先生",))
    assert neighbour.lawyer is not None and neighbour.lawyer.id == "lawyer-04"


def test_a_declared_tie_excludes_the_lawyer_automatically_and_on_request() -> None:
    auto = choose(load_lawyers(), street="新湖街道", kind=DisputeKind.neighbour, parties=("明辉物业管理处",))
    assert auto.lawyer is not None and auto.lawyer.id != "lawyer-04"
    named = choose(
        load_lawyers(), street="新湖街道", kind=DisputeKind.neighbour, parties=("明辉物业",), lawyer_id="lawyer-04"
    )
    assert named.lawyer is None and named.problem is not None and "回避" in named.problem


def test_a_lawyer_off_the_mediation_roster_is_refused() -> None:
    choice = choose(load_lawyers(), street=None, kind=DisputeKind.labour, parties=(), lawyer_id="lawyer-03")
    assert choice.lawyer is None and choice.problem == "所选律师不在调解法律顾问名册中。"


def test_shared_assistance_rules() -> None:
    assert kind_of(Scheme.judicial) is AssistanceKind.judicial and kind_of(Scheme.medical) is AssistanceKind.social
    assert referral_problem(Scheme.judicial, referred_to_legal_body=True) is None
    assert referral_problem(Scheme.temporary, referred_to_legal_body=False) is None
    assert referral_problem(Scheme.judicial, referred_to_legal_body=False) is not None
    assert referral_problem(Scheme.housing, referred_to_legal_body=True) is not None
    assert outcome_problem(Outcome.pending, Outcome.granted) is None
    assert outcome_problem(Outcome.granted, Outcome.refused) == OUTCOME_ALREADY_RECORDED
    assert outcome_problem(Outcome.pending, Outcome.pending) not in (None, OUTCOME_ALREADY_RECORDED)
