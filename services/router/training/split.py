"""The held-out split: a stable hash of the record id, so a record never changes sides as the
corpus grows and the shipped model never trains on a held-out record."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

from services.router.training.corpus import LabelledRecord

HELD_OUT_FRACTION = 0.2
_SALT = "router-split-v1:"

R = TypeVar("R", bound=LabelledRecord)


def is_held_out(record_id: str, fraction: float = HELD_OUT_FRACTION) -> bool:
    digest = hashlib.sha256((_SALT + record_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split(records: Sequence[R], fraction: float = HELD_OUT_FRACTION) -> tuple[list[R], list[R]]:
    """(train, held_out); records labelled by reviewers always train."""
    train: list[R] = []
    held_out: list[R] = []
    for record in records:
        if record.source.endswith(".jsonl") and is_held_out(record.id, fraction):
            held_out.append(record)
        else:
            train.append(record)
    return train, held_out
