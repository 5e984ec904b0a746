"""The annual report against the real services: the platform runs as processes on the real broker
and database, a few grievances are filed over HTTP, and the console (a process too) and its CLI
write the report from the services' statistics APIs; the counts in the files are the services'."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
from pypdf import PdfReader

from shared.auth import issue_token
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.support.console import console_env
from tests.support.namespace import Namespace
from tests.support.processes import ROOT, ServiceProcess, free_port
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow
STREETS = ("玉塘街道", "玉塘街道", "公明街道")


def grievance(i: int, street: str) -> dict[str, Any]:
    return {
        "complainant": {"name": f"测试{i}", "mobile": f"1392345{i:04d}"},
        "address": {"street": street, "community": "田寮", "detail": f"文明路 {18 + i} 号旁"},
        "title": "文明路路灯一个多月不亮",
        "content": "文明路从18号到32号这一段的路灯已经一个多月不亮了，晚上黑漆漆的，老人小孩出门很危险，"
        f"上周还有人骑电动车摔倒，请尽快安排维修。（第{i}户）",
        "desired_outcome": "尽快修好路灯",
    }


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    running = await start_stack(namespace)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="module")
async def console(namespace: Namespace, stack: Stack) -> AsyncIterator[ServiceProcess]:
    port = free_port()
    env = console_env(namespace, stack, CONSOLE_HTTP_PORT=str(port))
    process = ServiceProcess("console", "api", env, name=f"{namespace.name}-console", port=port).start()
    try:
        await process.wait_ready(timeout=60)
        yield process
    finally:
        await process.stop()


def token(role: Role, department: str | None = None) -> str:
    return issue_token(ServiceSettings(), subject=f"{role.value}-it", role=role, department=department)


async def get_json(client: httpx.AsyncClient, url: str, params: dict[str, str]) -> dict[str, Any]:
    response = await client.get(url, params=params, headers={"Authorization": f"Bearer {token(Role.supervisor)}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
async def filed(stack: Stack) -> dict[str, Any]:
    """File three grievances; the services' own answers once router and casework have them all,
    and the year they were filed in (taken when filing: a run may cross New Year's Eve)."""
    filed_in = datetime.now(CHINA_TZ).year
    year = {"since": f"{filed_in}-01-01", "until": f"{filed_in}-12-31"}
    async with httpx.AsyncClient(timeout=30) as client:
        for i, street in enumerate(STREETS):
            response = await client.post(f"{stack.url('intake')}/v1/grievances", json=grievance(i, street))
            assert response.status_code == 202, response.text
        deadline = asyncio.get_running_loop().time() + 90
        while True:
            routing = await get_json(client, f"{stack.url('router')}/v1/statistics/routing", year)
            handling = await get_json(client, f"{stack.url('casework')}/v1/statistics/handling", year)
            automatic = routing["first_decision"]["automatic"]
            if routing["received"] == len(STREETS) and handling["cases"] >= automatic - routing["by_track"].get(
                "mediation", 0
            ):
                return {"routing": routing, "handling": handling, "year": filed_in}
            assert asyncio.get_running_loop().time() < deadline, (routing, handling)
            await asyncio.sleep(1)


def compact(text: str) -> str:
    return "".join(text.split())


def assert_counts(text: str, figures: dict[str, Any]) -> None:
    text = compact(text)
    assert f"共登记信访事项{len(STREETS)}件" in text
    assert compact(f"{figures['year']}年度信访工作报告") in text
    for department in figures["handling"]["by_lead_department"]:
        assert f"{department['department']['name']}{department['cases']}" in text


async def test_api_report_counts_what_the_services_count(console: ServiceProcess, filed: dict[str, Any]) -> None:
    year = filed["year"]
    async with httpx.AsyncClient(timeout=120) as client:
        supervisor = {"Authorization": f"Bearer {token(Role.supervisor)}"}
        pdf = await client.get(f"{console.base_url}/v1/reports/annual/{year}.pdf", headers=supervisor)
        assert pdf.status_code == 200, pdf.text
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert_counts(text, filed)
        # by street: 玉塘街道 2 of 3
        assert "玉塘街道266.67%" in compact(text)
        assert filed["handling"]["cases"] >= 1  # the department figures above were not vacuous
        officer = {"Authorization": f"Bearer {token(Role.department_officer, 'housing')}"}
        refused = await client.get(f"{console.base_url}/v1/reports/annual/{year}.docx", headers=officer)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


async def test_handling_statistics_refuse_other_roles_and_reversed_windows(stack: Stack) -> None:
    url = f"{stack.url('casework')}/v1/statistics/handling"
    async with httpx.AsyncClient(timeout=30) as client:
        officer = {"Authorization": f"Bearer {token(Role.department_officer, 'housing')}"}
        refused = await client.get(url, headers=officer)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        supervisor = {"Authorization": f"Bearer {token(Role.supervisor)}"}
        reversed_window = await client.get(
            url, params={"since": "2026-12-31", "until": "2026-01-01"}, headers=supervisor
        )
        assert reversed_window.status_code == 422


async def test_cli_writes_both_files(namespace: Namespace, stack: Stack, filed: dict[str, Any], tmp_path: Path) -> None:
    env, year = console_env(namespace, stack), filed["year"]
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.console.reports", "--year", str(year), "--out", str(tmp_path)],
        cwd=ROOT,
        env={**env, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"annual-report-{year}.docx", f"annual-report-{year}.pdf"]
    document = docx.Document(str(tmp_path / f"annual-report-{year}.docx"))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert_counts("\n".join([p.text for p in document.paragraphs] + cells), filed)
