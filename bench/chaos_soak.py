"""Chaos soak: N grievances through the whole pipeline while the broker, consumers, relays and
PostgreSQL are SIGKILLed and restarted on a schedule; prints offered, accepted, lost, stuck,
duplicated, dead letters and the time to drain. All of them but offered/accepted should be zero.

    .venv/bin/python bench/chaos_soak.py [--grievances 10000] [--rate 50] [--chaos-interval 25]

Runs on a private Kafka broker and PostgreSQL cluster of its own (tests/support/failure_infra.py),
never the shared ones, with every service as separate api/worker/relay processes as in compose.
The portal client offers grievances at a fixed rate and, like a real portal, retries a request
that failed or got no answer with the same Idempotency-Key. Everything listens on 127.0.0.1,
stops by itself (bounded by the count, the give-up time and the drain timeout) and is cleaned up.

- offered: submissions made; accepted: those that got 202 (after retries);
- lost: accepted, but missing from intake's table or never on the citizen's timeline;
- stuck: on the timeline but not settled (assigned, mediation opened, review queue, legal track,
  not accepted) when the drain timeout ends;
- duplicated: effects applied twice (bench/soak_ledger.py says where it looks);
- dead letters: records in any consumer group's dead-letter topic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_ledger import dead_letters, duplicates, last_statuses, settled
from shared.settings import ServiceSettings
from tests.e2e.failure_platform import grievance_body
from tests.support.failure_infra import PrivateInfrastructure, private_infrastructure
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port

SERVICES = ("intake", "router", "casework", "mediation", "feedback")
MODES = ("api", "worker", "relay")
# The kill rotation: the broker, a consumer of each kind, relays, and the database.
TARGETS = (
    "kafka",
    "router-worker",
    "casework-worker",
    "intake-relay",
    "postgres",
    "feedback-worker",
    "router-relay",
    "mediation-worker",
    "casework-relay",
)
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


# --- processes --------------------------------------------------------------------------------


@dataclass
class Fleet:
    """Every service's api, worker and relay as processes of one namespace; each incarnation of a
    process logs to its own file under test-artifacts/."""

    namespace: Namespace
    ports: dict[str, int] = field(default_factory=dict)
    running: dict[str, ServiceProcess] = field(default_factory=dict)
    incarnations: dict[str, int] = field(default_factory=dict)

    def _env(self, service: str) -> dict[str, str]:
        port = self.ports.setdefault(service, free_port())
        return self.namespace.env(
            **{f"{service.upper()}_HTTP_PORT": str(port)},
            # The portal's whole load comes from one address: the soak is not a rate-limit test.
            INTAKE_SUBMIT_RATE_LIMIT="1000000/minute",
            # The router worker serves its metrics on a port of its own; never the default one.
            ROUTER_WORKER_METRICS_PORT=str(self.ports.setdefault("router-metrics", free_port())),
            GRIEVANCE_LOG_LEVEL="WARNING",
        )

    def start(self, name: str) -> ServiceProcess:
        service, mode = name.split("-")
        self.incarnations[name] = self.incarnations.get(name, 0) + 1
        process = ServiceProcess(
            service,
            mode,
            self._env(service),
            name=f"soak-{self.namespace.name}-{name}-{self.incarnations[name]}",
            port=self.ports[service] if mode == "api" else None,
        ).start()
        self.running[name] = process
        return process

    async def start_all(self) -> None:
        for service in SERVICES:
            for mode in MODES:
                self.start(f"{service}-{mode}")
        await asyncio.gather(*(self.running[f"{s}-api"].wait_ready(timeout=180) for s in SERVICES))

    async def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.kill()
        await process.wait_exit(10)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def dead(self) -> list[str]:
        """Processes that exited by themselves (a kill pops its process first)."""
        return [n for n, p in self.running.items() if p.process is not None and p.process.poll() is not None]

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.running.values()), return_exceptions=True)
        self.running.clear()


# --- the portal --------------------------------------------------------------------------------


@dataclass
class Offer:
    index: int
    key: str
    body: dict[str, Any]
    grievance_id: str | None = None
    attempts: int = 0
    refused: str | None = None
    accepted_at: float | None = None


async def offer(client: httpx.AsyncClient, item: Offer, give_up_s: float, slots: asyncio.Semaphore) -> None:
    """POST until 202, retrying errors and lost answers with the same Idempotency-Key."""
    started: float | None = None
    backoff = 0.5
    while True:
        item.attempts += 1
        # Requests beyond the open connections wait here, not in httpx's pool: its queue costs CPU
        # per waiting request and would make the client, not the platform, the bottleneck.
        async with slots:
            # The give-up clock starts with the first request sent, not with the wait for a slot.
            started = started or time.monotonic()
            try:
                response = await client.post("/v1/grievances", json=item.body, headers={"Idempotency-Key": item.key})
            except httpx.HTTPError:
                response = None
        if response is not None and response.status_code == 202:
            item.grievance_id = response.json()["grievance_id"]
            item.accepted_at = time.monotonic()
            return
        if response is not None and response.status_code not in RETRY_STATUSES:
            item.refused = f"{response.status_code} {response.text[:200]}"
            return
        if time.monotonic() - (started or 0.0) > give_up_s:
            item.refused = "gave up retrying"
            return
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 5.0)


async def offer_all(
    client: httpx.AsyncClient, items: list[Offer], rate: float, give_up_s: float, connections: int
) -> None:
    """Offer ``items`` at ``rate`` per second, whatever the answers: a portal does not slow down."""
    start = time.monotonic()
    slots = asyncio.Semaphore(connections)
    tasks = []
    for n, item in enumerate(items):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(offer(client, item, give_up_s, slots)))
    try:
        await asyncio.gather(*tasks)
    finally:
        # Interrupted (Ctrl-C, a failed kill): no request may outlive the run.
        for task in tasks:
            task.cancel()


# --- chaos -------------------------------------------------------------------------------------


@dataclass
class Chaos:
    infra: PrivateInfrastructure
    fleet: Fleet
    downtime_s: float
    kills: list[tuple[float, str, float]] = field(default_factory=list)  # (at, target, seconds to restart)

    async def kill_and_restart(self, target: str) -> None:
        began = time.monotonic()
        if target == "kafka":
            await self.infra.kafka.kill()
            await asyncio.sleep(self.downtime_s)
            await self.infra.kafka.start()
        elif target == "postgres":
            await self.infra.postgres.kill()
            await asyncio.sleep(self.downtime_s)
            await self.infra.postgres.start()
        else:
            await self.fleet.kill(target)
            await asyncio.sleep(self.downtime_s)
            self.fleet.start(target)
        self.kills.append((began, target, time.monotonic() - began))
        print(f"  killed and restarted {target} in {time.monotonic() - began:.1f} s", flush=True)

    async def run(self, until: Callable[[], bool], interval_s: float, min_kills: int) -> None:
        """Kill the next target every ``interval_s`` until ``until()`` and ``min_kills`` are both met."""
        n = 0
        while not (until() and n >= min_kills):
            await asyncio.sleep(interval_s)
            await self.kill_and_restart(TARGETS[n % len(TARGETS)])
            n += 1


# --- the run -----------------------------------------------------------------------------------


async def drain(
    namespace: Namespace, ids: set[str], timeout_s: float, probe_every: float = 2.0
) -> tuple[set[str], set[str], float | None]:
    """Wait until every id is settled or the timeout passes; (settled, on timeline, seconds taken)."""
    start = time.monotonic()
    done: set[str] = set()
    seen: set[str] = set()
    while time.monotonic() - start < timeout_s:
        # The database may be restarting after the last kill: look again next time.
        with contextlib.suppress(Exception):
            done, seen = await settled(namespace.asyncpg_dsn, ids)
        if done >= ids:
            return done, seen, time.monotonic() - start
        await asyncio.sleep(probe_every)
    return done, seen, None


async def in_intake(namespace: Namespace, ids: set[str]) -> set[str]:
    """The ids among ``ids`` that intake stored (a 202 promises that it did)."""
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        rows = await conn.fetch("SELECT id::text AS id FROM intake.grievance WHERE id = ANY($1::uuid[])", list(ids))
    finally:
        await conn.close()
    return {r["id"] for r in rows}


async def soak(args: argparse.Namespace) -> int:
    run = uuid.uuid4().hex[:6]
    print(f"chaos soak {run}: {args.grievances} grievances at {args.rate}/s, a kill every {args.chaos_interval} s")
    async with private_infrastructure() as infra:
        namespace = await create_namespace(base_url=infra.postgres.url, bootstrap=infra.kafka.bootstrap)
        fleet = Fleet(namespace)
        try:
            await fleet.start_all()
            print(f"  {len(fleet.running)} processes ready", flush=True)
            return await _load_and_count(args, run, infra, namespace, fleet)
        finally:
            await fleet.stop()
            await infra.ensure_running()  # a kill interrupted by an error may have left one down
            await drop_namespace(namespace)


async def _load_and_count(
    args: argparse.Namespace, run: str, infra: PrivateInfrastructure, namespace: Namespace, fleet: Fleet
) -> int:
    items = [Offer(i, f"{run}-{i}-{uuid.uuid4().hex[:8]}", grievance_body(run, i)) for i in range(args.grievances)]
    chaos = Chaos(infra, fleet, args.downtime)
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=fleet.url("intake"), timeout=15, limits=limits) as client:
        load = asyncio.create_task(offer_all(client, items, args.rate, args.give_up, args.connections))
        chaos_task = asyncio.create_task(chaos.run(load.done, args.chaos_interval, args.min_kills))
        await _watch(load, chaos_task, items, started)
    offered_s = time.monotonic() - started
    accepted = {i.grievance_id for i in items if i.grievance_id}
    print(f"  offering and chaos done after {offered_s:.0f} s; draining", flush=True)
    done, seen, drained_s = await drain(namespace, accepted, args.drain_timeout)
    lost = len(accepted - (seen & await in_intake(namespace, accepted)))
    stuck = len(seen - done)
    dupes = await duplicates(namespace.asyncpg_dsn)
    letters = await dead_letters(namespace.settings(ServiceSettings))
    statuses = await last_statuses(namespace.asyncpg_dsn, accepted)
    exited = fleet.dead()
    refused = [i for i in items if i.refused]

    print()
    print(f"offered        {len(items)}")
    print(f"accepted       {len(accepted)}   (refused {len(refused)}, retried {sum(i.attempts > 1 for i in items)})")
    print(f"lost           {lost}")
    print(f"stuck          {stuck}")
    print(f"duplicated     {sum(dupes.values())}   {dupes}")
    print(f"dead letters   {sum(letters.values())}   {letters}")
    drain_text = f"{drained_s:.1f} s" if drained_s is not None else f"not drained within {args.drain_timeout:.0f} s"
    print(f"time to drain  {drain_text} (after the last offer and the last restart)")
    print(f"kills          {len(chaos.kills)}: {', '.join(t for _, t, _ in chaos.kills)}")
    print(f"last statuses  {dict(statuses.most_common())}")
    if refused:
        print(f"refusals, e.g. {[i.refused for i in refused[:3]]}")
    if exited:
        print(f"processes that exited by themselves: {exited}")
    clean = not (lost or stuck or sum(dupes.values()) or sum(letters.values()) or refused or drained_s is None)
    return 0 if clean else 1


async def _watch(load: asyncio.Task[None], chaos: asyncio.Task[None], items: list[Offer], started: float) -> None:
    """Print progress every 10 s until both the load and the chaos are done; stop both on failure."""
    try:
        while not (load.done() and chaos.done()):
            await asyncio.wait({load, chaos}, timeout=10, return_when=asyncio.FIRST_EXCEPTION)
            for task in (load, chaos):
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            answered = sum(i.grievance_id is not None for i in items)
            print(f"  {time.monotonic() - started:5.0f} s: {answered}/{len(items)} accepted", flush=True)
    finally:
        for task in (load, chaos):
            task.cancel()
        await _quietly(asyncio.gather(load, chaos, return_exceptions=True))


async def _quietly(awaitable: Awaitable[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        await awaitable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grievances", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="offers per second")
    parser.add_argument("--chaos-interval", type=float, default=25.0, help="seconds between two kills")
    parser.add_argument("--downtime", type=float, default=3.0, help="seconds a killed target stays down")
    parser.add_argument(
        "--min-kills", type=int, default=len(TARGETS), help="kills before the chaos may stop (one rotation)"
    )
    parser.add_argument("--connections", type=int, default=32, help="requests in flight at most")
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds a portal request keeps retrying")
    parser.add_argument("--drain-timeout", type=float, default=1200.0)
    args = parser.parse_args()
    if not (0 < args.grievances <= 100_000 and 0 < args.rate <= 1000 and 0 < args.connections <= 500):
        parser.error("--grievances must be 1..100000, --rate 1..1000 and --connections 1..500")
    return asyncio.run(soak(args))


if __name__ == "__main__":
    raise SystemExit(main())
