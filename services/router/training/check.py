"""Report on the corpus: ``python -m services.router.training.check [--jaccard 0.5]``.

Counts per label, invalid lines, exact duplicates, and near-duplicate pairs (template variants)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from services.router.training.corpus import load_corpus
from services.router.training.duplicates import NEAR_DUPLICATE_JACCARD, near_duplicates
from services.router.training.split import split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.router.training.check", description=__doc__)
    parser.add_argument("--jaccard", type=float, default=NEAR_DUPLICATE_JACCARD, help="near-duplicate threshold")
    args = parser.parse_args(argv)
    corpus = load_corpus()
    print(corpus.summary())
    for problem in corpus.problems:
        print(f"  invalid: {problem}")
    for dropped, kept in corpus.duplicates:
        print(f"  duplicate text: {dropped} (same as {kept})")
    records = corpus.records
    train, held_out = split(records)
    print(f"split: {len(train)} train, {len(held_out)} held out")
    print("tracks:", dict(sorted(Counter(r.track.value for r in records if r.track).items())))
    print("areas:", dict(sorted(Counter(r.area.value for r in records).items())))
    print("kinds:", dict(sorted(Counter(r.petition_kind.value for r in records if r.petition_kind).items())))
    print(f"boundary: {sum(r.boundary for r in records)}, urgent: {sum(r.urgent for r in records)}")
    print(f"without a category (train the area head only): {corpus.without_category()}")
    print("styles:", dict(sorted(Counter(r.style for r in records).items())))
    print("categories:", len({(r.area, r.category) for r in records if r.category}), "of the taxonomy's 118")
    pairs = near_duplicates(records, args.jaccard)
    repeats = {p.second for p in pairs}  # the later record of each pair
    print(f"near-duplicate pairs (trigram Jaccard >= {args.jaccard}): {len(pairs)}")
    print(f"distinct texts (near-duplicates counted once): {len(records) - len(repeats)}")
    for pair in pairs:
        print(f"  {pair.first} ~ {pair.second}: {pair.jaccard:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
