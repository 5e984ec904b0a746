"""Router accuracy on the random held-out split: accuracy and macro-F1 for track, area and
category, for the majority baseline, rules alone, the model alone and rules + model.

    .venv/bin/python bench/router_accuracy.py

Uses the packaged model (services/router/classifier/router_model.joblib, trained by
``python -m services.router.cli.train``); the full report is ``python -m services.router.cli.evaluate``,
and the figures that predict real messages are ``python -m services.router.cli.evaluate --shift``.
"""

from __future__ import annotations

from services.router.classifier import Classifier
from services.router.training.artifact import ensure_artifact
from services.router.training.corpus import load_corpus
from services.router.training.evaluation import evaluate
from services.router.training.split import split


def main() -> None:
    train, held_out = split(load_corpus().records)
    result = evaluate(Classifier.load(ensure_artifact()), held_out, train)
    print(f"held-out records: {len(held_out)}")
    for head in (result.track, result.area, result.category):
        for name, accuracy, macro_f1 in head.summary_rows():
            print(f"{head.name:<6} {name:<18} accuracy {accuracy:.3f}  macro-F1 {macro_f1:.3f}")


if __name__ == "__main__":
    main()
