"""Fit the text model and its calibration from labelled records (deterministic: fixed folds,
lbfgs, no random state left free)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from services.router.classifier.classifier import GrievanceText, model_text_from_rule_text, rule_text
from services.router.classifier.combine import fit_calibration, rule_matrix
from services.router.classifier.features import TfidfFeatures
from services.router.classifier.labels import AREAS, KINDS, TRACKS
from services.router.classifier.model import Calibration, FloatArray, LinearHead, TextModel
from services.router.classifier.rules import RuleBook, RuleHit
from services.router.training.corpus import LabelledRecord

FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class TrainingOptions:
    c_track: float = 1.0
    c_area: float = 1.0
    c_kind: float = 1.0
    min_df: int = 2
    # Unigrams and bigrams: as accurate as 1-3-grams in cross-validation on the training split
    # (track 0.94/0.94, area 0.81/0.81) with half the features and a faster transform.
    orders: tuple[int, ...] = (1, 2)
    class_weight: str | None = "balanced"


def _head_labels(records: Sequence[LabelledRecord], head: str) -> list[str]:
    if head == "track":
        return [r.track.value for r in records]
    if head == "area":
        return [r.area.value for r in records]
    return [r.petition_kind.value if r.petition_kind else "" for r in records]


def fit_head(features: object, labels: Sequence[str], c: float, class_weight: str | None) -> LinearHead:
    # A linear SVM: as accurate as logistic regression on this corpus and ten times faster to fit;
    # its margins become probabilities through the fitted temperature (combine.py).
    classifier = LinearSVC(C=c, class_weight=class_weight, random_state=SEED, max_iter=10000)
    classifier.fit(features, labels)
    coef = np.asarray(classifier.coef_, dtype=np.float32)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    classes = tuple(str(c) for c in classifier.classes_)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: make it symmetric
        coef = np.vstack([-coef[0] / 2, coef[0] / 2]).astype(np.float32)
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return LinearHead(classes, coef, intercept)


def fit_text_model(
    records: Sequence[LabelledRecord], options: TrainingOptions = TrainingOptions(), rules: RuleBook | None = None
) -> TextModel:
    """Features and heads on all ``records``; calibration from out-of-fold predictions."""
    rules = rules or RuleBook.load()
    rule_texts = [rule_text(GrievanceText(r.title, r.text)) for r in records]
    model_texts = [model_text_from_rule_text(t) for t in rule_texts]
    hits = rules.evaluate_many(rule_texts)
    calibration = {
        "track": _calibrate(records, model_texts, hits, "track", TRACKS, options),
        "area": _calibrate(records, model_texts, hits, "area", AREAS, options),
        "kind": _calibrate(records, model_texts, hits, "kind", KINDS, options),
    }
    features = TfidfFeatures.fit(model_texts, min_df=options.min_df, orders=options.orders)
    matrix = features.transform(model_texts)
    heads = {
        "track": fit_head(matrix, _head_labels(records, "track"), options.c_track, options.class_weight),
        "area": fit_head(matrix, _head_labels(records, "area"), options.c_area, options.class_weight),
    }
    petitions = [i for i, r in enumerate(records) if r.petition_kind is not None]
    heads["kind"] = fit_head(
        matrix[petitions], [_head_labels(records, "kind")[i] for i in petitions], options.c_kind, options.class_weight
    )
    meta = {
        "records": len(records),
        "features": features.size,
        "options": options.__dict__,
        "train_ids": sorted(r.id for r in records),
    }
    return TextModel(features, heads, calibration, meta)


def out_of_fold_logits(
    records: Sequence[LabelledRecord],
    model_texts: Sequence[str],
    head: str,
    labels: Sequence[str],
    options: TrainingOptions,
) -> tuple[FloatArray, list[int]]:
    """Logits of each record from a model that did not see it (stratified folds), and the rows used."""
    y = _head_labels(records, head)
    rows = [i for i, label in enumerate(y) if label]
    logits = np.zeros((len(rows), len(labels)))
    c = {"track": options.c_track, "area": options.c_area, "kind": options.c_kind}[head]
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    stratum = [y[i] for i in rows]
    # classes with fewer members than folds cannot be stratified: fold them into one stratum
    counts = {label: stratum.count(label) for label in set(stratum)}
    stratum = [label if counts[label] >= FOLDS else "_rare" for label in stratum]
    for fit_idx, val_idx in folds.split(np.zeros(len(rows)), stratum):
        fit_rows = [rows[i] for i in fit_idx]
        val_rows = [rows[i] for i in val_idx]
        features = TfidfFeatures.fit([model_texts[i] for i in fit_rows], min_df=options.min_df, orders=options.orders)
        linear = fit_head(
            features.transform([model_texts[i] for i in fit_rows]), [y[i] for i in fit_rows], c, options.class_weight
        )
        val_features = features.transform([model_texts[i] for i in val_rows])
        logits[val_idx] = linear.logits_for(val_features, labels, missing_margin=4.0)
    return logits, rows


def _calibrate(
    records: Sequence[LabelledRecord],
    model_texts: Sequence[str],
    hits: Sequence[list[RuleHit]],
    head: str,
    labels: Sequence[str],
    options: TrainingOptions,
) -> Calibration:
    logits, rows = out_of_fold_logits(records, model_texts, head, labels, options)
    effect = "petition_kind" if head == "kind" else head
    rules = rule_matrix([hits[i] for i in rows], labels, effect)
    y = _head_labels(records, head)
    truth = [labels.index(y[i]) for i in rows]
    return fit_calibration(logits, rules, truth)
