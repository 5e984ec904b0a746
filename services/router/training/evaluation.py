"""Scores of the classifier on labelled records: per-class report, confusion matrix, baselines,
accuracy per category with its support."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from services.router.classifier import Classification, Classifier, GrievanceText
from services.router.classifier.classifier import prepare
from services.router.classifier.combine import rule_matrix
from services.router.classifier.labels import AREAS, TRACKS
from services.router.classifier.taxonomy import category_label
from services.router.training.corpus import LabelledRecord


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _display_width(text))


@dataclass(frozen=True)
class HeadScores:
    name: str
    truth: list[str]
    combined: list[str]
    model_only: list[str]
    rules_only: list[str] | None  # None: the rules do not decide this (categories)
    majority: str

    def accuracy(self, predicted: Sequence[str]) -> float:
        return float(accuracy_score(self.truth, predicted)) if self.truth else 0.0

    def macro_f1(self, predicted: Sequence[str]) -> float:
        labels = sorted(set(self.truth))
        return float(f1_score(self.truth, predicted, labels=labels, average="macro", zero_division=0))

    def summary_rows(self) -> list[tuple[str, float, float]]:
        baseline = [self.majority] * len(self.truth)
        rows = [("majority baseline", self.accuracy(baseline), self.macro_f1(baseline))]
        if self.rules_only is not None:
            rows.append(("rules only", self.accuracy(self.rules_only), self.macro_f1(self.rules_only)))
        rows.append(("model only", self.accuracy(self.model_only), self.macro_f1(self.model_only)))
        rows.append(("rules + model", self.accuracy(self.combined), self.macro_f1(self.combined)))
        return rows

    def report(self) -> str:
        labels = sorted(set(self.truth) | set(self.combined))
        return str(classification_report(self.truth, self.combined, labels=labels, digits=3, zero_division=0))

    def per_label(self) -> list[tuple[str, int, float]]:
        """(label, support, accuracy) for every true label, most frequent first."""
        support = Counter(self.truth)
        correct = Counter(t for t, p in zip(self.truth, self.combined, strict=True) if t == p)
        return sorted(((label, n, correct[label] / n) for label, n in support.items()), key=lambda r: (-r[1], r[0]))

    def per_label_table(self) -> str:
        rows = self.per_label()
        width = max((_display_width(label) for label, _, _ in rows), default=10) + 2
        lines = [f"{_pad(self.name, width)}support  accuracy"]
        lines.extend(f"{_pad(label, width)}{n:>7}  {acc:8.3f}" for label, n, acc in rows)
        return "\n".join(lines)

    def confusion(self) -> str:
        labels = sorted(set(self.truth) | set(self.combined))
        matrix = confusion_matrix(self.truth, self.combined, labels=labels)
        width = max(_display_width(label) for label in labels) + 2
        header = " " * width + " ".join(f"{i:>4}" for i in range(len(labels)))
        lines = [f"rows: truth, columns: predicted ({', '.join(f'{i}={lbl}' for i, lbl in enumerate(labels))})"]
        lines.append(header)
        for i, label in enumerate(labels):
            lines.append(_pad(label, width) + " ".join(f"{n:>4}" for n in matrix[i]))
        return "\n".join(lines)


@dataclass(frozen=True)
class Evaluation:
    track: HeadScores
    area: HeadScores
    category: HeadScores
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
                (r.track is None or r.track == c.track) and r.area == c.area
                for r, c in zip(self.records, self.results, strict=True)
                if c.confidence >= threshold
            ]
            rows.append((threshold, len(auto) / len(self.records), float(np.mean(auto)) if auto else 1.0))
        return rows


def evaluate(
    classifier: Classifier, records: Sequence[LabelledRecord], train_labels: Sequence[LabelledRecord]
) -> Evaluation:
    """Scores on ``records``; the track is scored where a record has one, the category likewise."""
    items = [GrievanceText(r.title, r.text) for r in records]
    results = classifier.classify_many(items)
    prepared = [prepare(item) for item in items]
    hits = classifier.rules.evaluate_many([rule for rule, _ in prepared])
    features = classifier.model.features.transform([model for _, model in prepared])

    def head(name: str, labels: Sequence[str], rows: list[int], truth: list[str], combined: list[str]) -> HeadScores:
        logits = classifier.model.heads[name].logits_for(features[rows], labels, missing_margin=4.0)
        rules = rule_matrix([hits[i] for i in rows], labels, name)
        majority = Counter(v for r in train_labels if (v := _label(r, name))).most_common(1)[0][0]
        rules_only = [labels[int(row.argmax())] if row.any() else majority for row in rules]
        model_only = [labels[int(i)] for i in logits.argmax(axis=1)]
        return HeadScores(name, truth, combined, model_only, rules_only, majority)

    tracked = [i for i, r in enumerate(records) if r.track is not None]
    everything = list(range(len(records)))
    categorised = [i for i, r in enumerate(records) if r.category is not None]
    category_logits = classifier.model.heads["category"].logits_for(
        features[categorised], classifier.hierarchy.labels, missing_margin=4.0
    )
    category_majority = Counter(v for r in train_labels if (v := _label(r, "category"))).most_common(1)
    return Evaluation(
        track=head(
            "track",
            TRACKS,
            tracked,
            [_label(records[i], "track") for i in tracked],
            [results[i].track.value for i in tracked],
        ),
        area=head("area", AREAS, everything, [r.area.value for r in records], [c.area.value for c in results]),
        category=HeadScores(
            "category",
            [_label(records[i], "category") for i in categorised],
            [category_label(results[i].area.value, results[i].category) for i in categorised],
            [classifier.hierarchy.labels[int(j)] for j in category_logits.argmax(axis=1)],
            None,
            category_majority[0][0] if category_majority else "",
        ),
        records=list(records),
        results=results,
    )


def _label(record: LabelledRecord, name: str) -> str:
    if name == "track":
        return record.track.value if record.track else ""
    if name == "area":
        return record.area.value
    return category_label(record.area.value, record.category) if record.category else ""
