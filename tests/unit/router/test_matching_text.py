"""Repeat and group-case matching compare texts by their content bigrams: the overlap coefficient
of the two sets, whatever form the cache keeps them in, and a cache the cycle collector does not
scan (domain/matching.py); most pairs ruled out first by a bound from bit masks that never rules
out a pair reaching the bar."""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime

import pytest

from services.router.domain import matching

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

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


def overlapping_texts(rng: random.Random, count: int) -> list[str]:
    """Texts from a small alphabet, so that many pairs share many bigrams, some only just enough."""
    alphabet = "漏水楼上邻居天花板墙皮路灯小区门口物业停车费工资拖欠噪音"
    base = [rng.choice(alphabet) for _ in range(60)]
    texts = []
    for _ in range(count):
        start = rng.randrange(40)
        own = base[start : start + rng.randrange(3, 20)] + [rng.choice(alphabet) for _ in range(rng.randrange(0, 30))]
        texts.append("".join(own))
    return texts


def brute_matches(text: str, others: list[matching.Earlier], threshold: float) -> list[tuple[str, float]]:
    mine = as_set(text)
    found = []
    for other in others:
        theirs = as_set(other.text)
        if mine and theirs:
            score = len(mine & theirs) / min(len(mine), len(theirs))
            if score >= threshold:
                found.append((other.grievance_id, score))
    return found


@pytest.mark.parametrize("bits", [matching.SIGNATURE_BITS, 64, 8])
def test_the_masks_never_rule_out_a_pair_that_reaches_the_bar(bits: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # With 64 or 8 bits nearly every bigram collides: the bound must hold even then.
    monkeypatch.setattr(matching, "SIGNATURE_BITS", bits)
    matching.signature.cache_clear()
    try:
        rng = random.Random(bits)
        texts = overlapping_texts(rng, 120)
        others = [matching.Earlier(f"g{i}", f"T{i}", t, "城乡建设", NOW) for i, t in enumerate(texts)]
        for text in texts[:40]:
            for threshold in (0.2, 0.36, 0.4, 0.45, 0.8, 1.0):
                found = [(m.earlier.grievance_id, m.score) for m in matching.cluster_matches(text, others, threshold)]
                assert found == brute_matches(text, others, threshold)
    finally:
        matching.signature.cache_clear()


def test_a_mask_bounds_the_shared_bigrams_from_above() -> None:
    rng = random.Random(5)
    texts = overlapping_texts(rng, 60)
    for a in texts:
        for b in texts:
            shared = len(as_set(a) & as_set(b))
            assert matching.most_shared(matching.signature(a), matching.signature(b)) >= shared


def test_cached_masks_are_not_scanned_by_the_cycle_collector() -> None:
    kept = matching.signature(LEAK + "，又一次")
    gc.collect()
    assert not gc.is_tracked(kept)
