"""Category, then area: the category head's probabilities over (area, category) pairs sum to area
probabilities, blended with the area head's; the category is then the best one of the chosen area,
and the item (三级) is named only when an item name of that category occurs in the text.

    p(area)      = (1 - λ) · p_area_head(area) + λ · Σ_{c in area} p_category(c)
    p(category)  = p(area) · p_category(c) / Σ_{c' in area} p_category(c')

λ (``area_blend``) and the category head's temperature are fitted on out-of-fold predictions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.router.classifier.labels import AREAS
from services.router.classifier.lexicon import Lexicon, load_lexicon
from services.router.classifier.model import FloatArray
from services.router.classifier.taxonomy import Taxonomy, category_label

# An item is named only when its category is at least this likely: a guess at the third level
# helps nobody, a wrong one misleads the department.
ITEM_MIN_CATEGORY_PROBABILITY = 0.5
# Endings an item's name may lose and still name it: 电力供应 is found in a text as 电力. Not
# 管理 or 服务: 小区管理 cut to 小区 would name an item in half the corpus.
_ITEM_SUFFIXES = ("供应",)
_GENERIC_ITEMS = {"其他"}


@dataclass(frozen=True, slots=True)
class Decision:
    area: int
    area_probability: float
    category: str  # "area/category"
    category_probability: float
    item: str | None
    item_evidence: str | None


class Hierarchy:
    def __init__(self, taxonomy: Taxonomy, lexicon: Lexicon | None = None) -> None:
        self.labels = taxonomy.category_labels
        area_of = np.array([AREAS.index(area) for area, _ in taxonomy.categories], dtype=np.int64)
        self.aggregate = np.zeros((len(self.labels), len(AREAS)), dtype=np.float64)
        self.aggregate[np.arange(len(self.labels)), area_of] = 1.0
        self._area_of = area_of
        self._items = _ItemFinder(taxonomy, lexicon or load_lexicon())

    def area_probabilities(self, area_p: FloatArray, category_p: FloatArray, blend: float) -> FloatArray:
        result: FloatArray = (1.0 - blend) * area_p + blend * (category_p @ self.aggregate)
        return result

    def decide(
        self, area_p: FloatArray, category_p: FloatArray, blend: float, texts: Sequence[str]
    ) -> tuple[FloatArray, list[Decision]]:
        """Final area probabilities and, per text, the area, the category within it and the item."""
        final = self.area_probabilities(area_p, category_p, blend)
        areas = final.argmax(axis=1)
        # the category head's probabilities restricted to the chosen area's categories
        within = np.where(self._area_of[None, :] == areas[:, None], category_p, -1.0)
        best = within.argmax(axis=1)
        rows = np.arange(len(areas))
        share = category_p[rows, best] / np.maximum((category_p * (within >= 0)).sum(axis=1), 1e-12)
        area_probability = final[rows, areas]
        decisions = []
        for row, (area, category, p_area, p_share) in enumerate(
            zip(areas.tolist(), best.tolist(), area_probability.tolist(), share.tolist(), strict=True)
        ):
            probability = p_area * p_share
            label = self.labels[category]
            item, evidence = (
                self._items.find(label, texts[row]) if probability >= ITEM_MIN_CATEGORY_PROBABILITY else (None, None)
            )
            decisions.append(Decision(area, p_area, label, probability, item, evidence))
        return final, decisions


class _ItemFinder:
    """The words by which a text names each item, per category, longest first.

    A category has a few dozen such words at most: ``word in text`` for each of the chosen
    category's words costs microseconds, a pattern over all 517 items would cost milliseconds.

    The item's own name decides first; otherwise the lexicon's words for the items (停电 → 电力供应),
    the item with most of its words in the text, the first listed on a tie."""

    def __init__(self, taxonomy: Taxonomy, lexicon: Lexicon) -> None:
        self._by_category: dict[str, list[tuple[str, str]]] = {}  # label -> (word, item)
        self._lexicon: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # label -> (item, words)
        for (label, item), words in lexicon.items.items():
            self._lexicon.setdefault(label, []).append((item, words))
        for (area, category), items in taxonomy.items.items():
            keys: dict[str, str] = {}
            for item in items:
                if item in _GENERIC_ITEMS:
                    continue
                for key in item_keys(item):
                    keys.setdefault(key, item)
            ordered = sorted(keys.items(), key=lambda pair: (-len(pair[0]), pair[0]))
            self._by_category[category_label(area, category)] = ordered

    def find(self, label: str, text: str) -> tuple[str | None, str | None]:
        for key, item in self._by_category.get(label, ()):
            if key in text:
                return item, key
        best: tuple[int, str, list[str]] | None = None
        for item, words in self._lexicon.get(label, ()):
            found = [word for word in words if word in text]
            if found and (best is None or len(found) > best[0]):
                best = (len(found), item, found)
        if best is None:
            return None, None
        return best[1], "、".join(best[2][:3])


def item_keys(item: str) -> list[str]:
    """The words that name an item in a message: the name, its parts (、), the name less a generic
    ending (电力供应 → 电力); never a single character."""
    keys: list[str] = []
    for part in re.split(r"[、,，/]", item):
        part = part.strip()
        if len(part) < 2:
            continue
        keys.append(part)
        for suffix in _ITEM_SUFFIXES:
            if part.endswith(suffix) and len(part) - len(suffix) >= 2:
                keys.append(part[: -len(suffix)])
    return list(dict.fromkeys(keys))
