"""The restore drill: the platform runs, a dump is taken with deploy/local/backup.sh while it does,
the dump is restored into a fresh PostgreSQL cluster with restore.sh, every table's row count is
compared, and the platform started on the restored database (same Kafka namespace) still serves
the earlier grievance by its tracking token and takes a new one through to "assigned"."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from tests.support.backups import fresh_cluster, libpq, manifest_of, run_script, scratch_dir, table_counts
from tests.support.namespace import Namespace
from tests.support.stack import Stack, available_services, start_stack

pytestmark = pytest.mark.slow

STREETLIGHT = {
    "complainant": {"name": "周秀英", "mobile": "13923456789"},
    "address": {"street": "玉塘街道", "community": "田寮", "detail": "田寮社区文明路 18 号旁"},
    "title": "文明路路灯一个多月不亮",
    "content": "玉塘街道田寮社区文明路从18号到32号这一段的路灯已经一个多月不亮了，晚上黑漆漆的，"
    "老人小孩出门很危险，上周还有人骑电动车摔倒。打过几次电话说会来修，一直没人来，请尽快安排维修。",
    "desired_outcome": "尽快修好路灯",
}
DISPUTE = {
    "complainant": {"name": "陈丽娟", "mobile": "13812345678"},
    "address": {"street": "玉塘街道", "community": "田寮", "detail": "田寮社区新村 3 栋 502"},
    "title": "楼上漏水不肯赔",
    "content": "楼上602装修把防水层弄坏了，我家天花板天天滴水，墙皮都掉了。跟楼上邻居商量赔偿，"
    "他不肯出钱也不让物业进门查看，我不想打官司，希望社区帮忙调解一下。",
    "desired_outcome": "邻居修好防水并赔偿维修费",
}
DRAINAGE = {
    "complainant": {"name": "黄志明", "mobile": "13700001111"},
    "address": {"street": "公明街道", "community": "上村", "detail": "上村社区莲塘路 6 号"},
    "title": "莲塘路一下雨就积水",
    "content": "上村社区莲塘路一下雨就积水到小腿，排水井堵了两个多月，市政一直没人来疏通，孩子上学只能绕路。",
    "desired_outcome": "尽快疏通排水井",
}
# Far enough that routing, the hand-off and the citizen's timeline are all stored.
HANDED_OVER = {"assigned", "transferred_legal", "under_review", "mediation_opened"}


async def statuses(client: httpx.AsyncClient, stack: Stack, filed: dict[str, Any]) -> list[str]:
    response = await client.get(
        f"{stack.url('feedback')}/v1/grievances/{filed['tracking_no']}/timeline",
        headers={"X-Tracking-Token": filed["tracking_token"]},
    )
    return [entry["status"] for entry in response.json()["entries"]] if response.status_code == 200 else []


async def wait_for(
    client: httpx.AsyncClient, stack: Stack, filed: dict[str, Any], wanted: set[str], timeout: float = 120
) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    seen: list[str] = []
    while asyncio.get_running_loop().time() < deadline:
        seen = await statuses(client, stack, filed)
        if wanted & set(seen):
            return seen
        await asyncio.sleep(0.5)
    raise AssertionError(f"none of {sorted(wanted)} on {filed['tracking_no']}'s timeline; got {seen}")


async def file(client: httpx.AsyncClient, stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"{stack.url('intake')}/v1/grievances", json=body)
    assert response.status_code == 202, response.text
    filed: dict[str, Any] = response.json()
    return filed


async def wait_until_outboxes_drained(namespace: Namespace, timeout: float = 60) -> None:
    """Quiet: no outbox holds an unpublished row for two seconds, so the consumers' committed
    offsets on Kafka are not ahead of what the dump will hold."""
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        quiet_since: float | None = None
        while True:
            pending = 0
            for service in available_services():
                pending += await conn.fetchval(
                    f'SELECT count(*) FROM "{service}".outbox WHERE published_at IS NULL'  # noqa: S608
                )
            now = asyncio.get_running_loop().time()
            if pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 2:
                return
            assert now < deadline, f"{pending} outbox rows still unpublished"
            await asyncio.sleep(0.25)
    finally:
        await conn.close()


def rows_per_schema(tables: dict[str, int]) -> dict[str, int]:
    """Rows outside the Alembic version tables, per schema."""
    totals: dict[str, int] = {}
    for name, rows in tables.items():
        schema, table = name.split(".", 1)
        if table != "alembic_version":
            totals[schema] = totals.get(schema, 0) + rows
    return totals


async def test_a_dump_restored_into_a_fresh_cluster_runs_the_platform(namespace: Namespace) -> None:
    backups = scratch_dir("grievance-drill-")
    try:
        stack = await start_stack(namespace)
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                earlier = await file(client, stack, STREETLIGHT)
                dispute = await file(client, stack, DISPUTE)
                assert "assigned" in await wait_for(client, stack, earlier, {"assigned"})
                assert "mediation_opened" in await wait_for(client, stack, dispute, {"mediation_opened"})
            await wait_until_outboxes_drained(namespace)
            # Taken while every service is running: the script reads one snapshot.
            made = await run_script("backup.sh", "--url", namespace.database_url, "--dir", str(backups), "--keep", "0")
            assert made.returncode == 0, made.stderr
        finally:
            await stack.stop()
        dump = Path(made.stdout.strip())
        manifest = manifest_of(dump)
        populated = rows_per_schema(manifest["tables"])
        for service in available_services():
            assert populated.get(service, 0) > 0, f"the journey left schema {service} empty: {populated}"

        async with fresh_cluster() as cluster:
            restored = await run_script("restore.sh", str(dump), cluster.url)
            assert restored.returncode == 0, restored.stderr
            counts = await table_counts(cluster.url)
            assert counts == manifest["tables"], "row counts per table differ after the restore"
            await _platform_runs_on(dataclasses.replace(namespace, database_url=cluster.url), earlier)
    finally:
        shutil.rmtree(backups, ignore_errors=True)


async def _platform_runs_on(restored: Namespace, earlier: dict[str, Any]) -> None:
    conn = await asyncpg.connect(libpq(restored.database_url))
    try:
        server_port = await conn.fetchval("SELECT current_setting('port')")
    finally:
        await conn.close()
    assert f":{server_port}/" in restored.database_url, "the services must use the fresh cluster"

    stack = await start_stack(restored)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            # The earlier grievance, as the citizen reads it with the tracking token from the receipt.
            read = await client.get(
                f"{stack.url('intake')}/v1/grievances/{earlier['tracking_no']}",
                headers={"X-Tracking-Token": earlier["tracking_token"]},
            )
            assert read.status_code == 200, read.text
            assert read.json()["title"] == STREETLIGHT["title"]
            wrong = await client.get(
                f"{stack.url('intake')}/v1/grievances/{earlier['tracking_no']}",
                headers={"X-Tracking-Token": "not-the-token"},
            )
            assert wrong.status_code == 404, "the restored token hashes still protect the record"
            assert "assigned" in await statuses(client, stack, earlier)

            # A new grievance goes all the way to its department on the restored database.
            new = await file(client, stack, DRAINAGE)
            assert new["tracking_no"] != earlier["tracking_no"]
            assert "assigned" in await wait_for(client, stack, new, {"assigned"})
    finally:
        await stack.stop()
    # The new grievance was stored in the restored cluster, not the original database.
    conn = await asyncpg.connect(libpq(restored.database_url))
    try:
        stored = await conn.fetchval("SELECT count(*) FROM intake.grievance")
    finally:
        await conn.close()
    assert stored == 3, json.dumps({"intake.grievance": stored})
