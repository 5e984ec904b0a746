"""Process runtime: the infrastructure a service holds, and running its parts until SIGTERM.

A service process is one or more parts (the HTTP API, Kafka consumers, the outbox relay, a
scheduler). ``run_parts`` runs them on one event loop, stops them all on SIGTERM/SIGINT or when
one of them fails, and exits non-zero on failure so the supervisor restarts the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import signal
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import uvicorn
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db.base import create_engine, make_session_factory
from shared.db.uow import SchemaTables, UnitOfWork, UnitOfWorkFactory, uow_factory
from shared.kafka.producer import create_producer
from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.web import Readiness

log = get_logger(__name__)


class Part(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> Any: ...


@dataclass
class Infrastructure:
    """Engine, sessions, producer and unit-of-work factory of one service; built, never imported."""

    settings: ServiceSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    tables: SchemaTables
    uow: UnitOfWorkFactory
    # Units of work for reads only, each statement in autocommit: a read that needs no common
    # snapshot of several statements (READ COMMITTED gives none anyway) saves BEGIN and ROLLBACK.
    reads: UnitOfWorkFactory
    # aiokafka binds to the running loop, so the producer is made in start(), not at build time.
    _producer: AIOKafkaProducer | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, settings: ServiceSettings, tables: SchemaTables, unit_of_work: type[UnitOfWork] = UnitOfWork
    ) -> Infrastructure:
        """``unit_of_work``: the service's UnitOfWork subclass, which carries its repositories."""
        engine = create_engine(settings)
        sessions = make_session_factory(engine)
        source = f"/grievance-platform/{settings.service_name}"
        return cls(
            settings=settings,
            engine=engine,
            session_factory=sessions,
            tables=tables,
            uow=uow_factory(sessions, tables, source=source, kind=unit_of_work),
            reads=uow_factory(
                make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT")),
                tables,
                source=source,
                kind=unit_of_work,
                reads_only=True,
            ),
        )

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("Infrastructure.start() has not run")
        return self._producer

    async def start(self) -> None:
        if self._producer is None:
            producer = create_producer(self.settings)
            await producer.start()
            self._producer = producer

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        await self.engine.dispose()

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_kafka(self) -> None:
        if not await self.producer.client.fetch_all_metadata():
            raise ConnectionError("no Kafka metadata")

    def readiness(self) -> Readiness:
        readiness = Readiness()
        readiness.add("database", self.check_database)
        readiness.add("kafka", self.check_kafka)
        return readiness


class _ServerWithoutSignals(uvicorn.Server):
    """run_parts handles SIGTERM/SIGINT for every part at once; uvicorn must not re-raise them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ApiServer:
    """uvicorn as a part, so the API can share a process with consumers (``all`` mode)."""

    def __init__(self, app: Any, *, host: str, port: int) -> None:
        # uvicorn's own proxy-header handling trusts 127.0.0.1 (or FORWARDED_ALLOW_IPS) and would
        # rewrite the peer before we see it: the peer stays the socket's, and shared.client_address
        # reads X-Forwarded-For only from GRIEVANCE_TRUSTED_PROXIES.
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, lifespan="on", proxy_headers=False, timeout_graceful_shutdown=10
        )
        self._server = _ServerWithoutSignals(config)

    async def run(self) -> None:
        await self._server.serve()
        if not self._server.started:
            raise RuntimeError("HTTP server failed to start (port in use?)")

    def stop(self) -> None:
        self._server.should_exit = True


async def run_parts(parts: Sequence[Part], *, on_exit: Callable[[], Awaitable[None]] | None = None) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    tasks = [asyncio.create_task(part.run(), name=type(part).__name__) for part in parts]
    waiter = asyncio.create_task(stopping.wait())
    failure: BaseException | None = None
    try:
        # A part that returns normally (nothing to do in this deployment) leaves the others running;
        # a part that fails, or a signal, stops them all.
        running: set[asyncio.Task[None]] = set(tasks)
        while running and failure is None and not stopping.is_set():
            done, _ = await asyncio.wait([*running, waiter], return_when=asyncio.FIRST_COMPLETED)
            for task in done - {waiter}:
                running.discard(task)
                if task.exception() is not None:
                    failure = task.exception()
                    log.error("part failed, stopping the process", part=task.get_name(), error=repr(failure))
        for part in parts:
            result = part.stop()
            if inspect.isawaitable(result):
                await result
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
        failure = failure or next(
            (r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)), None
        )
    finally:
        waiter.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if on_exit is not None:
            await on_exit()
    if failure is not None:
        raise SystemExit(1)


class OutboxRelayPart:
    """The outbox relay of one schema as a process part, with its own engine and producer."""

    def __init__(self, settings: ServiceSettings, tables: SchemaTables) -> None:
        self._settings = settings
        self._infra = Infrastructure.build(settings, tables)
        self._relay: Any = None

    async def run(self) -> None:
        from shared.db.relay import OutboxRelay

        await self._infra.start()
        try:
            self._relay = OutboxRelay(
                settings=self._settings,
                engine=self._infra.engine,
                table=self._infra.tables.outbox,
                producer=self._infra.producer,
            )
            await self._relay.run()
        finally:
            await self._infra.close()

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.stop()


class ConsumerPart:
    """A consumer group as a process part: ``handlers`` maps CloudEvents types to use cases;
    ``prepare`` (optional) does a poll batch's CPU work at once (shared.kafka.consumer), ``warm``
    (optional) the next batch's while this one commits (shared.kafka.lookahead)."""

    def __init__(
        self,
        infra: Infrastructure,
        *,
        group_id: str,
        topics: Sequence[str],
        handlers: Any,
        auto_offset_reset: str = "earliest",
        prepare: Any = None,
        warm: Any = None,
    ) -> None:
        self._infra = infra
        self._group_id = group_id
        self._topics = topics
        self._handlers = handlers
        self._auto_offset_reset = auto_offset_reset
        self._prepare = prepare
        self._warm = warm
        self._consumer: Any = None
        self._stopped = False

    async def run(self) -> None:
        from shared.kafka.consumer import EventConsumer

        await self._infra.start()
        self._consumer = EventConsumer(
            settings=self._infra.settings,
            group_id=self._group_id,
            topics=self._topics,
            handlers=self._handlers,
            uow_factory=self._infra.uow,
            producer=self._infra.producer,
            auto_offset_reset=self._auto_offset_reset,
            prepare=self._prepare,
            warm=self._warm,
        )
        try:
            if not self._stopped:
                await self._consumer.run()
        finally:
            # Closing twice is harmless, so parts sharing this infrastructure may close it too.
            await self._infra.close()

    async def stop(self) -> None:
        self._stopped = True
        if self._consumer is not None:
            await self._consumer.stop()


def metrics_app() -> Any:
    """/metrics and /healthz for a process without an API, so Prometheus sees its lag and backlog."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from shared.metrics import metrics_endpoint

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/metrics", metrics_endpoint), Route("/healthz", healthz)])


def with_metrics_server(parts: list[Part], mode: str, settings: ServiceSettings) -> list[Part]:
    """Add a metrics server to a worker or relay process when ``metrics_port`` is set.

    An API process (``api``, ``all``) already serves /metrics, and so does a part list that holds
    an HTTP server of its own (the router's worker status app).
    """
    if settings.metrics_port is None or mode in ("api", "all") or any(isinstance(p, ApiServer) for p in parts):
        return parts
    return [*parts, ApiServer(metrics_app(), host=settings.http_host, port=settings.metrics_port)]


# Allocations between two collections of the youngest generation (Python's default is 700).
GC_YOUNG_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Once the service is built: what it loaded to start (a model, catalogues, its app) lives as
    long as the process, so it is left out of the cycle collector's full collections, which would
    scan it every time (30 ms for the router's classifier). And a young generation larger than the
    default: a worker allocates 700 objects in a fraction of a batch, so collections ran thousands
    of times a minute (bench/router_throughput.py: the router spent 2.0 s of 16 in them, 0.7 s
    with both)."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def service_main(
    prog: str, settings_cls: type[ServiceSettings], build_parts: Callable[[str, Any], list[Part]], modes: Sequence[str]
) -> None:
    """``python -m services.<name> <mode>``: build the settings, configure logs, run the parts."""
    import argparse

    from shared.logging import configure_logging

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("mode", choices=[*modes], nargs="?", default="all")
    args = parser.parse_args()
    settings = settings_cls()
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)
    parts = with_metrics_server(build_parts(args.mode, settings), args.mode, settings)
    tune_garbage_collector()
    with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
        runner.run(run_parts(parts))


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (it comes with uvicorn[standard]): faster sockets for asyncpg and HTTP."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
