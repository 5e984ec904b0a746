"""TF-IDF over character n-grams (1–3), fitted and applied with numpy on whole batches.

Same weighting as scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``:
tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised (a unit test checks the
equality). Written here because the per-n-gram Python loop of the scikit-learn analyzer costs more
than the whole rest of a classification; this version does a few array passes per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from services.router.classifier.ngrams import CodeIndex, Int64Array, char_ngrams, decode


class TfidfFeatures:
    def __init__(self, vocabulary: Int64Array, idf: NDArray[np.float64], orders: tuple[int, ...] = (1, 2, 3)):
        self.vocabulary = vocabulary  # n-gram codes; the position is the column
        self.idf = idf
        self.orders = orders
        self._index = CodeIndex(vocabulary)
        self._names: dict[int, str] = {}

    @classmethod
    def fit(cls, texts: Sequence[str], *, min_df: int = 2, orders: tuple[int, ...] = (1, 2, 3)) -> TfidfFeatures:
        batch = char_ngrams(texts, orders)
        # document frequency: count each (doc, code) pair once
        pairs = np.unique(np.stack([batch.codes, batch.docs]), axis=1)
        codes, df = np.unique(pairs[0], return_counts=True)
        keep = df >= min_df
        idf = np.log((1 + len(texts)) / (1 + df[keep])) + 1.0
        return cls(codes[keep].astype(np.int64), idf.astype(np.float64), orders)

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        batch = char_ngrams(texts, self.orders)
        found, columns = self._index.lookup(batch.codes)
        # one sort aggregates the counts of each (text, column) and orders them as CSR wants
        keys, counts = np.unique(batch.docs[found] * self.size + columns[found], return_counts=True)
        rows = keys // self.size
        indices = keys % self.size
        data = (1.0 + np.log(counts)) * self.idf[indices]
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=batch.size))
        norms[norms == 0] = 1.0
        data /= norms[rows]
        indptr = np.searchsorted(rows, np.arange(batch.size + 1))
        return sparse.csr_matrix((data, indices, indptr), shape=(batch.size, self.size))

    def names(self, columns: Sequence[int] | NDArray[np.int64]) -> list[str]:
        cache = self._names
        found = []
        for column in np.asarray(columns).tolist():
            name = cache.get(column)
            if name is None:
                name = cache[column] = decode(int(self.vocabulary[column]))
            found.append(name)
        return found
