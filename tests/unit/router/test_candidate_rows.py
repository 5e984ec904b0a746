"""The router's cache of candidate rows: a row is answered from it only at the version it was read,
the least recently used go first beyond its capacity, and each database has its own."""

from __future__ import annotations

from datetime import UTC, datetime

from services.router.domain.batch import Candidate
from services.router.domain.matching import Earlier
from services.router.repositories.candidate_rows import CandidateRows, candidate_rows_of


def candidate(grievance_id: str) -> Candidate:
    earlier = Earlier(grievance_id, f"GM-{grievance_id}", "路灯坏了", "城乡建设", datetime(2026, 12, 1, tzinfo=UTC))
    return Candidate(earlier, "光明街道", f"p-{grievance_id}", None)


def test_a_row_is_held_at_the_version_it_was_read_only() -> None:
    rows = CandidateRows()
    a, b = candidate("a"), candidate("b")
    rows.remember([("100(0,1)", a), ("100(0,2)", b)])
    found, missing = rows.known([("a", "100(0,1)"), ("b", "205(0,9)"), ("c", "100(0,3)")])
    assert found == [a]
    assert missing == ["b", "c"]


def test_beyond_capacity_the_least_recently_used_go_first() -> None:
    rows = CandidateRows(capacity=2)
    rows.remember([("v", candidate("a")), ("v", candidate("b"))])
    rows.known([("a", "v")])  # a is used again: b is now the least recently used
    rows.remember([("v", candidate("c"))])
    assert len(rows) == 2
    found, missing = rows.known([("a", "v"), ("b", "v"), ("c", "v")])
    assert [c.earlier.grievance_id for c in found] == ["a", "c"]
    assert missing == ["b"]


def test_each_database_has_its_own_cache() -> None:
    class Engine:  # stands for an engine: only its identity matters
        pass

    one, other = Engine(), Engine()
    candidate_rows_of(one).remember([("v", candidate("a"))])
    assert candidate_rows_of(one).known([("a", "v")])[1] == []
    assert candidate_rows_of(other).known([("a", "v")])[1] == ["a"]
