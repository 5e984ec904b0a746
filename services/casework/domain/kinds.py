"""What each petition kind (DESIGN §1) allows: how it is answered, who may read the reporter,
and whether the citizen may ask for review."""

from __future__ import annotations

from enum import StrEnum

from shared.events.vocabulary import PetitionKind


class ReplyDecision(StrEnum):
    # 申诉求决, §32: the three decisions of a 信访处理意见书.
    support = "support"  # 支持
    explain = "explain"  # 解释说明
    reject = "reject"  # 不予支持
    # 建议意见, §29: studied, then adopted, partly adopted, or explained why not.
    adopted = "adopted"  # 采纳
    partly_adopted = "partly_adopted"  # 部分采纳
    explained = "explained"  # 未予采纳并解释说明
    # 检举控告, §30: the 纪检监察 body tells the reporter what the check found.
    substantiated = "substantiated"  # 反映问题属实
    partly_substantiated = "partly_substantiated"  # 部分属实
    not_substantiated = "not_substantiated"  # 反映问题不属实


DECISION_NAMES_ZH: dict[ReplyDecision, str] = {
    ReplyDecision.support: "支持",
    ReplyDecision.explain: "解释说明",
    ReplyDecision.reject: "不予支持",
    ReplyDecision.adopted: "采纳",
    ReplyDecision.partly_adopted: "部分采纳",
    ReplyDecision.explained: "未予采纳并解释说明",
    ReplyDecision.substantiated: "反映问题属实",
    ReplyDecision.partly_substantiated: "反映问题部分属实",
    ReplyDecision.not_substantiated: "反映问题不属实",
}

DECISIONS_BY_KIND: dict[PetitionKind, frozenset[ReplyDecision]] = {
    PetitionKind.claim: frozenset({ReplyDecision.support, ReplyDecision.explain, ReplyDecision.reject}),
    PetitionKind.suggestion: frozenset({ReplyDecision.adopted, ReplyDecision.partly_adopted, ReplyDecision.explained}),
    PetitionKind.report: frozenset(
        {ReplyDecision.substantiated, ReplyDecision.partly_substantiated, ReplyDecision.not_substantiated}
    ),
}

KIND_NAMES_ZH: dict[PetitionKind, str] = {
    PetitionKind.suggestion: "建议意见",
    PetitionKind.report: "检举控告",
    PetitionKind.claim: "申诉求决",
}


def allows_review(kind: PetitionKind) -> bool:
    """复查/复核 (§35, §36) are remedies against a handling opinion on a claim (§31–§34);
    suggestions are answered (§29) and reports follow the 纪检监察 rules (§30)."""
    return kind is PetitionKind.claim


def is_confidential(kind: PetitionKind | None) -> bool:
    """A report's reporter and materials are shown to the 纪检监察 body handling it only (§22, §30)."""
    return kind is PetitionKind.report
