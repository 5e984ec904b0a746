"""After a decision: has the grievance reached the department? The router publishes the decision;
the handler (casework, mediation) then assigns it and tells the citizen. The console reads that last
word from intake's status read model, which every service's status events feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.console.web.service_api import ServiceApi

# Statuses the router itself publishes around a decision: not yet the handler's dispatch.
ROUTING_STATUSES = frozenset({"received", "classified", "under_review", "urgent_alert"})
# Every 2 s for two minutes; then the panel stops and offers a link to look again.
POLL_SECONDS = 2
MAX_POLLS = 60
STATUS_LABELS = {
    "received": "已登记",
    "classified": "已分类",
    "under_review": "分流审核中",
    "urgent_alert": "紧急通报",
    "assigned": "已分派",
    "signed_for": "已签收",
    "returned": "已退单",
    "accepted": "已受理",
    "not_accepted": "不予受理",
    "transferred_legal": "已转政法部门",
    "in_progress": "办理中",
    "extended": "已延期",
    "supervised": "督办中",
    "replied": "已答复",
    "mediation_opened": "已转调解",
    "mediation_scheduled": "已约定调解",
    "mediation_agreed": "调解成功",
    "mediation_failed": "调解未成",
    "closed": "已办结",
}


@dataclass(frozen=True, slots=True)
class DispatchView:
    review_id: str
    tracking_no: str
    decided_at: datetime
    lead: str
    co: list[str]
    status: str | None
    message_zh: str | None
    updated_at: datetime | None
    polls: int

    @property
    def dispatched(self) -> bool:
        """A handler's status, newer than the decision: the re-route has arrived."""
        return (
            self.status is not None
            and self.status not in ROUTING_STATUSES
            and self.updated_at is not None
            and self.updated_at >= self.decided_at
        )

    @property
    def polling(self) -> bool:
        return not self.dispatched and self.polls < MAX_POLLS

    @property
    def status_zh(self) -> str:
        return STATUS_LABELS.get(self.status or "", self.status or "尚无状态")


async def dispatch_view(api: ServiceApi, review: dict[str, Any], *, polls: int = 0) -> DispatchView:
    """The decided review and where its grievance stands now (intake's staff status read)."""
    status = await api.get("intake", f"/v1/staff/grievances/{review['tracking_no']}/status")
    decision = review.get("decision") or {}
    departments = decision.get("departments") or {}
    updated = status.get("updated_at")
    return DispatchView(
        review_id=review["review_id"],
        tracking_no=review["tracking_no"],
        decided_at=datetime.fromisoformat(review["decided_at"]),
        lead=departments.get("lead", ""),
        co=list(departments.get("co") or []),
        status=status.get("status"),
        message_zh=status.get("message_zh"),
        updated_at=datetime.fromisoformat(updated) if updated else None,
        polls=polls,
    )
