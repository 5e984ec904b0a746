"""The citizen's status event (``grievance.status``), built the same way by every service.

Every service that changes what a citizen sees tells them through one of these; feedback turns
them into the timeline. The builder fixes what the services share: a detail made of the
service's own keys first (e.g. the case's state and revision) and the step's keys after (and
over) them, the documents as a list, and an ``actor`` that names an office (DESIGN §4: never a
member of staff).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from shared.events.contracts import DocumentRef, GrievanceStatusChanged, Stage
from shared.events.vocabulary import Status


def citizen_status(
    *,
    grievance_id: str,
    tracking_no: str,
    status: Status,
    stage: Stage,
    message_zh: str,
    actor: str,
    occurred_at: datetime,
    due_at: datetime | None = None,
    documents: Iterable[DocumentRef] = (),
    detail: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> GrievanceStatusChanged:
    """One entry on the citizen's timeline; publish it with the grievance id as subject."""
    return GrievanceStatusChanged(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        status=status,
        stage=stage,
        message_zh=message_zh,
        detail={**(detail or {}), **(extra or {})},
        actor=actor,
        due_at=due_at,
        documents=list(documents),
        occurred_at=occurred_at,
    )
