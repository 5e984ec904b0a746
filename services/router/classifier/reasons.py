"""The reasons of a decision: each rule that fired, each head's choice with its strongest model
features, the category with the lexicon's words for it found in the text, and the item with the
words that named it."""

from __future__ import annotations

from collections.abc import Sequence

from services.router.classifier.evidence import Evidence
from services.router.classifier.hierarchy import Decision
from services.router.classifier.labels import URGENT_ZH
from services.router.classifier.rules import RuleHit
from shared.events.vocabulary import Area, PetitionKind, Track


def rule_reason(hit: RuleHit, track: Track, area: Area, kind: PetitionKind | None) -> Evidence:
    effects = hit.rule.effects
    weight = effects.track.get(track.value)
    if weight is None:
        weight = effects.area.get(area.value)
    if weight is None and kind is not None:
        weight = effects.petition_kind.get(kind.value)
    signal = f"（{URGENT_ZH.get(effects.urgent, effects.urgent)}）" if effects.urgent else ""
    return Evidence(
        kind="rule",
        code=hit.rule.code,
        description=f"{hit.rule.description}{signal}：“{hit.evidence}”",
        legal_basis=hit.rule.legal_basis,
        weight=weight,
    )


def category_reason(area: str, category: str, decision: Decision, lexicon_words: Sequence[str] = ()) -> Evidence:
    item = f"；三级分类“{decision.item}”（文中“{decision.item_evidence}”）" if decision.item else ""
    # the lexicon's words trained the heads: when the text has them, they are why this category won
    if lexicon_words:
        item = f"；类别词：{'、'.join(f'“{w}”' for w in lexicon_words)}{item}"
    return Evidence(
        kind="model",
        code="model.category",
        description=f"二级分类“{area}／{category}”，概率 {decision.category_probability:.2f}{item}",
        legal_basis=None,
        weight=round(decision.category_probability, 4),
    )


def model_reason(head: str, label: str, probability: float, features: list[str]) -> Evidence:
    shown = "、".join(f"“{name.strip()}”" for name in features if name.strip())
    evidence = f"；模型最强特征：{shown}" if shown else ""
    return Evidence(
        kind="model",
        code=f"model.{head}",
        description=f"规则与模型综合判断为“{label}”，概率 {probability:.2f}{evidence}",
        legal_basis=None,
        weight=round(probability, 4),
    )
