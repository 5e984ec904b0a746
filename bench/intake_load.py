"""Intake against its ceilings, in one run: the same load generator (wrk, same body, same threads and
connections, same duration) against three targets one after the other, each with the machine to
itself but for the idle others:

1. bare: FastAPI parsing intake's request model, no I/O (bench/bare_app.py);
2. minimal durable accept: the same parse, then one asyncpg transaction with a grievance row and
   one outbox row in a throwaway schema (bench/minimal_accept_app.py);
3. intake: one API process (PostgreSQL + outbox; its relay to Kafka in its own process).

Prints requests/s and p50/p99 for each, and the ratios intake / minimal accept and intake / bare.

    .venv/bin/python bench/intake_load.py [--seconds 15] [--connections 32] [--warmup 2]

Needs the local Kafka and PostgreSQL (deploy/local) and wrk (Debian package). Everything targets
127.0.0.1, lives in a fresh database and topic prefix, and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.accept_schema import count_rows, create_schema, drop_schema
from bench.http_load import UvicornApp, WrkResult, require_wrk, run_wrk
from bench.intake_target import intake_under_test
from tests.support.processes import free_port

TARGETS = ("bare", "minimal accept", "intake")


def describe(name: str, result: WrkResult) -> str:
    return (
        f"  {name:<15} {result.requests_per_s:>8.0f} req/s   p50 {result.p50_ms:>7.1f} ms"
        f"   p99 {result.p99_ms:>7.1f} ms   requests {result.requests:>7}   non-2xx {result.non_2xx}"
        f"   socket errors {result.socket_errors}"
    )


async def measure(args: argparse.Namespace) -> None:
    require_wrk()
    began = time.monotonic()
    async with intake_under_test() as intake:
        dsn = intake.namespace.asyncpg_dsn
        schema = f"bench_accept_{uuid.uuid4().hex[:8]}"
        await create_schema(dsn, schema)
        bare = UvicornApp("bench.bare_app:app", free_port())
        minimal = UvicornApp(
            "bench.minimal_accept_app:create_app",
            free_port(),
            factory=True,
            env={"BENCH_ACCEPT_DSN": dsn, "BENCH_ACCEPT_SCHEMA": schema},
        )
        try:
            bare.start()
            minimal.start()
            await asyncio.gather(bare.wait_ready(), minimal.wait_ready())
            urls = {
                "bare": f"{bare.base_url}/v1/grievances",
                "minimal accept": f"{minimal.base_url}/v1/grievances",
                "intake": intake.submit_url,
            }
            results: dict[str, WrkResult] = {}
            for name in TARGETS:
                if args.warmup > 0:  # first requests pay for imports, caches and pool connections
                    await asyncio.to_thread(run_wrk, urls[name], seconds=args.warmup, connections=args.connections)
                results[name] = await asyncio.to_thread(
                    run_wrk, urls[name], seconds=args.seconds, connections=args.connections
                )
            minimal_rows = await count_rows(dsn, schema)
            stored, backlog = await intake.stored_and_backlog()
        finally:
            await asyncio.gather(bare.stop(), minimal.stop())
            await drop_schema(dsn, schema)

    print(
        f"accept ceilings, one run: wrk -t2 -c{args.connections}, {args.seconds}s per target"
        f" (+{args.warmup}s warm-up), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for name in TARGETS:
        print(describe(name, results[name]))
    print(f"  minimal accept rows: {minimal_rows[0]} grievances, {minimal_rows[1]} outbox events")
    print(f"  intake: {stored} grievances stored; outbox backlog after the run {backlog}")
    rate = {name: results[name].requests_per_s for name in TARGETS}
    print(f"  ratio intake / minimal accept: {rate['intake'] / rate['minimal accept']:.2f}")
    print(f"  ratio intake / bare:           {rate['intake'] / rate['bare']:.2f}")
    print(f"  ratio minimal accept / bare:   {rate['minimal accept'] / rate['bare']:.2f}")
    print(f"  total run time {time.monotonic() - began:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15, help="measured duration per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load per target first (0: none)")
    args = parser.parse_args()
    asyncio.run(measure(args))


if __name__ == "__main__":
    main()
