"""Personal-data retention on the real database, with a clock moved years ahead: a case concluded
longer ago than the period is anonymised (identity, pseudonyms, free-text originals, replay answers),
a recently concluded, an open and a reopened case keep everything, the audit log keeps its rows and
gains one per purge, a second run changes nothing, and the contact read answers 410."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.intake.app import build_infrastructure
from services.intake.domain.retention import PURGE_ACTION, PURGED_NAME
from services.intake.handlers.retention import purge_personal_data
from services.intake.handlers.status import record_status
from services.intake.repositories import IntakeUnitOfWork
from services.intake.settings import Settings
from shared.clock import ManualClock
from shared.events.contracts import GrievanceStatusChanged
from shared.events.vocabulary import Status
from shared.runtime import Infrastructure
from tests.integration.intake.conftest import portal_body
from tests.integration.intake.test_free_text_privacy import registrar
from tests.support.namespace import Namespace
from tests.support.processes import ROOT

RETENTION_DAYS = 1095
# Free text with a mobile number, so the grievance has an encrypted original to purge.
CONTENT = "楼道堆放杂物堵塞消防通道，物业电话13798765432一直没人接，请尽快清理，保障居民安全。"


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    built = build_infrastructure(namespace.settings(Settings))
    try:
        yield built
    finally:
        await built.engine.dispose()


async def file(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post(
        "/v1/grievances",
        json=portal_body(content=CONTENT, title=f"消防通道被堵（{uuid.uuid4().hex[:6]}）"),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


async def set_status(infra: Infrastructure, accepted: dict[str, Any], status: Status, at: datetime) -> None:
    """Record a status in intake's read model as its consumer would."""
    event = GrievanceStatusChanged(
        grievance_id=accepted["grievance_id"],
        tracking_no=accepted["tracking_no"],
        status=status,
        stage="casework",
        message_zh="测试状态",
        actor="光明区信访局",
        occurred_at=at,
    )
    async with IntakeUnitOfWork.factory_of(infra.uow)() as uow:
        assert await record_status(uow=uow, status=event)
        await uow.commit()


async def wait_received(db: asyncpg.Connection, grievance_ids: list[str]) -> None:
    """intake's own worker records ``received`` first; later statuses must come after it."""
    for _ in range(150):
        n = await db.fetchval(
            "SELECT count(*) FROM intake.grievance_status WHERE grievance_id = ANY($1::uuid[])", grievance_ids
        )
        if n == len(grievance_ids):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("intake's worker did not record the received statuses")


async def personal_rows(db: asyncpg.Connection, grievance_id: str) -> dict[str, Any]:
    complainant = await db.fetchrow("SELECT * FROM intake.complainant WHERE grievance_id = $1", grievance_id)
    return {
        "complainant": dict(complainant),
        "originals": await db.fetchval(
            "SELECT count(*) FROM intake.free_text_original WHERE grievance_id = $1", grievance_id
        ),
        "replays": await db.fetchval(
            "SELECT count(*) FROM intake.idempotency_key WHERE grievance_id = $1 AND response_encrypted IS NOT NULL",
            grievance_id,
        ),
        "content": await db.fetchval("SELECT content FROM intake.grievance WHERE id = $1", grievance_id),
    }


async def contact(http: httpx.AsyncClient, tracking_no: str) -> httpx.Response:
    return await http.post(f"/v1/staff/grievances/{tracking_no}/contact", json={"purpose": "回访"}, headers=registrar())


async def test_concluded_cases_past_the_period_are_anonymised_once_and_audited(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection, infra: Infrastructure
) -> None:
    old, recent, open_case, reopened = [await file(http) for _ in range(4)]
    ids = [g["grievance_id"] for g in (old, recent, open_case, reopened)]
    await wait_received(db, ids)
    start = datetime.now(UTC) + timedelta(minutes=1)
    await set_status(infra, old, Status.closed, start)
    await set_status(infra, reopened, Status.not_accepted, start)
    await set_status(infra, reopened, Status.reopened, start + timedelta(days=30))
    await set_status(infra, recent, Status.closed, start + timedelta(days=RETENTION_DAYS - 10))
    assert (await contact(http, old["tracking_no"])).status_code == 200  # an audited read before the purge
    before = {g: await personal_rows(db, g) for g in ids}
    assert all(r["originals"] == 1 and r["replays"] == 1 for r in before.values()), before
    audit_before = await db.fetch("SELECT id, action FROM intake.audit_log ORDER BY id")

    settings = namespace.settings(Settings, personal_data_retention_days=RETENTION_DAYS, retention_batch_size=1)
    units = IntakeUnitOfWork.factory_of(infra.uow)
    clock = ManualClock(start + timedelta(days=RETENTION_DAYS, hours=1))
    dry = await purge_personal_data(uow_factory=units, settings=settings, clock=clock, dry_run=True)
    assert dry is not None and dry.purged == 1
    assert await personal_rows(db, old["grievance_id"]) == before[old["grievance_id"]], "a dry run changed data"

    report = await purge_personal_data(uow_factory=units, settings=settings, clock=clock)
    assert report is not None and report.purged == 1

    purged = await personal_rows(db, old["grievance_id"])
    person = purged["complainant"]
    assert person["name_masked"] == PURGED_NAME
    assert person["purged_at"] == clock.now()
    for column in ("name_encrypted", "mobile_encrypted", "id_card_encrypted", "email_encrypted"):
        assert person[column] is None, column
    for column in ("mobile_masked", "id_card_masked", "email_masked", "mobile_pseudonym", "id_card_pseudonym"):
        assert person[column] is None, column
    assert purged["originals"] == 0 and purged["replays"] == 0
    assert "137****5432" in purged["content"], "the masked free text is kept"
    for kept in (recent, open_case, reopened):
        assert await personal_rows(db, kept["grievance_id"]) == before[kept["grievance_id"]]

    audit_after = await db.fetch("SELECT id, action, grievance_id::text AS g, detail FROM intake.audit_log ORDER BY id")
    assert [(r["id"], r["action"]) for r in audit_after[: len(audit_before)]] == [
        (r["id"], r["action"]) for r in audit_before
    ], "the purge removed or changed audit rows"
    purges = [r for r in audit_after if r["action"] == PURGE_ACTION]
    assert [r["g"] for r in purges] == [old["grievance_id"]]
    assert '"retention_days": 1095' in purges[0]["detail"]

    again = await purge_personal_data(uow_factory=units, settings=settings, clock=clock)
    assert again is not None and again.purged == 0
    assert await personal_rows(db, old["grievance_id"]) == purged
    assert await db.fetchval("SELECT count(*) FROM intake.audit_log WHERE action = $1", PURGE_ACTION) == 1

    gone = await contact(http, old["tracking_no"])
    assert gone.status_code == 410, gone.text
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json()["type"].endswith(":personal-data-purged")
    recent_contact = await contact(http, recent["tracking_no"])
    assert recent_contact.status_code == 200 and recent_contact.json()["name"] == "陈建国"


async def test_a_period_of_zero_turns_retention_off(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection, infra: Infrastructure
) -> None:
    case = await file(http)
    await wait_received(db, [case["grievance_id"]])
    await set_status(infra, case, Status.closed, datetime.now(UTC) + timedelta(minutes=2))
    settings = namespace.settings(Settings, personal_data_retention_days=0)
    units = IntakeUnitOfWork.factory_of(infra.uow)
    clock = ManualClock(datetime.now(UTC) + timedelta(days=36500))
    assert await purge_personal_data(uow_factory=units, settings=settings, clock=clock) is None
    assert (await personal_rows(db, case["grievance_id"]))["complainant"]["purged_at"] is None


def test_the_command_reports_what_a_dry_run_would_purge(namespace: Namespace) -> None:
    env = {**namespace.env(), "INTAKE_PERSONAL_DATA_RETENTION_DAYS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "services.intake", "purge-personal-data", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Every case of this module concluded in the future of the real clock: none is due.
    assert result.stdout.strip().startswith("would purge 0 complainants"), result.stdout
