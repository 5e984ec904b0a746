"""The rule file on the boundary patterns of the issue: keywords alone never decide the track."""

from __future__ import annotations

import pytest

from services.router.classifier.rules import RuleBook
from services.router.classifier.text import normalise


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return RuleBook.load()


def fired(rules: RuleBook, text: str) -> set[str]:
    return {hit.rule.code for hit in rules.evaluate(normalise(text))}


def track_score(rules: RuleBook, text: str) -> dict[str, float]:
    scores: dict[str, float] = {"litigation": 0.0, "mediation": 0.0, "petition": 0.0}
    for hit in rules.evaluate(normalise(text)):
        for track, weight in hit.rule.effects.track.items():
            scores[track] += weight
    return scores


def leaning(rules: RuleBook, text: str) -> str:
    scores = track_score(rules, text)
    return max(scores, key=lambda t: scores[t])


def test_court_mentioned_in_passing_is_not_litigation(rules: RuleBook) -> None:
    text = "我家就在法院旁边，路灯坏了半个月，晚上出门黑乎乎的"
    assert "context.court_as_place" in fired(rules, text)
    assert not {c for c in fired(rules, text) if c.startswith("litigation.")}
    assert track_score(rules, text)["litigation"] < 0
    assert leaning(rules, text) == "petition"


def test_court_case_in_progress_is_litigation(rules: RuleBook) -> None:
    text = "我跟装修公司的纠纷已经起诉到法院了，开庭一直拖着"
    assert {"litigation.lawsuit_filed", "litigation.court_stage"} <= fired(rules, text)
    assert leaning(rules, text) == "litigation"


def test_wage_arrears_before_arbitration_is_mediation(rules: RuleBook) -> None:
    text = "老板欠我三个月工资不给，打电话也不接"
    assert "mediation.wage_arrears" in fired(rules, text)
    assert "litigation.labour_arbitration" not in fired(rules, text)
    assert leaning(rules, text) == "mediation"


def test_wage_arrears_after_arbitration_is_litigation(rules: RuleBook) -> None:
    text = "我已经申请了劳动仲裁，仲裁裁决下来了公司还是不给工资"
    assert "litigation.labour_arbitration" in fired(rules, text)
    assert leaning(rules, text) == "litigation"


def test_arbitration_only_considered_is_not_litigation(rules: RuleBook) -> None:
    text = "公司拖欠我两个月工资，我不知道要不要去仲裁，想先找人调解一下"
    assert "litigation.labour_arbitration" not in fired(rules, text)
    assert "context.procedure_not_started" in fired(rules, text)
    assert leaning(rules, text) == "mediation"


def test_arbitration_accepted_but_delayed_is_litigation(rules: RuleBook) -> None:
    text = "劳动仲裁已经受理了，开庭一直拖，公司欠的工资还是没拿到"
    assert "litigation.labour_arbitration" in fired(rules, text)
    assert leaning(rules, text) == "litigation"


def test_police_front_desk_attitude_is_petition(rules: RuleBook) -> None:
    text = "派出所窗口办事员态度恶劣，办个居住证让我跑了三趟"
    codes = fired(rules, text)
    assert {"petition.service_conduct", "context.police_administration"} <= codes
    assert "litigation.police_refused_case" not in codes
    assert leaning(rules, text) == "petition"


def test_police_refusing_a_criminal_case_is_litigation(rules: RuleBook) -> None:
    text = "我被人打了，鼻子都打出血，派出所不给立案"
    assert "litigation.police_refused_case" in fired(rules, text)
    assert leaning(rules, text) == "litigation"


def test_property_management_quarrel_is_mediation(rules: RuleBook) -> None:
    text = "物业乱收停车费，跟物业吵起来了，保安还不让我的车进小区"
    assert "mediation.property_quarrel" in fired(rules, text)
    assert "petition.property_supervision" not in fired(rules, text)
    assert leaning(rules, text) == "mediation"


def test_housing_bureau_not_supervising_property_company_is_petition(rules: RuleBook) -> None:
    text = "住建局对物业公司违规收费不监管，我投诉了多次都没人管"
    codes = fired(rules, text)
    assert "petition.regulator_inaction" in codes
    assert "mediation.property_quarrel" not in codes
    assert leaning(rules, text) == "petition"


def test_not_wanting_to_sue_is_mediation(rules: RuleBook) -> None:
    text = "楼上漏水到我家，我一个老人家不想打官司，就想找人调解一下"
    codes = fired(rules, text)
    assert "litigation.lawsuit_filed" not in codes
    assert "context.procedure_not_started" in codes
    assert leaning(rules, text) == "mediation"


def test_threat_to_sue_is_not_a_lawsuit(rules: RuleBook) -> None:
    text = "店家不给退款，再不退我就去法院起诉他"
    assert "litigation.lawsuit_filed" not in fired(rules, text)
    assert "mediation.consumer_dispute" in fired(rules, text)


def test_report_of_misconduct_is_a_report_to_discipline(rules: RuleBook) -> None:
    text = "举报社区工作站主任收受红包，给自己亲戚违规发放补贴"
    hits = {h.rule.code: h.rule for h in rules.evaluate(normalise(text))}
    assert "petition.report_misconduct" in hits
    effects = hits["petition.report_misconduct"].effects
    assert effects.petition_kind["report"] > 0
    assert effects.area["纪检监察"] > 0
    assert "第三十条" in (hits["petition.report_misconduct"].legal_basis or "")


def test_reporting_noise_to_a_regulator_is_not_a_report_of_officials(rules: RuleBook) -> None:
    assert "petition.report_misconduct" not in fired(rules, "我要举报楼下工厂晚上噪音太大")


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("再不给我解决我就从楼上跳下去", "urgent.self_harm"),
        ("明天我们三十多个工友一起去区政府门口拉横幅", "urgent.gathering"),
        ("挡土墙已经开裂了，随时会塌下来", "urgent.structural_danger"),
        ("小区门口的路面塌陷了一个大坑，现在只围了两个锥筒", "urgent.structural_danger"),
        ("工地的脚手架明显往人行道倾斜，现在底下照样有人走", "urgent.structural_danger"),
        ("巷子里的电线被雨淋了以后每天晚上都在打火，下面是电动车棚，求赶紧处理", "urgent.structural_danger"),
        ("我家天花板靠窗那个位置出现了几条裂缝，请马上派人鉴定", "urgent.structural_danger"),
        ("楼道里闻到很重的煤气味，敲门没人应", "urgent.gas_leak"),
        ("他拿着刀在楼下扬言要砍人", "urgent.violence"),
        ("现在工厂冒出黄色的烟往学校飘，好几个孩子在吐", "urgent.toxic_exposure"),
    ],
)
def test_urgent_signals(rules: RuleBook, text: str, signal: str) -> None:
    assert signal in fired(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "我们没有要闹事的意思，就是想要回工资",
        "您放心我不会想不开的，只是想讨个说法",
        "去年我家楼下的餐馆着火了一次，想问问消防检查的结果",
        "去年小区门口路面塌陷修好以后，维修费用到底由谁出",
    ],
)
def test_negated_urgent_words_are_not_urgent(rules: RuleBook, text: str) -> None:
    assert not {c for c in fired(rules, text) if c.startswith("urgent.")}


def test_every_rule_cites_a_legal_basis(rules: RuleBook) -> None:
    missing = [r.code for r in rules.rules if not r.legal_basis]
    assert missing == []
    assert any("信访工作条例" in (r.legal_basis or "") for r in rules.rules)
    assert any("人民调解法" in (r.legal_basis or "") for r in rules.rules)


def test_a_rule_with_a_bad_pattern_is_refused() -> None:
    data = {"cues": {"negation": ["没"], "hypothetical": ["如果"]}, "rules": [
        {"code": "x", "description": "d", "patterns": ["(unclosed"], "effects": {}},
    ]}  # fmt: skip
    with pytest.raises(ValueError, match="rule x"):
        RuleBook.parse(data)
