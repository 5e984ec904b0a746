"""The evidence of a routing decision, marked in the grievance's text.

The router's reasons quote what they rest on — the words a rule matched (“……”), the model's
strongest features, the lexicon's category words, the words that named an item — so the terms to
mark are the quoted ones that occur in the text. Single characters are left out: marking every
“灯” or “路” would hide the evidence rather than show it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

_QUOTED = re.compile(r"“([^“”]{2,40})”")
# format() escapes its argument: only the tag itself is markup
_MARKED = Markup("<mark>{}</mark>")


def evidence_terms(reasons: Iterable[dict[str, Any]]) -> list[str]:
    """Quoted terms of the reasons, first mention first, without repeats."""
    terms: dict[str, None] = {}
    for reason in reasons:
        for term in _QUOTED.findall(str(reason.get("description", ""))):
            if term.strip():
                terms.setdefault(term.strip(), None)
    return list(terms)


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Every occurrence of every term, overlapping ones merged (“夜间施工” + “施工噪音” → one mark)."""
    found = sorted(m.span() for term in set(terms) for m in re.finditer(re.escape(term), text))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: Iterable[str]) -> tuple[Markup, list[str]]:
    """The text, escaped, with each evidence term in <mark>; and the terms that were found."""
    terms = list(terms)
    spans = _spans(text, terms)
    pieces: list[Markup] = []
    position = 0
    for start, end in spans:
        pieces.append(escape(text[position:start]))
        pieces.append(_MARKED.format(text[start:end]))
        position = end
    pieces.append(escape(text[position:]))
    found = [term for term in dict.fromkeys(terms) if term in text]
    return Markup("").join(pieces), found
