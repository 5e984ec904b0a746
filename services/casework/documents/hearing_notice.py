"""The 听证通知书: what a hearing notice tells the petitioner and each party (content only)."""

from __future__ import annotations

from datetime import datetime

from services.casework.documents.content import TITLES, DocumentKind, Draft, _common
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.domain.hearing import Hearing, HearingBody, ParticipantRole
from services.casework.domain.messages import day_zh
from shared.clock import CHINA_TZ

ROLE_NAMES_ZH = {
    ParticipantRole.petitioner: "信访人",
    ParticipantRole.party: "利害关系人",
    ParticipantRole.department: "有关单位",
}


def hearing_notice(
    case: Case,
    hearing: Hearing,
    *,
    issuer: str,
    addressee: str | None,
    department_names: dict[str, str],
    now: datetime,
    sequence: int = 1,
) -> Draft:
    """One notice per addressee: the petitioner (``addressee`` None: the masked name) or a party."""
    kind = DocumentKind.hearing_notice
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence)
    if addressee is not None:
        context["addressee"] = addressee
    context |= {
        "heard_by_re_review": hearing.body is HearingBody.re_review,
        "scheduled_on": day_zh(local_date(hearing.scheduled_at)),
        "scheduled_time": _clock_zh(hearing.scheduled_at),
        "place": hearing.place,
        "chair": hearing.panel.chair,
        "members": hearing.panel.members,
        "lawyer": hearing.panel.lawyer_name,
        "participants": [
            {
                "role": ROLE_NAMES_ZH[p.role],
                "name": department_names.get(p.department, p.name) if p.department else p.name,
            }
            for p in hearing.participants
        ],
    }
    return Draft(kind, TITLES[kind], context)


def _clock_zh(moment: datetime) -> str:
    local = moment.astimezone(CHINA_TZ)
    return f"{local.hour:02d}时{local.minute:02d}分"
