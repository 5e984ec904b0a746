"""How rule evidence and model scores become one probability per decision.

For each decision (track, area, petition kind) and each class c:

    score(c) = model_logit(c) / temperature + rule_scale * Σ weight(c) of the rules that fired
    p(c)     = softmax(score)(c)

``temperature`` and ``rule_scale`` are fitted by the trainer on out-of-fold predictions of the
training split (minimum log-loss), so the probabilities are calibrated for the combination, not
for the model alone. The decision's confidence is the probability that track and area (and the
petition kind, for petitions) are all right, taken as the product of the three.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from services.router.classifier.model import Calibration, FloatArray
from services.router.classifier.rules import RuleHit

EFFECTS = ("track", "area", "petition_kind")


def rule_matrix(hits: Sequence[Sequence[RuleHit]], labels: Sequence[str], effect: str) -> FloatArray:
    """Summed rule weights per text and label for one effect (``track``, ``area``, ``petition_kind``)."""
    column = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(hits), len(labels)), dtype=np.float64)
    for row, text_hits in enumerate(hits):
        for hit in text_hits:
            weights = getattr(hit.rule.effects, effect)
            for label, weight in weights.items():
                if label in column:
                    matrix[row, column[label]] += weight
    return matrix


def posterior(logits: FloatArray, rules: FloatArray, calibration: Calibration) -> FloatArray:
    scores = logits / calibration.temperature + calibration.rule_scale * rules
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result


def log_loss(probabilities: FloatArray, truth: Sequence[int]) -> float:
    picked = probabilities[np.arange(len(truth)), np.asarray(truth)]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def fit_calibration(logits: FloatArray, rules: FloatArray, truth: Sequence[int]) -> Calibration:
    """Grid search of temperature and rule scale for the lowest log-loss (deterministic)."""
    best: tuple[float, float, float] | None = None
    for temperature in (0.04, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0, 1.25, 1.5, 2.0):
        for rule_scale in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0):
            loss = log_loss(posterior(logits, rules, Calibration(temperature, rule_scale)), truth)
            if best is None or loss < best[0] - 1e-12:
                best = (loss, temperature, rule_scale)
    assert best is not None
    return Calibration(temperature=best[1], rule_scale=best[2])
