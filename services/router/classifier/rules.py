"""The rule engine: patterns from ``rules.yaml`` with negation, hypothetical and context handling.

A rule fires when one of its patterns matches and the match survives its checks:

- *negation*: a negation cue (没有, 不想, 并非 …) shortly before the match in the same clause
  cancels it ("我不想打官司" is not a lawsuit), unless the rule says negation is ``ignore``;
- *hypothetical*: a cue such as 如果, 准备, 要不要 before the match in the same clause means the
  step has not happened ("不知道要不要去仲裁" is no arbitration), unless the rule says ``ignore``;
- *requires* / *unless*: context patterns that must / must not occur in the same clause,
  sentence or text.

Each fired rule contributes its effects (log-odds weights for track, area, petition kind, the
competent 政法 body and lead departments, co-handlers, an urgency signal) and its legal basis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from services.router.classifier.prefilter import PatternIndex
from services.router.classifier.text import Boundaries, normalise

Scope = Literal["clause", "sentence", "text"]
_SCOPES: tuple[Scope, ...] = ("clause", "sentence", "text")


@dataclass(frozen=True, slots=True)
class Effects:
    track: Mapping[str, float] = field(default_factory=dict)
    area: Mapping[str, float] = field(default_factory=dict)
    petition_kind: Mapping[str, float] = field(default_factory=dict)
    legal_body: Mapping[str, float] = field(default_factory=dict)
    departments: Mapping[str, float] = field(default_factory=dict)
    co: tuple[str, ...] = ()
    urgent: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    description: str
    legal_basis: str | None
    patterns: tuple[re.Pattern[str], ...]
    effects: Effects
    cancel_on_negation: bool = True
    cancel_on_hypothetical: bool = True
    requires: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    context: Scope = "sentence"


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: Rule
    evidence: str


class RuleBook:
    """All rules of one data file, compiled once."""

    def __init__(self, rules: list[Rule], *, negation: re.Pattern[str], hypothetical: re.Pattern[str], window: int):
        self.rules = rules
        # Patterns numbered in rule order, and an index that says which patterns can match a text.
        self._rule_of: list[int] = []
        flat: list[re.Pattern[str]] = []
        for rule_index, rule in enumerate(rules):
            self._rule_of.extend([rule_index] * len(rule.patterns))
            flat.extend(rule.patterns)
        self._patterns = flat
        self._index = PatternIndex([p.pattern for p in flat])
        self._negation = negation
        self._hypothetical = hypothetical
        self._window = window

    @classmethod
    def load(cls, path: Path | None = None) -> RuleBook:
        if path is None:
            raw = resources.files("services.router.classifier").joinpath("rules.yaml").read_text(encoding="utf-8")
        else:
            raw = path.read_text(encoding="utf-8")
        return cls.parse(yaml.safe_load(raw))

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RuleBook:
        cues = data["cues"]
        rules = [_parse_rule(item) for item in data["rules"]]
        codes = [r.code for r in rules]
        duplicates = {c for c in codes if codes.count(c) > 1}
        if duplicates:
            raise ValueError(f"duplicate rule codes: {sorted(duplicates)}")
        return cls(
            rules,
            negation=_alternation(cues["negation"]),
            hypothetical=_alternation(cues["hypothetical"]),
            window=int(data.get("negation_window", 6)),
        )

    def fingerprint(self) -> str:
        """Everything that decides what fires and with what weight, as text (a model's version hashes it)."""
        cues = (self._negation.pattern, self._hypothetical.pattern, str(self._window))
        # Not a rule's description or legal basis: words shown to people change no decision.
        deciding = (repr(replace(rule, description="", legal_basis=None)) for rule in self.rules)
        return "\n".join([*cues, *deciding])

    def evaluate(self, text: str) -> list[RuleHit]:
        """Rules that fire on ``text`` (already normalised), each at most once, in file order."""
        return self.evaluate_many([text])[0]

    def evaluate_many(self, texts: Sequence[str]) -> list[list[RuleHit]]:
        return [self._evaluate(text, mask) for text, mask in zip(texts, self._index.candidates(texts), strict=True)]

    def _evaluate(self, text: str, candidates: int) -> list[RuleHit]:
        fired: dict[int, RuleHit] = {}
        bounds: Boundaries | None = None
        # only the candidate patterns, lowest number first, which is rule order
        while candidates:
            number = (candidates & -candidates).bit_length() - 1
            candidates &= candidates - 1
            rule_index = self._rule_of[number]
            if rule_index in fired:
                continue
            rule = self.rules[rule_index]
            for match in self._patterns[number].finditer(text):
                bounds = bounds or Boundaries(text)
                if self._survives(rule, text, match, bounds):
                    fired[rule_index] = RuleHit(rule, match.group(0))
                    break
        return [fired[i] for i in sorted(fired)]

    def evaluate_without_index(self, text: str) -> list[RuleHit]:
        """Every pattern on every text: the reference the index must agree with (tests)."""
        hits: list[RuleHit] = []
        bounds = Boundaries(text)
        for rule in self.rules:
            match_hit = next(
                (
                    RuleHit(rule, m.group(0))
                    for pattern in rule.patterns
                    for m in pattern.finditer(text)
                    if self._survives(rule, text, m, bounds)
                ),
                None,
            )
            if match_hit is not None:
                hits.append(match_hit)
        return hits

    def _survives(self, rule: Rule, text: str, match: re.Match[str], bounds: Boundaries) -> bool:
        clause_start, _ = bounds.clause(match.start())
        before = text[max(clause_start, match.start() - self._window) : match.start()]
        if rule.cancel_on_negation and self._negation.search(before):
            return False
        if rule.cancel_on_hypothetical and self._hypothetical.search(text[clause_start : match.start()]):
            return False
        if rule.requires is None and rule.unless is None:
            return True
        start, end = _scope(rule.context, text, match, bounds)
        context = text[start:end]
        if rule.requires is not None and not rule.requires.search(context):
            return False
        return not (rule.unless is not None and rule.unless.search(context))


def _scope(scope: Scope, text: str, match: re.Match[str], bounds: Boundaries) -> tuple[int, int]:
    if scope == "clause":
        return bounds.clause(match.start())
    if scope == "sentence":
        return bounds.sentence(match.start())
    return 0, len(text)


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{normalise(p)})" for p in patterns))


def _parse_rule(item: Mapping[str, Any]) -> Rule:
    code = str(item["code"])
    try:
        effects_raw = item.get("effects", {})
        effects = Effects(
            track={str(k): float(v) for k, v in effects_raw.get("track", {}).items()},
            area={str(k): float(v) for k, v in effects_raw.get("area", {}).items()},
            petition_kind={str(k): float(v) for k, v in effects_raw.get("petition_kind", {}).items()},
            legal_body={str(k): float(v) for k, v in effects_raw.get("legal_body", {}).items()},
            departments={str(k): float(v) for k, v in effects_raw.get("departments", {}).items()},
            co=tuple(effects_raw.get("co", ())),
            urgent=effects_raw.get("urgent"),
        )
        context = item.get("context", "sentence")
        if context not in _SCOPES:
            raise ValueError(f"context must be one of {_SCOPES}")
        return Rule(
            code=code,
            description=str(item["description"]),
            legal_basis=item.get("legal_basis"),
            patterns=tuple(re.compile(normalise(p)) for p in item["patterns"]),
            effects=effects,
            cancel_on_negation=item.get("negation", "cancel") == "cancel",
            cancel_on_hypothetical=item.get("hypothetical", "cancel") == "cancel",
            requires=_alternation(item["requires"]) if item.get("requires") else None,
            unless=_alternation(item["unless"]) if item.get("unless") else None,
            context=context,
        )
    except (KeyError, ValueError, re.error) as exc:
        raise ValueError(f"rule {code}: {exc}") from exc
