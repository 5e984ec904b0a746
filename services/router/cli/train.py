"""Train the router's text model: ``python -m services.router.cli.train [--include-reviewed] [--history FILE]``.

Reads the corpus (services/router/corpus/raw), keeps the held-out split out of training, fits the
features, the heads (track, area, petition kind, category) and their calibration, and writes the
artifact twice: ``services/router/models/<version>.joblib`` (kept beside the earlier versions) and
the current model (services/router/classifier/router_model.joblib, unless ``--no-promote``).
Deterministic: the same corpus and options give the same model and version hash.

``--include-reviewed`` adds the examples reviewers labelled (table router.labelled_example);
``--history FILE`` a bureau's labelled past cases (CSV or XLSX: title, text, area, category
optional; a fifth of them, by a hash of the text, is kept out for ``evaluate --history``).
Everything is reported on stderr; a bad history file stops with exit status 2 before anything is
written.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import time
from pathlib import Path

from services.router.classifier.model import DEFAULT_ARTIFACT
from services.router.training.artifact import MODELS_DIR, versioned_path
from services.router.training.corpus import LabelledRecord, load_corpus
from services.router.training.duplicates import near_duplicates
from services.router.training.fitting import fit_text_model
from services.router.training.history import HistoryError, read_history
from services.router.training.jobs import add_jobs_option
from services.router.training.split import is_held_out, split


def fingerprint(records: list[LabelledRecord]) -> str:
    digest = hashlib.sha256()
    for r in sorted(records, key=lambda r: r.id):
        digest.update(f"{r.id}\t{r.title}\t{r.text}\t{r.track}\t{r.area}\t{r.petition_kind}\t{r.category}\n".encode())
    return digest.hexdigest()


def say(message: str) -> None:
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.router.cli.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_ARTIFACT, help="the current model (default: packaged)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where versioned artifacts are kept")
    parser.add_argument("--no-promote", action="store_true", help="write only the versioned artifact")
    parser.add_argument("--include-reviewed", action="store_true", help="add reviewer-labelled examples (database)")
    parser.add_argument("--history", type=Path, action="append", default=[], help="labelled past cases, CSV or XLSX")
    add_jobs_option(parser, "the fits")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    history: list[LabelledRecord] = []
    for path in args.history:
        try:
            rows = read_history(path)
        except (HistoryError, OSError) as exc:
            say(f"{path}: {exc}")
            say("nothing was trained or written")
            return 2
        kept = [r for r in rows if not is_held_out(r.id)]
        say(
            f"{path}: {len(rows)} history rows, {len(kept)} train ({len(rows) - len(kept)} kept for evaluate --history)"
        )
        history.extend(kept)
    corpus = load_corpus()
    say(corpus.summary())
    for problem in corpus.problems:
        say(f"  skipped {problem}")
    pairs = near_duplicates(corpus.records)
    if pairs:
        say(f"  {len(pairs)} near-duplicate pairs (see python -m services.router.training.check)")
    train, held_out = split(corpus.records)
    corpus_ids = {r.id for r in train}
    train = train + [r for r in history if r.id not in corpus_ids]
    if args.include_reviewed:
        from services.router.training.reviewed import load_reviewed

        reviewed = asyncio.run(load_reviewed())
        say(f"{len(reviewed)} reviewer-labelled examples added to training")
        train = train + reviewed
    model = fit_text_model(sorted(train, key=lambda r: r.id), jobs=args.jobs)
    model.meta.update(
        corpus_fingerprint=fingerprint(corpus.records),
        train_fingerprint=fingerprint(train),
        held_out=len(held_out),
        reviewed=sum(r.source == "reviewer" for r in train),
        history=sum(r.source == "history" for r in train),
    )
    versioned = versioned_path(model.version, args.models_dir)
    model.save(versioned)
    if not args.no_promote:
        model.save(args.output)
    say(
        f"trained on {len(train)} records ({len(held_out)} held out), {model.features.size} features, area blend "
        f"{model.area_blend}, calibration "
        f"{', '.join(f'{k}: T={c.temperature} s={c.rule_scale}' for k, c in model.calibration.items())}"
    )
    say(f"model version {model.version}: wrote {versioned}" + ("" if args.no_promote else f" and {args.output}"))
    say(f"done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
