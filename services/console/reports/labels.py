"""Chinese names for the codes the statistics APIs answer with."""

from __future__ import annotations

TRACKS = {"petition": "普通信访", "mediation": "矛盾纠纷调解", "litigation": "涉法涉诉"}
PETITION_KINDS = {"suggestion": "建议意见", "report": "检举控告", "claim": "申诉求决"}
CHANNELS = {
    "portal": "网上信访",
    "walk_in": "来访",
    "hotline": "来电",
    "letter": "来信",
    "minyi": "民意速办",
    "open311": "Open311 接口",
}
STREETS = {"unknown": "未知"}
RECOMMENDATION_KINDS = {
    "improve_work": "改进工作建议",
    "improve_policy": "完善政策建议",
    "pursue_responsibility": "追究责任建议",
}
ASSISTANCE_KINDS = {"social": "社会救助", "judicial": "司法救助"}
# casework's key-case evaluation checklist (评查, each item out of 20): the names casework gives them
CHECKLIST_ITEMS = {
    "registration": "登记要素完整",
    "classification": "分类、定性准确",
    "notices": "受理、延期等告知及时完整",
    "opinion": "处理意见书事实清楚、依据正确",
    "satisfaction": "群众满意度",
}


def name(table: dict[str, str], code: str) -> str:
    return table.get(code, code)


def percent(rate: float | None) -> str:
    """0.9091 → 90.91%; 无 where nothing could be divided."""
    return "无" if rate is None else f"{rate * 100:.2f}%"


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
