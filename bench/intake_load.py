"""Intake load: accepted grievances per second for one intake API process against the local stack
(real PostgreSQL, relay publishing to real Kafka), with p50/p99 latency, and in the same run a
bare FastAPI endpoint on this machine as the ceiling.

    .venv/bin/python bench/intake_load.py [--seconds 30] [--connections 32]

Needs the local Kafka and PostgreSQL (deploy/local/kafka.sh start, postgres.sh start) and wrk
(Debian package). Everything targets 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.namespace import create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port


def run_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "post_grievance.lua"),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _latency_ms(output, "50%"),
        "p99_ms": _latency_ms(output, "99%"),
        "non_2xx": float(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0.0,
        "raw": output,  # type: ignore[dict-item]
    }


def _latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    namespace = await create_namespace(["intake"], max_partitions=None)
    intake_port, bare_port = free_port(), free_port()
    env = namespace.env(
        INTAKE_HTTP_PORT=str(intake_port), INTAKE_SUBMIT_RATE_LIMIT="1000000/minute", GRIEVANCE_LOG_LEVEL="WARNING"
    )
    intake = ServiceProcess("intake", "api", env, name="bench-intake-api", port=intake_port).start()
    relay = ServiceProcess("intake", "relay", env, name="bench-intake-relay").start()
    bare = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(bare_port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await intake.wait_ready()
        await asyncio.sleep(1.5)
        intake_result = run_wrk(f"{intake.base_url}/v1/grievances", args.seconds, args.connections)
        bare_result = run_wrk(f"http://127.0.0.1:{bare_port}/v1/grievances", args.seconds, args.connections)
        conn = await asyncpg.connect(namespace.asyncpg_dsn)
        grievances = await conn.fetchval("SELECT count(*) FROM intake.grievance")
        for _ in range(300):
            backlog = await conn.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL")
            if backlog == 0:
                break
            await asyncio.sleep(0.2)
        await conn.close()
    finally:
        bare.terminate()
        await intake.stop()
        await relay.stop()
        await drop_namespace(namespace)

    ratio = intake_result["requests_per_s"] / bare_result["requests_per_s"]
    print(f"intake load, {args.seconds}s per target, {args.connections} connections, wrk -t2, {os.cpu_count()} cores")
    print("  intake (1 API process, PostgreSQL + outbox, relay to Kafka in its own process):")
    print(
        f"    accepted/s {intake_result['requests_per_s']:.0f}  p50 {intake_result['p50_ms']:.1f} ms  "
        f"p99 {intake_result['p99_ms']:.1f} ms  non-2xx {intake_result['non_2xx']:.0f}"
    )
    print(f"    grievances stored {grievances}; outbox backlog after the run {backlog}")
    print("  bare FastAPI endpoint (same request model, no I/O):")
    print(
        f"    requests/s {bare_result['requests_per_s']:.0f}  p50 {bare_result['p50_ms']:.1f} ms  "
        f"p99 {bare_result['p99_ms']:.1f} ms"
    )
    print(f"  ratio intake / bare: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
