"""The keyword lexicon (``lexicon.yaml``): the words citizens use about each (area, category) of the
taxonomy and about some of its items, which the taxonomy's own names lack (停电, 摆摊, 拆迁 …).

Training turns the words into weak examples (services/router/training/fitting.py); at
classification time they only name the item and explain the category (``word in text`` over the
chosen category's few dozen words), so they cost nothing in the feature transform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from services.router.classifier.taxonomy import Taxonomy, category_label, load_taxonomy
from services.router.classifier.text import normalise

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Lexicon:
    # label "area/category" -> the category's own words, then its items' words (no repeats)
    categories: dict[str, tuple[str, ...]]
    # (label, item) -> the item's words
    items: dict[tuple[str, str], tuple[str, ...]]
    # words deliberately under two categories -> why
    shared: dict[str, str]

    def found(self, label: str, text: str, limit: int = 4) -> list[str]:
        """The category's words that occur in a normalised text, longest first (a word inside a
        longer one found is not repeated)."""
        hits: list[str] = []
        for word in sorted(self.categories.get(label, ()), key=lambda w: (-len(w), w)):
            if word in text and not any(word in longer for longer in hits):
                hits.append(word)
                if len(hits) == limit:
                    break
        return hits


def model_word(word: str) -> str:
    """A word as the model sees text: normalised, lower case, digits folded to 0."""
    return _DIGITS.sub("0", normalise(word.strip()))


def parse_lexicon(raw: str, taxonomy: Taxonomy) -> Lexicon:
    """Parse and check the file: every key a pair (or item) of the taxonomy, no empty list, a word
    under two categories only when ``shared`` says why."""
    data = yaml.safe_load(raw)
    if not isinstance(data, dict) or not isinstance(data.get("lexicon"), dict):
        raise ValueError("lexicon: expected a mapping with a 'lexicon' key")
    shared = {model_word(str(w)): str(why) for w, why in (data.get("shared") or {}).items()}
    categories: dict[str, tuple[str, ...]] = {}
    items: dict[tuple[str, str], tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for area, by_category in data["lexicon"].items():
        for category, entry in (by_category or {}).items():
            where = f"{area}/{category}"
            if not taxonomy.has_category(str(area), str(category)):
                raise ValueError(f"lexicon: {where} is not a category of the taxonomy")
            label = category_label(str(area), str(category))
            own = _words(entry.get("words") if isinstance(entry, dict) else None, where)
            words = list(own)
            for item, item_words in (entry.get("items") or {}).items():
                if not taxonomy.has_item(str(area), str(category), str(item)):
                    raise ValueError(f"lexicon: {where}/{item} is not an item of the taxonomy")
                listed = _words(item_words, f"{where}/{item}")
                items[(label, str(item))] = listed
                words.extend(listed)
            for word in dict.fromkeys(words):
                previous = owner.setdefault(word, label)
                if previous != label and word not in shared:
                    raise ValueError(f"lexicon: {word!r} is under {previous} and {label} (list it in 'shared')")
            categories[label] = tuple(dict.fromkeys(words))
    return Lexicon(categories, items, shared)


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"lexicon: {where} needs a non-empty list of words")
    words = tuple(model_word(str(w)) for w in value)
    if any(not w for w in words):
        raise ValueError(f"lexicon: {where} has an empty word")
    return words


@cache
def load_lexicon() -> Lexicon:
    raw = resources.files("services.router.classifier").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return parse_lexicon(raw, load_taxonomy())
