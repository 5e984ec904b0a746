"""The Case aggregate as rows: the case's columns (JSONB for the whole, columns mirroring it for
the queries that pick cases) and one row per deadline."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import insert

from services.casework import db
from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case
from services.casework.domain.kinds import is_confidential
from services.casework.domain.review import request_window_ends_on

_CASE = TypeAdapter(Case)


def dump_case(case: Case) -> dict[str, Any]:
    dumped: dict[str, Any] = _CASE.dump_python(case, mode="json")
    return dumped


def load_case(data: dict[str, Any]) -> Case:
    return _CASE.validate_python(data)


def case_columns(case: Case, calendar: WorkingCalendar) -> dict[str, Any]:
    """The case's row but its timestamps (``created_at`` is the clock's, ``updated_at`` the database's)."""
    upcoming = case.next_deadline
    return {
        "grievance_id": case.grievance_id,
        "tracking_no": case.tracking_no,
        "track": case.track.value,
        "petition_kind": case.petition_kind.value if case.petition_kind else None,
        "state": case.state.value,
        "lead_department": case.lead,
        "co_departments": list(case.co),
        "revision": case.revision,
        "urgent": case.urgent,
        "confidential": is_confidential(case.petition_kind),
        "final": case.final,
        "next_due_at": upcoming.due_at if upcoming else None,
        "remedy_window_ends_on": request_window_ends_on(case, calendar),
        "aggregate": dump_case(case),
    }


def deadline_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "grievance_id": case.grievance_id,
            "seq": seq,
            "step": d.step.value,
            "owner": d.owner,
            "started_at": d.started_at,
            "due_on": d.due_on,
            "done_at": d.done_at,
            "done_on": local_date(d.done_at) if d.done_at else None,
            "cancelled": d.cancelled,
            "warned": d.warned,
            "supervised": d.supervised,
            "paused_at": d.paused_at,
        }
        for seq, d in enumerate(case.deadlines)
    ]


# Built once: the same statement object is the same compiled statement for every batch.
@cache
def insert_case() -> Any:
    return insert(db.grievance_case)


@cache
def insert_deadline() -> Any:
    return insert(db.deadline)
