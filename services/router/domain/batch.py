"""A poll batch's routing reads, made once for the whole batch and answered here from memory.

Routing one grievance asks the database whether it was routed before, for a pseudonym rotation
waiting for it, for its complainant's earlier grievances (重复件) and for its street's recent ones
(集体访). For a batch the router asks each question once for all its grievances
(handlers/batch.py), and each grievance's use case gets its answer from ``RoutingBatch``: the rows
fetched plus the grievances routed earlier in the same batch, under the same filter, order and limit
as the single query. That is the single query's answer: the database returned every row a
grievance's question chooses from (its complainant's rows in the window) or at least its own first
rows (its street's newest), so the first rows of the union under its filter are its answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.router.classifier import Classification, GrievanceText
from services.router.domain.matching import EARLIER_LIMIT, NEIGHBOUR_LIMIT, Earlier
from services.router.domain.records import PendingRotation
from shared.events.contracts import GrievanceReceived, RoutingDecision


@dataclass(frozen=True, slots=True)
class ComplainantQuery:
    """One grievance's question for its complainant's earlier grievances."""

    phones: Sequence[str]
    id_cards: Sequence[str]
    since: datetime
    before: datetime
    exclude: str

    def row(self) -> dict[str, Any]:
        # The window is applied from memory (see GrievanceRepository.earlier_of_complainants).
        return {"id": self.exclude, "phones": list(self.phones), "id_cards": list(self.id_cards)}


@dataclass(frozen=True, slots=True)
class NeighbourQuery:
    """One grievance's question for its street's recent grievances in its area."""

    street: str
    area: str
    since: datetime
    until: datetime
    exclude: str

    def row(self) -> dict[str, Any]:
        return {"id": self.exclude, "street": self.street, "area": self.area,
                "since": self.since.isoformat(), "until": self.until.isoformat()}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    """A routed grievance with what the questions filter on besides ``Earlier``."""

    earlier: Earlier
    street: str | None
    phone: str | None
    id_card: str | None


def routed_candidate(received: GrievanceReceived, decision: RoutingDecision) -> Candidate:
    """The row ``grievances.add`` writes, as a candidate for the grievances after it."""
    view = received.complainant
    earlier = Earlier(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        text=f"{received.title}。{received.content}",
        area=decision.area.value,
        received_at=received.received_at,
        repeat_of=decision.repeat_of,
        complainant=view.phone_pseudonym or view.id_card_pseudonym,
        cluster_id=decision.cluster_id,
    )
    return Candidate(earlier, received.street, view.phone_pseudonym, view.id_card_pseudonym)


class RoutingBatch:
    def __init__(
        self,
        *,
        covered: Iterable[str],
        routed: Iterable[str],
        rotations: dict[str, PendingRotation],
        candidates: Iterable[Candidate],
        classifications: dict[GrievanceText, Classification],
    ) -> None:
        self._covered = set(covered)
        self._routed = set(routed)
        self._rotations = rotations
        self._classifications = classifications
        self._candidates: dict[str, Candidate] = {}
        # Who is where and whose: each question looks only at its street's or its complainant's
        # candidates, not at every candidate of the batch (thousands, for a busy district).
        self._by_place: dict[tuple[str | None, str], set[str]] = {}
        self._by_person: dict[tuple[str, str], set[str]] = {}
        for candidate in candidates:
            self._add(candidate)

    def covers(self, grievance_id: str) -> bool:
        """Whether this grievance's questions were asked for the batch (its locks are held)."""
        return grievance_id in self._covered

    def classification(self, text: GrievanceText) -> Classification | None:
        return self._classifications.get(text)

    def already_routed(self, grievance_id: str) -> bool:
        return grievance_id in self._routed

    def take_rotation(self, grievance_id: str) -> PendingRotation | None:
        return self._rotations.pop(grievance_id, None)

    def earlier_of_complainant(self, q: ComplainantQuery) -> list[Earlier]:
        keys = [("phone", p) for p in q.phones] + [("id_card", i) for i in q.id_cards]
        theirs = set().union(*(self._by_person.get(key, set()) for key in keys))
        return self._first(theirs, q.since, q.before, q.exclude, newest_first=False, limit=EARLIER_LIMIT)

    def neighbours(self, q: NeighbourQuery) -> list[Earlier]:
        near = self._by_place.get((q.street, q.area), set())
        return self._first(near, q.since, q.until, q.exclude, newest_first=True, limit=NEIGHBOUR_LIMIT)

    def set_cluster(self, grievance_ids: Iterable[str], cluster_id: str) -> None:
        """Mirror ``grievances.set_cluster`` (the caller writes it to the database too)."""
        for grievance_id in grievance_ids:
            found = self._candidates.get(grievance_id)
            if found is not None:
                self._candidates[grievance_id] = replace(found, earlier=replace(found.earlier, cluster_id=cluster_id))

    def add_routed(self, received: GrievanceReceived, decision: RoutingDecision) -> None:
        """Mirror ``grievances.add``: the grievance is routed and a candidate from now on."""
        self._routed.add(received.grievance_id)
        self._add(routed_candidate(received, decision))

    def _add(self, candidate: Candidate) -> None:
        grievance_id = candidate.earlier.grievance_id
        self._candidates[grievance_id] = candidate
        self._by_place.setdefault((candidate.street, candidate.earlier.area), set()).add(grievance_id)
        for key in (("phone", candidate.phone), ("id_card", candidate.id_card)):
            if key[1] is not None:
                self._by_person.setdefault((key[0], key[1]), set()).add(grievance_id)

    def _first(
        self, ids: set[str], since: datetime, until: datetime, exclude: str, *, newest_first: bool, limit: int
    ) -> list[Earlier]:
        """The first ``limit`` of ``ids`` received in [since, until], ``exclude`` left out."""
        found = [
            e
            for e in (self._candidates[i].earlier for i in ids)
            if since <= e.received_at <= until and e.grievance_id != exclude
        ]
        # Ties in time go by id, as the statements order them: both paths pick the same rows.
        found.sort(key=lambda e: (e.received_at, e.grievance_id), reverse=newest_first)
        return found[:limit]
