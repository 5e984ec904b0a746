"""Scores of the classifier on labelled records: per-class report, confusion matrix, baselines."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from services.router.classifier import Classification, Classifier, GrievanceText
from services.router.classifier.classifier import model_text_from_rule_text, rule_text
from services.router.classifier.combine import rule_matrix
from services.router.classifier.labels import AREAS, TRACKS
from services.router.training.corpus import LabelledRecord


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class HeadScores:
    name: str
    truth: list[str]
    combined: list[str]
    model_only: list[str]
    rules_only: list[str]
    majority: str

    def accuracy(self, predicted: Sequence[str]) -> float:
        return float(accuracy_score(self.truth, predicted))

    def macro_f1(self, predicted: Sequence[str]) -> float:
        labels = sorted(set(self.truth))
        return float(f1_score(self.truth, predicted, labels=labels, average="macro", zero_division=0))

    def summary_rows(self) -> list[tuple[str, float, float]]:
        baseline = [self.majority] * len(self.truth)
        return [
            ("majority baseline", self.accuracy(baseline), self.macro_f1(baseline)),
            ("rules only", self.accuracy(self.rules_only), self.macro_f1(self.rules_only)),
            ("model only", self.accuracy(self.model_only), self.macro_f1(self.model_only)),
            ("rules + model", self.accuracy(self.combined), self.macro_f1(self.combined)),
        ]

    def report(self) -> str:
        labels = sorted(set(self.truth) | set(self.combined))
        return str(classification_report(self.truth, self.combined, labels=labels, digits=3, zero_division=0))

    def confusion(self) -> str:
        labels = sorted(set(self.truth) | set(self.combined))
        matrix = confusion_matrix(self.truth, self.combined, labels=labels)
        width = max(_display_width(label) for label in labels) + 2
        header = " " * width + " ".join(f"{i:>4}" for i in range(len(labels)))
        lines = [f"rows: truth, columns: predicted ({', '.join(f'{i}={lbl}' for i, lbl in enumerate(labels))})"]
        lines.append(header)
        for i, label in enumerate(labels):
            pad = width - _display_width(label)
            lines.append(f"{label}{' ' * pad}" + " ".join(f"{n:>4}" for n in matrix[i]))
        return "\n".join(lines)


@dataclass(frozen=True)
class Evaluation:
    track: HeadScores
    area: HeadScores
    records: list[LabelledRecord]
    results: list[Classification]

    def kind_accuracy(self) -> tuple[float, int]:
        pairs = [
            (r.petition_kind, c.petition_kind)
            for r, c in zip(self.records, self.results, strict=True)
            if r.petition_kind and c.petition_kind
        ]
        return (float(np.mean([a == b for a, b in pairs])) if pairs else 0.0), len(pairs)

    def urgent_scores(self) -> tuple[float, float]:
        truth = [r.urgent for r in self.records]
        found = [c.urgent for c in self.results]
        tp = sum(t and f for t, f in zip(truth, found, strict=True))
        precision = tp / max(1, sum(found))
        recall = tp / max(1, sum(truth))
        return precision, recall

    def boundary_accuracy(self) -> tuple[float, int]:
        rows = [i for i, r in enumerate(self.records) if r.boundary]
        if not rows:
            return 0.0, 0
        return float(np.mean([self.records[i].track == self.results[i].track for i in rows])), len(rows)

    def coverage(self, thresholds: Sequence[float]) -> list[tuple[float, float, float]]:
        """(threshold, share routed without review, accuracy of track+area on those)."""
        rows = []
        for threshold in thresholds:
            auto = [
                r.track == c.track and r.area == c.area
                for r, c in zip(self.records, self.results, strict=True)
                if c.confidence >= threshold
            ]
            rows.append((threshold, len(auto) / len(self.records), float(np.mean(auto)) if auto else 1.0))
        return rows


def evaluate(
    classifier: Classifier, records: Sequence[LabelledRecord], train_labels: Sequence[LabelledRecord]
) -> Evaluation:
    items = [GrievanceText(r.title, r.text) for r in records]
    results = classifier.classify_many(items)
    texts = [rule_text(item) for item in items]
    hits = classifier.rules.evaluate_many(texts)
    features = classifier.model.features.transform([model_text_from_rule_text(t) for t in texts])

    def head(name: str, labels: Sequence[str], truth: list[str], combined: list[str]) -> HeadScores:
        logits = classifier.model.heads[name].logits_for(features, labels, missing_margin=4.0)
        rules = rule_matrix(hits, labels, name)
        majority = Counter(getattr(r, name).value for r in train_labels).most_common(1)[0][0]
        rules_only = [labels[int(row.argmax())] if row.any() else majority for row in rules]
        model_only = [labels[int(i)] for i in logits.argmax(axis=1)]
        return HeadScores(name, truth, combined, model_only, rules_only, majority)

    return Evaluation(
        track=head("track", TRACKS, [r.track.value for r in records], [c.track.value for c in results]),
        area=head("area", AREAS, [r.area.value for r in records], [c.area.value for c in results]),
        records=list(records),
        results=results,
    )
