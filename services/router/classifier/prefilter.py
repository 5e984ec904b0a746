"""An index that tells which patterns can possibly match a text, so that only those run.

Running ~150 regular expressions over every text costs far more than the rest of classification;
most patterns begin with a literal or a group of literal alternatives, and a text can only match
such a pattern if it contains one of those beginnings. Patterns whose beginning is not a plain
literal are marked "always run". The index is exact: it never hides a match (a unit test checks
this against the corpus).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from services.router.classifier.ngrams import CodeIndex, char_ngrams, encode

_META = set("\\.^$*+?{}[]()|")
_QUANTIFIERS = set("?*{+")


def leading_literals(pattern: str) -> list[str] | None:
    """The literal strings one of which every match must start with, or None if unknown."""
    if pattern.startswith("("):
        close = _matching_paren(pattern)
        if close is None:
            return None
        inner = pattern[1:close]
        inner = inner[2:] if inner.startswith("?:") else inner
        if inner.startswith("?"):
            return None  # lookarounds and other extensions
        if close + 1 < len(pattern) and pattern[close + 1] in _QUANTIFIERS:
            return None  # an optional group: the match may start after it
        alternatives = inner.split("|")
        if any(not a or any(ch in _META for ch in a) for a in alternatives):
            return None
        return alternatives
    run = []
    for index, char in enumerate(pattern):
        if char in _META:
            break
        following = pattern[index + 1] if index + 1 < len(pattern) else ""
        if following in _QUANTIFIERS:
            break
        run.append(char)
    return ["".join(run)] if run else None


def _matching_paren(pattern: str) -> int | None:
    depth = 0
    for index, char in enumerate(pattern):
        if char == "\\":
            return None
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


class PatternIndex:
    """Maps each pattern's possible beginnings (cut to two characters) to the patterns, and finds
    the candidate patterns of a whole batch of texts with one n-gram pass (a bit mask per text)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        masks: dict[str, int] = {}
        always = 0
        for number, pattern in enumerate(patterns):
            literals = leading_literals(pattern)
            if literals is None:
                always |= 1 << number
                continue
            for literal in literals:
                key = literal[:2]
                masks[key] = masks.get(key, 0) | (1 << number)
        self.always = always
        keys = sorted(masks, key=encode)
        self._codes = np.array([encode(k) for k in keys], dtype=np.int64)
        self._masks = [masks[k] for k in keys]
        self._index = CodeIndex(self._codes)

    def candidates(self, texts: Sequence[str]) -> list[int]:
        """For each text, the bit mask of patterns that can match it."""
        batch = char_ngrams(texts, (1, 2))
        found, key_numbers = self._index.lookup(batch.codes)
        width = len(self._masks)
        pairs = np.unique(batch.docs[found] * width + key_numbers[found])
        docs = pairs // width
        bounds = np.searchsorted(docs, np.arange(len(texts) + 1)).tolist()
        keys = (pairs % width).tolist()
        result = []
        for doc in range(len(texts)):
            mask = self.always
            for key in keys[bounds[doc] : bounds[doc + 1]]:
                mask |= self._masks[key]
            result.append(mask)
        return result
