"""The mediation case row, typed: a record from column values and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from services.mediation.domain.vocabulary import DisputeKind, MediationType, Outcome, State


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    grievance_id: str
    revision: int
    tracking_no: str
    tracking_token_hash: str
    title: str
    facts: str
    street: str | None
    community: str | None
    respondent: str | None
    desired_outcome: str | None
    applicant_name: str
    area: str
    lead_department: str
    dispute_kind: DisputeKind
    mediation_type: MediationType
    office: str
    office_name: str
    panel: bool
    triage: list[dict[str, Any]]
    state: State
    opened_at: datetime
    due_at: datetime
    updated_at: datetime
    accepted_at: datetime | None = None
    supervision_level: int = 0
    supervised_at: datetime | None = None
    outcome: Outcome | None = None
    outcome_detail: dict[str, Any] = field(default_factory=dict)
    concluded_at: datetime | None = None
    performance_deadline: date | None = None
    follow_up_due_at: datetime | None = None
    follow_up_notified_at: datetime | None = None
    performed: bool | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    # the routing decision's taxonomy below the area (revision 0002); none on older cases
    category: str | None = None
    item: str | None = None
    # the panel's legal adviser (法律顾问), revision 0003: id, name, firm, reason, assigned_at
    legal_adviser: dict[str, Any] | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> CaseRecord:
        """A record from column values, the enumerations typed (a row, or a record with changes)."""
        typed = {f.name: values[f.name] for f in fields(cls) if f.name in values}
        typed["dispute_kind"] = DisputeKind(typed["dispute_kind"])
        typed["mediation_type"] = MediationType(typed["mediation_type"])
        typed["state"] = State(typed["state"])
        typed["outcome"] = Outcome(typed["outcome"]) if typed.get("outcome") else None
        return cls(**typed)

    def columns(self) -> dict[str, Any]:
        """The record as column values (enumerations as their text)."""
        return {f.name: column_value(getattr(self, f.name)) for f in fields(self)}

    def changed(self, values: Mapping[str, Any]) -> CaseRecord:
        """The record with some columns set (values as ``columns`` gives them)."""
        return CaseRecord.from_mapping(self.columns() | dict(values))


def column_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def as_stored(case: CaseRecord) -> CaseRecord:
    """The record as reading its row back would give it: the driver hands every timestamp back in
    UTC, whatever zone it was written in (the events made from a case carry the stored instants)."""
    stamps: dict[str, Any] = {
        f.name: value.astimezone(UTC)
        for f in fields(case)
        if isinstance(value := getattr(case, f.name), datetime) and value.tzinfo is not None
    }
    return replace(case, **stamps)
