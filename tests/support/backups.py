"""Run deploy/local/backup.sh and restore.sh, read their manifests, count rows, and make a fresh
PostgreSQL cluster to restore into (the restore drill and the scripts' own tests)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from tests.support.failure_infra import PrivatePostgres
from tests.support.processes import ARTIFACTS, ROOT, free_port

LOCAL = ROOT / "deploy" / "local"
# Every table of every non-system schema, as the scripts' manifests count them.
TABLES_SQL = """
SELECT n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
"""


@dataclass(frozen=True)
class ScriptRun:
    returncode: int
    stdout: str
    stderr: str


async def run_script(script: str, *args: str, timeout: float = 300) -> ScriptRun:
    """``deploy/local/<script> ARGS`` with the caller's environment; never raises on failure."""
    process = await asyncio.create_subprocess_exec(
        str(LOCAL / script),
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return ScriptRun(process.returncode, out.decode(), err.decode())


def manifest_of(dump: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        dump.with_name(dump.name.removesuffix(".dump") + ".manifest.json").read_text()
    )
    return manifest


def libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def table_counts(url: str) -> dict[str, int]:
    """Rows per table (``schema.table``) of every non-system schema, counted independently of the scripts."""
    conn = await asyncpg.connect(libpq(url))
    try:
        names = sorted(row[0] for row in await conn.fetch(TABLES_SQL))
        counts: dict[str, int] = {}
        for name in names:
            schema, table = name.split(".", 1)
            # names from pg_catalog, quoted
            counts[name] = await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608
        return counts
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_cluster() -> AsyncIterator[PrivatePostgres]:
    """A new PostgreSQL cluster (initdb by deploy/local/postgres.sh on a free port, data in a
    temporary directory the postgres user can reach when we are root); always stopped and removed."""
    ARTIFACTS.mkdir(exist_ok=True)
    parent = Path(tempfile.mkdtemp(prefix="grievance-restore-pg-", dir="/var/tmp"))
    parent.chmod(0o755)
    cluster = PrivatePostgres(parent / "data", free_port())
    try:
        await cluster.start()
        yield cluster
    finally:
        try:
            await cluster.stop()
        finally:
            shutil.rmtree(parent, ignore_errors=True)


def scratch_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o700)  # dumps hold personal data
    return path
