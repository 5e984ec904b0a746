"""Personal numbers typed into free text never leave intake raw: the Kafka records and every plain
column of intake's schema carry masked text, the audited contact read returns the originals.
Control characters are refused with 422 and change nothing; bidi overrides are stripped; the
service log holds none of it."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from shared.auth import issue_token
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.integration.intake.conftest import portal_body
from tests.integration.intake.test_bad_input_changes_nothing import counts
from tests.support.kafka import end_offsets, read_events
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess

ID_CARD, MOBILE, BANK_CARD, EMAIL = "11010519491231002X", "15012345678", "6222021234567890128", "wang.wu@example.com"
SHORT_EMAIL = "w@x.cn"
RAW = (ID_CARD, "11010519491231002", MOBILE, BANK_CARD, EMAIL, SHORT_EMAIL)
ALL_FOUR = f"身份证{ID_CARD}，手机{MOBILE}，卡号{BANK_CARD}，邮箱{EMAIL}"

TEXTS = {
    # The title allows 60 characters: all four kinds, tightly.
    "title": f"ID{ID_CARD},{MOBILE},{BANK_CARD},{SHORT_EMAIL}",
    "content": f"物业扣押我的押金不退，{ALL_FOUR}，请尽快处理，谢谢。",
    "address_detail": f"将石社区二巷 5 号，{ALL_FOUR}",
    "respondent": f"某物业公司（联系人{MOBILE}）{ALL_FOUR}",
    "desired_outcome": f"退还押金到{BANK_CARD}，结果发{EMAIL}，身份证{ID_CARD}",
}


def filed_body() -> dict[str, Any]:
    body = portal_body(
        title=TEXTS["title"],
        content=TEXTS["content"],
        respondent=TEXTS["respondent"],
        desired_outcome=TEXTS["desired_outcome"],
    )
    body["address"] = {**body["address"], "detail": TEXTS["address_detail"]}
    # The form field itself is filed with another number, so any raw hit comes from free text.
    body["complainant"] = {**body["complainant"], "mobile": "13612345678"}
    return body


def registrar() -> dict[str, str]:
    token = issue_token(ServiceSettings(), subject="registrar-07", role=Role.registrar)
    return {"Authorization": f"Bearer {token}"}


def assert_no_raw(blob: str | bytes, where: str) -> None:
    text = blob.decode(errors="replace") if isinstance(blob, bytes) else blob
    for raw in RAW:
        assert raw not in text, f"raw {raw!r} in {where}"


async def intake_schema_dump(db: asyncpg.Connection) -> dict[str, str]:
    """Every row of every intake table as JSON text (ciphertexts show as hex)."""
    tables = await db.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'intake'")
    dump = {}
    for row in tables:
        name = row["table_name"]
        rows = await db.fetch(f'SELECT row_to_json(t)::text AS j FROM intake."{name}" t')  # noqa: S608
        dump[name] = "\n".join(r["j"] for r in rows)
    return dump


async def test_free_text_numbers_are_masked_in_events_and_tables_and_readable_when_audited(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    received_topic, status_topic = namespace.topic(GRIEVANCE_RECEIVED), namespace.topic(GRIEVANCE_STATUS)
    before_received = await end_offsets(namespace.bootstrap, received_topic)
    before_status = await end_offsets(namespace.bootstrap, status_topic)

    response = await http.post("/v1/grievances", json=filed_body(), headers={"Idempotency-Key": "free-text-1"})
    assert response.status_code == 202, response.text
    accepted = response.json()
    gid = accepted["grievance_id"]

    def mine(got: list[Any]) -> bool:
        return any(e.event.subject == gid for e in got)

    [event] = [e for e in await read_events(namespace.bootstrap, received_topic, since=before_received, until=mine)
               if e.event.subject == gid]  # fmt: skip
    record = event.record
    assert_no_raw(record.value + b"".join(v for _, v in record.headers), "grievance.received")
    data = event.event.data
    assert data["content"] == (
        "物业扣押我的押金不退，身份证110105********002X，手机150****5678，卡号622202*********0128，"
        "邮箱w***@example.com，请尽快处理，谢谢。"
    )
    assert data["title"] == "ID110105********002X,150****5678,622202*********0128,w***@x.cn"
    for field in ("address", "respondent", "desired_outcome"):
        assert "110105********002X" in data[field] or "622202*********0128" in data[field], field
    statuses = await read_events(namespace.bootstrap, status_topic, since=before_status, until=mine)
    for status in statuses:
        assert_no_raw(status.record.value, "grievance.status")

    # The citizen's own read is masked too.
    read = await http.get(
        f"/v1/grievances/{accepted['tracking_no']}", headers={"X-Tracking-Token": accepted["tracking_token"]}
    )
    assert read.status_code == 200
    assert read.json()["content"] == data["content"]
    assert_no_raw(read.text, "GrievanceRead")

    contact = await http.post(
        f"/v1/staff/grievances/{accepted['tracking_no']}/contact",
        json={"purpose": f"回访，按{MOBILE}回拨"},
        headers=registrar(),
    )
    assert contact.status_code == 200, contact.text
    assert contact.json()["free_text_originals"] == {
        "title": TEXTS["title"],
        "content": TEXTS["content"],
        "address_detail": TEXTS["address_detail"],
        "respondent": TEXTS["respondent"],
        "desired_outcome": TEXTS["desired_outcome"],
    }
    audited = await db.fetchval(
        "SELECT count(*) FROM intake.audit_log WHERE actor = 'registrar-07' AND action = 'read_contact'"
        " AND grievance_id = $1",
        gid,
    )
    assert audited == 1

    # Every plain column of intake's schema, after the contact read: masked text only.
    dump = await intake_schema_dump(db)
    assert dump["free_text_original"], "the originals are kept (encrypted)"
    assert "150****5678" in dump["audit_log"]
    for table, text in dump.items():
        assert_no_raw(text, f"intake.{table}")


async def test_a_grievance_without_personal_numbers_keeps_no_original(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    response = await http.post(
        "/v1/grievances", json=portal_body(content="小区路灯坏了两个月，2026年3月12日报修过，花了150元。")
    )
    assert response.status_code == 202
    gid = response.json()["grievance_id"]
    assert await db.fetchval("SELECT count(*) FROM intake.free_text_original WHERE grievance_id = $1", gid) == 0
    assert "150元" in await db.fetchval("SELECT content FROM intake.grievance WHERE id = $1", gid)


def with_nested(path: str, value: str) -> dict[str, Any]:
    body = portal_body()
    parent, _, leaf = path.rpartition(".")
    target = body[parent] if parent else body
    if parent:
        body[parent] = target = {**target}
    target[leaf] = value
    return body


CONTROLS = [
    ("content", "门口积水严重\u0000，请尽快疏通排水沟，谢谢处理。", "#/content"),
    ("title", "路灯\x7f不亮了", "#/title"),
    ("address.detail", "二巷\x1b5 号", "#/address/detail"),
    ("complainant.name", "陈\u0000建国", "#/complainant/name"),
    ("desired_outcome", "疏通\x85排水沟", "#/desired_outcome"),
]


@pytest.mark.parametrize(("path", "value", "pointer"), CONTROLS, ids=[c[0] for c in CONTROLS])
async def test_control_characters_are_refused_and_change_nothing(
    path: str, value: str, pointer: str, namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await counts(db, namespace)
    response = await http.post("/v1/grievances", json=with_nested(path, value))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == pointer
    assert error["code"] == "control_character"
    assert "控制字符" in error["message_zh"]
    assert await counts(db, namespace) == before


async def test_nul_in_staff_registration_and_path_is_refused(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await counts(db, namespace)
    staff = await http.post(
        "/v1/staff/grievances", json=portal_body(channel="hotline", respondent="物业\u0000公司"), headers=registrar()
    )
    assert staff.status_code == 422
    lookup = await http.get("/v1/grievances/GM-%00", headers={"X-Tracking-Token": "x"})
    assert lookup.status_code == 422
    assert await counts(db, namespace) == before


async def test_bidi_overrides_and_zero_width_characters_are_stripped(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    content = "门口积水\u202e严重，排水沟\u200b堵了好久\u2066，请尽快疏通\u2069。\ufeff"
    response = await http.post("/v1/grievances", json=portal_body(content=content, title="积水\u202d问题"))
    assert response.status_code == 202, response.text
    row = await db.fetchrow(
        "SELECT title, content FROM intake.grievance WHERE id = $1", response.json()["grievance_id"]
    )
    assert row["content"] == "门口积水严重，排水沟堵了好久，请尽快疏通。"
    assert row["title"] == "积水问题"


async def test_the_service_log_holds_no_personal_numbers(intake: ServiceProcess) -> None:
    # Runs last in this module: everything above went through this process.
    log = intake.log_path.read_text(errors="replace")
    assert log, "the process wrote its log"
    assert_no_raw(log, "intake's log")
