"""Make sure a trained artifact exists: train it from the corpus when it is missing or was written
by another model format (first start of a fresh checkout, CI), so the service and the tests never
depend on a committed binary. Progress goes to the ``logging`` module (stderr), never to stdout:
the batch CLI's stdout carries only its JSON lines, first run included."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

from services.router.classifier.model import DEFAULT_ARTIFACT, TextModel, UnsupportedArtifact

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
VERSIONED = re.compile(r"^[0-9]{8}-[0-9a-f]{6,64}\.joblib$")
log = logging.getLogger(__name__)


def versioned_path(version: str, directory: Path | None = None) -> Path:
    """Where the artifact of a model version is kept, beside the earlier ones."""
    return (directory or MODELS_DIR) / f"{version}.joblib"


def ensure_artifact(path: Path | None = None) -> Path:
    path = path or DEFAULT_ARTIFACT
    if not path.exists() and VERSIONED.match(path.name):
        # a pinned version (roll-out or roll-back) must be that model, never a fresh one
        raise FileNotFoundError(f"router model version {path.stem} not found at {path}")
    if path.exists():
        try:
            TextModel.load(path)
            return path
        except UnsupportedArtifact:
            log.warning("router model %s has an older format, training a new one", path)
    from services.router.training.corpus import load_corpus
    from services.router.training.fitting import fit_text_model
    from services.router.training.jobs import default_jobs
    from services.router.training.split import split

    log.warning("no trained router model at %s, training one from the corpus", path)
    train, _ = split(load_corpus().records)
    model = fit_text_model(train, jobs=default_jobs())
    try:
        model.save(path)
    except OSError:
        # an installed, read-only package: keep the model beside the process instead
        path = Path(tempfile.gettempdir()) / "grievance-router" / path.name
        model.save(path)
    log.warning("trained router model %s written to %s", model.version, path)
    return path
