"""Personal numbers a citizen types into free text never leave intake raw (DESIGN §6, PIPL art. 6).

Two grievances with an ID-card number, mobile numbers, a bank card and an e-mail address in every
free-text field go through the whole platform (a petition to a department, a dispute to
mediation). Afterwards every record on every topic of the namespace, every row of every service
table outside intake, and every line the five processes logged are searched for the raw values.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from tests.support.kafka import kcat_args
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

ID_CARD = "11010519491231002X"
MOBILE_IN_TEXT = "15012345678"
MOBILE_SPACED = "150 1234 5678"
OTHER_MOBILE = "13712345678"
BANK_CARD = "6222021234567890128"
EMAIL = "zhangsan.petition@example.com"
FORM_MOBILE = "13923456789"

# Every way a raw value could appear: as typed and as bare digits.
RAW_VALUES = (ID_CARD, ID_CARD.lower(), MOBILE_IN_TEXT, OTHER_MOBILE, BANK_CARD, EMAIL, FORM_MOBILE)
SPACED_MOBILE = re.compile(r"150\D{0,3}1234\D{0,3}5678")

PETITION = {
    "complainant": {"name": "黄志明", "mobile": FORM_MOBILE},
    "address": {
        "street": "公明街道",
        "community": "上村",
        "detail": f"上村社区莲塘路 6 号，到了打 {OTHER_MOBILE}",
    },
    "title": f"莲塘路积水请回电{MOBILE_IN_TEXT}",
    "content": (
        f"我叫黄志明，身份证号是{ID_CARD}，手机{MOBILE_IN_TEXT}，也可以打{MOBILE_SPACED}。"
        "上村社区莲塘路一下雨就积水到小腿，排水井堵了两个多月，市政一直没人来疏通，"
        f"孩子上学只能绕路。需要材料可以发邮件到{EMAIL}。"
    ),
    "respondent": f"莲塘路排水养护单位（联系人电话{OTHER_MOBILE}）",
    "desired_outcome": f"尽快疏通排水井，有补助请打到我的银行卡{BANK_CARD}",
}

DISPUTE = {
    "complainant": {"name": "陈丽娟", "mobile": FORM_MOBILE},
    "address": {"street": "玉塘街道", "community": "田寮", "detail": "田寮社区新村 3 栋 502"},
    "title": "楼上漏水不肯赔",
    "content": (
        f"楼上602装修把防水层弄坏了，我家天花板天天滴水，墙皮都掉了。我身份证{ID_CARD}，"
        f"电话{MOBILE_IN_TEXT}，邮箱{EMAIL}。跟楼上邻居商量赔偿，他不肯出钱也不让物业进门查看，"
        "我不想打官司，希望社区帮忙调解一下。"
    ),
    "respondent": f"楼上602住户，手机{OTHER_MOBILE}",
    "desired_outcome": f"邻居修好防水并赔偿维修费，钱打到{BANK_CARD}",
}


async def timeline_statuses(client: httpx.AsyncClient, feedback: str, filed: dict[str, Any]) -> list[str]:
    response = await client.get(
        f"{feedback}/v1/grievances/{filed['tracking_no']}/timeline",
        headers={"X-Tracking-Token": filed["tracking_token"]},
    )
    if response.status_code != 200:
        return []
    return [entry["status"] for entry in response.json()["entries"]]


async def wait_for_any(
    client: httpx.AsyncClient, feedback: str, filed: dict[str, Any], wanted: set[str], timeout: float = 90
) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    statuses: list[str] = []
    while asyncio.get_running_loop().time() < deadline:
        statuses = await timeline_statuses(client, feedback, filed)
        if wanted & set(statuses):
            return statuses
        await asyncio.sleep(0.5)
    raise AssertionError(f"none of {sorted(wanted)} on {filed['tracking_no']}'s timeline; got {statuses}")


def every_topic_record(stack: Stack) -> str:
    """All records (key, headers, value) of every topic of the namespace, read with kcat."""
    kcat = shutil.which("kcat")
    assert kcat, "kcat (Debian package) is installed by deploy/local/bootstrap.sh"
    listing = subprocess.run(
        [kcat, *kcat_args(stack.namespace.bootstrap), "-L", "-J"], capture_output=True, text=True, timeout=60,
        check=True,
    ).stdout  # fmt: skip
    topics = [t["topic"] for t in json.loads(listing)["topics"] if t["topic"].startswith(stack.namespace.topic_prefix)]
    assert len(topics) > 10, topics
    dumps = []
    read = [kcat, *kcat_args(stack.namespace.bootstrap), "-C", "-o", "beginning", "-e", "-q", "-f", "%k %h %s\n"]
    for topic in topics:
        dumps.append(
            subprocess.run(
                [*read, "-t", topic],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )
    return "\n".join(dumps)


async def every_row_outside_intake(stack: Stack) -> tuple[str, int]:
    conn = await asyncpg.connect(stack.namespace.asyncpg_dsn)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('intake', 'pg_catalog', 'information_schema')"
        )
        rows: list[str] = []
        for table in tables:
            # Identifiers come from information_schema, quoted: no outside input reaches the query.
            query = f'SELECT t::text AS row FROM "{table["table_schema"]}"."{table["table_name"]}" t'  # noqa: S608
            rows.extend(record["row"] for record in await conn.fetch(query))
        return "\n".join(rows), len(tables)
    finally:
        await conn.close()


def raw_values_in(text: str) -> list[str]:
    found = [value for value in RAW_VALUES if value in text]
    if SPACED_MOBILE.search(text):
        found.append(MOBILE_SPACED)
    return found


async def test_numbers_typed_into_free_text_stay_in_intake(stack: Stack) -> None:
    feedback = stack.url("feedback")
    async with httpx.AsyncClient(timeout=30) as client:
        petition = await client.post(f"{stack.url('intake')}/v1/grievances", json=PETITION)
        dispute = await client.post(f"{stack.url('intake')}/v1/grievances", json=DISPUTE)
        assert petition.status_code == 202, petition.text
        assert dispute.status_code == 202, dispute.text
        filed_petition, filed_dispute = petition.json(), dispute.json()
        # Far enough that every service has stored and published what it does with a new case.
        done = {"assigned", "transferred_legal", "under_review", "mediation_opened"}
        await wait_for_any(client, feedback, filed_petition, done)
        await wait_for_any(client, feedback, filed_dispute, done)
        # The citizen's own timeline (served by feedback) is outside intake too.
        for filed in (filed_petition, filed_dispute):
            timeline = await client.get(
                f"{feedback}/v1/grievances/{filed['tracking_no']}/timeline",
                headers={"X-Tracking-Token": filed["tracking_token"]},
            )
            assert raw_values_in(timeline.text) == [], timeline.text
        # Let relays and consumers finish what the last status set off.
        await asyncio.sleep(3)

    topics = every_topic_record(stack)
    assert filed_petition["grievance_id"] in topics, "the journey's events are on the topics"
    assert raw_values_in(topics) == [], "raw personal numbers on a topic"
    assert "****" in topics, "the masked forms travel instead"

    rows, table_count = await every_row_outside_intake(stack)
    assert table_count >= 10
    assert filed_petition["grievance_id"] in rows and filed_dispute["grievance_id"] in rows
    assert raw_values_in(rows) == [], "raw personal numbers in a service table outside intake"

    for service, process in stack.processes.items():
        log = process.log_path.read_text(encoding="utf-8", errors="replace")
        assert raw_values_in(log) == [], f"raw personal numbers in {service}'s log"
