"""The classifier: rules and model combined into a routing decision for each grievance text.

Built to classify batches: the text features, the rule prefilter and the combination run once per
batch on arrays; only the explanation is assembled per text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from services.router.classifier.combine import posterior, rule_matrix
from services.router.classifier.departments import DepartmentChooser
from services.router.classifier.evidence import Evidence
from services.router.classifier.hierarchy import Decision, Hierarchy
from services.router.classifier.labels import AREAS, KIND_ZH, KINDS, TRACK_ZH, TRACKS
from services.router.classifier.lexicon import load_lexicon
from services.router.classifier.model import DEFAULT_ARTIFACT, Calibration, FloatArray, TextModel, top_features
from services.router.classifier.reasons import category_reason, model_reason, rule_reason
from services.router.classifier.rules import RuleBook, RuleHit
from services.router.classifier.streets import StreetFinder
from services.router.classifier.taxonomy import load_taxonomy, split_label
from services.router.classifier.text import clean, mask_place_codes, normalise, strip_addressing
from shared.catalog import Catalog, load_catalog
from shared.events.contracts import Departments
from shared.events.vocabulary import Area, PetitionKind, Street, Track

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
MISSING_CLASS_MARGIN = 4.0
# The category (and item) choose the department only from this probability on; below it the
# area's lead decides, since a wrong category sends the case to a wrong body. Chosen on the
# evaluation data: how often the category is right at each probability (docs/router.md).
CATEGORY_ROUTE_MIN_PROBABILITY = 0.4


@dataclass(frozen=True, slots=True)
class GrievanceText:
    title: str
    text: str
    street: str | None = None


@dataclass(frozen=True, slots=True)
class Constraints:
    """What a re-route fixes in advance: a track, tracks ruled out, departments that returned it."""

    forced_track: Track | None = None
    excluded_tracks: frozenset[Track] = frozenset()
    excluded_departments: frozenset[str] = frozenset()


NO_CONSTRAINTS = Constraints()


@dataclass(frozen=True, slots=True)
class Classification:
    track: Track
    petition_kind: PetitionKind | None
    area: Area
    departments: Departments
    urgent: bool
    urgent_signals: tuple[str, ...]
    confidence: float
    track_probability: float
    area_probability: float
    kind_probability: float | None
    street: Street | None
    mentioned_departments: tuple[str, ...]  # units a report names (empty for other grievances)
    reasons: tuple[Evidence, ...] = field(default=())
    # 二级分类 of the taxonomy, read together with ``area``; the 三级 item only when confident
    category: str = ""
    category_probability: float = 0.0
    item: str | None = None
    model_version: str = ""


def rule_text(item: GrievanceText) -> str:
    return prepare(item)[0]


def prepare(item: GrievanceText) -> tuple[str, str]:
    """The rules' text (normalised, export artefacts and place codes undone) and the model's
    (the same without salutations and closings addressed to officials, digits folded to 0)."""
    # one pass over title and text together: each call costs about as much as the scan itself
    joined = mask_place_codes(normalise(clean(f"{item.title}\0{item.text}")))
    title, _, text = joined.partition("\0")
    model = f"{strip_addressing(title)}。{strip_addressing(text)}"
    return f"{title}。{text}", _SPACES.sub(" ", _DIGITS.sub("0", model))


class Classifier:
    def __init__(self, model: TextModel, rules: RuleBook, chooser: DepartmentChooser, streets: StreetFinder) -> None:
        self.model = model
        self.rules = rules
        self.chooser = chooser
        self.streets = streets
        self.lexicon = load_lexicon()
        self.hierarchy = Hierarchy(load_taxonomy(), self.lexicon)

    @classmethod
    def load(
        cls, model_path: Path | None = None, rules_path: Path | None = None, catalog: Catalog | None = None
    ) -> Classifier:
        catalog = catalog or load_catalog()
        model = TextModel.load(model_path or DEFAULT_ARTIFACT)
        return cls(model, RuleBook.load(rules_path), DepartmentChooser.load(catalog), StreetFinder(catalog))

    def classify(self, item: GrievanceText, constraints: Constraints = NO_CONSTRAINTS) -> Classification:
        return self.classify_many([item], [constraints])[0]

    def classify_many(
        self, items: Sequence[GrievanceText], constraints: Sequence[Constraints] | None = None
    ) -> list[Classification]:
        if not items:
            return []
        constraints = constraints or [NO_CONSTRAINTS] * len(items)
        prepared = [prepare(item) for item in items]
        texts = [rule for rule, _ in prepared]
        hits = self.rules.evaluate_many(texts)
        features = self.model.features.transform([model for _, model in prepared])
        track_p = self._posterior("track", features, hits, TRACKS)
        _, decisions = self.hierarchy.decide(
            self._posterior("area", features, hits, AREAS),
            self.category_probabilities(features),
            self.model.area_blend,
            texts,
        )
        kind_p = self._posterior("petition_kind", features, hits, KINDS)
        track_p = _apply_track_constraints(track_p, constraints)
        # numpy once per batch; per text only Python values
        best = [_best(p) for p in (track_p, kind_p)]
        tracks = [TRACKS[i] for i in best[0][0]]
        track_features = top_features(self.model, features, "track", tracks)
        category_features = top_features(self.model, features, "category", [d.category for d in decisions])
        return [
            self._assemble(
                items[i],
                texts[i],
                hits[i],
                constraints[i],
                Scores(
                    Track(tracks[i]),
                    best[0][1][i],
                    Area(AREAS[decisions[i].area]),
                    decisions[i].area_probability,
                    PetitionKind(KINDS[best[1][0][i]]),
                    best[1][1][i],
                ),
                decisions[i],
                track_features[i],
                category_features[i],
            )
            for i in range(len(items))
        ]

    def category_probabilities(self, features: object) -> FloatArray:
        """The category head's calibrated probabilities over the taxonomy's (area, category) pairs."""
        logits = self.model.heads["category"].logits_for(
            features, self.hierarchy.labels, missing_margin=MISSING_CLASS_MARGIN
        )
        calibration = self.model.calibration["category"]
        return posterior(logits, np.zeros_like(logits), Calibration(calibration.temperature, 0.0))

    def _posterior(self, effect: str, features: object, hits: list[list[RuleHit]], labels: Sequence[str]) -> FloatArray:
        head = "kind" if effect == "petition_kind" else effect
        logits = self.model.heads[head].logits_for(features, labels, missing_margin=MISSING_CLASS_MARGIN)
        return posterior(logits, rule_matrix(hits, labels, effect), self.model.calibration[head])

    def _assemble(
        self,
        item: GrievanceText,
        text: str,
        hits: list[RuleHit],
        constraints: Constraints,
        scores: Scores,
        decision: Decision,
        track_features: list[str],
        area_features: list[str],
    ) -> Classification:
        track, area = scores.track, scores.area
        kind = scores.kind if track is Track.petition else None
        kind_probability = scores.kind_probability if kind is not None else None
        confidence = scores.track_probability * scores.area_probability * (kind_probability or 1.0)
        street = _street(item.street) or self.streets.find(text)
        # Only a report needs to know the units it names (never to send it to them).
        mentioned = self.chooser.mentioned(text) if kind is PetitionKind.report else ()
        signals = tuple(dict.fromkeys(h.rule.effects.urgent for h in hits if h.rule.effects.urgent))
        legal_bodies: dict[str, float] = {}
        hints: dict[str, float] = {}
        co: list[str] = []
        for hit in hits:
            for body, weight in hit.rule.effects.legal_body.items():
                legal_bodies[body] = legal_bodies.get(body, 0.0) + weight
            for code, weight in hit.rule.effects.departments.items():
                hints[code] = hints.get(code, 0.0) + weight
            co.extend(hit.rule.effects.co)
        category = split_label(decision.category)[1]
        # the item is named only above ITEM_MIN_CATEGORY_PROBABILITY anyway
        routed = decision.category_probability >= CATEGORY_ROUTE_MIN_PROBABILITY
        assignment = self.chooser.choose(
            track=track,
            area=area,
            petition_kind=kind,
            street=street,
            legal_body_scores=legal_bodies,
            department_hints=hints,
            co_hints=tuple(co),
            excluded=constraints.excluded_departments,
            mentioned=mentioned,
            category=category if routed else None,
            item=decision.item if routed else None,
        )
        reasons = [rule_reason(hit, track, area, kind) for hit in hits]
        reasons.append(model_reason("track", TRACK_ZH[track], scores.track_probability, track_features))
        reasons.append(model_reason("area", area.value, scores.area_probability, area_features))
        reasons.append(category_reason(area.value, category, decision, self.lexicon.found(decision.category, text)))
        if kind is not None and kind_probability is not None:
            reasons.append(model_reason("petition_kind", KIND_ZH[kind], kind_probability, []))
        reasons.extend(assignment.reasons)
        return Classification(
            track=track,
            petition_kind=kind,
            area=area,
            departments=assignment.departments,
            urgent=bool(signals),
            urgent_signals=signals,
            confidence=round(confidence, 4),
            track_probability=scores.track_probability,
            area_probability=scores.area_probability,
            kind_probability=kind_probability,
            street=street,
            mentioned_departments=mentioned,
            reasons=tuple(reasons),
            category=category,
            # rounded, never above the area's probability it is a share of
            category_probability=min(round(decision.category_probability, 4), scores.area_probability),
            item=decision.item,
            model_version=self.model.version,
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """The combined winners of one text and their probabilities."""

    track: Track
    track_probability: float
    area: Area
    area_probability: float
    kind: PetitionKind
    kind_probability: float


def _best(probabilities: FloatArray) -> tuple[list[int], list[float]]:
    winners = probabilities.argmax(axis=1)
    return winners.tolist(), probabilities[np.arange(len(winners)), winners].tolist()


def _apply_track_constraints(probabilities: FloatArray, constraints: Sequence[Constraints]) -> FloatArray:
    result = probabilities.copy()
    for row, constraint in enumerate(constraints):
        if constraint.forced_track is not None:
            result[row] = 0.0
            result[row, TRACKS.index(constraint.forced_track.value)] = 1.0
        elif constraint.excluded_tracks:
            for track in constraint.excluded_tracks:
                result[row, TRACKS.index(track.value)] = 0.0
            total = result[row].sum()
            result[row] = result[row] / total if total > 0 else np.full(len(TRACKS), 1 / len(TRACKS))
    return result


_STREETS = {s.value: s for s in Street}


def _street(value: str | None) -> Street | None:
    return _STREETS.get(value) if value else None
