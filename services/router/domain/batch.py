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

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

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


def _received_at(key: tuple[datetime, str]) -> datetime:
    return key[0]


class _Timeline:
    """A street's or a complainant's candidates in the order the statements sort them, (received
    at, id): a question's window is two bisections, not a filter and a sort of the whole group
    (hundreds of grievances for a busy street, asked for by each of its grievances in the batch)."""

    __slots__ = ("_keys", "_sorted")

    def __init__(self) -> None:
        self._keys: list[tuple[datetime, str]] = []
        self._sorted = True

    def add(self, received_at: datetime, grievance_id: str) -> None:
        # Sorted when next asked: rows come in any order, and one sort is cheaper than many inserts.
        self._keys.append((received_at, grievance_id))
        self._sorted = False

    def window(self, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
        """The keys received in [since, until], oldest first."""
        first, last = self._bounds(since, until)
        return self._keys[first:last]

    def newest_first(self, since: datetime, until: datetime) -> Iterator[tuple[datetime, str]]:
        """The keys received in [since, until], newest first, without copying them: a busy
        street's window holds hundreds, of which a question takes its first hundred."""
        first, last = self._bounds(since, until)
        keys = self._keys
        for at in range(last - 1, first - 1, -1):
            yield keys[at]

    def _bounds(self, since: datetime, until: datetime) -> tuple[int, int]:
        if not self._sorted:
            self._keys.sort()
            self._sorted = True
        first = bisect_left(self._keys, since, key=_received_at)
        return first, bisect_right(self._keys, until, lo=first, key=_received_at)


_NOBODY = _Timeline()
K = TypeVar("K")


def _timeline(timelines: dict[K, _Timeline], key: K) -> _Timeline:
    found = timelines.get(key)
    if found is None:
        found = timelines[key] = _Timeline()
    return found


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
        self._by_place: dict[tuple[str | None, str], _Timeline] = {}
        self._by_person: dict[tuple[str, str], _Timeline] = {}
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
        """Oldest first, as the single query orders them (ties in time by id)."""
        keys = [("phone", p) for p in q.phones] + [("id_card", i) for i in q.id_cards]
        # A grievance may be one complainant's under two pseudonyms: each once.
        theirs = sorted({k for key in keys for k in self._by_person.get(key, _NOBODY).window(q.since, q.before)})
        return self._earlier(theirs, q.exclude, EARLIER_LIMIT)

    def neighbours(self, q: NeighbourQuery) -> list[Earlier]:
        """Newest first, as the single query orders them (ties in time by id)."""
        near = self._by_place.get((q.street, q.area), _NOBODY).newest_first(q.since, q.until)
        return self._earlier(near, q.exclude, NEIGHBOUR_LIMIT)

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
        known = grievance_id in self._candidates
        self._candidates[grievance_id] = candidate
        if known:  # a row both questions found: the same row, already placed
            return
        received_at = candidate.earlier.received_at
        _timeline(self._by_place, (candidate.street, candidate.earlier.area)).add(received_at, grievance_id)
        for kind, pseudonym in (("phone", candidate.phone), ("id_card", candidate.id_card)):
            if pseudonym is not None:
                _timeline(self._by_person, (kind, pseudonym)).add(received_at, grievance_id)

    def _earlier(self, keys: Iterable[tuple[datetime, str]], exclude: str, limit: int) -> list[Earlier]:
        """The first ``limit`` of ``keys`` in their order, ``exclude`` left out, as they are now."""
        found: list[Earlier] = []
        for _, grievance_id in keys:
            if grievance_id != exclude:
                found.append(self._candidates[grievance_id].earlier)
                if len(found) == limit:
                    break
        return found
