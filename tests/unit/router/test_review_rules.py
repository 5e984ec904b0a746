"""What a reviewer may decide: petition kinds only for petitions, known departments, and a report
never handed to the unit it names (《信访工作条例》§30)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.router.classifier import Classifier
from services.router.domain.errors import InvalidDecision
from services.router.domain.review_rules import checked_kind, chosen_departments
from shared.catalog import load_catalog
from shared.events.contracts import ComplainantView, Departments, GrievanceReceived
from shared.events.vocabulary import Area, PetitionKind, Track

REPORT = "实名举报城管执法队队长收受商户红包，对违建睁一只眼闭一只眼"


def grievance(text: str, street: str | None = "公明街道") -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id="g-1", tracking_no="GM-1", tracking_token_hash="0" * 64, channel="portal",
        received_at=datetime.now(UTC), title="反映", content=text, street=street,
        complainant=ComplainantView(name_masked="张*"),
    )  # fmt: skip


def choose(
    classifier: Classifier,
    text: str,
    *,
    track: Track = Track.petition,
    area: Area = Area.discipline_inspection,
    kind: PetitionKind | None = PetitionKind.report,
    requested: Departments | None = None,
) -> Departments:
    return chosen_departments(
        classifier.chooser,
        load_catalog(),
        track=track,
        area=area,
        kind=kind,
        requested=requested,
        received=grievance(text),
        excluded=frozenset(),
    )


def test_report_cannot_go_to_the_unit_it_names(classifier: Classifier) -> None:
    with pytest.raises(InvalidDecision) as refused:
        choose(classifier, REPORT, requested=Departments(lead="discipline-inspection", co=["urban-management"]))
    assert refused.value.field == "departments"
    assert "被反映单位" in refused.value.message_zh


def test_default_departments_follow_the_catalog(classifier: Classifier) -> None:
    chosen = choose(classifier, "路灯坏了", area=Area.urban_rural_construction, kind=PetitionKind.claim)
    assert chosen.lead == "housing"
    assert chosen.co == ["street-gongming"]
    report = choose(classifier, REPORT)
    assert (report.lead, report.co) == ("discipline-inspection", [])


def test_unknown_department_code_is_refused(classifier: Classifier) -> None:
    with pytest.raises(InvalidDecision) as refused:
        choose(
            classifier,
            "邻居漏水",
            track=Track.mediation,
            area=Area.urban_rural_construction,
            kind=None,
            requested=Departments(lead="nobody"),
        )
    assert "nobody" in refused.value.message_zh


def test_co_handlers_are_kept_once_and_never_the_lead(classifier: Classifier) -> None:
    requested = Departments(lead="housing", co=["water", "housing", "water"])
    chosen = choose(
        classifier, "路灯坏了", area=Area.urban_rural_construction, kind=PetitionKind.claim, requested=requested
    )
    assert (chosen.lead, chosen.co) == ("housing", ["water"])


def test_petition_kind_only_for_petitions() -> None:
    with pytest.raises(InvalidDecision) as refused:
        checked_kind(Track.mediation, PetitionKind.claim)
    assert refused.value.field == "petition_kind"
    with pytest.raises(InvalidDecision):
        checked_kind(Track.petition, None)
    assert checked_kind(Track.litigation, None) is None
    assert checked_kind(Track.petition, PetitionKind.report) is PetitionKind.report
