"""The Chinese words the citizen reads for statuses and ratings."""

from __future__ import annotations

from shared.events.vocabulary import Rating, Status

STATUS_LABELS_ZH: dict[Status, str] = {
    Status.received: "已登记",
    Status.classified: "已分类",
    Status.under_review: "人工复核分类中",
    Status.urgent_alert: "紧急预警",
    Status.assigned: "已分派",
    Status.signed_for: "已签收",
    Status.returned: "已退回重新分派",
    Status.accepted: "已受理",
    Status.not_accepted: "不予受理",
    Status.transferred_legal: "已转政法部门",
    Status.in_progress: "办理中",
    Status.extended: "已延期",
    Status.supervised: "督办中",
    Status.replied: "已答复",
    Status.mediation_opened: "调解已启动",
    Status.mediation_scheduled: "调解已安排",
    Status.mediation_agreed: "调解成功",
    Status.mediation_failed: "调解未成功",
    Status.review_requested: "已申请复查",
    Status.review_decided: "复查已决定",
    Status.hearing_scheduled: "听证已安排",
    Status.hearing_held: "听证已举行",
    Status.published: "复核意见已公示",
    Status.rated: "已评价",
    Status.reopened: "已重新办理",
    Status.closed: "已办结",
    Status.assistance_referred: "已转介救助",
    Status.assistance_concluded: "救助转介有结果",
}

RATING_LABELS_ZH: dict[Rating, str] = {
    Rating.satisfied: "满意",
    Rating.basically_satisfied: "基本满意",
    Rating.dissatisfied: "不满意",
}


def status_label(status: str) -> str:
    """The Chinese label of a status; an unknown (newer) status shows as itself."""
    try:
        return STATUS_LABELS_ZH[Status(status)]
    except ValueError:
        return status
