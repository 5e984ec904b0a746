"""Train the router's text model: ``python -m services.router.train [--include-reviewed]``.

Reads the corpus (services/router/corpus/raw), keeps the held-out split out of training, fits the
features, the three linear heads and their calibration, and writes the artifact
(services/router/classifier/router_model.joblib). Deterministic: the same corpus gives the same
model. ``--include-reviewed`` adds the examples reviewers labelled (table router.labelled_example).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import time
from pathlib import Path

from services.router.classifier.model import DEFAULT_ARTIFACT
from services.router.training.corpus import LabelledRecord, load_corpus
from services.router.training.duplicates import near_duplicates
from services.router.training.fitting import fit_text_model
from services.router.training.split import split


def fingerprint(records: list[LabelledRecord]) -> str:
    digest = hashlib.sha256()
    for r in sorted(records, key=lambda r: r.id):
        digest.update(f"{r.id}\t{r.title}\t{r.text}\t{r.track}\t{r.area}\t{r.petition_kind}\n".encode())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.router.train", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_ARTIFACT)
    parser.add_argument("--include-reviewed", action="store_true", help="add reviewer-labelled examples (database)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = load_corpus()
    print(corpus.summary())
    for problem in corpus.problems:
        print(f"  skipped {problem}")
    pairs = near_duplicates(corpus.records)
    if pairs:
        print(f"  {len(pairs)} near-duplicate pairs (see python -m services.router.training.check)")
    train, held_out = split(corpus.records)
    if args.include_reviewed:
        from services.router.training.reviewed import load_reviewed

        reviewed = asyncio.run(load_reviewed())
        print(f"{len(reviewed)} reviewer-labelled examples added to training")
        train = train + reviewed
    model = fit_text_model(train)
    model.meta.update(
        corpus_fingerprint=fingerprint(corpus.records),
        train_fingerprint=fingerprint(train),
        held_out=len(held_out),
        reviewed=sum(r.source == "reviewer" for r in train),
    )
    model.save(args.output)
    print(
        f"trained on {len(train)} records ({len(held_out)} held out), {model.features.size} features, "
        f"calibration {', '.join(f'{k}: T={c.temperature} s={c.rule_scale}' for k, c in model.calibration.items())}"
    )
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
