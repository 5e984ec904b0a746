"""Whole-pipeline benchmark: grievances offered at intake at fixed rates, each followed on the
citizen's SSE timeline (feedback) until the pipeline has handed it to people (assigned to a
department, mediation opened, legal track, or the review queue); latency per stage and end to end,
and sustained throughput, per offered rate.

    .venv/bin/python bench/pipeline.py [--rates 50,200,500,max] [--duration 10] [--plot bench/out/pipeline.png]

Every service runs as a process of its own (tests/support/stack.py, ``all`` mode: API, consumers
and relay) in a fresh database and topic prefix (tests/support/namespace.py), dropped at the end.
Open-loop arrivals (bench/pipeline_load.py); ``max`` is a closed-loop probe instead. Stages, from
the services' own ``occurred_at`` stamps on the timeline and feedback's ``recorded_at``:

  accept   due -> the 202 from intake           route    intake received -> router decided
  open     router decided -> handler opened     project  handler opened -> on feedback's timeline
  push     on the timeline -> SSE at the client end to end  due -> the settling status on the SSE

A submission intake refuses with 503 (load shed: too many requests in flight, see
docs/operations.md) is counted as refused, apart from errors and from submissions that timed out;
it is not sent again.

A stream asked for before feedback knows the grievance is held by feedback until it does (up to
FEEDBACK_SSE_HOLD_UNKNOWN_S, docs/feedback.md); a refusal (404 after that, 429, 503) is asked again
after a back-off of up to 1 s. A settling status that was on the timeline before the stream opened
is replayed to it, counted apart and left out of 'push' (its end to end includes that wait).

Bounded: each rate has a hard deadline (offering plus draining, ``--rate-timeout``), the whole run
``--timeout``; a rate that does not drain in time ends the run (a higher rate would measure the
backlog). Needs the local Kafka and PostgreSQL (deploy/local); everything targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]
import psutil  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline_load import SETTLED, Citizens, Journey, Wave
from bench.pipeline_report import RateFigures, describe, plot, rate_figures, summary_table
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.stack import Stack, start_stack

UNLIMITED = "100000000/minute"  # one client address makes all the load: this is not a rate-limit test


@dataclass
class Submissions:
    """How the submissions of one rate that got no 202 ended: refused with 503 (intake shed them
    at once; nothing stored) or timed out waiting for an answer."""

    refused: int
    timed_out: int

    @classmethod
    def of(cls, journeys: list[Journey]) -> Submissions:
        return cls(refused=sum(j.refused for j in journeys), timed_out=sum(j.timed_out for j in journeys))


@dataclass
class BenchNamespace(Namespace):
    """A namespace whose processes get ``overrides`` last: start_stack sets its own submit limit,
    which its ``extra_env`` cannot replace."""

    overrides: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return {**super().env(**extra), **self.overrides}


def service_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds (user + system) each service process, this load generator, the Kafka broker
    and PostgreSQL have used so far."""
    used = {"load generator": sum(psutil.Process().cpu_times()[:2])}
    for name, service in stack.processes.items():
        if service.process is not None and service.process.poll() is None:
            used[name] = sum(psutil.Process(service.process.pid).cpu_times()[:2])
    kafka_port = int(stack.namespace.bootstrap.split(",")[0].rsplit(":", 1)[1])
    postgres_port = urlsplit(stack.namespace.asyncpg_dsn).port or 5432
    for name, port in (("Kafka", kafka_port), ("PostgreSQL", postgres_port)):
        seconds = listener_cpu(port)
        if seconds is not None:
            used[name] = seconds
    return used


def listener_cpu(port: int) -> float | None:
    """CPU seconds of the process listening on ``port`` on this machine and of its children, those
    that ended included (PostgreSQL: the postmaster, its backends and helpers); None if not found."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            try:
                server = psutil.Process(conn.pid)
                user, system, children_user, children_system = server.cpu_times()[:4]
                total = user + system + children_user + children_system
                for child in server.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += sum(child.cpu_times()[:2])
                return float(total)
            except psutil.Error:
                return None
    return None


async def note_projection(namespace: Namespace, journeys: list[Journey]) -> bool:
    """Fill in when feedback recorded each settling entry (``recorded_at``: its transaction's start)."""
    settled = {j.grievance_id: j for j in journeys if j.settled_status}
    if not settled:
        return True
    try:
        conn = await asyncpg.connect(namespace.asyncpg_dsn)
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        rows = await conn.fetch(
            "SELECT grievance_id, status, min(recorded_at) AS at FROM feedback.timeline_entry"
            " WHERE grievance_id = ANY($1::text[]) AND status = ANY($2::text[]) GROUP BY 1, 2",
            list(settled),
            list(SETTLED),
        )
    except asyncpg.PostgresError:
        return False  # the read model changed shape: the 'project' and 'push' stages stay empty
    finally:
        await conn.close()
    for row in rows:
        journey = settled[row["grievance_id"]]
        if row["status"] == journey.settled_status:
            journey.projected = row["at"].timestamp()
    return True


async def run_rate(
    citizens: Citizens, stack: Stack, rate: str, args: argparse.Namespace, first_index: int
) -> tuple[RateFigures, Submissions, Wave]:
    wave = Wave(first_index)
    began = time.time()
    cpu_before = service_cpu(stack)
    deadline = time.monotonic() + args.rate_timeout
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(args.rate_timeout):
            if rate == "max":
                await citizens.closed_loop(wave, args.max_submitters, args.duration)
            else:
                await citizens.open_loop(wave, float(rate), args.count or round(float(rate) * args.duration))
    if wave.tasks:
        _, pending = await asyncio.wait(wave.tasks, timeout=max(0.0, deadline - time.monotonic()))
        for task in pending:
            task.cancel()
        await asyncio.gather(*wave.tasks, return_exceptions=True)
    if not await note_projection(stack.namespace, wave.journeys):
        print("  (feedback's timeline_entry.recorded_at could not be read: no 'project'/'push' stages)")
    cpu_after = service_cpu(stack)
    if rate == "max":
        accepted = sum(j.accepted is not None for j in wave.journeys)
        label, offered_per_s = f"max ({args.max_submitters} closed loops)", accepted / max(1e-9, args.duration)
    else:
        label, offered_per_s = f"{rate}/s", float(rate)
    figures = rate_figures(label, offered_per_s, wave.journeys, lag_s=wave.lag_s)
    settled = max(1, figures.settled.total())
    cpu = {name: cpu_after.get(name, 0.0) - seconds for name, seconds in cpu_before.items()}
    for line in describe(figures):
        print(line)
    submitted = Submissions.of(wave.journeys)
    print(
        f"  submissions refused by intake (503 + Retry-After, nothing stored): {submitted.refused};"
        f" timed out: {submitted.timed_out}"
    )
    print(
        "  CPU per settled grievance (ms): "
        + ", ".join(f"{name} {seconds * 1000 / settled:.1f}" for name, seconds in cpu.items())
        + f"; rate took {time.time() - began:.0f}s"
    )
    return figures, submitted, wave


async def bench(args: argparse.Namespace) -> list[tuple[RateFigures, Submissions]]:
    created = await create_namespace(None, max_partitions=None)
    overrides = {
        "INTAKE_SUBMIT_RATE_LIMIT": UNLIMITED,
        "FEEDBACK_STREAM_RATE_LIMIT": UNLIMITED,
        "FEEDBACK_LOOKUP_RATE_LIMIT": UNLIMITED,
        "GRIEVANCE_LOG_LEVEL": "WARNING",
    }
    namespace = BenchNamespace(**{f.name: getattr(created, f.name) for f in fields(created)}, overrides=overrides)
    results: list[tuple[RateFigures, Submissions]] = []
    try:
        stack = await start_stack(namespace)
        citizens = Citizens(intake_url=stack.url("intake"), feedback_url=stack.url("feedback"), run=namespace.name)
        try:
            index = 0
            if args.warmup > 0:  # connections, caches and the consumers' first polls: not measured
                _, _, wave = await run_rate(citizens, stack, "10", _warmup_args(args), index)
                index += len(wave.journeys)
                print("(warm-up above: not part of the results)\n")
            for rate in args.rates:
                figures, submitted, wave = await run_rate(citizens, stack, rate, args, index)
                index += len(wave.journeys)
                results.append((figures, submitted))
                print()
                if figures.unsettled:
                    print(f"stopping: {figures.unsettled} grievances offered at {figures.label} not settled in time")
                    break
        finally:
            await citizens.close()
            await stack.stop()
    finally:
        await drop_namespace(namespace)
    return results


def _warmup_args(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "count": args.warmup, "duration": args.warmup / 10})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="50,200,500,max", help="grievances/s, comma-separated; 'max': closed loop")
    parser.add_argument("--duration", type=float, default=10, help="seconds of offering per rate")
    parser.add_argument("--count", type=int, default=0, help="grievances per rate instead of rate x duration")
    parser.add_argument("--max-submitters", type=int, default=32, help="closed loops of the 'max' probe")
    parser.add_argument("--warmup", type=int, default=20, help="grievances at 10/s first, not measured (0: none)")
    parser.add_argument("--rate-timeout", type=float, default=180, help="hard deadline per rate, seconds")
    parser.add_argument("--timeout", type=float, default=1800, help="hard deadline for the whole run, seconds")
    parser.add_argument("--plot", default=str(ROOT / "bench" / "out" / "pipeline.png"))
    args = parser.parse_args()
    args.rates = [r.strip() for r in args.rates.split(",") if r.strip()]
    for rate in args.rates:
        if rate != "max" and not (rate.replace(".", "", 1).isdigit() and float(rate) > 0):
            parser.error(f"--rates: {rate!r} is neither a positive number nor 'max'")

    began = time.monotonic()

    async def bounded() -> list[tuple[RateFigures, Submissions]]:
        async with asyncio.timeout(args.timeout):
            return await bench(args)

    results = asyncio.run(bounded())
    title = (
        "grievance pipeline, every service a process: latency against offered load\n"
        f"{os.cpu_count()} cores shared with Kafka, PostgreSQL and the load generator; {args.duration:.0f}s per rate"
    )
    print("== summary: " + title.replace("\n", "; "))
    header, *rows = summary_table([figures for figures, _ in results])
    print(f"{header} {'refused':>8} {'timed out':>9}")
    for row, (_, submitted) in zip(rows, results, strict=True):
        print(f"{row} {submitted.refused:>8} {submitted.timed_out:>9}")
    if results:
        plot([figures for figures, _ in results], Path(args.plot), title)
        print(f"plot: {args.plot}")
    print(f"total run time {time.monotonic() - began:.0f}s (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
