"""The combined classifier: decisions, departments, explanations, constraints of a re-route."""

from __future__ import annotations

import pytest

from services.router.classifier import Classifier, Constraints, GrievanceText
from shared.events.vocabulary import Area, PetitionKind, Street, Track


def classify(classifier: Classifier, text: str, *, title: str = "", street: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return classifier.classify(GrievanceText(title, text, street), Constraints(**kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "track"),
    [
        ("我家就在法院旁边，路灯坏了半个月，晚上出门黑乎乎的", Track.petition),
        ("老板欠我三个月工资不给，打电话也不接", Track.mediation),
        ("我已经申请了劳动仲裁，仲裁裁决下来了公司还是不给工资", Track.litigation),
        ("派出所窗口办事员态度恶劣，办个居住证让我跑了三趟", Track.petition),
        ("我被人打了，鼻子都打出血，派出所不给立案", Track.litigation),
        ("物业乱收停车费，跟物业吵起来了，保安还不让我的车进小区", Track.mediation),
        ("住建局对物业公司违规收费不监管，我投诉了多次都没人管", Track.petition),
        ("楼上漏水到我家，我一个老人家不想打官司，就想找人调解一下", Track.mediation),
    ],
)
def test_boundary_pairs_are_routed_by_context(classifier: Classifier, text: str, track: Track) -> None:
    assert classify(classifier, text).track is track


def test_labour_arbitration_goes_to_the_arbitration_body(classifier: Classifier) -> None:
    result = classify(classifier, "我已经申请了劳动仲裁，仲裁裁决下来了公司还是不给工资")
    assert result.departments.lead == "labour-arbitration"
    assert any(r.code == "litigation.labour_arbitration" and "仲裁" in (r.legal_basis or "") for r in result.reasons)


def test_police_refusal_goes_to_police_with_procuratorate_supervision(classifier: Classifier) -> None:
    result = classify(classifier, "我被人打了，鼻子都打出血，派出所不给立案")
    assert result.departments.lead == "public-security"
    assert "procuratorate" in result.departments.co


def test_a_report_goes_to_discipline_and_never_to_the_reported_unit(classifier: Classifier) -> None:
    text = "实名举报城管执法队队长收受商户红包，对违建睁一只眼闭一只眼"
    result = classify(classifier, text, street="公明街道")
    assert result.track is Track.petition
    assert result.petition_kind is PetitionKind.report
    assert result.departments.lead == "discipline-inspection"
    assert "urban-management" in result.mentioned_departments
    assert "urban-management" not in result.departments.co
    assert result.departments.co == []


def test_a_local_matter_gets_its_street_office_as_co_handler(classifier: Classifier) -> None:
    result = classify(classifier, "我们小区门口的路灯坏了半个月，晚上很黑", street="凤凰街道")
    assert result.area is Area.urban_rural_construction
    # 路灯 is 城市建设和市政管理, which the catalogue's category_routes give to 城管
    assert result.departments.lead == "urban-management"
    assert result.departments.co[0] == "street-fenghuang"
    assert result.street is Street.fenghuang


def test_street_is_found_in_the_text_when_not_given(classifier: Classifier) -> None:
    assert classify(classifier, "玉律社区这边的路灯坏了").street is Street.yutang


def test_urgent_grievance_carries_its_signal(classifier: Classifier) -> None:
    result = classify(classifier, "工资拖了半年，再不给我解决我就从楼上跳下去")
    assert result.urgent
    assert result.urgent_signals == ("self_harm",)


def test_reasons_name_rules_with_legal_basis_and_model_features(classifier: Classifier) -> None:
    result = classify(classifier, "我已经申请了劳动仲裁，仲裁裁决下来了公司还是不给工资")
    kinds = {r.kind for r in result.reasons}
    assert {"rule", "model", "catalog"} <= kinds
    model = next(r for r in result.reasons if r.code == "model.track")
    assert "特征" in model.description
    assert 0.0 < result.confidence <= 1.0


def test_forced_track_and_excluded_departments(classifier: Classifier) -> None:
    text = "邻居装修把我家墙弄裂了，调解了两次对方不肯赔"
    result = classify(classifier, text, forced_track=Track.litigation, excluded_departments=frozenset({"court"}))
    assert result.track is Track.litigation
    assert result.track_probability == 1.0
    assert result.departments.lead != "court"


def test_excluded_track_is_never_chosen(classifier: Classifier) -> None:
    text = "楼上漏水到我家，想找人调解一下"
    result = classify(classifier, text, excluded_tracks=frozenset({Track.mediation}))
    assert result.track is not Track.mediation


def test_batch_and_single_classification_agree(classifier: Classifier) -> None:
    items = [GrievanceText("路灯", "翠湖那边路灯坏了"), GrievanceText("欠薪", "老板欠我工资不给")]
    batch = classifier.classify_many(items)
    assert [b.track for b in batch] == [classifier.classify(i).track for i in items]
    assert [b.confidence for b in batch] == [classifier.classify(i).confidence for i in items]
