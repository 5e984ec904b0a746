"""What the citizen reads on the timeline (``message_zh``): plain sentences naming offices, dates
and the next step, never a staff member."""

from __future__ import annotations

from datetime import date

from services.casework.domain.deadlines import STEP_NAMES_ZH, Step
from services.casework.domain.hearing_findings import HearingFinding
from services.casework.domain.kinds import DECISION_NAMES_ZH, ReplyDecision
from services.casework.domain.legal import GROUNDS, NotAcceptance


def day_zh(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def assigned(lead_name: str, co_names: list[str], accept_due: date) -> str:
    co = f"，{'、'.join(co_names)}协办" if co_names else ""
    return f"您的诉求已分派至{lead_name}办理{co}。承办单位将于{day_zh(accept_due)}前书面告知是否受理。"


def report_assigned(body_name: str, accept_due: date) -> str:
    return (
        f"您的检举控告已转交{body_name}依规处理，您的身份和检举材料将严格保密。"
        f"处理机关将于{day_zh(accept_due)}前告知是否受理。"
    )


def signed_for(lead_name: str) -> str:
    return f"{lead_name}已签收您的诉求，正在审查是否受理。"


def returned(lead_name: str) -> str:
    return f"{lead_name}认为您的诉求不属于其职责范围，已退回光明区信访局重新分派，新的承办单位确定后将及时告知您。"


def accepted(lead_name: str, reply_due: date) -> str:
    return f"{lead_name}已受理您的诉求，将于{day_zh(reply_due)}前办结并书面答复。受理告知书可在线查看。"


def not_accepted(lead_name: str, notice: NotAcceptance) -> str:
    return (
        f"{lead_name}决定不予受理：{GROUNDS[notice.ground].text_zh}。{notice.route_text_zh()}不予受理告知书可在线查看。"
    )


def in_progress(lead_name: str, reply_due: date) -> str:
    return f"{lead_name}正在办理您的诉求，办理时限至{day_zh(reply_due)}。"


def extended(lead_name: str, days: int, reason: str, new_due: date) -> str:
    return (
        f"因{reason.rstrip('。')}，{lead_name}将办理期限延长{days}日，至{day_zh(new_due)}前答复。延期告知书可在线查看。"
    )


def replied(lead_name: str, decision: ReplyDecision, review_body: str | None, review_until: date | None) -> str:
    text = f"{lead_name}已作出书面答复，处理意见为“{DECISION_NAMES_ZH[decision]}”。信访处理意见书可在线查看。"
    if review_body and review_until:
        text += f"如不服，可于{day_zh(review_until)}前向{review_body}请求复查。"
    return text


def closed() -> str:
    return "您的诉求已办结，感谢您的理解与监督。"


def reopened(lead_name: str, reply_due: date) -> str:
    return f"根据您的评价，已要求{lead_name}重新办理，将于{day_zh(reply_due)}前再次答复。"


def review_requested(level_zh: str, body: str, decision_due: date) -> str:
    return f"已收到您的{level_zh}请求，{body}将于{day_zh(decision_due)}前提出{level_zh}意见。"


def review_decided(
    level_zh: str,
    body: str,
    opinion: str,
    next_body: str | None,
    until: date | None,
    *,
    hearing: HearingFinding | None = None,
) -> str:
    text = ""
    if hearing is not None:
        text = (
            f"{body}于{day_zh(hearing.held_on)}在{hearing.place}举行了听证（听证组成人员：{hearing.panel_zh}），"
            f"听证结论：{hearing.conclusion.rstrip('。')}。"
        )
    text += f"{body}已提出{level_zh}意见：{opinion.rstrip('。')}。"
    if next_body and until:
        text += f"如不服，可于{day_zh(until)}前向{next_body}请求复核。"
    else:
        text += "信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理。"
    return text


def supervised(step: Step, owner_name: str, due: date) -> str:
    return (
        f"您的诉求{STEP_NAMES_ZH[step]}时限（{day_zh(due)}）已届满，光明区信访局已对{owner_name}进行督办，"
        "督促其尽快办理。"
    )


def transferred_legal(body_name: str, route_text: str) -> str:
    return (
        f"您反映的事项属于涉法涉诉事项，应当依照法律程序解决，已转交{body_name}依法处理。"
        f"您也可以{route_text}。告知书可在线查看。"
    )


def legal_received(body_name: str) -> str:
    return f"{body_name}已接收您反映的事项，正在依照法律程序办理。"


def legal_progress(body_name: str, note: str) -> str:
    return f"{body_name}反馈办理进展：{note.rstrip('。')}。"


def legal_concluded(body_name: str, outcome: str) -> str:
    return f"{body_name}已依法办结您反映的事项：{outcome.rstrip('。')}。"


def repeat_linked(open_tracking_no: str, open_state_zh: str, due: date | None) -> str:
    due_text = f"，办理时限至{day_zh(due)}" if due else ""
    return (
        f"您反映的事项与编号{open_tracking_no}的诉求为同一事项，该诉求{open_state_zh}{due_text}。"
        "同一事项已经受理或者正在办理的，不再重复受理（参照《信访工作条例》第十九条），办理结果将在原诉求中告知您。"
    )


def repeat_after_re_review(open_tracking_no: str) -> str:
    return (
        f"您反映的事项与编号{open_tracking_no}的诉求为同一事项，该事项已经复核。"
        "依照《信访工作条例》第三十六条，仍以同一事实和理由提出的投诉请求不再受理。"
    )


def request_refused(reason_zh: str) -> str:
    return f"您的申请未能办理：{reason_zh}"
