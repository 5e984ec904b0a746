"""One grievance through the whole platform, every service a real process on the real broker and
database: filed over HTTP, classified by the router, assigned by casework, seen by the lead
department on its Kafka topic with a plain Kafka client (kcat), handled through the department
API, and followed by the citizen on the SSE stream until the reply, then rated."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.support.kafka import kcat_args
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

GRIEVANCE = {
    "complainant": {"name": "周秀英", "mobile": "13923456789"},
    "address": {"street": "玉塘街道", "community": "田寮", "detail": "田寮社区文明路 18 号旁"},
    "title": "文明路路灯一个多月不亮",
    "content": "玉塘街道田寮社区文明路从18号到32号这一段的路灯已经一个多月不亮了，晚上黑漆漆的，"
    "老人小孩出门很危险，上周还有人骑电动车摔倒。打过几次电话说会来修，一直没人来，请尽快安排维修。",
    "desired_outcome": "尽快修好路灯",
}


class Timeline:
    """The citizen's SSE stream, read in the background like the portal page does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Condition()

    async def follow(self, client: httpx.AsyncClient, url: str) -> None:
        # Feedback knows a grievance once it consumed grievance.received: until then it holds the
        # request (FEEDBACK_SSE_HOLD_UNKNOWN_S), and after a longer wait (a stack still starting)
        # answers 404, and the client tries again.
        for _ in range(120):
            async with client.stream("GET", url, headers={"Accept": "text/event-stream"}, timeout=None) as response:
                if response.status_code == 404:
                    await asyncio.sleep(0.5)
                    continue
                assert response.status_code == 200, response.status_code
                await self._read(response)
                return

    async def _read(self, response: httpx.Response) -> None:
        data: list[str] = []
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                entry = json.loads("\n".join(data))
                data = []
                async with self.changed:
                    self.events.append(entry)
                    self.changed.notify_all()

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.events]

    async def wait_for(self, status: str, timeout: float = 60) -> dict[str, Any]:
        async def seen() -> dict[str, Any]:
            async with self.changed:
                await self.changed.wait_for(lambda: status in self.statuses())
                return next(e for e in self.events if e["status"] == status)

        try:
            return await asyncio.wait_for(seen(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {status!r} on the stream; got {self.statuses()}") from None


@pytest.fixture
async def citizen_stream(stack: Stack) -> AsyncIterator[tuple[dict[str, Any], Timeline]]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{stack.url('intake')}/v1/grievances", json=GRIEVANCE)
        assert response.status_code == 202, response.text
        filed = response.json()
        timeline = Timeline()
        url = f"{stack.url('feedback')}/v1/grievances/{filed['tracking_no']}/events?token={filed['tracking_token']}"
        task = asyncio.create_task(timeline.follow(client, url))
        try:
            yield filed, timeline
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def read_department_topic(stack: Stack, department: str) -> list[dict[str, Any]]:
    """What the department's own systems see: kcat, a plain Kafka client, from the beginning."""
    kcat = shutil.which("kcat")
    assert kcat, "kcat (Debian package) is installed by deploy/local/bootstrap.sh"
    topic = stack.namespace.topic(f"dept.{department}.cases.v1")
    output = subprocess.run(
        [kcat, *kcat_args(stack.namespace.bootstrap), "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


async def test_a_grievance_goes_from_the_portal_to_the_department_and_back(
    stack: Stack, citizen_stream: tuple[dict[str, Any], Timeline]
) -> None:
    filed, timeline = citizen_stream
    await timeline.wait_for("received")
    classified = await timeline.wait_for("classified")
    assigned = await timeline.wait_for("assigned")
    assert "信访" in classified["message_zh"] or "分派" in classified["message_zh"]
    grievance_id = filed["grievance_id"]

    # The lead department learns of the case on its own topic.
    async with httpx.AsyncClient(base_url=stack.url("casework"), timeout=30) as casework:
        supervisor = {"Authorization": f"Bearer {issue_token(ServiceSettings(), subject='sup', role=Role.supervisor)}"}
        case = (await casework.get(f"/v1/cases/{grievance_id}", headers=supervisor)).json()
        lead = case["lead"]["code"]
        records = read_department_topic(stack, lead)
        mine = [r for r in records if r["key"] == grievance_id]
        assert mine, f"nothing for {grievance_id} on dept.{lead}.cases.v1"
        headers = {name: value for name, value in zip(mine[0]["headers"][::2], mine[0]["headers"][1::2], strict=True)}
        assert headers["ce_subject"] == grievance_id
        notice = json.loads(mine[0]["payload"])
        assert "13923456789" not in mine[0]["payload"]  # departments never see raw contact data
        assert notice

        officer = {
            "Authorization": "Bearer "
            + issue_token(ServiceSettings(), subject="officer-e2e", role=Role.department_officer, department=lead)
        }
        for step, body in (("sign-for", None), ("accept", None), ("start", None)):
            answer = await casework.post(f"/v1/cases/{grievance_id}/{step}", headers=officer, json=body)
            assert answer.status_code == 200, f"{step}: {answer.text}"
        await timeline.wait_for("signed_for")
        accepted = await timeline.wait_for("accepted")
        assert accepted["documents"], "the 受理告知书 is linked from the status"
        # 多部门共调: every co-handling department (here at least the street office) gives its opinion.
        assert case["co"], "a local matter gets its street office as co-handler"
        for co in case["co"]:
            co_officer = {
                "Authorization": "Bearer "
                + issue_token(
                    ServiceSettings(),
                    subject=f"officer-{co['code']}",
                    role=Role.department_officer,
                    department=co["code"],
                )
            }
            opinion = await casework.post(
                f"/v1/cases/{grievance_id}/co-opinion",
                headers=co_officer,
                json={"opinion": "街道已安排社区网格员现场核实，配合维修。"},
            )
            assert opinion.status_code == 200, opinion.text
        reply = await casework.post(
            f"/v1/cases/{grievance_id}/reply",
            headers=officer,
            json={
                "decision": "support",
                "request_summary": "请求维修文明路路灯",
                "facts_and_reasons": "经现场核查，该路段路灯线路老化损坏属实，已于本周更换线路并恢复照明。",
                "basis": "《深圳市城市照明管理办法》",
            },
        )
        assert reply.status_code == 200, reply.text
    replied = await timeline.wait_for("replied")
    assert replied["documents"], "the 信访处理意见书 is linked from the status"

    async with httpx.AsyncClient(base_url=stack.url("feedback"), timeout=30) as feedback:
        rated = await feedback.post(
            f"/v1/grievances/{filed['tracking_no']}/rating",
            headers={"X-Tracking-Token": filed["tracking_token"]},
            json={"rating": "satisfied", "comment": "修好了，谢谢"},
        )
        assert rated.status_code == 201, rated.text
        assert rated.json()["reopen_requested"] is False
    await timeline.wait_for("closed", timeout=90)

    statuses = timeline.statuses()
    for earlier, later in [
        ("received", "classified"),
        ("classified", "assigned"),
        ("signed_for", "replied"),
        ("replied", "closed"),
    ]:
        assert statuses.index(earlier) < statuses.index(later), statuses
    sequence = [e["sequence"] for e in timeline.events]
    assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence), "no gaps or duplicates"
    assert assigned["actor"]
