"""Router unit-test fixtures: one model trained on the corpus's training split per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.router.classifier import Classifier
from services.router.training.corpus import LabelledRecord, load_corpus
from services.router.training.fitting import fit_text_model
from services.router.training.jobs import default_jobs
from services.router.training.split import split


@pytest.fixture(scope="session")
def corpus_split() -> tuple[list[LabelledRecord], list[LabelledRecord]]:
    return split(load_corpus().records)


@pytest.fixture(scope="session")
def model_path(
    tmp_path_factory: pytest.TempPathFactory, corpus_split: tuple[list[LabelledRecord], list[LabelledRecord]]
) -> Path:
    train, _ = corpus_split
    path = tmp_path_factory.mktemp("router-model") / "router_model.joblib"
    fit_text_model(train, jobs=default_jobs()).save(path)
    return path


@pytest.fixture(scope="session")
def classifier(model_path: Path) -> Classifier:
    return Classifier.load(model_path)
