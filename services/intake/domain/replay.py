"""Remembered answers of replayable requests (Idempotency-Key, 民意速办 webhook-id)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def replay_associated_data(key: str) -> str:
    """What binds a remembered answer's ciphertext to its Idempotency-Key or webhook-id."""
    return f"replay:{key}"


def request_fingerprint(body: Any) -> str:
    """SHA-256 of ``body`` as canonical JSON: a webhook-id reused for another body is told apart."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
