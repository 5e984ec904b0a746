"""What casework publishes on a department's topic ``dept.<code>.cases.v1`` (documented in
docs/casework.md): one JSON CloudEvent per change relevant to that department, keyed by the
grievance id. For reports (检举控告) only the 纪检监察 body receives the grievance itself."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.contracts import TYPE_PREFIX, EventPayload
from shared.events.topics import department_topic
from shared.events.vocabulary import PetitionKind, Track


class DepartmentAction(StrEnum):
    assigned = "assigned"  # the case is now yours (as lead or co-handler)
    withdrawn = "withdrawn"  # re-routed elsewhere or returned: no longer yours
    signed_for = "signed_for"
    returned = "returned"
    accepted = "accepted"
    not_accepted = "not_accepted"
    in_progress = "in_progress"
    extended = "extended"
    co_opinion_submitted = "co_opinion_submitted"
    replied = "replied"
    closed = "closed"
    reopened = "reopened"  # 重办
    review_requested = "review_requested"
    review_decided = "review_decided"
    due_soon = "due_soon"  # 预警
    supervised = "supervised"  # 督办
    repeat_linked = "repeat_linked"  # a repeat filing was linked to this case (§19)
    transferred_legal = "transferred_legal"
    legal_received = "legal_received"
    legal_progress = "legal_progress"
    legal_concluded = "legal_concluded"
    rated = "rated"


class GrievanceForDepartment(BaseModel):
    """The grievance as a handling department sees it: masked complainant, no raw identifiers."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    content: str
    channel: str
    received_at: datetime
    street: str | None = None
    community: str | None = None
    address: str | None = None
    respondent: str | None = None
    desired_outcome: str | None = None
    attachments: list[str] = Field(default_factory=list)
    complainant_name_masked: str
    complainant_phone_masked: str | None = None


class DueView(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    step: str
    owner: str
    due_on: date
    due_at: datetime
    overdue: bool


class DepartmentCaseChanged(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "department.case.changed.v1"
    topic: ClassVar[str] = department_topic("<department-code>")  # always published per department

    grievance_id: str
    tracking_no: str
    department: str
    department_name: str
    role: Literal["lead", "co", "reviewer", "former"]
    action: DepartmentAction
    track: Track
    petition_kind: PetitionKind | None = None
    state: str
    urgent: bool = False
    revision: int
    lead_department: str
    co_departments: list[str] = Field(default_factory=list)
    due: DueView | None = None
    message_zh: str
    confidential: bool = False
    grievance: GrievanceForDepartment | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    case_url: str
    occurred_at: datetime
