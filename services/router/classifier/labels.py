"""Label orders used by the model and the combination, and their Chinese names for messages."""

from __future__ import annotations

from shared.events.vocabulary import Area, PetitionKind, Track

TRACKS: tuple[str, ...] = tuple(t.value for t in Track)
AREAS: tuple[str, ...] = tuple(a.value for a in Area)
KINDS: tuple[str, ...] = tuple(k.value for k in PetitionKind)

TRACK_ZH: dict[Track, str] = {
    Track.litigation: "涉法涉诉",
    Track.mediation: "矛盾纠纷调解",
    Track.petition: "普通信访",
}
KIND_ZH: dict[PetitionKind, str] = {
    PetitionKind.suggestion: "建议意见",
    PetitionKind.report: "检举控告",
    PetitionKind.claim: "申诉求决",
}
URGENT_ZH: dict[str, str] = {
    "self_harm": "自伤风险",
    "gathering": "群体聚集",
    "violence": "暴力风险",
    "structural_danger": "结构安全隐患",
    "gas_fire": "燃气或火灾隐患",
    "vulnerable_person": "儿童或老人处于危险",
    "toxic_exposure": "有毒有害物质泄漏",
}
