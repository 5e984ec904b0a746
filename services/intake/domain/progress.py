"""Where a grievance stands, folded from the platform's status vocabulary to concluded or not.

Open311 knows two states, ``open`` and ``closed``. A grievance is closed when handling concluded
(办结) or it was not accepted (不予受理, with the legal route told); a rating (回访) follows the
answer and changes neither; anything else, including a reopening (重办) or a request for 复查,
means someone is working on it again.
"""

from __future__ import annotations

from typing import Literal

from shared.events.vocabulary import Status

Open311State = Literal["open", "closed"]

CONCLUDING_STATUSES = frozenset({Status.closed, Status.not_accepted})
# Statuses that say something about the answer, not about whether the matter is still handled.
NEUTRAL_STATUSES = frozenset({Status.rated})


def is_closed(status: Status, *, was_closed: bool) -> bool:
    """Whether the grievance is concluded after ``status``, given whether it was before."""
    if status in NEUTRAL_STATUSES:
        return was_closed
    return status in CONCLUDING_STATUSES


def open311_state(closed: bool) -> Open311State:
    return "closed" if closed else "open"
