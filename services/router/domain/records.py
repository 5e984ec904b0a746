"""What the router keeps, as its use cases see it: plain records, built by the repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events.contracts import GrievanceReceived, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Street, Track


@dataclass(frozen=True, slots=True)
class RoutedGrievance:
    """A grievance of the read model: enough to re-route, review and link it."""

    received: GrievanceReceived
    revision: int
    decision: RoutingDecision
    repeat_of: str | None = None
    cluster_id: str | None = None
    excluded_departments: tuple[str, ...] = ()
    alerted_at: datetime | None = None

    @property
    def grievance_id(self) -> str:
        return self.received.grievance_id

    @property
    def alerted(self) -> bool:
        """An urgent alert is raised once per grievance, whatever its later decisions."""
        return self.alerted_at is not None


@dataclass(frozen=True, slots=True)
class PendingRotation:
    """New pseudonyms of a grievance read before the grievance itself."""

    grievance_id: str
    phone_pseudonym: str | None
    id_card_pseudonym: str | None


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """Which review items a reviewer lists; None: any."""

    status: str = "pending"
    track: Track | None = None
    area: str | None = None
    category: str | None = None
    street: Street | None = None
    urgent: bool | None = None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A review item with what the reviewer reads of its grievance."""

    review_id: str
    grievance_id: str
    revision: int
    reason: str  # low_confidence | returned_by_department | reroute
    reason_detail: str
    proposed: RoutingDecision
    status: str  # pending | decided | superseded
    created_at: datetime
    received: GrievanceReceived
    excluded_departments: tuple[str, ...] = ()
    decision: RoutingDecision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A reviewer's decision kept as a training record (id: set once stored)."""

    grievance_id: str
    review_id: str
    title: str
    text: str
    track: Track
    petition_kind: PetitionKind | None
    area: Area
    category: str | None
    item: str | None
    urgent: bool
    labelled_by: str
    id: int | None = None
