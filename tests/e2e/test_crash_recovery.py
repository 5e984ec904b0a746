"""DESIGN §5 under fire: nothing is lost and no effect is applied twice when a service, the broker
or the database is killed at any point. Every scenario kills a real process:

1. the router (a consumer) SIGKILLed in the middle of a batch, then restarted;
2. the Kafka broker SIGKILLed while grievances are being submitted, then restarted;
3. PostgreSQL shut down immediately while the router is consuming, then restarted;
4. the intake API SIGKILLed in the middle of a load of requests, then restarted.

Scenarios 1 and 4 kill only service processes and run on the shared broker and database.
Scenarios 2 and 3 kill infrastructure, so they get a private broker and database of their own
(tests/support/failure_infra.py), never the shared ones.

"Exactly once" is checked on both sides of every hop: one row per grievance in intake, one
``grievance.received`` event id per grievance on the topic (the same id may be there twice after a
relay crash: at least once), one inbox claim, one read-model row and one decision in the router,
one ``grievance.routed`` event id per grievance, and nothing in the router's dead-letter topic.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from shared.events.contracts import GrievanceReceived, GrievanceRouted
from tests.e2e.failure_platform import (
    Ledger,
    Platform,
    Submission,
    check_intake_exactly_once,
    check_routed_exactly_once,
    dead_letters,
    eventually,
    fetch,
    listening_channels,
    log_mentions,
    routed_in_db,
    submissions,
    submit,
    submit_all,
    wait_routed,
    watch_received,
    watch_routed,
)
from tests.support.failure_infra import PrivateInfrastructure, private_infrastructure
from tests.support.namespace import Namespace, create_namespace, drop_namespace

pytestmark = pytest.mark.slow


@pytest.fixture
async def shared_namespace() -> AsyncIterator[Namespace]:
    """A fresh namespace per scenario on the shared broker and database (only services die here)."""
    ns = await create_namespace(["intake", "router"])
    try:
        yield ns
    finally:
        await drop_namespace(ns)


@pytest.fixture(scope="module")
async def private_infra() -> AsyncIterator[PrivateInfrastructure]:
    async with private_infrastructure() as infra:
        yield infra


@pytest.fixture
async def private_namespace(private_infra: PrivateInfrastructure) -> AsyncIterator[Namespace]:
    ns = await create_namespace(
        ["intake", "router"], base_url=private_infra.postgres.url, bootstrap=private_infra.kafka.bootstrap
    )
    try:
        yield ns
    finally:
        await private_infra.ensure_running()  # a scenario that failed mid-outage left one dead
        await drop_namespace(ns)


@pytest.fixture
async def shared_platform(shared_namespace: Namespace) -> AsyncIterator[Platform]:
    platform = Platform(shared_namespace)
    try:
        yield platform
    finally:
        await platform.stop()


@pytest.fixture
async def private_platform(private_namespace: Namespace) -> AsyncIterator[Platform]:
    platform = Platform(private_namespace)
    try:
        yield platform
    finally:
        await platform.stop()


# A router that takes a backlog a few events per transaction, so a kill meets it half-way.
SMALL_POLLS = {"GRIEVANCE_CONSUMER_BATCH_SIZE": "3"}


def _run() -> str:
    return uuid.uuid4().hex[:6]


# --- 1. a consumer killed mid-batch ------------------------------------------------------------


async def test_router_killed_mid_batch_routes_every_grievance_once(shared_platform: Platform) -> None:
    platform, ns = shared_platform, shared_platform.namespace
    count = 150
    ledger = Ledger()
    async with watch_received(ns) as received, watch_routed(ns) as routed:
        # A backlog first, so that the router is busy with one big batch per partition when it dies.
        await platform.start_ready("intake")
        subs = submissions(_run(), count)
        async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=30) as client:
            await submit_all(client, subs, concurrency=8)
        assert all(s.accepted for s in subs), [(s.status, s.error) for s in subs if not s.accepted][:3]
        ids = {s.grievance_id for s in subs if s.grievance_id}
        await eventually(
            lambda: received.subjects(GrievanceReceived.event_type, ids) == ids, timeout=30, what="received backlog"
        )

        # Small polls: the backlog takes many transactions, so the kill lands between and inside them
        # (one poll of 200 would route the whole backlog in one transaction before the kill).
        platform.start("router", env=SMALL_POLLS)
        await eventually(
            lambda: len(routed.subjects(GrievanceRouted.event_type, ids)) >= count // 3,
            timeout=60,
            what="a third of the grievances routed",
        )
        await platform.kill("router")
        routed_at_kill = await routed_in_db(ns, ids)
        assert 0 < routed_at_kill < count, f"the kill did not land mid-batch ({routed_at_kill}/{count} routed)"

        await platform.start_ready("router")
        await wait_routed(ns, ids, routed)
        await asyncio.sleep(1.0)  # let any duplicate delivery arrive before counting
        received_ids = await check_intake_exactly_once(ns, ids, received, ledger)
        await check_routed_exactly_once(ns, received_ids, routed, ledger)
    print(f"router killed at {routed_at_kill}/{count}; republished: {ledger}")


# --- 4. the intake API killed in the middle of a load -----------------------------------------


async def test_intake_killed_mid_load_keeps_every_answer_and_retries_exactly_once(shared_platform: Platform) -> None:
    platform, ns = shared_platform, shared_platform.namespace
    count = 160
    ledger = Ledger()
    async with watch_received(ns) as received:
        await platform.start_ready("intake")
        subs = submissions(_run(), count)
        async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=10) as client:
            load = asyncio.create_task(submit_all(client, subs, concurrency=12))
            await eventually(lambda: sum(s.accepted for s in subs) >= count // 3, timeout=60, what="a third answered")
            await platform.kill("intake")
            await asyncio.wait_for(load, 60)
        answered = [s for s in subs if s.status is not None]
        lost = [s for s in subs if s.status is None]
        assert all(s.accepted and not s.replayed for s in answered), [(s.status, s.index) for s in answered][:5]
        assert lost, "the kill came after every request was answered"

        # Unanswered: each was committed once (the answer was lost) or not at all (it never was).
        existing = {
            r["title"]: r["id"]
            for r in await fetch(
                ns, "SELECT title, id::text AS id FROM intake.grievance WHERE title = ANY($1)", [s.title for s in lost]
            )
        }
        counted = await fetch(
            ns, "SELECT count(*) AS n FROM intake.grievance WHERE title = ANY($1)", [s.title for s in lost]
        )
        assert counted[0]["n"] == len(existing), "an unanswered request created two grievances"

        await platform.start_ready("intake")
        async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=10) as client:
            # The clients retry as they sent: all at once would be shed past intake's bound (503).
            await submit_all(client, lost, concurrency=12)
        for s in lost:
            assert s.accepted, (s.index, s.status, s.error)
            if s.title in existing:
                assert s.replayed and s.grievance_id == existing[s.title], "the retry did not replay the first answer"
            else:
                assert not s.replayed

        ids = {s.grievance_id for s in subs if s.grievance_id}
        assert len(ids) == count
        rows = await fetch(
            ns, "SELECT title, id::text AS id FROM intake.grievance WHERE title = ANY($1)", [s.title for s in subs]
        )
        assert sorted((r["title"], r["id"]) for r in rows) == sorted((s.title, s.grievance_id) for s in subs)
        await eventually(
            lambda: received.subjects(GrievanceReceived.event_type, ids) == ids, timeout=30, what="every received event"
        )
        await eventually(lambda: _no_unsent(ns), timeout=30, what="the intake outbox drained")
        await asyncio.sleep(1.0)
        await check_intake_exactly_once(ns, ids, received, ledger)
        titles = {s.title for s in subs}
        phantom = {
            r.event.subject
            for r in received.records
            if r.event.type == GrievanceReceived.event_type and r.event.data.get("title") in titles
        } - ids
        assert not phantom, "grievance.received events for grievances that do not exist"
    print(f"intake killed with {len(lost)} unanswered, {len(existing)} of them committed; republished: {ledger}")


async def _no_unsent(ns: Namespace) -> bool:
    rows = await fetch(ns, "SELECT count(*) AS n FROM intake.outbox WHERE published_at IS NULL")
    return bool(rows[0]["n"] == 0)


# --- 2. the broker killed while grievances are submitted ---------------------------------------


async def test_broker_killed_during_submissions_loses_nothing(
    private_platform: Platform, private_infra: PrivateInfrastructure
) -> None:
    platform, ns = private_platform, private_platform.namespace
    ledger = Ledger()
    run = _run()
    subs: list[Submission] = []
    stop_load = asyncio.Event()

    async def load(client: httpx.AsyncClient, worker: int) -> None:
        index = worker
        while not stop_load.is_set():
            [sub] = submissions(run, index + 1, start=index)
            subs.append(await submit(client, sub))
            index += 2
            await asyncio.sleep(0.25)

    async with watch_received(ns) as received, watch_routed(ns) as routed:
        await platform.start_ready("intake", "router")
        async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=10) as client:
            workers = [asyncio.create_task(load(client, w)) for w in range(2)]
            try:
                await eventually(lambda: len(subs) >= 20, timeout=30, what="submissions before the kill")
                await private_infra.kafka.kill()
                killed_at = time.monotonic()
                await asyncio.sleep(3)  # submissions go on against a dead broker
                held = await fetch(ns, "SELECT count(*) AS n FROM intake.outbox WHERE published_at IS NULL")
                assert held[0]["n"] > 0, "nothing waited in the outbox while the broker was down"
                await private_infra.kafka.start()
                restarted_at = time.monotonic()
                await asyncio.sleep(2)
            finally:
                stop_load.set()
                await asyncio.gather(*workers)
        failed = [(s.status, s.error) for s in subs if not s.accepted]
        assert not failed, f"intake refused submissions while the broker was down: {failed[:3]}"
        during = [s for s in subs if s.answered_at and killed_at < s.answered_at < restarted_at]
        assert len(during) >= 10, "too few submissions while the broker was down"

        ids = {s.grievance_id for s in subs if s.grievance_id}
        assert len(ids) == len(subs)
        await wait_routed(ns, ids, routed, timeout=120)
        await asyncio.sleep(1.0)
        received_ids = await check_intake_exactly_once(ns, ids, received, ledger)
        await check_routed_exactly_once(ns, received_ids, routed, ledger)
        assert platform.alive("intake") and platform.alive("router"), "a service died with the broker"
    print(f"{len(subs)} submitted, {len(during)} while the broker was down; republished: {ledger}")


# --- 3. the database killed while the router consumes ------------------------------------------


async def test_database_killed_while_consuming_waits_and_applies_once(
    private_platform: Platform, private_infra: PrivateInfrastructure
) -> None:
    platform, ns = private_platform, private_platform.namespace
    count = 120
    ledger = Ledger()
    run = _run()
    async with watch_received(ns) as received, watch_routed(ns) as routed:
        await platform.start_ready("intake")
        before = submissions(run, count)
        async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=10) as client:
            await submit_all(client, before, concurrency=8)
            assert all(s.accepted for s in before)
            ids = {s.grievance_id for s in before if s.grievance_id}
            await eventually(
                lambda: received.subjects(GrievanceReceived.event_type, ids) == ids, timeout=30, what="the backlog"
            )

            router = platform.start("router", env=SMALL_POLLS)
            await eventually(
                lambda: len(routed.subjects(GrievanceRouted.event_type, ids)) >= count // 3,
                timeout=60,
                what="a third routed",
            )
            assert await _listening(ns, {"intake_outbox", "router_outbox"})
            await private_infra.postgres.kill()
            routed_at_kill = len(routed.subjects(GrievanceRouted.event_type, ids))
            assert routed_at_kill < count, "the router had finished before the database died"

            # The outage: intake refuses with 503 + Retry-After (never a 202 it did not store, and an
            # answer to every request on the same keep-alive connection) and says it is not ready.
            during = submissions(run, count + 5, start=count)
            for sub in during:
                response = await client.post("/v1/grievances", json=sub.body, headers={"Idempotency-Key": sub.key})
                assert response.status_code == 503, response.text
                assert response.headers["Retry-After"]
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["database"] != "ok"
            await asyncio.sleep(3)
            assert platform.alive("router") and platform.alive("intake"), "a service died with the database"

            await private_infra.postgres.start()
            await eventually(lambda: _ready(client), timeout=30, what="intake ready again after the database restart")
            after = submissions(run, count + 25, start=count + 5)
            await submit_all(client, after, concurrency=4)
            assert all(s.accepted for s in after), [(s.status, s.error) for s in after if not s.accepted][:3]

        ids |= {s.grievance_id for s in after if s.grievance_id}
        await wait_routed(ns, ids, routed, timeout=120)
        await asyncio.sleep(1.0)
        received_ids = await check_intake_exactly_once(ns, ids, received, ledger)
        await check_routed_exactly_once(ns, received_ids, routed, ledger)
        stored = await fetch(
            ns, "SELECT count(*) AS n FROM intake.grievance WHERE title = ANY($1)", [s.title for s in during]
        )
        assert stored[0]["n"] == 0, "a submission refused during the outage was stored"
        assert platform.alive("router") and platform.alive("intake")
        assert log_mentions(router, "database unavailable, waiting"), "the router never met the outage mid-batch"
        # The relays wake on NOTIFY again, not only by polling: they listen on a new connection.
        await eventually(
            lambda: _listening(ns, {"intake_outbox", "router_outbox"}), timeout=15, what="relays listening again"
        )
        assert await dead_letters(ns, "router") == 0
    print(f"database killed at {routed_at_kill}/{count} routed; republished: {ledger}")


async def _listening(ns: Namespace, channels: set[str]) -> bool:
    return await listening_channels(ns) >= channels


async def _ready(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/readyz")).status_code == 200
    except httpx.HTTPError:
        return False
