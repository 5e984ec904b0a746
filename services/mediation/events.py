"""What mediation tells the offices on their department topics (``dept.<code>.cases.v1``).

Only offices read these (their case systems and duty desks), never another service, so the
payload lives here rather than in shared/events/contracts.py. Staff names stay out: mediators
appear by roster id.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events import topics
from shared.events.contracts import TYPE_PREFIX, EventPayload
from shared.events.vocabulary import Area

NoticeKind = Literal[
    "opened",  # a case arrived for the office's mediators
    "needs_assignment",  # no (or not enough) mediators could be picked: a supervisor must assign
    "reassigned",
    "session_reminder",
    "supervised",  # the time limit passed: 督办
    "follow_up_due",  # the agreement's performance deadline passed: call the parties (回访)
    "concluded",
    "reopened",  # 不满意 after a performed agreement: mediate again
]


class MediationNotice(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "mediation.notice.v1"
    # Always published per office with an explicit topic; the placeholder is the AsyncAPI address.
    topic: ClassVar[str] = topics.department_topic("{department}")

    grievance_id: str
    tracking_no: str
    mediation_id: str
    notice: NoticeKind
    mediation_type: str
    dispute_kind: str
    # Added within v1: the routing decision's taxonomy, so an office can sort its cases by matter.
    area: Area | None = None
    category: str | None = Field(default=None, description="二级分类 within the area (taxonomy)")
    street: str | None = None
    office: str
    mediators: list[str] = Field(default_factory=list)
    summary_zh: str
    due_at: datetime | None = None
    occurred_at: datetime
