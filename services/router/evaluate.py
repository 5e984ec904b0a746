"""Evaluate the router on the held-out split: ``python -m services.router.evaluate``.

Prints per-class precision/recall/F1 and confusion matrices for track and area, the accuracy and
macro-F1 of the majority baseline, rules alone, the model alone and both combined, petition-kind
accuracy, urgency precision/recall, boundary-case accuracy and the review-threshold trade-off.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.router.classifier import Classifier
from services.router.classifier.model import DEFAULT_ARTIFACT
from services.router.training.corpus import load_corpus
from services.router.training.evaluation import Evaluation, evaluate
from services.router.training.split import split

THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def render(evaluation: Evaluation, *, train_size: int) -> str:
    out = [f"held-out records: {len(evaluation.records)} (trained on {train_size})", ""]
    for scores in (evaluation.track, evaluation.area):
        out.append(f"== {scores.name}: accuracy and macro-F1")
        out.extend(f"  {name:<18} accuracy {acc:.3f}  macro-F1 {f1:.3f}" for name, acc, f1 in scores.summary_rows())
        out += ["", f"== {scores.name}: per class (rules + model)", scores.report(), f"== {scores.name}: confusion"]
        out += [scores.confusion(), ""]
    kind_acc, kinds = evaluation.kind_accuracy()
    precision, recall = evaluation.urgent_scores()
    boundary_acc, boundaries = evaluation.boundary_accuracy()
    out.append(f"petition kind accuracy (petitions routed as petitions): {kind_acc:.3f} on {kinds}")
    out.append(f"urgent: precision {precision:.3f}, recall {recall:.3f}")
    out.append(f"boundary cases: track accuracy {boundary_acc:.3f} on {boundaries}")
    out += ["", "== review threshold: share routed automatically, accuracy (track and area) of those"]
    out.extend(
        f"  confidence >= {t:.1f}: {share:6.1%} automatic, {acc:.3f} correct"
        for t, share, acc in evaluation.coverage(THRESHOLDS)
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.router.evaluate", description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_ARTIFACT)
    args = parser.parse_args(argv)
    classifier = Classifier.load(args.model)
    train, held_out = split(load_corpus().records)
    leaked = set(classifier.model.meta.get("train_ids", [])) & {r.id for r in held_out}
    if leaked:
        print(f"the model was trained on {len(leaked)} held-out records; retrain", file=sys.stderr)
        return 2
    unseen = {r.id for r in train} - set(classifier.model.meta.get("train_ids", []))
    if unseen:
        print(f"note: {len(unseen)} training records are newer than the model; retrain to include them")
    print(render(evaluate(classifier, held_out, train), train_size=len(classifier.model.meta.get("train_ids", []))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
