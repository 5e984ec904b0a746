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
    mine = frozenset(bigrams(text))
    best: Match | None = None
    for candidate in earlier:
        score = similarity(mine, bigrams(candidate.text))
        needed = threshold * (0.8 if candidate.area == area else 1.0)
        if score >= needed and (best is None or candidate.received_at < best.earlier.received_at):
            best = Match(candidate, score)
    return best


def cluster_matches(text: str, neighbours: Sequence[Earlier], threshold: float) -> list[Match]:
    """Recent grievances from the same place that tell the same matter."""
    mine = frozenset(bigrams(text))
    # A street's hundred newest are scored for every new grievance there; only a few match.
    matches = []
    for neighbour in neighbours:
        score = similarity(mine, bigrams(neighbour.text))
        if score >= threshold:
            matches.append(Match(neighbour, score))
    return matches


def distinct_complainants(own: str | None, matches: Sequence[Match]) -> int:
    people = {m.earlier.complainant or m.earlier.grievance_id for m in matches}
    return len(people | {own or "self"})
