"""What the citizen reads on the timeline (``message_zh``): plain, specific, with the legal basis."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.mediation.domain.deadlines import format_local
from services.mediation.domain.legal_basis import CONSENT_BASIS, FAILURE_ROUTES_BASIS
from services.mediation.domain.vocabulary import MEDIATION_TYPE_ZH, PARTY_ZH, MediationType, Party
from shared.events.vocabulary import Track

TRACK_ZH = {Track.litigation: "涉法涉诉", Track.petition: "普通信访", Track.mediation: "矛盾纠纷调解"}


def opened(mediation_type: MediationType, office_name: str, due_at: datetime, panel: bool) -> str:
    who = "三人调解小组" if panel else "调解员"
    return (
        f"您反映的纠纷已转入{MEDIATION_TYPE_ZH[mediation_type]}程序，由{office_name}安排{who}负责调解。"
        f"调解以双方自愿为前提（{CONSENT_BASIS[mediation_type]}），调解员将联系双方当事人征询意见。"
        f"调解期限至{format_local(due_at)}。"
    )


def accepted(office_name: str) -> str:
    return f"{office_name}已受理您的调解申请，调解员将征询双方当事人是否同意调解。"


def consented() -> str:
    return "双方当事人均已同意调解，调解员将安排调解会并提前通知您时间和地点。"


def scheduled(when: datetime, location: str, rescheduled: bool) -> str:
    verb = "改期至" if rescheduled else "定于"
    return f"调解会{verb}{format_local(when, with_time=True)}在{location}举行，请按时参加，可携带相关证据材料。"


def reminder(when: datetime, location: str) -> str:
    return f"温馨提示：调解会将于{format_local(when, with_time=True)}在{location}举行，请按时参加。"


def session_held(number: int) -> str:
    return f"第{number}次调解会已召开，调解继续进行。"


def agreed(deadline: date, mediation_type: MediationType) -> str:
    text = f"双方已达成调解协议，约定于{deadline:%Y年%m月%d日}前履行完毕，调解协议书可在下方查看。"
    if mediation_type is MediationType.people:
        text += "双方可自协议生效之日起三十日内共同向人民法院申请司法确认（《人民调解法》第三十三条）。"
    return text


def _other_routes(mediation_type: MediationType, routes_zh: Sequence[str], next_track: Track) -> str:
    basis = FAILURE_ROUTES_BASIS[mediation_type]
    cited = f"（{basis}）" if basis else ""
    return (
        "您可以依法通过"
        + "、".join(routes_zh)
        + f"等途径维护自己的权利{cited}。您的诉求将转入{TRACK_ZH[next_track]}程序继续办理。"
    )


def failed(routes_zh: Sequence[str], next_track: Track, *, mediation_type: MediationType) -> str:
    return "经调解，双方未能达成协议，本次调解终止。" + _other_routes(mediation_type, routes_zh, next_track)


def refused(party: Party, routes_zh: Sequence[str], next_track: Track, *, mediation_type: MediationType) -> str:
    ending = f"因{PARTY_ZH[party]}不同意调解，依照{CONSENT_BASIS[mediation_type]}，本次调解终止。"
    return ending + _other_routes(mediation_type, routes_zh, next_track)


def withdrawn() -> str:
    return "您已撤回调解申请，本次调解终止。如纠纷仍未解决，您可以重新提出诉求。"


def supervised(overdue: int, new_due: datetime) -> str:
    late = f"已超过调解期限{overdue}天，" if overdue else "已到调解期限，"
    return f"您的调解案件{late}光明区信访局已督办，督促承办单位于{format_local(new_due)}前办结。"


def follow_up_due() -> str:
    return "调解协议约定的履行期限已到，调解员将回访协议履行情况。"


def closed_performed() -> str:
    return "经回访，调解协议已履行完毕，本案办结。感谢您的配合，欢迎对调解工作进行评价。"


def closed_unperformed(mediation_type: MediationType) -> str:
    text = "经回访，调解协议未按约定履行。"
    if mediation_type is MediationType.people:
        text += (
            "已经司法确认的协议可向人民法院申请强制执行；"
            "未经确认的，可就履行争议向人民法院提起诉讼（《人民调解法》第三十二条）。"
        )
    else:
        text += "您可以依法向人民法院申请强制执行或提起诉讼。"
    return text + f"您的诉求将转入{TRACK_ZH[Track.litigation]}程序继续办理。"


def reopened(due_at: datetime) -> str:
    return f"根据您的评价，本调解案件已重新启动，调解员将再次组织调解，调解期限至{format_local(due_at)}。"


def follow_up_brought_forward() -> str:
    return "已收到您的评价，调解员将尽快回访调解协议的履行情况。"
