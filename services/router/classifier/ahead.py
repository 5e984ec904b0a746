"""Classifications made ahead: the next consumer batch's texts, classified while the batch before
it waits for its commit (shared.kafka.lookahead), then taken by that batch's prepare step.

Classifying a text depends on the text and the model only, so a classification made early is the
one the batch would make. Only the latest batch's are held (a few hundred), and only for the
classifier that made them.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.router.classifier.classifier import Classification, Classifier, GrievanceText


class ClassifiedAhead:
    def __init__(self) -> None:
        self._by: Classifier | None = None
        self._held: dict[GrievanceText, Classification] = {}

    def classify_ahead(self, classifier: Classifier, texts: Sequence[GrievanceText]) -> None:
        unique = list(dict.fromkeys(texts))
        self._by = classifier
        self._held = dict(zip(unique, classifier.classify_many(unique), strict=True))

    def classify_many(self, classifier: Classifier, texts: Sequence[GrievanceText]) -> list[Classification]:
        """``classifier.classify_many(texts)``, taking what was classified ahead (then forgotten)."""
        held = self._held if self._by is classifier else {}
        self._by, self._held = None, {}
        todo = [text for text in dict.fromkeys(texts) if text not in held]
        made = dict(zip(todo, classifier.classify_many(todo), strict=True))
        return [held[text] if text in held else made[text] for text in texts]

    def __len__(self) -> int:
        return len(self._held)
