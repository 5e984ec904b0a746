"""The statistical model: char n-gram TF-IDF and one linear head (a linear SVM's weights) per
decision (track, area, petition kind, and the category: an (area, category) pair of the
taxonomy), stored as plain arrays.

The artifact (``router_model.joblib``) holds only numpy arrays, strings and numbers, no
scikit-learn objects, so it loads the same under any scikit-learn version; scikit-learn is needed
only to train (services.router.training).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from services.router.classifier.features import TfidfFeatures

ARTIFACT_FORMAT = 2
DEFAULT_ARTIFACT = Path(__file__).resolve().parent / "router_model.joblib"
FloatArray = NDArray[np.float64]


class UnsupportedArtifact(ValueError):
    """An artifact written by another version of the model code."""


@dataclass(frozen=True)
class LinearHead:
    """Scores of one decision: ``X @ coef.T + intercept`` over the head's own classes."""

    classes: tuple[str, ...]
    coef: NDArray[np.float32]  # (classes, features)
    intercept: FloatArray
    _coef_t: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The product wants a C-ordered (features, classes) float64 matrix: made once here rather
        # than copied from ``coef.T`` on every batch (megabytes for the category head).
        object.__setattr__(self, "_coef_t", np.ascontiguousarray(self.coef.T, dtype=np.float64))

    def logits(self, features: sparse.csr_matrix) -> FloatArray:
        scores = np.asarray(features @ self._coef_t, dtype=np.float64)
        result: FloatArray = scores + self.intercept
        return result

    def logits_for(self, features: sparse.csr_matrix, labels: Sequence[str], *, missing_margin: float) -> FloatArray:
        """Logits in the order of ``labels``; a label the head never saw gets the row's lowest
        score minus a margin, so only strong rule evidence can choose it."""
        own = self.logits(features)
        if tuple(labels) == self.classes:
            return own
        floor = own.min(axis=1, keepdims=True) - missing_margin
        result = np.repeat(floor, len(labels), axis=1)
        for column, label in enumerate(labels):
            if label in self.classes:
                result[:, column] = own[:, self.classes.index(label)]
        return result


@dataclass(frozen=True)
class Calibration:
    """Combined score = model logit / temperature + rule_scale * rule weight (fitted in training)."""

    temperature: float = 1.0
    rule_scale: float = 1.0


@dataclass(frozen=True)
class TextModel:
    features: TfidfFeatures
    heads: dict[str, LinearHead]
    calibration: dict[str, Calibration]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.meta.get("model_version", "unversioned"))

    @property
    def area_blend(self) -> float:
        """Weight of the category head's area probabilities beside the area head's (fitted)."""
        return float(self.meta.get("area_blend", 0.0))

    def save(self, path: Path) -> None:
        payload = {
            "format": ARTIFACT_FORMAT,
            "vocabulary": self.features.vocabulary,
            "idf": self.features.idf,
            "orders": list(self.features.orders),
            "heads": {
                name: {"classes": list(h.classes), "coef": h.coef, "intercept": h.intercept}
                for name, h in self.heads.items()
            },
            "calibration": {
                name: {"temperature": c.temperature, "rule_scale": c.rule_scale} for name, c in self.calibration.items()
            },
            "meta": self.meta,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(payload, path, compress=3)

    @classmethod
    def load(cls, path: Path = DEFAULT_ARTIFACT) -> TextModel:
        payload = joblib.load(path)
        if payload.get("format") != ARTIFACT_FORMAT:
            raise UnsupportedArtifact(f"{path}: unsupported model format {payload.get('format')!r}; retrain")
        features = TfidfFeatures(
            np.asarray(payload["vocabulary"], dtype=np.int64),
            np.asarray(payload["idf"], dtype=np.float64),
            tuple(payload["orders"]),
        )
        heads = {
            name: LinearHead(
                tuple(h["classes"]),
                np.asarray(h["coef"], dtype=np.float32),
                np.asarray(h["intercept"], dtype=np.float64),
            )
            for name, h in payload["heads"].items()
        }
        calibration = {name: Calibration(**c) for name, c in payload["calibration"].items()}
        return cls(features, heads, calibration, dict(payload.get("meta", {})))


def top_features(
    model: TextModel, features: sparse.csr_matrix, head: str, chosen: Sequence[str], *, count: int = 3
) -> list[list[str]]:
    """For each row, the n-grams that pushed hardest toward the chosen class of ``head``."""
    linear = model.heads[head]
    rows = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))
    class_of_row = np.array([linear.classes.index(c) if c in linear.classes else -1 for c in chosen], dtype=np.int64)
    classes = class_of_row[rows]
    contributions = features.data * linear.coef[np.maximum(classes, 0), features.indices]
    contributions[classes < 0] = 0.0
    explained: list[list[str]] = [[] for _ in range(features.shape[0])]
    nonempty = np.flatnonzero(np.diff(features.indptr) > 0)
    if len(contributions) == 0:
        return explained
    starts = features.indptr[nonempty]
    # ``count`` passes of a per-row maximum instead of sorting every n-gram of the batch
    for _ in range(count):
        best = np.maximum.reduceat(contributions, starts)
        is_best = contributions == best[np.searchsorted(nonempty, rows)]
        first = np.flatnonzero(is_best & (contributions > 0))
        first = first[np.concatenate(([True], rows[first][1:] != rows[first][:-1]))] if len(first) else first
        names = model.features.names(features.indices[first])
        for row, name in zip(rows[first].tolist(), names, strict=True):
            explained[row].append(name)
        contributions[first] = 0.0
    return explained
