"""Character n-grams as integers, computed for a whole batch of texts with numpy.

A code point fits in 21 bits, so an n-gram of up to three characters fits in one int64:
``c1`` for unigrams, ``c1 << 21 | c2`` for bigrams, ``c1 << 42 | c2 << 21 | c3`` for trigrams.
Because every character is at least 1, the three ranges never overlap. Working on arrays instead
of Python strings is what makes the classifier fast (one numpy pass per batch, not per n-gram).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

BITS = 21
SEPARATOR = 0  # between texts; an n-gram containing it spans two texts and is dropped

Int64Array = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class NgramBatch:
    """The n-grams of a batch: ``codes[i]`` occurs in text ``docs[i]``."""

    codes: Int64Array
    docs: Int64Array
    size: int


def char_ngrams(texts: Sequence[str], orders: Sequence[int] = (1, 2, 3)) -> NgramBatch:
    if not texts:
        empty = np.zeros(0, dtype=np.int64)
        return NgramBatch(empty, empty, 0)
    joined = "\0".join(texts) + "\0"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    valid = points != SEPARATOR
    codes: list[Int64Array] = []
    docs: list[Int64Array] = []
    for order in orders:
        span = len(points) - order + 1
        if span <= 0:
            continue
        code = points[:span].copy()
        keep = valid[:span].copy()
        for offset in range(1, order):
            code = (code << BITS) | points[offset : offset + span]
            keep &= valid[offset : offset + span]
        codes.append(code[keep])
        docs.append(doc_of[:span][keep])
    return NgramBatch(np.concatenate(codes), np.concatenate(docs), len(texts))


def encode(ngram: str) -> int:
    code = 0
    for char in ngram:
        code = (code << BITS) | ord(char)
    return code


def decode(code: int) -> str:
    chars = []
    while code:
        chars.append(chr(code & ((1 << BITS) - 1)))
        code >>= BITS
    return "".join(reversed(chars))


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class CodeIndex:
    """An open-addressing hash table from n-gram code to column, probed for a whole array at once.

    ``np.searchsorted`` needs ~16 random reads per query on a 50k vocabulary; with a table eight
    times larger than the vocabulary most queries resolve in one read.
    """

    def __init__(self, codes: Int64Array) -> None:
        self._bits = max(4, int(len(codes) * 8).bit_length())
        size = 1 << self._bits
        self._keys = np.full(size, -1, dtype=np.int64)
        self._values = np.zeros(size, dtype=np.int64)
        longest = 1
        for column, (code, slot) in enumerate(zip(codes.tolist(), self._slots(codes).tolist(), strict=True)):
            probes = 1
            while self._keys[slot] != -1:
                slot = (slot + 1) & (size - 1)
                probes += 1
            self._keys[slot] = code
            self._values[slot] = column
            longest = max(longest, probes)
        self._longest = longest

    def _slots(self, codes: Int64Array) -> Int64Array:
        with np.errstate(over="ignore"):
            mixed = codes.astype(np.uint64) * _GOLDEN
        return (mixed >> np.uint64(64 - self._bits)).astype(np.int64)

    def lookup(self, codes: Int64Array) -> tuple[NDArray[np.bool_], Int64Array]:
        """Which ``codes`` are known, and their columns (0 where unknown)."""
        found = np.zeros(len(codes), dtype=bool)
        columns = np.zeros(len(codes), dtype=np.int64)
        pending = np.arange(len(codes))
        slots = self._slots(codes)
        mask = (1 << self._bits) - 1
        for _ in range(self._longest):
            if len(pending) == 0:
                break
            keys = self._keys[slots]
            hit = keys == codes[pending]
            found[pending[hit]] = True
            columns[pending[hit]] = self._values[slots[hit]]
            again = ~hit & (keys != -1)
            pending = pending[again]
            slots = (slots[again] + 1) & mask
        return found, columns
