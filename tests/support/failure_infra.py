"""A private Kafka broker and PostgreSQL cluster that failure tests may kill.

The shared broker and database serve everyone's tests, so a test that kills infrastructure starts
its own pair with the project's scripts (deploy/local/kafka.sh and postgres.sh) on free ports and
in temporary directories, kills them for real (SIGKILL of the broker's JVM; an immediate shutdown
of PostgreSQL, which is what a crash looks like to the clients), restarts them with the same
scripts and always stops them at the end. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import ARTIFACTS, ROOT, free_port

LOCAL = ROOT / "deploy" / "local"
IS_ROOT = os.geteuid() == 0


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (nobody may reap a daemon whose parent exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


async def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            raise TimeoutError(f"pid {pid} still alive after {timeout}s")
        await asyncio.sleep(0.05)


async def _script(script: str, command: str, env: dict[str, str], log: Path, timeout: float) -> str:
    """Run ``deploy/local/<script> <command>``; its stdout (an address or URL) is returned."""
    with log.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            str(LOCAL / script),
            command,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    if process.returncode != 0:
        raise RuntimeError(f"{script} {command} exited with {process.returncode}; see {log}")
    return out.decode().strip()


@dataclass
class PrivateKafka:
    """A single-node KRaft broker of our own (small heap: it only carries test traffic)."""

    state_dir: Path
    port: int
    controller_port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return ARTIFACTS / f"private-kafka-{self.port}.log"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "GRIEVANCE_STATE_DIR": str(self.state_dir),
            "KAFKA_STATE_DIR": str(self.state_dir / "kafka"),
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_HEAP_OPTS": "-Xms256m -Xmx768m",
            # The same admin password as the test run's, so its clients can log in here too.
            "KAFKA_ADMIN_PASSWORD": os.environ.get("GRIEVANCE_KAFKA_SASL_PASSWORD", ""),
        }

    def pid(self) -> int:
        return int((self.state_dir / "kafka" / "kafka.pid").read_text().strip())

    async def start(self) -> None:
        await _script("kafka.sh", "start", self._env(), self.log, timeout=300)  # may fetch jars once

    async def kill(self) -> None:
        """SIGKILL the broker's JVM: no controlled shutdown, no flush, no goodbye to clients."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        await _wait_gone(pid, 15)

    async def stop(self) -> None:
        await _script("kafka.sh", "stop", self._env(), self.log, timeout=90)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own; as root it runs as the postgres user with its data under
    /var/tmp (deploy/local/README.md), so the directory must be traversable by that user."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://grievance:grievance@127.0.0.1:{self.port}/grievance"

    @property
    def log(self) -> Path:
        return ARTIFACTS / f"private-postgres-{self.port}.log"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(PG_PORT=str(self.port), GRIEVANCE_PG_DATA=str(self.data_dir))
        return env

    def postmaster_pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])

    async def start(self) -> None:
        await _script("postgres.sh", "start", self._env(), self.log, timeout=120)

    async def kill(self) -> None:
        """``pg_ctl stop -m immediate`` as the cluster owner: every backend is gone at once, no
        checkpoint; the next start runs crash recovery."""
        pid = self.postmaster_pid()
        pg_ctl = Path(os.readlink(f"/proc/{pid}/exe")).with_name("pg_ctl")
        command = [str(pg_ctl), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
        if IS_ROOT:
            command = ["runuser", "-u", "postgres", "--", *command]
        with self.log.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                *command, cwd="/", stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
            )
            assert await asyncio.wait_for(process.wait(), 30) == 0, f"pg_ctl stop -m immediate failed; see {self.log}"
        await _wait_gone(pid, 15)

    async def stop(self) -> None:
        await _script("postgres.sh", "stop", self._env(), self.log, timeout=90)


@dataclass
class PrivateInfrastructure:
    kafka: PrivateKafka
    postgres: PrivatePostgres

    async def ensure_running(self) -> None:
        """Start whatever a failed scenario left dead (both scripts are idempotent)."""
        await asyncio.gather(self.kafka.start(), self.postgres.start())


def _free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@contextlib.asynccontextmanager
async def private_infrastructure() -> AsyncIterator[PrivateInfrastructure]:
    """Start a private broker and database, yield them, and always stop them and remove their data."""
    ARTIFACTS.mkdir(exist_ok=True)
    kafka_port, controller_port, pg_port = _free_ports(3)
    kafka_dir = Path(tempfile.mkdtemp(prefix="grievance-crash-kafka-"))
    # /var/tmp: the postgres user must be able to reach the data dir when we run as root.
    pg_parent = Path(tempfile.mkdtemp(prefix="grievance-crash-pg-", dir="/var/tmp"))
    pg_parent.chmod(0o755)
    infra = PrivateInfrastructure(
        kafka=PrivateKafka(kafka_dir, kafka_port, controller_port),
        postgres=PrivatePostgres(pg_parent / "data", pg_port),
    )
    try:
        # Both finish (or fail) before anything is stopped, so nothing is left starting behind us.
        started = await asyncio.gather(infra.kafka.start(), infra.postgres.start(), return_exceptions=True)
        for result in started:
            if isinstance(result, BaseException):
                raise result
        yield infra
    finally:
        stopped = await asyncio.gather(infra.kafka.stop(), infra.postgres.stop(), return_exceptions=True)
        shutil.rmtree(kafka_dir, ignore_errors=True)
        shutil.rmtree(pg_parent, ignore_errors=True)
        for result in stopped:
            if isinstance(result, BaseException):
                raise result
