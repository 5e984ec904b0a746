"""Near-duplicate texts in the corpus: variants of one sentence teach the model nothing, so the
loader reports pairs whose character-trigram sets overlap heavily (Jaccard similarity)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from services.router.classifier.ngrams import char_ngrams
from services.router.training.corpus import LabelledRecord

NEAR_DUPLICATE_JACCARD = 0.5
# Names, numbers and punctuation are what template variants swap: leave them out of the shingles.
_NOISE = re.compile(r"[\d\s\W_a-zA-Z]+")


@dataclass(frozen=True)
class NearDuplicate:
    first: str
    second: str
    jaccard: float


def near_duplicates(
    records: Sequence[LabelledRecord], threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[NearDuplicate]:
    """Pairs of records whose trigram shingle sets have Jaccard similarity >= ``threshold``."""
    if len(records) < 2:
        return []
    texts = [_NOISE.sub("", r.text) for r in records]
    batch = char_ngrams(texts, (3,))
    codes, columns = np.unique(batch.codes, return_inverse=True)
    shingles = sparse.csr_matrix((np.ones(len(columns)), (batch.docs, columns)), shape=(len(texts), len(codes)))
    shingles.data[:] = 1.0  # presence, not counts
    shingles.sum_duplicates()
    shingles.data[:] = 1.0
    sizes = np.asarray(shingles.sum(axis=1)).ravel()
    overlap = sparse.triu(shingles @ shingles.T, k=1).tocoo()
    union = sizes[overlap.row] + sizes[overlap.col] - overlap.data
    jaccard = np.divide(overlap.data, union, out=np.zeros_like(overlap.data), where=union > 0)
    keep = np.flatnonzero(jaccard >= threshold)
    pairs = [NearDuplicate(records[overlap.row[i]].id, records[overlap.col[i]].id, float(jaccard[i])) for i in keep]
    return sorted(pairs, key=lambda p: -p.jaccard)
