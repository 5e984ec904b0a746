"""RoutingBatch answers each grievance's questions from the batch's candidates as the per-grievance
queries would (repositories/grievances.py): the same filter, order and limit, whatever the mix of
streets, areas, complainants and times, and after group cases form and grievances are routed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from services.router.domain.batch import Candidate, ComplainantQuery, NeighbourQuery, RoutingBatch
from services.router.domain.matching import EARLIER_LIMIT, NEIGHBOUR_LIMIT, Earlier

START = datetime(2026, 11, 1, tzinfo=UTC)
STREETS = ["光明街道", "公明街道", None]
AREAS = ["a", "b", "c"]
PEOPLE = [f"p{i}" for i in range(12)]


def candidate(rng: random.Random, i: int) -> Candidate:
    phone = rng.choice([*PEOPLE, None])
    id_card = rng.choice([*PEOPLE, None]) if phone is None else None
    earlier = Earlier(
        grievance_id=f"g{i}",
        tracking_no=f"T{i}",
        text="诉求",
        area=rng.choice(AREAS),
        received_at=START + timedelta(hours=rng.randrange(24 * 40)),
        complainant=phone or id_card,
    )
    return Candidate(earlier, rng.choice(STREETS), phone, id_card)


def brute_earlier(candidates: list[Candidate], q: ComplainantQuery) -> list[str]:
    found = [
        c.earlier
        for c in candidates
        if ((c.phone in q.phones) or (c.id_card in q.id_cards))
        and q.since <= c.earlier.received_at <= q.before
        and c.earlier.grievance_id != q.exclude
    ]
    return [e.grievance_id for e in sorted(found, key=lambda e: (e.received_at, e.grievance_id))[:EARLIER_LIMIT]]


def brute_neighbours(candidates: list[Candidate], q: NeighbourQuery) -> list[str]:
    found = [
        c.earlier
        for c in candidates
        if c.street == q.street
        and c.earlier.area == q.area
        and q.since <= c.earlier.received_at <= q.until
        and c.earlier.grievance_id != q.exclude
    ]
    return [
        e.grievance_id
        for e in sorted(found, key=lambda e: (e.received_at, e.grievance_id), reverse=True)[:NEIGHBOUR_LIMIT]
    ]


def test_answers_equal_filtering_every_candidate() -> None:
    rng = random.Random(13)
    candidates = [candidate(rng, i) for i in range(1500)]
    batch = RoutingBatch(covered=[], routed=[], rotations={}, candidates=candidates, classifications={})
    lengths: list[int] = []
    for _ in range(300):
        until = START + timedelta(hours=rng.randrange(24 * 40))
        since = until - timedelta(days=rng.choice([3, 7, 365]))
        exclude = f"g{rng.randrange(1500)}"
        who = ComplainantQuery(rng.sample(PEOPLE, 2), rng.sample(PEOPLE, rng.randrange(2)), since, until, exclude)
        place = NeighbourQuery(rng.choice(["光明街道", "公明街道"]), rng.choice(AREAS), since, until, exclude)
        earlier, near = batch.earlier_of_complainant(who), batch.neighbours(place)
        assert [e.grievance_id for e in earlier] == brute_earlier(candidates, who)
        assert [e.grievance_id for e in near] == brute_neighbours(candidates, place)
        lengths += [len(earlier), len(near)]
    # The questions were varied enough: empty answers, and answers cut at each limit.
    assert 0 in lengths and EARLIER_LIMIT in lengths and NEIGHBOUR_LIMIT in lengths


def test_what_the_batch_routes_and_links_is_seen_by_the_questions_after_it() -> None:
    at = START + timedelta(days=1)
    stored = Candidate(Earlier("g1", "T1", "诉求", "a", at, complainant="p1"), "光明街道", "p1", None)
    batch = RoutingBatch(covered=["g1", "g2"], routed=["g1"], rotations={}, candidates=[stored], classifications={})
    assert batch.covers("g2") and not batch.covers("g3")
    assert batch.already_routed("g1") and not batch.already_routed("g2")
    place = NeighbourQuery("光明街道", "a", START, START + timedelta(days=5), "none")
    batch.set_cluster(["g1"], "cluster-1")
    assert [(e.grievance_id, e.cluster_id) for e in batch.neighbours(place)] == [("g1", "cluster-1")]
