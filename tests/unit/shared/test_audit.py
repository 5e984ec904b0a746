"""The staff audit log has one shape in every schema, and one writer that fills it from the actor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from services.casework import db as casework_db
from services.intake import db as intake_db
from services.mediation import db as mediation_db
from services.router import db as router_db
from shared.auth import StaffPrincipal
from shared.db.audit import SystemActor, audit_table, audit_values, record_audit
from shared.db.base import make_metadata
from shared.events.vocabulary import Role

COLUMNS = ["id", "at", "actor", "role", "department", "action", "grievance_id", "detail"]
OFFICER = StaffPrincipal(subject="officer-7", role=Role.department_officer, department="housing")


def test_the_table_has_the_shared_columns_and_an_index_on_its_subject() -> None:
    table = audit_table(make_metadata("someservice"))
    assert table.fullname == "someservice.audit_log"
    assert [c.name for c in table.columns] == COLUMNS
    assert {c.name for c in table.columns if not c.nullable} == {"id", "at", "actor", "role", "action", "detail"}
    assert [(ix.name, [c.name for c in ix.columns]) for ix in table.indexes] == [
        ("ix_audit_log_grievance_id", ["grievance_id"])
    ]


@pytest.mark.parametrize(
    ("table", "subject", "subject_type"),
    [
        (intake_db.audit_log, "grievance_id", UUID),
        (router_db.audit_log, "grievance_id", None),
        (casework_db.audit_log, "grievance_id", None),
        (mediation_db.audit_log, "mediation_id", UUID),
    ],
)
def test_every_service_uses_it(table: Table, subject: str, subject_type: type | None) -> None:
    assert [c.name for c in table.columns] == [subject if n == "grievance_id" else n for n in COLUMNS]
    assert [c.name for ix in table.indexes for c in ix.columns] == [subject]
    if subject_type is not None:
        assert isinstance(table.c[subject].type, subject_type)


class _Recorder:
    """Stands in for a session: keeps the statement the writer hands over."""

    def __init__(self) -> None:
        self.statements: list[Insert] = []

    async def execute(self, statement: Insert) -> None:
        self.statements.append(statement)


def _params(statement: Insert) -> dict[str, Any]:
    return dict(statement.compile(dialect=postgresql.dialect()).params)  # type: ignore[no-untyped-call]


async def test_the_writer_records_the_staff_member_and_the_subject() -> None:
    recorder = _Recorder()
    await record_audit(
        cast(AsyncSession, recorder),
        mediation_db.audit_log,
        actor=OFFICER,
        action="read_case",
        subject="3f1c0b9e-0000-4000-8000-000000000001",
        detail={"reason": "call-back"},
    )
    [statement] = recorder.statements
    assert statement.table is mediation_db.audit_log
    assert _params(statement) == {
        "actor": "officer-7",
        "role": "department_officer",
        "department": "housing",
        "action": "read_case",
        "mediation_id": "3f1c0b9e-0000-4000-8000-000000000001",
        "detail": {"reason": "call-back"},
    }


async def test_an_explicit_time_is_kept_and_the_detail_is_copied() -> None:
    recorder = _Recorder()
    detail = {"n": 1}
    at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    session = cast(AsyncSession, recorder)
    await record_audit(session, casework_db.audit_log, actor=OFFICER, action="a", subject=None, detail=detail, at=at)
    detail["n"] = 2  # the caller's dict changing afterwards does not change the row
    params = _params(recorder.statements[0])
    assert params["at"] == at and params["grievance_id"] is None and params["detail"] == {"n": 1}


def test_a_system_job_is_audited_under_its_own_name() -> None:
    values = audit_values(
        intake_db.audit_log, actor=SystemActor("retention-job"), action="purge", subject="g-1", detail={}
    )
    assert values == {
        "actor": "retention-job",
        "role": "system",
        "department": None,
        "action": "purge",
        "grievance_id": "g-1",
        "detail": {},
    }
