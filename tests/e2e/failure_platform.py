"""Helpers for the crash-recovery tests: services as restartable processes, a submission load
that records what the client saw, topic watchers, and the exactly-once ledger checks."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import asyncpg  # type: ignore[import-untyped]
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from shared.events.contracts import GrievanceReceived, GrievanceRouted
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_ROUTED, dead_letter_topic
from tests.support.kafka import Received, _decode, connection, end_offsets, wait_for_partitions
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port

# Varied enough that the router's repeat and group-case checks do not link them all together.
_MATTERS = (
    ("小区排水沟堵塞积水", "每次下雨小区门口积水到小腿，排水沟堵了很久，老人孩子出门都要蹚水，请尽快疏通。"),
    ("工地夜间施工噪音扰民", "附近工地每天晚上十一点以后还在打桩施工，噪音很大，影响周边居民休息，请有关部门查处。"),
    ("公司拖欠工资三个月", "我在一家电子厂上班，公司已经拖欠我们三个月工资，多次讨要无果，请求劳动部门帮助追讨。"),
    ("邻居装修漏水纠纷", "楼上邻居装修后卫生间漏水到我家天花板，协商多次对方不愿维修赔偿，希望社区帮忙调解。"),
    ("路灯损坏多日未修", "社区主干道有五盏路灯坏了半个月，晚上一片漆黑，行人安全没有保障，请尽快维修。"),
    ("物业擅自上调停车费", "小区物业今年突然上调停车费，没有公示也没有业主大会表决，请住建部门核查是否合规。"),
)
_STREETS = ("光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道")


def grievance_body(run: str, index: int) -> dict[str, Any]:
    """A valid portal submission, unique per (run, index): the marker is in title and content."""
    title, content = _MATTERS[index % len(_MATTERS)]
    marker = f"{run}-{index:04d}"
    return {
        "complainant": {"name": "测试人", "mobile": f"139{uuid.uuid4().int % 10**8:08d}"},
        "address": {"street": _STREETS[index % len(_STREETS)], "community": "将石", "detail": f"{index} 号"},
        "title": f"{title}（{marker}）",
        "content": f"{content}（编号 {marker}）",
    }


# --- processes --------------------------------------------------------------------------------


@dataclass
class Platform:
    """intake and the router as ``all``-mode processes of one namespace, each on a fixed port so a
    restarted process answers where the old one did. Every incarnation logs to its own file."""

    namespace: Namespace
    ports: dict[str, int] = field(default_factory=dict)
    running: dict[str, ServiceProcess] = field(default_factory=dict)
    incarnations: Counter[str] = field(default_factory=Counter)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def _env(self, service: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        port = self.ports.setdefault(service, free_port())
        return self.namespace.env(
            **{f"{service.upper()}_HTTP_PORT": str(port)},
            INTAKE_SUBMIT_RATE_LIMIT="100000/minute",
            **(extra or {}),
        )

    def start(self, service: str, *, env: dict[str, str] | None = None) -> ServiceProcess:
        """``env`` adds to (or overrides) the namespace's environment for this incarnation."""
        assert service not in self.running, f"{service} is already running"
        self.incarnations[service] += 1
        env = self._env(service, env)
        name = f"{self.namespace.name}-{service}-{self.incarnations[service]}"
        process = ServiceProcess(service, "all", env, name=name, port=self.ports[service]).start()
        self.running[service] = process
        return process

    async def start_ready(self, *services: str) -> None:
        started = [self.start(s) for s in services]
        await asyncio.gather(*(p.wait_ready(timeout=90) for p in started))

    async def kill(self, service: str) -> ServiceProcess:
        """SIGKILL: no shutdown hooks, no flush, no offset commit, no rollback."""
        process = self.running.pop(service)
        process.kill()
        await process.wait_exit(10)
        return process

    def alive(self, service: str) -> bool:
        process = self.running[service].process
        return process is not None and process.poll() is None

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.running.values()), return_exceptions=True)
        self.running.clear()


# --- the client's side of a load ------------------------------------------------------------


@dataclass
class Submission:
    """One POST /v1/grievances and what the client saw of it."""

    index: int
    key: str
    body: dict[str, Any]
    status: int | None = None
    grievance_id: str | None = None
    replayed: bool = False
    error: str | None = None
    answered_at: float | None = None

    @property
    def title(self) -> str:
        return str(self.body["title"])

    @property
    def accepted(self) -> bool:
        return self.status == 202


def submissions(run: str, end: int, start: int = 0) -> list[Submission]:
    """Submissions number ``start`` to ``end - 1`` of a run, each with its own Idempotency-Key."""
    return [Submission(i, f"{run}-{i}-{uuid.uuid4().hex[:8]}", grievance_body(run, i)) for i in range(start, end)]


async def submit(client: httpx.AsyncClient, sub: Submission) -> Submission:
    """POST with the submission's Idempotency-Key; a lost connection is recorded, not raised."""
    sub.status, sub.grievance_id, sub.replayed, sub.error = None, None, False, None
    try:
        response = await client.post("/v1/grievances", json=sub.body, headers={"Idempotency-Key": sub.key})
    except httpx.HTTPError as exc:
        sub.error = f"{type(exc).__name__}: {exc}"
        return sub
    sub.status = response.status_code
    sub.answered_at = time.monotonic()
    if response.status_code == 202:
        sub.grievance_id = response.json()["grievance_id"]
        sub.replayed = response.headers.get("Idempotent-Replayed") == "true"
    return sub


async def submit_all(client: httpx.AsyncClient, subs: Iterable[Submission], concurrency: int) -> None:
    queue = list(subs)
    queue.reverse()

    async def worker() -> None:
        while queue:
            await submit(client, queue.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))


# --- topics -------------------------------------------------------------------------------------


class TopicWatch:
    """Reads one topic from the beginning, in the background, for a whole scenario (it rides out a
    broker restart: aiokafka reconnects by itself)."""

    def __init__(self, namespace: Namespace, logical_topic: str) -> None:
        self.topic = namespace.topic(logical_topic)
        self._bootstrap = namespace.bootstrap
        self.records: list[Received] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        consumer = AIOKafkaConsumer(**connection(self._bootstrap), enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = await wait_for_partitions(consumer, self.topic)
        except BaseException:
            await consumer.stop()
            raise
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                batch = await self._consumer.getmany(timeout_ms=200)
            except KafkaError:
                await asyncio.sleep(0.5)
                continue
            for records in batch.values():
                self.records.extend(_decode(r) for r in records)

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def ids_by_subject(self, event_type: str) -> dict[str, list[str]]:
        """CloudEvents ids per grievance, one entry per record (a republished event repeats its id)."""
        found: dict[str, list[str]] = defaultdict(list)
        for received in self.records:
            if received.event.type == event_type:
                found[received.event.subject or ""].append(received.event.id)
        return found

    def subjects(self, event_type: str, among: set[str] | None = None) -> set[str]:
        seen = set(self.ids_by_subject(event_type))
        return seen if among is None else seen & among


async def eventually(
    probe: Callable[[], Awaitable[bool]] | Callable[[], bool], *, timeout: float, what: str, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for: {what}")
        await asyncio.sleep(every)


# --- the database ----------------------------------------------------------------------------


async def fetch(namespace: Namespace, query: str, *args: Any) -> list[asyncpg.Record]:
    """One query on a fresh connection (connections do not survive a database kill)."""
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


async def routed_in_db(namespace: Namespace, grievance_ids: Iterable[str]) -> int:
    rows = await fetch(namespace, "SELECT count(*) AS n FROM router.grievance WHERE id = ANY($1)", list(grievance_ids))
    return int(rows[0]["n"])


async def listening_channels(namespace: Namespace) -> set[str]:
    """The outbox channels some relay LISTENs on in this namespace's database (its connection's
    last statement is the LISTEN)."""
    rows = await fetch(
        namespace,
        "SELECT query FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN %'",
        namespace.name,
    )
    return {r["query"].split(None, 1)[1].strip('"; ') for r in rows}


async def dead_letters(namespace: Namespace, group: str) -> int:
    offsets = await end_offsets(namespace.bootstrap, namespace.topic(dead_letter_topic(group)))
    return sum(offsets.values())


# --- the ledger -------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the checks found, for the test's message: how many events were published twice."""

    received_republished: int = 0
    routed_republished: int = 0


def _one_id_each(ids_by_subject: dict[str, list[str]], grievance_ids: set[str], what: str) -> int:
    """Every grievance has exactly one distinct event id; returns how many had it twice or more."""
    missing = grievance_ids - set(ids_by_subject)
    assert not missing, f"{len(missing)} grievances have no {what} event, e.g. {sorted(missing)[:3]}"
    several = {g: set(ids_by_subject[g]) for g in grievance_ids if len(set(ids_by_subject[g])) != 1}
    assert not several, f"{len(several)} grievances have {what} events with different ids: {list(several.items())[:3]}"
    return sum(1 for g in grievance_ids if len(ids_by_subject[g]) > 1)


async def check_intake_exactly_once(
    namespace: Namespace, grievance_ids: set[str], received: TopicWatch, ledger: Ledger
) -> dict[str, str]:
    """One intake row and one ``grievance.received`` event id per grievance, and nothing left in the
    outbox; returns the received event id of each grievance."""
    ids = sorted(grievance_ids)
    rows = await fetch(namespace, "SELECT id::text AS id FROM intake.grievance WHERE id = ANY($1::uuid[])", ids)
    assert {r["id"] for r in rows} == grievance_ids
    outbox = await fetch(
        namespace,
        "SELECT key, count(*) AS n, count(published_at) AS sent FROM intake.outbox"
        " WHERE event_type = $1 AND key = ANY($2) GROUP BY key",
        GrievanceReceived.event_type,
        ids,
    )
    assert {r["key"]: (r["n"], r["sent"]) for r in outbox} == dict.fromkeys(grievance_ids, (1, 1))
    unsent = await fetch(namespace, "SELECT count(*) AS n FROM intake.outbox WHERE published_at IS NULL")
    assert unsent[0]["n"] == 0, "the intake outbox still holds unpublished events"
    by_subject = received.ids_by_subject(GrievanceReceived.event_type)
    ledger.received_republished += _one_id_each(by_subject, grievance_ids, "grievance.received")
    return {g: by_subject[g][0] for g in grievance_ids}


async def check_routed_exactly_once(
    namespace: Namespace, received_ids: dict[str, str], routed: TopicWatch, ledger: Ledger
) -> None:
    """The router's effect happened once per grievance: one inbox claim of its received event, one
    read-model row, one decision, one routed event in the outbox, one routed event id on the topic;
    and nothing was dead-lettered."""
    grievance_ids = set(received_ids)
    ids = sorted(grievance_ids)
    claims = await fetch(
        namespace,
        "SELECT event_id FROM router.processed_event WHERE consumer = 'router' AND event_id = ANY($1)",
        list(received_ids.values()),
    )
    assert sorted(r["event_id"] for r in claims) == sorted(received_ids.values())
    assert await routed_in_db(namespace, ids) == len(ids)
    decisions = await fetch(
        namespace,
        "SELECT grievance_id, count(*) AS n FROM router.routing_decision WHERE grievance_id = ANY($1) GROUP BY 1",
        ids,
    )
    assert {r["grievance_id"]: r["n"] for r in decisions} == dict.fromkeys(grievance_ids, 1)
    outbox = await fetch(
        namespace,
        "SELECT key, array_agg(event_id) AS ids FROM router.outbox WHERE event_type = $1 AND key = ANY($2) GROUP BY 1",
        GrievanceRouted.event_type,
        ids,
    )
    outbox_ids = {r["key"]: list(r["ids"]) for r in outbox}
    assert {g: len(v) for g, v in outbox_ids.items()} == dict.fromkeys(grievance_ids, 1)
    by_subject = routed.ids_by_subject(GrievanceRouted.event_type)
    ledger.routed_republished += _one_id_each(by_subject, grievance_ids, "grievance.routed")
    assert {g: by_subject[g][0] for g in grievance_ids} == {g: v[0] for g, v in outbox_ids.items()}
    assert await dead_letters(namespace, "router") == 0, "the router dead-lettered events"


async def wait_routed(
    namespace: Namespace, grievance_ids: set[str], routed: TopicWatch, *, timeout: float = 90
) -> None:
    await eventually(
        lambda: routed.subjects(GrievanceRouted.event_type, grievance_ids) == grievance_ids,
        timeout=timeout,
        what=f"grievance.routed for all {len(grievance_ids)} grievances",
    )


def watch_received(namespace: Namespace) -> TopicWatch:
    return TopicWatch(namespace, GRIEVANCE_RECEIVED)


def watch_routed(namespace: Namespace) -> TopicWatch:
    return TopicWatch(namespace, GRIEVANCE_ROUTED)


def log_mentions(process: ServiceProcess, text: str) -> bool:
    return text in process.log_path.read_text(errors="replace")
