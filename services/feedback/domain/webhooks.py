"""Outbound 民意速办 webhooks: one stable id per timeline entry, and how failed deliveries back off."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

MINYI_TARGET = "minyi"
STATUS_CHANGED_TYPE = "grievance.status.changed"
_WEBHOOK_ID_NAMESPACE = uuid.UUID("6f1c2a5e-3d4b-4c8e-9a7f-0b1d2e3f4a5b")


def webhook_id(grievance_id: str, seq: int) -> str:
    """One id per timeline entry, stable across retries and redeliveries (the receiver's dedup key)."""
    return "msg_" + uuid.uuid5(_WEBHOOK_ID_NAMESPACE, f"{grievance_id}/{seq}").hex


def retry_delay(attempt: int, *, base_s: float, cap_s: float, jitter: float = 0.0) -> float:
    """Exponential backoff for the ``attempt``-th failure (1-based); ``jitter`` in [0, 1) spreads
    retries of many deliveries that failed together."""
    delay = min(cap_s, base_s * float(2 ** max(0, attempt - 1)))
    return delay * (1 + jitter * 0.25)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A queued webhook, leased for one attempt; ``body`` was fixed when it was queued."""

    id: int
    webhook_id: str
    target: str
    body: bytes
    attempt: int  # 1 for the first attempt


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one attempt went: the receiver's HTTP status, or the error when none came."""

    delivery: Delivery
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300
