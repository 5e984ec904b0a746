"""SSE latency: with N concurrent citizens' streams open on one feedback process (``all`` mode:
API, timeline writer and relay; or ``--split`` into an api and a worker process), how long from a
status event being produced to Kafka until it reaches each client, how much memory the feedback
process holds, and its CPU per event.

    .venv/bin/python bench/sse_latency.py [--clients 1000] [--rounds 3] [--rate 100] [--split]

Each client watches its own grievance; every round produces one status per grievance at ``rate``
events/s, stamped with the produce time, and each client notes when it arrives. Needs the local
Kafka and PostgreSQL (deploy/local); everything targets 127.0.0.1, in a fresh database and topic
prefix, and stops by itself (``--timeout``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import psutil  # type: ignore[import-untyped]
from aiokafka import AIOKafkaProducer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.feedback.stream.sse import ServerSentEvent, SseDecoder
from shared.events import topics
from shared.events.contracts import ComplainantView, GrievanceReceived, GrievanceStatusChanged
from shared.events.envelope import CloudEvent, service_source, to_kafka
from shared.events.vocabulary import Channel, Status
from shared.pii import token_hash
from tests.support.kafka import connection
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port

TOKEN = "bench-tracking-token-0123456789abcdef"  # noqa: S105 - a made-up citizen token


@dataclass
class Client:
    """One raw HTTP/1.1 SSE connection (chunked transfer), cheap enough to open a thousand."""

    tracking_no: str
    latencies: list[float] = field(default_factory=list)
    rounds_seen: set[int] = field(default_factory=set)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None

    async def run(self, port: int, stop: asyncio.Event) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            self.error = repr(exc)
            self.connected.set()
            return
        path = f"/v1/grievances/{self.tracking_no}/events?token={TOKEN}"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        try:
            status_line = await reader.readline()
            if b" 200 " not in status_line:
                self.error = status_line.decode(errors="replace").strip()
                return
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            self.connected.set()
            decoder = SseDecoder()
            reading = asyncio.ensure_future(self._read_chunks(reader, decoder))
            await asyncio.wait([reading, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            reading.cancel()
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.error = repr(exc)
        finally:
            self.connected.set()
            writer.close()

    async def _read_chunks(self, reader: asyncio.StreamReader, decoder: SseDecoder) -> None:
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            chunk = await reader.readexactly(size + 2)
            now = time.time()
            for item in decoder.feed(chunk[:-2]):
                if isinstance(item, ServerSentEvent) and item.event == "status":
                    detail = json.loads(item.data)["detail"]
                    if "bench_round" in detail:
                        self.rounds_seen.add(detail["bench_round"])
                        self.latencies.append(now - detail["bench_produced_at"])


def received_payload(tracking_no: str) -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id=str(uuid.uuid4()),
        tracking_no=tracking_no,
        tracking_token_hash=token_hash(TOKEN),
        channel=Channel.portal,
        received_at=datetime.now(UTC),
        title="基准测试诉求",
        content="用于测量实时推送延迟的诉求。",
        complainant=ComplainantView(name_masked="测*"),
    )


def status_event(received: GrievanceReceived, round_no: int) -> CloudEvent:
    payload = GrievanceStatusChanged(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        status=Status.in_progress,
        stage="casework",
        message_zh="您的诉求正在办理中。",
        detail={"bench_round": round_no, "bench_produced_at": time.time()},
        actor="光明区住房和建设局",
        occurred_at=datetime.now(UTC),
    )
    return CloudEvent(
        type=payload.event_type,
        source=service_source("casework"),  # consumers believe only a producer of the status topic
        subject=received.grievance_id,
        data=payload.model_dump(mode="json"),
    )


async def produce(producer: AIOKafkaProducer, topic: str, event: CloudEvent) -> None:
    record = to_kafka(event)
    await producer.send(topic, value=record.value, key=record.key, headers=record.headers)


async def wait_known(namespace: Namespace, count: int) -> None:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        while (
            await conn.fetchval("SELECT count(*) FROM feedback.grievance WHERE tracking_token_hash IS NOT NULL") < count
        ):
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def rss_mb(pid: int) -> float:
    rss: int = psutil.Process(pid).memory_info().rss
    return rss / 2**20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def bench(args: argparse.Namespace) -> None:
    namespace = await create_namespace(["feedback"], max_partitions=None)
    port = free_port()
    env = namespace.env(
        FEEDBACK_HTTP_PORT=str(port),
        FEEDBACK_STREAM_RATE_LIMIT="1000000/minute",
        FEEDBACK_LOOKUP_RATE_LIMIT="1000000/minute",
        GRIEVANCE_LOG_LEVEL="WARNING",
    )
    # ``all``: one process holds the streams and writes the timeline; ``--split``: an api process
    # (the streams) and a worker process (group feedback), as a deployment would run them.
    service = ServiceProcess("feedback", "api" if args.split else "all", env, port=port, name="bench-sse-feedback")
    worker = ServiceProcess("feedback", "worker", env, name="bench-sse-worker") if args.split else None
    producer = AIOKafkaProducer(**connection(namespace.bootstrap), acks="all", enable_idempotence=True)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    worker_rss = rounds_s = 0.0
    cpu_used: list[float] = []
    try:
        service.start()
        if worker is not None:
            worker.start()
        await service.wait_ready()
        assert service.process is not None
        pid = service.process.pid
        await producer.start()
        grievances = [received_payload(f"GM-BENCH-{i:06d}") for i in range(args.clients)]
        for received in grievances:
            event = CloudEvent(
                type=received.event_type,
                source=service_source("intake"),
                subject=received.grievance_id,
                data=received.model_dump(mode="json"),
            )
            await produce(producer, namespace.topic(topics.GRIEVANCE_RECEIVED), event)
        await producer.flush()
        await wait_known(namespace, args.clients)
        rss_idle = rss_mb(pid)

        clients = [Client(g.tracking_no) for g in grievances]
        opened = time.perf_counter()
        for i, client in enumerate(clients):
            tasks.append(asyncio.create_task(client.run(port, stop)))
            if i % 100 == 99:
                await asyncio.sleep(0.05)  # stay inside the listen backlog
        await asyncio.gather(*(c.connected.wait() for c in clients))
        failed = [c for c in clients if c.error]
        open_s = time.perf_counter() - opened
        await asyncio.sleep(1.0)
        rss_streams = rss_mb(pid)

        status_topic = namespace.topic(topics.GRIEVANCE_STATUS)
        watched = [psutil.Process(pid)] + ([psutil.Process(worker.process.pid)] if worker and worker.process else [])
        cpu_before = [sum(p.cpu_times()[:2]) for p in watched]
        rounds_started = time.perf_counter()
        batch = max(1, args.rate // 50)
        for round_no in range(1, args.rounds + 1):
            for start in range(0, len(grievances), batch):
                for received in grievances[start : start + batch]:
                    await produce(producer, status_topic, status_event(received, round_no))
                await asyncio.sleep(batch / args.rate)
            await producer.flush()
            deadline = time.monotonic() + 30
            while sum(round_no in c.rounds_seen for c in clients) < len(clients) - len(failed):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
        rounds_s = time.perf_counter() - rounds_started
        cpu_used = [sum(p.cpu_times()[:2]) - before for p, before in zip(watched, cpu_before, strict=True)]
        rss_after = rss_mb(pid)
        if worker is not None and worker.process is not None:
            worker_rss = rss_mb(worker.process.pid)
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{service.base_url}/metrics")).text
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.stop()
        await service.stop()
        if worker is not None:
            await worker.stop()
        await drop_namespace(namespace)

    latencies = [value * 1000 for c in clients for value in c.latencies]
    expected = (len(clients) - len(failed)) * args.rounds
    mode = "api + worker processes" if args.split else "one 'all' process"
    print(
        f"feedback SSE benchmark ({mode}): {args.clients} concurrent streams, "
        f"{args.rounds} rounds at {args.rate} events/s; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  streams opened: {len(clients) - len(failed)}/{len(clients)} in {open_s:.1f}s"
        + (f" (first error: {failed[0].error})" if failed else "")
    )
    print(f"  events delivered: {len(latencies)}/{expected}")
    if latencies:
        print(
            "  produce -> client latency ms: "
            f"p50 {percentile(latencies, 50):.1f}  p90 {percentile(latencies, 90):.1f}  "
            f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
        )
    print(
        f"  feedback '{service.mode}' process RSS MiB: idle {rss_idle:.1f}  with streams {rss_streams:.1f}"
        f"  after rounds {rss_after:.1f}"
        f"  (~{(rss_streams - rss_idle) * 1024 / max(1, args.clients):.0f} KiB per stream)"
    )
    if args.split:
        print(f"  feedback 'worker' process RSS MiB: {worker_rss:.1f}")
    events = max(1, len(latencies))
    names = ["api (push)", "worker (consume + write)"] if args.split else ["all (consume + write + push)"]
    for name, seconds in zip(names, cpu_used, strict=False):
        print(f"  CPU of {name}: {seconds:.1f}s over {rounds_s:.1f}s = {seconds * 1000 / events:.2f} ms per event")
    for line in metrics.splitlines():
        if line.startswith("sse_events_sent_total"):
            print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=int, default=100, help="status events produced per second")
    parser.add_argument("--split", action="store_true", help="separate api and worker processes")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args()

    async def bounded() -> None:
        async with asyncio.timeout(args.timeout):
            await bench(args)

    asyncio.run(bounded())


if __name__ == "__main__":
    main()
