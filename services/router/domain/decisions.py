"""A routing decision from a classification, and the reasons the router adds to it: a repeat
(重复件), a group case (集体访), a re-route with what the handler ruled out."""

from __future__ import annotations

from services.router.classifier import Classification, Constraints
from services.router.domain.matching import Match
from shared.events.contracts import Reason, RerouteRequested, RoutingDecision

_REROUTE_BASIS = {
    "returned_by_department": "《信访工作条例》第二十三条（不属于本单位职权范围的，5个工作日内提出异议并说明理由）",
    "mediation_failed": "《人民调解法》第二十六条（调解不成的，告知当事人可以依法通过仲裁、行政、司法等途径维护权利）",
    "mediation_refused": "《人民调解法》第十七条（当事人一方明确拒绝调解的，不得调解）",
    "reopened": "《信访工作条例》第二十一条（信访人评价办理情况）；不满意的，按本局规定重办",
}


def to_decision(
    result: Classification,
    *,
    threshold: float,
    decided_by: str = "classifier",
    extra: tuple[Reason, ...] = (),
    force_review: bool = False,
    confidence: float | None = None,
) -> RoutingDecision:
    """The decision as published; below ``threshold`` confidence a reviewer decides."""
    confidence = result.confidence if confidence is None else confidence
    return RoutingDecision(
        track=result.track,
        petition_kind=result.petition_kind,
        area=result.area,
        departments=result.departments,
        urgent=result.urgent,
        urgent_signals=list(result.urgent_signals),
        confidence=round(confidence, 4),
        reasons=[*extra, *(e.to_reason() for e in result.reasons)],
        needs_review=force_review or confidence < threshold,
        decided_by=decided_by,
        category=result.category or None,
        item=result.item,
        model_version=result.model_version or None,
    )


def repeat_reason(repeat: Match) -> Reason:
    first = repeat.earlier.repeat_of or repeat.earlier.grievance_id
    return Reason(
        kind="repeat",
        code="repeat.same_complainant",
        description=f"同一信访人此前反映过同一事项（{repeat.earlier.tracking_no}，相似度 {repeat.score:.2f}），"
        f"作为重复件关联至首件 {first}",
        legal_basis="参照《信访工作条例》第十九条（已经受理或者正在办理的同一事项不再重复受理）",
        weight=round(repeat.score, 4),
    )


def cluster_reason(street: str, window_days: int, complainants: int) -> Reason:
    return Reason(
        kind="cluster",
        code="cluster.same_matter_same_place",
        description=f"{street}近{window_days}日内有{complainants}位群众反映同一事项（集体访）",
        legal_basis="《信访工作条例》第二十五条（可能造成社会影响的重大、紧急信访事项及时报告）",
    )


def reroute_constraints(request: RerouteRequested, excluded_departments: frozenset[str]) -> Constraints:
    """What the handler has ruled out: a failed or refused mediation is not mediated again unless
    the handler names the track itself; departments that returned the case are never chosen."""
    mediation_over = request.reason in ("mediation_failed", "mediation_refused") and request.to_track is None
    return Constraints(
        forced_track=request.to_track,
        excluded_tracks=frozenset({request.from_track}) if mediation_over else frozenset(),
        excluded_departments=excluded_departments,
    )


def reroute_reason(request: RerouteRequested, names: dict[str, str]) -> Reason:
    returned = "、".join(names.get(c, c) for c in request.excluded_departments) or request.requested_by
    return Reason(
        kind="catalog" if request.reason == "returned_by_department" else "rule",
        code=f"reroute.{request.reason}",
        description=f"{returned}退回/转回（{request.reason}）：{request.detail}".rstrip("："),
        legal_basis=_REROUTE_BASIS.get(request.reason),
    )
