"""Repeat (重复件) and group-case (集体访) matching: the same matter told again by the same
complainant, or by several complainants of one street in a few days."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

# Punctuation, digits, latin letters and the commonest function characters carry no "matter".
# How many candidates one grievance is compared with: its complainant's oldest earlier grievances
# (the first of a matter is the one a repeat links to), its street's newest.
EARLIER_LIMIT = 50
NEIGHBOUR_LIMIT = 100

_NOISE = re.compile(r"[\W\d_a-zA-Z的了在是我你他她们这那有就也都很还被把给呢吗啊吧呀]+")


@lru_cache(maxsize=50_000)
def bigrams(text: str) -> tuple[str, ...]:
    """The distinct character bigrams of the content words (function characters, digits,
    punctuation removed).

    Cached: the same recent grievances are compared with every new one from their street. Kept as
    a tuple of strings, which the cycle collector stops tracking, not as a frozenset, which it
    scans entry by entry in every full collection: with a busy street's thousands of texts cached,
    those scans took the router 160 ms every few batches, a quarter of its time."""
    clean = _NOISE.sub("", text)
    return tuple(dict.fromkeys(clean[i : i + 2] for i in range(len(clean) - 1)))


def similarity(mine: frozenset[str], other: tuple[str, ...]) -> float:
    """Overlap coefficient: a short re-telling of a long complaint still scores high."""
    if not mine or not other:
        return 0.0
    return len(mine.intersection(other)) / min(len(mine), len(other))


# A text's bigrams hashed into a mask of this many bits (512 bytes; a Python int, which the cycle
# collector does not track).
SIGNATURE_BITS = 4096
# Ruling a pair out compares an integer bound with needed × smaller: the slack keeps that
# product's rounding from ruling out a pair exactly at the bar.
_SLACK = 1e-9


# A text's bigrams as a bit mask, for ruling a pair out without comparing the bigrams: (mask,
# distinct bigrams, bigrams whose bit an earlier one of the same text had already set). A plain
# tuple of ints, which the cycle collector stops tracking (a named tuple it keeps tracking).
Signature = tuple[int, int, int]


def most_shared(a: Signature, b: Signature) -> int:
    """At most how many bigrams the two texts share. Every bigram they share sets the same bit in
    both masks, and a bit of the AND holds more than one shared bigram only where bigrams of one
    text collided: a bound, never an estimate, so a pair under the bar by it is under it by the
    exact count too."""
    return (a[0] & b[0]).bit_count() + min(a[2], b[2])


@lru_cache(maxsize=50_000)
def signature(text: str) -> Signature:
    pairs = bigrams(text)
    bits = bytearray(SIGNATURE_BITS // 8 or 1)
    for pair in pairs:
        at = hash(pair) % SIGNATURE_BITS  # per process (PYTHONHASHSEED), like the mask's lifetime
        bits[at >> 3] |= 1 << (at & 7)
    mask = int.from_bytes(bits, "little")
    return mask, len(pairs), len(pairs) - mask.bit_count()


class _Scorer:
    """One text's overlap with many: the bound first, the bigrams only for pairs it cannot rule
    out. A street's hundred newest are scored for every new grievance there and few come close
    (1 in 300 of the corpus's texts of one area): an AND of two masks costs a fraction of
    intersecting their bigrams."""

    __slots__ = ("_bigrams", "_text", "signature")

    def __init__(self, text: str) -> None:
        self._text = text
        self.signature = signature(text)
        self._bigrams: frozenset[str] | None = None  # made for the first pair the bound lets through

    def score(self, text: str) -> float:
        if self._bigrams is None:
            self._bigrams = frozenset(bigrams(self._text))
        return similarity(self._bigrams, bigrams(text))

    def reaches(self, text: str, needed: float) -> float | None:
        """The overlap coefficient with ``text`` if it is at least ``needed``, else None."""
        if not self._may_reach(signature(text), needed):
            return None
        score = self.score(text)
        return score if score >= needed else None

    def reaching(self, candidates: Sequence[Earlier], needed: float) -> list[Match]:
        """``reaches`` for each candidate, the bound inlined: this loop runs a street's hundred
        newest for each of its new grievances."""
        mask, size, collided = self.signature
        found = []
        for candidate in candidates:
            their_mask, their_size, their_collided = signature(candidate.text)
            smaller = size if size < their_size else their_size
            shared = (mask & their_mask).bit_count() + (collided if collided < their_collided else their_collided)
            if smaller and shared >= needed * smaller - _SLACK:
                score = self.score(candidate.text)
                if score >= needed:
                    found.append(Match(candidate, score))
        return found

    def _may_reach(self, theirs: Signature, needed: float) -> bool:
        smaller = min(self.signature[1], theirs[1])
        return smaller > 0 and most_shared(self.signature, theirs) >= needed * smaller - _SLACK


@dataclass(frozen=True, slots=True)
class Earlier:
    """A grievance routed before, as the read model keeps it."""

    grievance_id: str
    tracking_no: str
    text: str
    area: str
    received_at: datetime
    repeat_of: str | None = None
    complainant: str | None = None  # a pseudonym, for telling complainants apart
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    earlier: Earlier
    score: float


def find_repeat(text: str, area: str, earlier: Sequence[Earlier], threshold: float) -> Match | None:
    """The first grievance of the same matter by the same complainant (earlier are theirs).

    Same area lowers the bar a little: a re-telling of the same problem to the same field.
    """
    scorer = _Scorer(text)
    best: Match | None = None
    for candidate in earlier:
        needed = threshold * (0.8 if candidate.area == area else 1.0)
        score = scorer.reaches(candidate.text, needed)
        if score is not None and (best is None or candidate.received_at < best.earlier.received_at):
            best = Match(candidate, score)
    return best


def cluster_matches(text: str, neighbours: Sequence[Earlier], threshold: float) -> list[Match]:
    """Recent grievances from the same place that tell the same matter."""
    return _Scorer(text).reaching(neighbours, threshold)


def distinct_complainants(own: str | None, matches: Sequence[Match]) -> int:
    people = {m.earlier.complainant or m.earlier.grievance_id for m in matches}
    return len(people | {own or "self"})
