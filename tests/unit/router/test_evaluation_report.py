"""Evaluation figures: the random split with categories, and the style-shifted splits."""

from __future__ import annotations

from services.router.classifier import Classifier
from services.router.cli.evaluate import render, summary_line
from services.router.settings import Settings
from services.router.training.corpus import LabelledRecord
from services.router.training.evaluation import evaluate
from services.router.training.shift import HELD_OUT_STYLES, style_split, synthetic, writer_split

Split = tuple[list[LabelledRecord], list[LabelledRecord]]


def test_the_report_prints_area_and_category_figures(classifier: Classifier, corpus_split: Split) -> None:
    train, held_out = corpus_split
    result = evaluate(classifier, held_out, train)
    text = render(result, train_size=len(train))
    assert "== area: accuracy and macro-F1" in text
    assert "== category: accuracy per category (area/category), with support" in text
    assert result.area.accuracy(result.area.combined) >= 0.65
    if result.category.truth:
        rows = result.category.per_label()
        assert sum(n for _, n, _ in rows) == len(result.category.truth)
        assert all(0.0 <= acc <= 1.0 for _, _, acc in rows)
    assert summary_line("x", result).startswith(f"x: {len(held_out)} records, area accuracy")


def test_style_and_writer_splits_never_share_a_record(corpus_split: Split) -> None:
    records = corpus_split[0] + corpus_split[1]
    shift = style_split(records)
    assert all(r.style in HELD_OUT_STYLES for r in shift.test)
    assert all(r.style not in HELD_OUT_STYLES for r in shift.train)
    assert len(shift.train) + len(shift.test) == len(records)
    source = records[0].source
    writer = writer_split(records, source)
    assert writer.test and all(r.source == source for r in writer.test)
    assert not {r.id for r in writer.train} & {r.id for r in writer.test}


def test_synthetic_styles_keep_the_labels_and_change_the_text(corpus_split: Split) -> None:
    sample = corpus_split[1][:5]
    for style in ("letter", "artefact", "segmented", "place_code"):
        rewritten = synthetic(sample, style)
        assert [r.area for r in rewritten] == [r.area for r in sample]
        assert all(r.style == style for r in rewritten)
        assert any(a.text != b.text for a, b in zip(rewritten, sample, strict=True))


def test_a_model_version_setting_selects_its_artifact() -> None:
    settings = Settings(model_version="20261206-abcdef1234")
    assert settings.model_path is not None
    assert settings.model_path.name == "20261206-abcdef1234.joblib"
    assert settings.model_path.parent.name == "models"
