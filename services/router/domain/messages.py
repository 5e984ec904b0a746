"""What the citizen reads of a routing decision (``message_zh`` of grievance.status.v1)."""

from __future__ import annotations

from collections.abc import Sequence

from services.router.classifier.labels import KIND_ZH, TRACK_ZH, URGENT_ZH
from shared.events.contracts import RoutingDecision
from shared.events.vocabulary import Track

# The office named as actor of the router's status changes: never a person.
BUREAU = "光明区信访局"


def handling_summary(decision: RoutingDecision, names: dict[str, str]) -> str:
    lead = names.get(decision.departments.lead, decision.departments.lead)
    co = "、".join(names.get(c, c) for c in decision.departments.co)
    co_text = f"，协办单位：{co}" if co else ""
    if decision.track is Track.litigation:
        return (
            f"您的诉求属于涉法涉诉事项，依照《信访工作条例》第二十二条已转送{lead}依法处理，"
            f"请按法律程序主张权利，办理进展将及时告知您。"
        )
    if decision.track is Track.mediation:
        # Who mediates (a street committee, a department, the court) is mediation's decision, told
        # in its own "mediation opened" message; naming the area's lead here would contradict it.
        return (
            "您的诉求已分类为矛盾纠纷调解事项，将转交调解组织依法调解。"
            "调解遵循自愿原则，调解组织将与您联系，征询您的意见并约定时间。"
        )
    kind = KIND_ZH[decision.petition_kind] if decision.petition_kind else "申诉求决"
    if decision.petition_kind is not None and decision.petition_kind.value == "report":
        return f"您的检举控告已转送{lead}依规依纪依法处理，您的身份和材料将严格保密。"
    return (
        f"您的诉求已分类为{TRACK_ZH[decision.track]}（{kind}），已分派至{lead}办理{co_text}。"
        "办理单位将在15日内告知您是否受理。"
    )


def taxonomy_text(decision: RoutingDecision) -> str:
    """What the citizen reads of the classification: "已归类为：area / category" (nothing before the
    taxonomy). It names the kind of matter, never who handles it, so it fits every track."""
    if not decision.category:
        return ""
    return f"已归类为：{decision.area.value} / {decision.category}。"


def classified_message(
    decision: RoutingDecision, names: dict[str, str], *, repeat_tracking_no: str | None, reviewed: bool
) -> str:
    prefix = "经工作人员审核，" if reviewed else ""
    message = prefix + handling_summary(decision, names) + taxonomy_text(decision)
    if repeat_tracking_no:
        message += f"该诉求与您此前提交的 {repeat_tracking_no} 反映的是同一事项，已关联合并办理。"
    return message


def under_review_message() -> str:
    return "您的诉求已收到，工作人员正在核实应由哪个单位办理，核实后将告知办理单位和进度。"


def urgent_message(signals: Sequence[str]) -> str:
    kinds = "、".join(URGENT_ZH.get(s, s) for s in signals)
    return f"您反映的情况涉及紧急风险（{kinds}），已即时通报值班部门优先处置。如遇人身安全危险，请立即拨打110或119。"


def reroute_message(reason: str, decision: RoutingDecision, names: dict[str, str]) -> str:
    if reason in ("mediation_failed", "mediation_refused"):
        opening = "调解未能达成协议，" if reason == "mediation_failed" else "因有当事人不同意调解，"
        # No article here: the basis depends on the mediation type (people's, administrative,
        # judicial), which only mediation knows and cites in its own termination message.
        return (
            opening + "您可以依法通过其他途径维护权利。" + handling_summary(decision, names) + taxonomy_text(decision)
        )
    return "您的诉求已重新分派。" + handling_summary(decision, names) + taxonomy_text(decision)
