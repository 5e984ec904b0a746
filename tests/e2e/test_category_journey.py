"""The taxonomy category end to end: a power cut in a residential compound is filed over HTTP,
routed with its area, category and model version on grievance.routed, handed to the lead
department whose own topic (read with kcat) carries the category, and named on the citizen's
timeline."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from services.router.classifier.taxonomy import load_taxonomy
from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.e2e.test_grievance_journey import Timeline, read_department_topic
from tests.support.kafka import kcat_args
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

POWER_CUT = {
    "complainant": {"name": "黄丽华", "mobile": "13712345678"},
    "address": {"street": "凤凰街道", "community": "塘家", "detail": "塘家社区某花园小区 3 栋"},
    "title": "小区停电三天没人管",
    "content": "凤凰街道塘家社区某花园小区从周一开始停电，已经三天了，物业说是供电线路故障，"
    "冰箱里的东西都坏了，老人孩子晚上没法休息，请尽快恢复供电。",
    "desired_outcome": "尽快恢复供电",
}
AREA = "城乡建设"


def read_topic(stack: Stack, name: str) -> list[dict[str, Any]]:
    """Payloads on a platform topic, read with kcat like any Kafka client would."""
    kcat = shutil.which("kcat")
    assert kcat, "kcat (Debian package) is installed by deploy/local/bootstrap.sh"
    output = subprocess.run(
        [kcat, *kcat_args(stack.namespace.bootstrap), "-C", "-t", stack.namespace.topic(name), "-o", "beginning", "-e",
         "-q", "-J"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    return [json.loads(line) for line in output.splitlines() if line.strip()]


async def _mine(read: Any, grievance_id: str, *, timeout: float = 30) -> list[dict[str, Any]]:
    """Records keyed by the grievance, once at least one arrived (the relays publish within seconds)."""
    for _ in range(int(timeout * 2)):
        records = [r for r in await asyncio.to_thread(read) if r["key"] == grievance_id]
        if records:
            return records
        await asyncio.sleep(0.5)
    raise AssertionError(f"no record for {grievance_id}")


async def test_the_category_travels_from_routing_to_the_department_and_the_citizen(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{stack.url('intake')}/v1/grievances", json=POWER_CUT)
        assert response.status_code == 202, response.text
        filed = response.json()
        grievance_id = filed["grievance_id"]
        timeline = Timeline()
        url = f"{stack.url('feedback')}/v1/grievances/{filed['tracking_no']}/events?token={filed['tracking_token']}"
        follower = asyncio.create_task(timeline.follow(client, url))
        try:
            classified = await timeline.wait_for("classified")
            await timeline.wait_for("assigned")
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)

    [routed] = [
        json.loads(r["payload"]) for r in await _mine(lambda: read_topic(stack, "grievance.routed.v1"), grievance_id)
    ]
    decision = routed["decision"]
    assert decision["area"] == AREA
    category = decision["category"]
    assert load_taxonomy().has_category(AREA, category), category
    assert decision["model_version"]

    # the citizen reads which kind of matter it was classified as
    assert f"已归类为：{AREA} / {category}" in classified["message_zh"]
    assert classified["detail"]["category"] == category

    # the lead department's own topic carries the category of every notice about the case
    lead = decision["departments"]["lead"]
    notices = [json.loads(r["payload"]) for r in await _mine(lambda: read_department_topic(stack, lead), grievance_id)]
    assert notices and all(n["category"] == category and n["area"] == AREA for n in notices)
    assert "13712345678" not in json.dumps(notices, ensure_ascii=False)

    async with httpx.AsyncClient(base_url=stack.url("casework"), timeout=30) as casework:
        supervisor = {"Authorization": f"Bearer {issue_token(ServiceSettings(), subject='sup', role=Role.supervisor)}"}
        case = (await casework.get(f"/v1/cases/{grievance_id}", headers=supervisor)).json()
    assert case["lead"]["code"] == lead
