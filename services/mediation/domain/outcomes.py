"""Outcomes of a mediation: the agreement (调解协议书), the failure notice and the re-route.

人民调解法 §28–§29: an agreement states the parties, the facts and the dispute, the terms and the
way and time of performance, signed by the parties and the mediator. §33: after a people's
mediation agreement the parties may jointly ask the court for judicial confirmation within
thirty days. §26: when mediation fails it ends, and the parties are told the other routes
(arbitration, administrative, judicial). §17: no mediation against a party's will (a refusal ends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.mediation.domain.legal_basis import (
    AGREEMENT_EFFECT_BASIS,
    CONSENT_BASIS,
    FAILURE_ROUTES_BASIS,
    termination_basis,
)
from services.mediation.domain.triage import FailureRoute
from services.mediation.domain.vocabulary import MediationType, Outcome, Party
from shared.events.vocabulary import Track

JUDICIAL_CONFIRMATION_DAYS = 30

JUDICIAL_CONFIRMATION_NOTICE = (
    "双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
    "（《中华人民共和国人民调解法》第三十三条）；人民法院依法确认调解协议有效后，"
    "一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。"
)
PERFORMANCE_NOTICE = {
    MediationType.people: (
        "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行（《人民调解法》第三十一条）。"
    ),
    MediationType.administrative: (
        "本协议由行政机关主持调解达成，当事人应当按照约定履行；一方不履行的，对方可依法向人民法院提起诉讼。"
    ),
    MediationType.judicial: (
        "本协议在人民法院主持下达成，当事人可申请人民法院依法出具调解书或进行司法确认；"
        "一方不履行的，对方可申请强制执行。"
    ),
}


@dataclass(frozen=True, slots=True)
class PartyEntry:
    role: Party
    name: str
    representative: str | None = None


@dataclass(frozen=True, slots=True)
class AgreementDraft:
    """Everything a 调解协议书 needs; ``agreement_gaps`` says what is missing."""

    number: str
    tracking_no: str
    mediation_type: MediationType
    office_name: str
    parties: tuple[PartyEntry, ...]
    mediators: tuple[str, ...]
    facts: str
    terms: tuple[str, ...]
    performance_deadline: date
    signed_on: date

    @property
    def judicial_confirmation_notice(self) -> str | None:
        """Only people's mediation agreements go to the court for confirmation (§33)."""
        return JUDICIAL_CONFIRMATION_NOTICE if self.mediation_type is MediationType.people else None

    @property
    def performance_notice(self) -> str:
        return PERFORMANCE_NOTICE[self.mediation_type]

    @property
    def effect_basis(self) -> str | None:
        """人民调解法 §29 says when a people's mediation agreement takes effect; no other type."""
        return AGREEMENT_EFFECT_BASIS[self.mediation_type]


def agreement_gaps(draft: AgreementDraft) -> list[str]:
    gaps = []
    roles = {p.role for p in draft.parties if p.name.strip()}
    if Party.applicant not in roles:
        gaps.append("缺少申请人")
    if Party.respondent not in roles:
        gaps.append("缺少被申请人")
    if not draft.facts.strip():
        gaps.append("缺少纠纷事实")
    if not [t for t in draft.terms if t.strip()]:
        gaps.append("缺少协议条款")
    if not draft.mediators:
        gaps.append("缺少调解员")
    if draft.performance_deadline < draft.signed_on:
        gaps.append("履行期限早于签署日期")
    if not draft.number:
        gaps.append("缺少协议编号")
    return gaps


def agreement_number(year: int, sequence: int) -> str:
    return f"（{year}）光明调协字第{sequence:06d}号"


@dataclass(frozen=True, slots=True)
class Reroute:
    """What the router is asked: why mediation ended and which track should take the grievance."""

    reason: Literal["mediation_failed", "mediation_refused", "other"]
    to_track: Track
    detail: str


def reroute_for(outcome: Outcome, route: FailureRoute, *, detail: str, to_track: Track | None = None) -> Reroute | None:
    """A failure or a refusal goes back to the router; an agreement or a withdrawal does not."""
    if outcome is Outcome.failure:
        return Reroute("mediation_failed", to_track or route.to_track, detail)
    if outcome is Outcome.refusal:
        return Reroute("mediation_refused", to_track or route.to_track, detail)
    return None


def unperformed_reroute(detail: str) -> Reroute:
    """An agreement not performed after the follow-up goes to the legal route (enforcement, suit)."""
    return Reroute("other", Track.litigation, detail or "调解协议未履行")


@dataclass(frozen=True, slots=True)
class TerminationNotice:
    """调解终止告知书: why mediation ended and the routes the parties still have (人民调解法 §26)."""

    tracking_no: str
    office_name: str
    mediation_type: MediationType
    parties: tuple[PartyEntry, ...]
    facts: str
    outcome: Outcome
    reason: str
    routes_zh: tuple[str, ...]
    next_track: Track
    issued_on: date

    @property
    def legal_basis(self) -> str | None:
        """Everything the notice cites, per mediation type (人民调解法 for people's mediation only)."""
        return termination_basis(self.mediation_type, refused=self.outcome is Outcome.refusal)

    @property
    def consent_basis(self) -> str | None:
        """Why a refusal ends mediation; None when mediation ended otherwise."""
        return CONSENT_BASIS[self.mediation_type] if self.outcome is Outcome.refusal else None

    @property
    def routes_basis(self) -> str | None:
        return FAILURE_ROUTES_BASIS[self.mediation_type]


def default_parties(applicant_name: str, respondent: str | None) -> tuple[PartyEntry, ...]:
    parties = [PartyEntry(Party.applicant, applicant_name)]
    if respondent:
        parties.append(PartyEntry(Party.respondent, respondent))
    return tuple(parties)
