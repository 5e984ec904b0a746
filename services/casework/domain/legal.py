"""Legal routes: where a matter goes when it is not handled as a petition (不予受理, 涉法涉诉)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LegalRoute(StrEnum):
    civil_litigation = "civil_litigation"
    administrative_litigation = "administrative_litigation"
    administrative_reconsideration = "administrative_reconsideration"
    labour_arbitration = "labour_arbitration"
    commercial_arbitration = "commercial_arbitration"
    criminal_complaint = "criminal_complaint"
    procuratorial_supervision = "procuratorial_supervision"
    retrial_or_enforcement = "retrial_or_enforcement"


ROUTE_TEXT_ZH: dict[LegalRoute, str] = {
    LegalRoute.civil_litigation: "依法向有管辖权的人民法院提起民事诉讼",
    LegalRoute.administrative_litigation: "依法向有管辖权的人民法院提起行政诉讼",
    LegalRoute.administrative_reconsideration: "依法向有管辖权的行政复议机关申请行政复议",
    LegalRoute.labour_arbitration: "依法向劳动人事争议仲裁委员会申请劳动人事争议仲裁",
    LegalRoute.commercial_arbitration: "依照仲裁协议向约定的仲裁机构申请仲裁",
    LegalRoute.criminal_complaint: "依法向公安机关报案、控告或者举报",
    LegalRoute.procuratorial_supervision: "依法向人民检察院申请法律监督",
    LegalRoute.retrial_or_enforcement: "依法向人民法院申请再审或者申请强制执行",
}

# Which route each kind of 政法 body (shared.catalog LegalBodyType) stands for.
ROUTE_OF_LEGAL_BODY: dict[str, LegalRoute] = {
    "court": LegalRoute.civil_litigation,
    "procuratorate": LegalRoute.procuratorial_supervision,
    "public_security": LegalRoute.criminal_complaint,
    "justice": LegalRoute.administrative_reconsideration,
    "labour_arbitration": LegalRoute.labour_arbitration,
}


class NotAcceptGround(StrEnum):
    """Why a petition is not accepted, each with its legal basis."""

    statutory_route = "statutory_route"  # 应当通过诉讼、仲裁、行政复议等法定途径解决
    other_authority = "other_authority"  # 不属于本机关职权范围, 应向有权机关提出
    in_handling = "in_handling"  # 同一事项已受理或者正在办理
    concluded_after_re_review = "concluded_after_re_review"  # 复核后同一事实和理由


@dataclass(frozen=True, slots=True)
class GroundRule:
    text_zh: str
    basis_zh: str
    needs_route: bool = False
    needs_competent_body: bool = False


GROUNDS: dict[NotAcceptGround, GroundRule] = {
    NotAcceptGround.statutory_route: GroundRule(
        "您反映的事项依法应当通过诉讼、仲裁、行政复议等法定途径解决",
        "《信访工作条例》第二十二条（涉法涉诉事项转送政法部门）、第三十一条（依照法定程序处理）",
        needs_route=True,
    ),
    NotAcceptGround.other_authority: GroundRule(
        "您反映的事项不属于本机关法定职权范围",
        "《信访工作条例》第二十三条（不属于本机关职权范围的，告知向有权处理的机关提出）",
        needs_competent_body=True,
    ),
    NotAcceptGround.in_handling: GroundRule(
        "您反映的同一事项已经受理或者正在办理",
        "参照《信访工作条例》第十九条（已经受理或者正在办理的同一事项不再重复受理）",
    ),
    NotAcceptGround.concluded_after_re_review: GroundRule(
        "您反映的事项已经复核，仍以同一事实和理由提出的投诉请求不再受理",
        "《信访工作条例》第三十六条（复核后仍以同一事实和理由提出的不再受理）",
    ),
}


@dataclass(frozen=True, slots=True)
class NotAcceptance:
    ground: NotAcceptGround
    explanation: str
    route: LegalRoute | None = None
    competent_body: str | None = None

    def route_text_zh(self) -> str:
        """The legal route the citizen is told (不予受理告知书 must name it)."""
        if self.route is not None:
            text = ROUTE_TEXT_ZH[self.route]
            return f"请{text}" + (f"（{self.competent_body}）" if self.competent_body else "") + "。"
        if self.competent_body:
            return f"请向{self.competent_body}提出。"
        if self.ground is NotAcceptGround.in_handling:
            return "原事项的办理进展和结果将在原诉求中告知，请留意查看。"
        return "如对复核意见仍有异议，可依法通过诉讼等法定途径解决。"
