"""What a reviewer may decide: petition kinds only for petitions, known departments, and a report
never handed to the unit it names (《信访工作条例》§30)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.router.classifier import Classifier
from services.router.handlers import RouterContext
from services.router.reviews import _checked_kind, _departments
from services.router.schemas import DepartmentsIn, ReviewDecisionCreate
from services.router.settings import Settings
from shared.catalog import load_catalog
from shared.clock import SystemClock
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.events.vocabulary import Area, PetitionKind, Track
from shared.problems import Problem

REPORT = "实名举报城管执法队队长收受商户红包，对违建睁一只眼闭一只眼"


def context(classifier: Classifier) -> RouterContext:
    return RouterContext(settings=Settings(), classifier=classifier, catalog=load_catalog(), clock=SystemClock())


def grievance(text: str, street: str | None = "公明街道") -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id="g-1", tracking_no="GM-1", tracking_token_hash="0" * 64, channel="portal",
        received_at=datetime.now(UTC), title="反映", content=text, street=street,
        complainant=ComplainantView(name_masked="张*"),
    )  # fmt: skip


def decision(**values: object) -> ReviewDecisionCreate:
    base: dict[str, object] = {"track": "petition", "area": "纪检监察", "petition_kind": "report", "comment": "举报"}
    return ReviewDecisionCreate.model_validate(base | values)


def test_report_cannot_go_to_the_unit_it_names(classifier: Classifier) -> None:
    command = decision(departments=DepartmentsIn(lead="discipline-inspection", co=["urban-management"]))
    with pytest.raises(Problem) as refused:
        _departments(context(classifier), command, PetitionKind.report, grievance(REPORT), frozenset())
    assert refused.value.status == 422
    assert "被反映单位" in refused.value.errors[0]["message_zh"]


def test_default_departments_follow_the_catalog(classifier: Classifier) -> None:
    command = decision(track="petition", area="城乡建设", petition_kind="claim")
    chosen = _departments(context(classifier), command, PetitionKind.claim, grievance("路灯坏了"), frozenset())
    assert chosen.lead == "housing"
    assert chosen.co == ["street-gongming"]
    report = _departments(context(classifier), decision(), PetitionKind.report, grievance(REPORT), frozenset())
    assert (report.lead, report.co) == ("discipline-inspection", [])


def test_unknown_department_code_is_refused(classifier: Classifier) -> None:
    command = decision(track="mediation", area="城乡建设", petition_kind=None, departments={"lead": "nobody"})
    with pytest.raises(Problem) as refused:
        _departments(context(classifier), command, None, grievance("邻居漏水"), frozenset())
    assert refused.value.status == 422


def test_petition_kind_only_for_petitions() -> None:
    with pytest.raises(Problem):
        _checked_kind(decision(track="mediation", petition_kind="claim"))
    with pytest.raises(Problem):
        _checked_kind(decision(track="petition", petition_kind=None))
    assert _checked_kind(decision(track="litigation", petition_kind=None, area="政法")) is None
    assert decision().track is Track.petition
    assert decision().area is Area.discipline_inspection
