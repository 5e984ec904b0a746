"""Make sure a trained artifact exists: train it from the corpus when it is missing (first start
of a fresh checkout, CI), so the service and the tests never depend on a committed binary."""

from __future__ import annotations

import tempfile
from pathlib import Path

from services.router.classifier.model import DEFAULT_ARTIFACT
from shared.logging import get_logger

log = get_logger(__name__)


def ensure_artifact(path: Path | None = None) -> Path:
    path = path or DEFAULT_ARTIFACT
    if path.exists():
        return path
    from services.router.training.corpus import load_corpus
    from services.router.training.fitting import fit_text_model
    from services.router.training.split import split

    log.warning("no trained router model, training one from the corpus", path=str(path))
    train, _ = split(load_corpus().records)
    model = fit_text_model(train)
    try:
        model.save(path)
    except OSError:
        # an installed, read-only package: keep the model beside the process instead
        path = Path(tempfile.gettempdir()) / "grievance-router" / path.name
        model.save(path)
    return path
