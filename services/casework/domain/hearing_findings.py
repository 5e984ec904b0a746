"""What an answer states of a hearing held on its case (§31(六) for the 意见书, §36 for the 复核
opinion): which hearing fed it, and its date, place, panel roles and masked conclusion. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Step
from services.casework.domain.hearing import Hearing, Panel, mask_personal


@dataclass(frozen=True, slots=True)
class HearingFinding:
    """What the 意见书 or the 复核 opinion states of a hearing: no names, only roles and counts."""

    held_on: date
    place: str
    panel_zh: str  # e.g. 主持人1名、听证员2名、法律顾问1名
    conclusion: str  # personal data masked


def heard_for(case: Case, hearings: list[Hearing], step: Step) -> Hearing | None:
    """The hearing whose conclusion feeds this answer: the last held on ``step`` since the previous one.

    A reopened case answers again; a hearing held before the earlier reply fed that reply, not this.
    """
    since = None
    if step is Step.reply and len(case.replies) > 1:
        since = case.replies[-2].replied_at
    if step is Step.re_review and case.last_review is not None:
        since = case.last_review.requested_at
    held = [
        h
        for h in hearings
        if h.step is step and h.record is not None and (since is None or h.record.completed_at >= since)
    ]
    return max(held, key=lambda h: h.record.completed_at if h.record else h.opened_at, default=None)


def panel_roles_zh(panel: Panel) -> str:
    roles = [f"主持人1名、听证员{len(panel.members)}名"]
    if panel.lawyer_id is not None:
        roles.append("法律顾问1名")
    return "、".join(roles)


def finding(hearing: Hearing) -> HearingFinding:
    """The hearing as the answer states it; names of participants and panel never appear."""
    assert hearing.record is not None, "only a held hearing has a conclusion"
    names = [hearing.panel.chair, *hearing.panel.members, *(p.name for p in hearing.participants)]
    names += [hearing.panel.lawyer_name] if hearing.panel.lawyer_name else []
    return HearingFinding(
        held_on=local_date(hearing.record.held_at),
        place=hearing.place,
        panel_zh=panel_roles_zh(hearing.panel),
        conclusion=mask_personal(hearing.record.conclusion, names),
    )
