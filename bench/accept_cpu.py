"""Intake's accept against the minimal durable accept in CPU per request, each app called in this
process through ASGI: no sockets, no HTTP parser, no load generator and no relay beside it, so the
figure is the app's own work and its database driver's. The body is the one bench/intake_load.py's
wrk script posts; the apps run on the real PostgreSQL, in a fresh database dropped afterwards.

bench/intake_load.py measures what a client sees, with the relay, the broker and wrk on the same two
cores; its ratio moved from 0.31 to 0.47 across runs of one day. This one leaves them out and
moved from 0.35 to 0.40 the same day: still too much to show a change of a few percent, so
compare changes in alternating runs. The rounds alternate the two apps, and the summary takes
the median of each.

    .venv/bin/python bench/accept_cpu.py [--requests 3000] [--concurrency 16] [--rounds 3]

CPU is this process's (user + system): PostgreSQL's work is not in it, for either app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvloop
from starlette.types import ASGIApp, Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.accept_schema import create_schema, drop_schema
from services.intake.settings import Settings as IntakeSettings
from tests.support.namespace import Namespace, create_namespace, drop_namespace

WRK_SCRIPT = ROOT / "bench" / "post_grievance.lua"
UNLIMITED = "100000000/minute"  # every request comes from one address: this is not a rate-limit test
WARMUP_REQUESTS = 300


def wrk_body() -> bytes:
    """The JSON body of the wrk script (between its ``[[`` and ``]]``): one body for both benchmarks."""
    text = WRK_SCRIPT.read_text(encoding="utf-8")
    start, end = text.index("[[") + 2, text.index("]]")
    return text[start:end].replace("\n", "").encode()


async def post(app: ASGIApp, body: bytes) -> None:
    """One ``POST /v1/grievances`` through the app's ASGI interface; it must answer 202."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/grievances",
        "raw_path": b"/v1/grievances",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    delivered = False
    statuses: list[int] = []

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [202]:
        raise SystemExit(f"the app answered {statuses}, not 202")


async def cpu_per_request(app: ASGIApp, body: bytes, *, requests: int, concurrency: int) -> tuple[float, float]:
    """(ms of this process's CPU per request, requests/s) for ``requests`` from ``concurrency`` tasks."""

    async def client(count: int) -> None:
        for _ in range(count):
            await post(app, body)

    share, rest = divmod(requests, concurrency)
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(share + (1 if i < rest else 0)) for i in range(concurrency)))
    wall, cpu = time.perf_counter() - began_wall, time.process_time() - began_cpu
    return cpu * 1000 / requests, requests / wall


@asynccontextmanager
async def started(app: Any) -> AsyncIterator[ASGIApp]:
    """The app with its lifespan entered (pools opened), warmed up."""
    async with app.router.lifespan_context(app):
        yield app


def intake_app(namespace: Namespace) -> Any:
    from services.intake.app import create_app

    return create_app(namespace.settings(IntakeSettings, submit_rate_limit=UNLIMITED))


def minimal_app(namespace: Namespace, schema: str) -> Any:
    # The minimal app is configured by environment (it is also started by uvicorn).
    os.environ.update(BENCH_ACCEPT_DSN=namespace.asyncpg_dsn, BENCH_ACCEPT_SCHEMA=schema)
    from bench.minimal_accept_app import create_app

    return create_app()


async def measure(args: argparse.Namespace) -> None:
    body = wrk_body()
    namespace = await create_namespace(["intake"], max_partitions=None)
    schema = f"bench_accept_{uuid.uuid4().hex[:8]}"
    await create_schema(namespace.asyncpg_dsn, schema)
    figures: dict[str, list[tuple[float, float]]] = {"minimal accept": [], "intake": []}
    try:
        apps = {"minimal accept": minimal_app(namespace, schema), "intake": intake_app(namespace)}
        async with started(apps["minimal accept"]) as minimal, started(apps["intake"]) as intake:
            running = {"minimal accept": minimal, "intake": intake}
            for app in running.values():
                await cpu_per_request(app, body, requests=WARMUP_REQUESTS, concurrency=args.concurrency)
            for round_no in range(1, args.rounds + 1):
                for name, app in running.items():
                    ms, rate = await cpu_per_request(app, body, requests=args.requests, concurrency=args.concurrency)
                    figures[name].append((ms, rate))
                    print(f"  round {round_no}  {name:<15} {ms:6.3f} ms CPU per request   {rate:6.0f} requests/s")
    finally:
        await drop_schema(namespace.asyncpg_dsn, schema)
        await drop_namespace(namespace)
    median = {name: statistics.median(ms for ms, _ in runs) for name, runs in figures.items()}
    print(
        f"in-process accept, {args.requests} requests x {args.rounds} rounds, {args.concurrency} concurrent,"
        f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for name, ms in median.items():
        print(f"  {name:<15} median {ms:6.3f} ms CPU per request")
    print(f"  CPU ratio minimal accept / intake: {median['minimal accept'] / median['intake']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests per app per round")
    parser.add_argument("--concurrency", type=int, default=16, help="tasks posting at once")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    uvloop.run(measure(args))


if __name__ == "__main__":
    main()
