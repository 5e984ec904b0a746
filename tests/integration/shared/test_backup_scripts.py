"""deploy/local/backup.sh and restore.sh on the real PostgreSQL server: a dump of every schema with
a checksum and a manifest, a verified restore, and the refusals that keep a restore from doing
harm (a damaged dump, a target that already holds the schemas, a database that differs)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url

from services.migrate import services_with_migrations
from tests.support.backups import libpq, manifest_of, run_script, scratch_dir, table_counts
from tests.support.namespace import Namespace


@pytest.fixture
async def backup_dir() -> AsyncIterator[Path]:
    """A directory per test: dumps are named to the second, and backup.sh refuses to overwrite
    one, so two tests backing up into one directory within a second collided."""
    path = scratch_dir("grievance-backup-test-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def target_url(namespace: Namespace) -> AsyncIterator[str]:
    """A database name on the same server that does not exist yet; dropped afterwards."""
    name = f"{namespace.name}r{uuid.uuid4().hex[:6]}"
    yield make_url(namespace.database_url).set(database=name).render_as_string(hide_password=False)
    conn = await asyncpg.connect(libpq(namespace.base_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def seed(namespace: Namespace, rows: int) -> None:
    """A schema of the operators' own: the dump takes every schema, not a fixed list."""
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        await conn.execute(
            "CREATE SCHEMA IF NOT EXISTS drill; CREATE TABLE IF NOT EXISTS drill.note (id serial, t text)"
        )
        await conn.executemany("INSERT INTO drill.note (t) VALUES ($1)", [(f"行 {i}",) for i in range(rows)])
    finally:
        await conn.close()


async def test_a_dump_restores_into_a_new_database_with_every_count_checked(
    namespace: Namespace, backup_dir: Path, target_url: str
) -> None:
    await seed(namespace, 3)
    made = await run_script("backup.sh", "--url", namespace.database_url, "--dir", str(backup_dir), "--keep", "0")
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip())
    assert dump.parent == backup_dir and dump.name.startswith(f"{namespace.name}-") and dump.suffix == ".dump"
    assert Path(f"{dump}.sha256").read_text().split() == [
        hashlib.sha256(dump.read_bytes()).hexdigest(),
        dump.name,
    ]
    manifest = manifest_of(dump)
    assert set(services_with_migrations()) | {"drill"} <= set(manifest["schemas"])
    assert set(manifest["alembic"]) == set(services_with_migrations())
    assert all(heads for heads in manifest["alembic"].values())
    assert manifest["tables"]["drill.note"] == 3
    assert manifest["tables"] == await table_counts(namespace.database_url)

    restored = await run_script("restore.sh", str(dump), target_url, "--create")
    assert restored.returncode == 0, restored.stderr
    assert "restored and verified" in restored.stderr
    assert await table_counts(target_url) == manifest["tables"]
    conn = await asyncpg.connect(libpq(target_url))
    try:
        assert await conn.fetchval("SELECT t FROM drill.note ORDER BY id LIMIT 1") == "行 0"
        # Sequences come back where they were: the next id follows the restored rows.
        assert await conn.fetchval("INSERT INTO drill.note (t) VALUES ('x') RETURNING id") == 4
    finally:
        await conn.close()

    # The same dump again over the restored data is refused and changes nothing.
    again = await run_script("restore.sh", str(dump), target_url)
    assert again.returncode == 1
    assert "already has schema(s)" in again.stderr
    assert (await table_counts(target_url))["drill.note"] == 4

    # The verification names the table that differs from the manifest.
    differs = await run_script("restore.sh", str(dump), target_url, "--verify-only")
    assert differs.returncode == 1
    assert "drill.note\t3\t4" in differs.stderr


async def test_a_damaged_dump_is_refused_before_anything_is_created(
    namespace: Namespace, backup_dir: Path, target_url: str
) -> None:
    made = await run_script("backup.sh", "--url", namespace.database_url, "--dir", str(backup_dir), "--keep", "0")
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip())
    damaged_dir = scratch_dir("grievance-backup-damaged-")
    try:
        for suffix in (".dump", ".dump.sha256", ".manifest.json"):
            source = dump.with_name(dump.name.removesuffix(".dump") + suffix)
            shutil.copy(source, damaged_dir / source.name)
        damaged = damaged_dir / dump.name
        data = bytearray(damaged.read_bytes())
        data[len(data) // 2] ^= 0xFF
        damaged.write_bytes(bytes(data))
        refused = await run_script("restore.sh", str(damaged), target_url, "--create")
    finally:
        shutil.rmtree(damaged_dir, ignore_errors=True)
    assert refused.returncode == 1
    assert "checksum mismatch" in refused.stderr
    conn = await asyncpg.connect(libpq(namespace.base_url))
    try:
        name = make_url(target_url).database
        assert await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name) == 0
    finally:
        await conn.close()


async def test_only_the_newest_dumps_are_kept(namespace: Namespace) -> None:
    directory = scratch_dir("grievance-backup-keep-")
    try:
        made = []
        for _ in range(3):
            run = await run_script("backup.sh", "--url", namespace.database_url, "--dir", str(directory), "--keep", "2")
            assert run.returncode == 0, run.stderr
            made.append(Path(run.stdout.strip()).name)
            await asyncio.sleep(1.1)  # the names carry the time to the second
        left = sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))
        kept = made[1:]
        assert left == sorted(
            [name for stem in kept for name in (stem, f"{stem}.sha256", stem.removesuffix(".dump") + ".manifest.json")]
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def test_bad_arguments_are_refused() -> None:
    assert (await run_script("backup.sh", "--keep", "many")).returncode == 1
    missing = await run_script("restore.sh", "/nonexistent/grievance-20260101T000000Z.dump", "postgresql://x@h/db")
    assert missing.returncode == 1 and "no dump at" in missing.stderr
    usage = await run_script("restore.sh")
    assert usage.returncode == 2
