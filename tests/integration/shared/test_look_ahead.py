"""A group with a warm step takes the records behind a batch while the batch commits and warms them
(shared.kafka.lookahead); every guarantee holds: each effect once, each partition in order, even
when the batch fails at its commit and is replayed one event per transaction after the records
taken ahead were given back. Real broker, real database."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Sequence

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

from shared.db.uow import UnitOfWork
from shared.events.envelope import CloudEvent
from shared.events.topics import dead_letter_topic
from shared.kafka.consumer import BatchWarmer
from shared.runtime import Infrastructure
from tests.integration.shared.test_batch_consumption import GROUP, consume_until, event, produce, started_infra
from tests.support.kafka import read_events
from tests.support.namespace import Namespace

SUBJECTS = 4  # keys, so partitions: each subject's events must take effect in their order


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS public.ahead_effect (id bigserial, run text, subject text, seq int)")
    # Checked at COMMIT, and slowly, as a busy batch's commit is: a batch holding an event whose
    # "slot" is taken fails as it commits, after records have been taken ahead of it.
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS public.ahead_slot (slot text);
        CREATE OR REPLACE FUNCTION public.ahead_slot_free() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_sleep(0.02);
            IF (SELECT count(*) FROM public.ahead_slot WHERE slot = NEW.slot) > 1 THEN
                RAISE EXCEPTION 'slot % is taken', NEW.slot;
            END IF;
            RETURN NULL;
        END $$;
        DROP TRIGGER IF EXISTS ahead_slot_free ON public.ahead_slot;
        CREATE CONSTRAINT TRIGGER ahead_slot_free AFTER INSERT ON public.ahead_slot
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.ahead_slot_free();
        """
    )
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    async with started_infra(namespace, consumer_batch_size=10) as built:
        yield built


def numbered(run: str, count: int, *, subjects: int = SUBJECTS) -> list[CloudEvent]:
    return [event(f"{run}-{i % subjects}", seq=i, slot=f"{run}-slot-{i}") for i in range(count)]


async def handle(evt: CloudEvent, uow: UnitOfWork) -> None:
    values = {"run": evt.subject.rsplit("-", 1)[0], "subject": evt.subject, "seq": evt.data["seq"]}
    await uow.session.execute(
        text("INSERT INTO public.ahead_effect (run, subject, seq) VALUES (:run, :subject, :seq)"), values
    )
    await uow.session.execute(text("INSERT INTO public.ahead_slot VALUES (:slot)"), {"slot": evt.data["slot"]})


def warming(seen: list[int]) -> BatchWarmer:
    def warm(events: Sequence[CloudEvent]) -> None:
        seen.extend(int(e.data["seq"]) for e in events)

    return warm


async def applied(db: asyncpg.Connection, run: str) -> dict[str, list[int]]:
    """Each subject's sequence numbers in the order their effects were written."""
    rows = await db.fetch("SELECT subject, seq FROM public.ahead_effect WHERE run = $1 ORDER BY id", run)
    order: dict[str, list[int]] = {}
    for row in rows:
        order.setdefault(row["subject"], []).append(row["seq"])
    return order


def expected(events: Sequence[CloudEvent], skip: frozenset[int] = frozenset()) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for evt in events:
        if evt.data["seq"] not in skip:
            order.setdefault(evt.subject, []).append(evt.data["seq"])
    return order


async def test_the_next_batch_is_warmed_while_this_one_commits_and_all_apply_once_in_order(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    run = "ahead"
    events = numbered(run, 60)
    await produce(namespace, events)
    warmed: list[int] = []

    async def all_applied() -> bool:
        return sum(len(seqs) for seqs in (await applied(db, run)).values()) >= len(events)

    await consume_until(namespace, infra, handle, all_applied, warm=warming(warmed))

    assert await applied(db, run) == expected(events)  # once each, each subject in order
    assert warmed, "no batch was looked ahead of"
    assert set(warmed) <= {e.data["seq"] for e in events}


async def test_records_taken_ahead_of_a_batch_that_fails_at_commit_are_given_back_in_order(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection, log_output: io.StringIO
) -> None:
    run = "giveback"
    events = numbered(run, 40, subjects=1)  # one partition: the first batch is events 0-9
    # The fifth event takes the third's slot: the first batch fails at COMMIT, after events 10-19
    # were taken ahead of it; replayed one by one, the fifth fails alone and is dead-lettered.
    clash = events[4]
    events[4] = event(clash.subject, seq=clash.data["seq"], slot=events[2].data["slot"])
    await produce(namespace, events)
    warmed: list[int] = []

    async def others_applied() -> bool:
        return sum(len(seqs) for seqs in (await applied(db, run)).values()) >= len(events) - 1

    await consume_until(namespace, infra, handle, others_applied, warm=warming(warmed))

    assert await applied(db, run) == expected(events, skip=frozenset({4}))
    logged = [json.loads(line) for line in log_output.getvalue().splitlines() if line.startswith("{")]
    assert any(line["event"] == "records taken ahead given back" for line in logged)
    letters = await read_events(
        namespace.bootstrap, namespace.topic(dead_letter_topic(GROUP)), until=lambda got: len(got) >= 1, timeout=15
    )
    ours = [
        letter.event.data["seq"]
        for letter in letters
        if letter.event is not None and letter.event.subject.startswith(run)
    ]
    assert ours == [4]
