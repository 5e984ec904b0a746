"""Drain a backlog, stage by stage: how many events per second each consumer group handles alone.

    source deploy/local/env.sh
    .venv/bin/python bench/consumer_drain.py [--events 2000] [--stages router,casework,mediation,feedback]
                                             [--timeout 600]

N grievance.received events (the labelled corpus, shuffled so the tracks come in the corpus's own
mix) are produced into a fresh namespace (own database and topic prefix, dropped at the end). Then
each stage in pipeline order, one after the other so that each has the machine to itself, runs
``python -m services.<stage> worker`` and ``relay`` as processes until it is drained: its consumer
group has no lag, its outbox is all published and its inbox has not grown for SETTLE_S. So the
router's output is the backlog of casework and mediation, and everyone's the backlog of feedback:
real events made by the real services. A stage is bounded by ``--timeout`` and reports what it got.

Per stage: events handled (its inbox rows); events/s between the first and the last claiming
transaction's stamp (start-up excluded); wall seconds from process start to drained; the worker's
CPU seconds in all, and per event while it was handling events; dead letters; the 1-minute load.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import psutil  # type: ignore[import-untyped]
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.router_throughput import events, produce
from services.router.training.artifact import ensure_artifact
from shared.events.topics import GRIEVANCE_RECEIVED, dead_letter_topic
from shared.kafka.admin import connect_admin
from shared.settings import ServiceSettings
from tests.support.kafka import connection, wait_for_partitions
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port

PIPELINE = ("router", "casework", "mediation", "feedback")
SETTLE_S = 3.0  # quiet this long (no lag, nothing to publish, no new inbox row) = drained
PROBE_S = 0.5
MIX_SEED = 13  # same events every run
HEADER = ("stage", "backlog", "handled", "txns", "events/s", "wall s", "worker CPU s", "CPU ms/event", "DLQ", "load")


@dataclass
class Drain:
    """What one stage did."""

    stage: str
    backlog: int = 0  # records on the topics its group reads
    handled: int = 0
    transactions: int = 0
    per_s: float | None = None
    wall_s: float = 0.0
    worker_cpu_s: float = 0.0
    cpu_ms_per_event: float | None = None
    cpu_with_start_up: bool = False  # drained between two probes: no steady part to time
    dead_letters: int = 0
    load: float = 0.0
    problem: str = ""


def stamped_rate(stamps: asyncpg.Record) -> float | None:
    """Events/s from the stamps of the claiming transactions (start-up excluded).

    ``processed_at`` is now(): when the claiming transaction began, so the last one's end is not
    in the inbox. The relay's ``published_at`` of that transaction's outbox rows says when it had
    committed; when it wrote none, its events are left out and the rest timed up to its start.
    Both hold whether the runner claims one event per transaction or a whole poll batch."""
    count, first, last = stamps["n"], stamps["first"], stamps["last"]
    if not count:
        return None
    if stamps["committed"] is not None and stamps["committed"] > first:
        return float(count / (stamps["committed"] - first))
    if last > first and count > stamps["at_last"]:
        return float((count - stamps["at_last"]) / (last - first))
    return None


def checked(schema: str) -> str:
    """A service schema this bench knows, safe to put into SQL text."""
    if schema not in PIPELINE:
        raise ValueError(f"not a pipeline schema: {schema!r}")
    return schema


class Probe:
    """Reads a stage's progress: inbox rows, unpublished outbox rows, group lag, topic sizes."""

    def __init__(self, namespace: Namespace, conn: asyncpg.Connection, admin: AIOKafkaAdminClient,
                 reader: AIOKafkaConsumer) -> None:  # fmt: skip
        self.namespace, self.conn, self.admin, self.reader = namespace, conn, admin, reader
        self._partitions: dict[str, list[TopicPartition]] = {}

    @classmethod
    async def open(cls, namespace: Namespace) -> Probe:
        conn = await asyncpg.connect(namespace.asyncpg_dsn)
        admin = await connect_admin(namespace.settings(ServiceSettings))
        reader = AIOKafkaConsumer(**connection(namespace.bootstrap), enable_auto_commit=False)
        await reader.start()
        return cls(namespace, conn, admin, reader)

    async def close(self) -> None:
        await self.reader.stop()
        await self.admin.close()
        await self.conn.close()

    async def handled(self, schema: str, consumer: str) -> int:
        query = f"SELECT count(*) FROM {checked(schema)}.processed_event WHERE consumer = $1"  # noqa: S608
        count: int = await self.conn.fetchval(query, consumer)
        return count

    async def stamps(self, schema: str, consumer: str) -> asyncpg.Record:
        """Rows of ``consumer``; first and last stamp, and when the relay published the outbox rows of
        the last transaction (epoch seconds); distinct stamps (transactions); rows with the last stamp."""
        inbox, outbox = f"{checked(schema)}.processed_event", f"{checked(schema)}.outbox"
        query = (
            "WITH claimed AS (SELECT processed_at AS at FROM "  # noqa: S608 - checked names
            f"{inbox} WHERE consumer = $1), last AS (SELECT max(at) AS at FROM claimed)"
            " SELECT count(*) AS n, count(DISTINCT claimed.at) AS transactions,"
            " extract(epoch FROM min(claimed.at)) AS first, extract(epoch FROM max(claimed.at)) AS last,"
            " count(*) FILTER (WHERE claimed.at = (SELECT at FROM last)) AS at_last,"
            f" (SELECT extract(epoch FROM min(published_at)) FROM {outbox}"
            "   WHERE created_at = (SELECT at FROM last)) AS committed"
            " FROM claimed"
        )
        return await self.conn.fetchrow(query, consumer)

    async def unpublished(self, schema: str) -> int:
        query = f"SELECT count(*) FROM {checked(schema)}.outbox WHERE published_at IS NULL"  # noqa: S608
        count: int = await self.conn.fetchval(query)
        return count

    async def _tps(self, topic: str) -> list[TopicPartition]:
        if topic not in self._partitions:
            partitions = await wait_for_partitions(self.reader, topic)
            self._partitions[topic] = [TopicPartition(topic, p) for p in sorted(partitions)]
        return self._partitions[topic]

    async def ends(self, logical_topics: tuple[str, ...]) -> dict[TopicPartition, int]:
        tps = [tp for topic in logical_topics for tp in await self._tps(self.namespace.topic(topic))]
        ends: dict[TopicPartition, int] = await self.reader.end_offsets(tps)
        return ends

    async def size(self, logical_topics: tuple[str, ...]) -> int:
        return sum((await self.ends(logical_topics)).values())

    async def lag(self, group: str, logical_topics: tuple[str, ...]) -> int:
        """Records not yet committed by the group (topics start at offset 0 in a fresh namespace).

        On a broker just started, the group's coordinator may not be elected yet: that counts as
        one record outstanding (the stage is not known to be drained), and the next probe asks again.
        """
        try:
            committed = await self.admin.list_consumer_group_offsets(self.namespace.topic(group))
        except KafkaError as error:
            if not error.retriable:
                raise
            return 1
        return sum(end - (committed[tp].offset if tp in committed else 0)
                   for tp, end in (await self.ends(logical_topics)).items())  # fmt: skip


def exit_code(process: ServiceProcess) -> int | None:
    return None if process.process is None else process.process.poll()


def cpu_seconds(process: ServiceProcess, last: float) -> float:
    """User + system CPU of a running service process (``last`` once it is gone)."""
    if process.process is None or process.process.poll() is not None:
        return last
    try:
        times = psutil.Process(process.process.pid).cpu_times()
    except psutil.NoSuchProcess:
        return last
    return float(times.user + times.system)


async def watch(stage: str, probe: Probe, worker: ServiceProcess, relay: ServiceProcess, timeout: float) -> Drain:
    """Probe until the stage is drained, a process dies or ``timeout`` passes."""
    consumers = importlib.import_module(f"services.{stage}.consumers")
    schema: str = importlib.import_module(f"services.{stage}.db").SCHEMA
    group: str = consumers.GROUP_ID
    topics: tuple[str, ...] = tuple(consumers.TOPICS)
    result = Drain(stage, backlog=await probe.size(topics))
    began = time.perf_counter()
    cpu, seen = 0.0, -1
    quiet_since: float | None = None
    first: tuple[int, float] | None = None  # (inbox rows, worker CPU) when claims were first seen
    latest = (0, 0.0)  # the same when the inbox last grew
    while True:
        now = time.perf_counter()
        exited = {p.name: (code, p.log_path) for p in (worker, relay) if (code := exit_code(p)) is not None}
        if exited:
            result.problem = "; ".join(f"{name} exited with {code}, see {log}" for name, (code, log) in exited.items())
            break
        cpu = cpu_seconds(worker, cpu)
        handled = await probe.handled(schema, group)
        busy = handled != seen or await probe.lag(group, topics) or await probe.unpublished(schema)
        seen = handled
        if handled and first is None:
            first = (handled, cpu)
        if handled != latest[0]:
            latest = (handled, cpu)
        quiet_since = None if busy else (quiet_since or now)
        if quiet_since is not None and now - quiet_since >= SETTLE_S:
            break
        if now - began >= timeout:
            result.problem = f"timed out after {timeout:.0f}s"
            break
        await asyncio.sleep(PROBE_S)
    result.wall_s = (quiet_since or now) - began
    result.worker_cpu_s = cpu
    stamps = await probe.stamps(schema, group)
    result.handled, result.transactions = stamps["n"], stamps["transactions"]
    result.per_s = stamped_rate(stamps)
    if first is not None and latest[0] > first[0]:
        result.cpu_ms_per_event = (latest[1] - first[1]) * 1000 / (latest[0] - first[0])
    elif result.handled:
        result.cpu_ms_per_event, result.cpu_with_start_up = cpu * 1000 / result.handled, True
    result.dead_letters = await probe.size((dead_letter_topic(group),))
    result.load = os.getloadavg()[0]
    return result


async def drain(stage: str, namespace: Namespace, probe: Probe, timeout: float) -> Drain:
    """Run the stage's worker and relay until drained; the processes are stopped whatever happens."""
    # The router worker serves /metrics on a port of its own; a free one keeps it off the real stack's.
    extra = {"ROUTER_WORKER_METRICS_PORT": str(free_port())} if stage == "router" else {}
    worker = ServiceProcess(stage, "worker", namespace.env(**extra), name=f"drain-{stage}-worker")
    relay = ServiceProcess(stage, "relay", namespace.env(), name=f"drain-{stage}-relay")
    try:
        worker.start()
        relay.start()
        return await watch(stage, probe, worker, relay, timeout)
    finally:
        await asyncio.gather(worker.stop(), relay.stop(), return_exceptions=True)


def table(results: list[Drain]) -> list[str]:
    def number(value: float | None, digits: int = 0) -> str:
        return "n/a" if value is None else f"{value:,.{digits}f}"

    rows = [HEADER]
    for r in results:
        counts = (f"{r.backlog:,}", f"{r.handled:,}", f"{r.transactions:,}")
        figures = (
            number(r.per_s),
            number(r.wall_s, 1),
            number(r.worker_cpu_s, 1),
            number(r.cpu_ms_per_event, 1) + "*" * r.cpu_with_start_up,
        )
        rows.append((r.stage, *counts, *figures, str(r.dead_letters), f"{r.load:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        row[0].ljust(widths[0])
        + "".join(f"  {cell.rjust(width)}" for cell, width in zip(row[1:], widths[1:], strict=True))
        for row in rows
    ]
    return lines + [f"{r.stage}: {r.problem}" for r in results if r.problem]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="grievance.received events to produce")
    parser.add_argument("--stages", default=",".join(PIPELINE), help="comma-separated, run in pipeline order")
    parser.add_argument("--timeout", type=float, default=600.0, help="hard bound per stage, seconds")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(PIPELINE))
    if unknown or not chosen:
        parser.error(f"--stages: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(PIPELINE)}")
    if args.events < 1 or args.timeout <= 0:
        parser.error("--events must be at least 1 and --timeout positive")
    args.stages = [s for s in PIPELINE if s in chosen]
    return args


async def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if "router" in args.stages:
        ensure_artifact()
    else:
        print("no router stage: the later stages see only the received events (no tracks, no statuses)")
    namespace = await create_namespace(list(PIPELINE), max_partitions=None)
    results: list[Drain] = []
    try:
        started = time.perf_counter()
        await produce(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED), events(args.events, mix_seed=MIX_SEED))
        print(f"namespace {namespace.name}: produced {args.events:,} grievance.received events in"
              f" {time.perf_counter() - started:.1f}s")  # fmt: skip
        probe = await Probe.open(namespace)
        try:
            for stage in args.stages:
                result = await drain(stage, namespace, probe, args.timeout)
                print(f"{stage}: {result.handled:,} handled in {result.wall_s:.1f}s {result.problem}".rstrip())
                results.append(result)
        finally:
            await probe.close()
    finally:
        await drop_namespace(namespace)
    print("\n".join(table(results)))
    print(
        "(one worker + one relay process per stage, catalogue partition counts; events/s from the inbox's"
        " processed_at stamps to the last commit, start-up excluded; txns: claiming transactions;"
        " wall s includes start-up; *: CPU per event with start-up, drained within one probe; load: 1-minute"
        " average)"
    )


if __name__ == "__main__":
    asyncio.run(main())
