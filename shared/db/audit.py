"""The staff audit log: who did or read what, on which record, in every service schema (DESIGN §6).

One table shape everywhere, told apart only by its subject column: ``grievance_id`` in most
schemas, ``mediation_id`` in mediation's, whose records are mediation cases. A row is written in
the caller's transaction (or connection), so an audited action and its row commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text, func, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.types import TypeEngine

from shared.auth import StaffPrincipal

TABLE_NAME = "audit_log"
_SUBJECT_INFO = "audit_subject"


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A job acting without a person behind it (the retention purge): audited under its own name."""

    name: str
    role: str = "system"


def audit_table(
    metadata: MetaData, *, subject: str = "grievance_id", subject_type: TypeEngine[Any] | None = None
) -> Table:
    """The ``audit_log`` table; ``subject`` names the column holding the audited record's id."""
    table = Table(
        TABLE_NAME,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", Text, nullable=False),
        Column("role", Text, nullable=False),
        Column("department", Text),
        Column("action", Text, nullable=False),
        Column(subject, subject_type if subject_type is not None else Text()),
        Column("detail", JSONB, nullable=False),
        # "Who looked at this case?" is the question the log exists to answer.
        Index(f"ix_{TABLE_NAME}_{subject}", subject),
    )
    table.info[_SUBJECT_INFO] = subject
    return table


def subject_column(table: Table) -> str:
    subject: str = table.info[_SUBJECT_INFO]
    return subject


def audit_values(
    table: Table,
    *,
    actor: StaffPrincipal | SystemActor,
    action: str,
    subject: str | None,
    detail: Mapping[str, Any],
    at: datetime | None = None,
) -> dict[str, Any]:
    """One row's values; ``at`` defaults to the database's clock (the transaction's start)."""
    if isinstance(actor, StaffPrincipal):
        who = {"actor": actor.subject, "role": actor.role.value, "department": actor.department}
    else:
        who = {"actor": actor.name, "role": actor.role, "department": None}
    values: dict[str, Any] = {**who, "action": action, subject_column(table): subject, "detail": dict(detail)}
    if at is not None:
        values["at"] = at
    return values


async def record_audit(
    executor: AsyncSession | AsyncConnection,
    table: Table,
    *,
    actor: StaffPrincipal | SystemActor,
    action: str,
    subject: str | None,
    detail: Mapping[str, Any],
    at: datetime | None = None,
) -> None:
    """Write one audit row with ``executor`` (a session, or a connection of its own transaction)."""
    values = audit_values(table, actor=actor, action=action, subject=subject, detail=detail, at=at)
    await executor.execute(insert(table).values(**values))
