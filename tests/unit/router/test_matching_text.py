"""Repeat and group-case matching compare texts by their content bigrams: the overlap coefficient
of the two sets, whatever form the cache keeps them in, and a cache the cycle collector does not
scan (domain/matching.py)."""

from __future__ import annotations

import gc

from services.router.domain import matching

LEAK = "楼上邻居家卫生间漏水，漏到我家天花板，墙皮一块块往下掉，找他好几次都不理"
LEAK_AGAIN = "楼上卫生间一直漏水到我家天花板，墙皮都掉了，邻居还是不理，麻烦帮忙协调"
LIGHTS = "小区门口的路灯坏了很久了，晚上出行很不方便"


def as_set(text: str) -> frozenset[str]:
    """The definition: bigrams of the text without function characters, digits and punctuation."""
    clean = "".join(ch for ch in text if ch not in "的了在是我你他她们这那有就也都很还被把给呢吗啊吧呀，。、")
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def test_the_bigrams_are_each_distinct_bigram_once() -> None:
    kept = matching.bigrams(LEAK + "漏水漏水")
    assert len(kept) == len(set(kept))
    assert set(kept) == as_set(LEAK + "漏水漏水")


def test_similarity_is_the_overlap_coefficient_of_the_two_sets() -> None:
    for a, b in ((LEAK, LEAK_AGAIN), (LEAK, LIGHTS), (LIGHTS, LIGHTS)):
        mine, theirs = as_set(a), as_set(b)
        expected = len(mine & theirs) / min(len(mine), len(theirs))
        assert matching.similarity(frozenset(matching.bigrams(a)), matching.bigrams(b)) == expected
    assert matching.similarity(frozenset(), matching.bigrams(LEAK)) == 0.0


def test_cached_bigrams_are_not_scanned_by_the_cycle_collector() -> None:
    kept = matching.bigrams(LEAK_AGAIN + "，第三次反映")
    gc.collect()  # a tuple of strings is untracked at its first collection
    assert not gc.is_tracked(kept)
