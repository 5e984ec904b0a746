"""Text normalisation shared by the rules and the model, and clause boundaries for negation."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


# Clauses end at commas, stops, spaces and line breaks: a negation never reaches across them.
_CLAUSE = re.compile(r"[,。!?;:…~、\s]")
_SENTENCE = re.compile(r"[。!?;\n]")
# Clauses and sentences longer than this are cut: a negation or a context word further away is not
# about the match anyway, and a bounded search keeps the cost per match constant.
_REACH = 160


class Boundaries:
    """Where the clause and the sentence around a position of a normalised text begin and end."""

    def __init__(self, text: str) -> None:
        self._text = text

    def clause(self, position: int) -> tuple[int, int]:
        return _around(self._text, position, _CLAUSE)

    def sentence(self, position: int) -> tuple[int, int]:
        return _around(self._text, position, _SENTENCE)


def _around(text: str, position: int, delimiter: re.Pattern[str]) -> tuple[int, int]:
    low = max(0, position - _REACH)
    high = min(len(text), position + _REACH)
    # the last delimiter before the position: the first one in the reversed prefix
    behind = delimiter.search(text[low:position][::-1])
    start = position - behind.start() if behind else low
    ahead = delimiter.search(text, position, high)
    return start, ahead.start() if ahead else high
