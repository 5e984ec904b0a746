"""Evaluate the router: ``python -m services.router.cli.evaluate [--shift] [--history FILE]``.

Default: the random held-out split, with per-class precision/recall/F1 and confusion matrices for
track and area, accuracy per category with its support, the accuracy and macro-F1 of the majority
baseline, rules alone, the model alone and both combined, petition-kind accuracy, urgency
precision/recall, boundary-case accuracy and the review-threshold trade-off.

``--shift``: the style-shifted evaluations (services/router/training/shift.py): models trained
without whole styles, or without a whole writer's file, tested on them, and the held-out split
rewritten in those styles. These predict real messages; the random split does not.

``--history FILE``: a bureau's labelled past cases (CSV or XLSX), reported separately: the rows the
model did not train on, and all rows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from services.router.classifier import Classifier
from services.router.classifier.model import DEFAULT_ARTIFACT
from services.router.training.corpus import LabelledRecord, load_corpus
from services.router.training.evaluation import Evaluation, HeadScores, evaluate
from services.router.training.history import HistoryError, read_history
from services.router.training.jobs import add_jobs_option
from services.router.training.split import is_held_out, split

THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def render_head(scores: HeadScores, *, confusion: bool = True) -> list[str]:
    if not scores.truth:
        return [f"== {scores.name}: no labelled records", ""]
    out = [f"== {scores.name}: accuracy and macro-F1 ({len(scores.truth)} records)"]
    out.extend(f"  {name:<18} accuracy {acc:.3f}  macro-F1 {f1:.3f}" for name, acc, f1 in scores.summary_rows())
    if scores.name == "category":
        out += ["", "== category: accuracy per category (area/category), with support", scores.per_label_table(), ""]
        return out
    out += ["", f"== {scores.name}: per class (rules + model)", scores.report()]
    if confusion:
        out += [f"== {scores.name}: confusion", scores.confusion()]
    return [*out, ""]


def render(evaluation: Evaluation, *, train_size: int, title: str = "held-out records") -> str:
    out = [f"{title}: {len(evaluation.records)} (trained on {train_size})", ""]
    for scores in (evaluation.track, evaluation.area, evaluation.category):
        out.extend(render_head(scores))
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


def summary_line(name: str, evaluation: Evaluation) -> str:
    area, category = evaluation.area, evaluation.category
    line = f"{name}: {len(area.truth)} records, area accuracy {area.accuracy(area.combined):.3f} "
    line += f"macro-F1 {area.macro_f1(area.combined):.3f}"
    if category.truth:
        line += f"; category accuracy {category.accuracy(category.combined):.3f} on {len(category.truth)}"
    if evaluation.track.truth:
        line += f"; track accuracy {evaluation.track.accuracy(evaluation.track.combined):.3f}"
    return line


def shifted(
    records: Sequence[LabelledRecord], classifier: Classifier, held_out: Sequence[LabelledRecord], *, jobs: int
) -> str:
    """Train-without / test-on for whole styles and whole writers, and the synthetic rewrites."""
    from services.router.training.fitting import fit_text_model
    from services.router.training.shift import SYNTHETIC, style_split, synthetic, writer_split

    out: list[str] = []
    summaries: list[str] = []
    plain = evaluate(classifier, held_out, records)
    summaries.append(summary_line("random split (plain texts)", plain))
    for style in SYNTHETIC:
        summaries.append(
            summary_line(
                f"random split rewritten as {style}", evaluate(classifier, synthetic(held_out, style), records)
            )
        )
    splits = [style_split(records)] + [writer_split(records, s) for s in sorted({r.source for r in records})]
    for shift in splits:
        if not shift.test or not shift.train:
            summaries.append(f"{shift.name}: no records")
            continue
        fitted = fit_text_model(shift.train, jobs=jobs)
        model = Classifier(fitted, classifier.rules, classifier.chooser, classifier.streets)
        result = evaluate(model, shift.test, shift.train)
        summaries.append(summary_line(shift.name, result))
        out += [f"#### {shift.name}", *render_head(result.area, confusion=False), *render_head(result.category)]
    return "\n".join(["== style-shifted summary", *summaries, "", *out])


def history_report(path: Path, classifier: Classifier, train: Sequence[LabelledRecord]) -> str:
    rows = read_history(path)
    trained = set(classifier.model.meta.get("train_ids", []))
    unseen = [r for r in rows if r.id not in trained]
    out = [f"== history file {path.name}: {len(rows)} rows, {len(rows) - len(unseen)} of them trained on"]
    if unseen:
        result = evaluate(classifier, unseen, train)
        out += [summary_line("history rows the model did not train on", result), ""]
        out += [*render_head(result.area, confusion=False), *render_head(result.category)]
    out.append(summary_line("all history rows (includes trained rows)", evaluate(classifier, rows, train)))
    held = sum(is_held_out(r.id) for r in rows)
    out.append(f"({held} rows are in the history's own held-out fifth: train --history never trains on them)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.router.cli.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_ARTIFACT)
    parser.add_argument("--shift", action="store_true", help="style-shifted evaluations (trains a model per split)")
    parser.add_argument("--history", type=Path, help="a bureau's labelled cases (CSV or XLSX), reported separately")
    add_jobs_option(parser, "--shift's fits")
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
    print(f"model version {classifier.model.version}")
    if args.history:
        try:
            print(history_report(args.history, classifier, train))
        except HistoryError as exc:
            print(f"{args.history}: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.shift:
        print(shifted(train + held_out, classifier, held_out, jobs=args.jobs))
        return 0
    print(render(evaluate(classifier, held_out, train), train_size=len(classifier.model.meta.get("train_ids", []))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
