"""The read model's candidate rows the router has already read, kept by row version.

A consumer batch asks for its streets' newest grievances and its complainants' earlier ones: for a
busy district thousands of rows per batch (16 per grievance in bench/router_throughput.py), nearly
all of them the same rows the batch before read, each with its full text. So a batch first asks
for the candidates' ids and row versions only, takes the rows whose version it holds from here,
and reads in full only the rows that are new or changed since.

A row version is PostgreSQL's ``xmin`` (the transaction that wrote this version of the row) with
its ``ctid`` (where the version lies): every UPDATE writes a new version with a new pair, so an
unchanged pair means an unchanged row — a group case joined, a re-route, a pseudonym rotation by
another worker all show as a new version and are read again. One cache per database (ids and
versions mean nothing in another), bounded: the least recently used rows go first.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from services.router.domain.batch import Candidate

# Every street's and area's newest hundred (6 streets × 15 areas in 光明区) and the batch's
# complainants' rows fit with room to spare; about 1.5 KB per row with its text.
CAPACITY = 20_000


class CandidateRows:
    """Candidates by grievance id with the row version they were read at."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._rows: OrderedDict[str, tuple[str, Candidate]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    def known(self, versions: Iterable[tuple[str, str]]) -> tuple[list[Candidate], list[str]]:
        """For (id, version) pairs: the candidates held at that version, and the ids to read."""
        found: list[Candidate] = []
        missing: list[str] = []
        for grievance_id, version in versions:
            held = self._rows.get(grievance_id)
            if held is not None and held[0] == version:
                self._rows.move_to_end(grievance_id)
                found.append(held[1])
            else:
                missing.append(grievance_id)
        return found, missing

    def remember(self, read: Sequence[tuple[str, Candidate]]) -> None:
        """Keep (version, candidate) pairs just read, dropping the least recently used beyond capacity."""
        for version, candidate in read:
            grievance_id = candidate.earlier.grievance_id
            self._rows[grievance_id] = (version, candidate)
            self._rows.move_to_end(grievance_id)
        while len(self._rows) > self._capacity:
            self._rows.popitem(last=False)


_BY_DATABASE: weakref.WeakKeyDictionary[Any, CandidateRows] = weakref.WeakKeyDictionary()


def candidate_rows_of(engine: Any) -> CandidateRows:
    """The cache of the database ``engine`` connects to (the process's engine lives as long as it)."""
    rows = _BY_DATABASE.get(engine)
    if rows is None:
        rows = _BY_DATABASE[engine] = CandidateRows()
    return rows
