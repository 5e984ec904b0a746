"""A model's version hashes what decides its answers: the corpus, the options, the rules it was
calibrated with and the text preparation's revision, but not words shown to people (a rule's
description or legal basis)."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from services.router.classifier import text
from services.router.classifier.rules import RuleBook
from services.router.training.corpus import LabelledRecord
from services.router.training.fitting import TrainingOptions, model_version

RECORDS = [
    LabelledRecord(
        id="t-1",
        title="停电",
        text="小区又停电了，供电所电话打不通。",
        track="petition",
        petition_kind="claim",
        area="城乡建设",
    ),
    LabelledRecord(id="t-2", title="欠薪", text="老板欠了三个月工资不给。", track="mediation", area="劳动和社会保障"),
]
OPTIONS = TrainingOptions(lexicon_weight=0)


def rules_data() -> dict[str, Any]:
    raw = resources.files("services.router.classifier").joinpath("rules.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def version_with(data: dict[str, Any]) -> str:
    return model_version(RECORDS, OPTIONS, RuleBook.parse(data))


def test_same_inputs_same_version() -> None:
    assert version_with(rules_data()) == version_with(rules_data())


def test_a_rule_weight_changes_the_version() -> None:
    changed = copy.deepcopy(rules_data())
    track = changed["rules"][0]["effects"]["track"]
    label = next(iter(track))
    track[label] = float(track[label]) + 1
    assert version_with(changed) != version_with(rules_data())


def test_a_rule_pattern_changes_the_version() -> None:
    changed = copy.deepcopy(rules_data())
    changed["rules"][0]["patterns"] = [*changed["rules"][0]["patterns"], "某个新说法"]
    assert version_with(changed) != version_with(rules_data())


def test_a_rules_wording_does_not() -> None:
    changed = copy.deepcopy(rules_data())
    for rule in changed["rules"]:
        rule["description"] = rule.get("description", "") + "（措辞修改）"
        if rule.get("legal_basis"):
            rule["legal_basis"] += "（措辞修改）"
    assert version_with(changed) == version_with(rules_data())


def test_the_corpus_changes_the_version() -> None:
    fewer = model_version(RECORDS[:1], OPTIONS, RuleBook.parse(rules_data()))
    assert fewer != version_with(rules_data())


def test_another_text_preparation_changes_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = version_with(rules_data())
    monkeypatch.setattr(text, "PREPARATION_REVISION", text.PREPARATION_REVISION + 1)
    assert version_with(rules_data()) != before
