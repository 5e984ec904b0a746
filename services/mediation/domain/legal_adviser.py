"""The panel's legal adviser (法律顾问): a lawyer from the district roster (shared/catalog/lawyers.yaml).

A three-person panel (三人小组) on a dispute that turns on legal rights — wages and injury
(labour), property and tenancy, marriage and inheritance (family), consumer refunds — gets a
lawyer with the mediation role, serving the case's street, with no declared tie (回避) to the
parties; a mediator may also ask for one on any case. The roster's specialties use the same words
as the dispute kinds, so a lawyer who knows the kind of dispute is preferred. Pure rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.mediation.domain.vocabulary import DisputeKind
from shared.catalog.lawyers import Lawyer, LawyerRole, LawyerRoster
from shared.events.vocabulary import Street

# Disputes over statutory rights and duties; neighbour quarrels and "other" seldom need a lawyer.
LEGAL_KINDS = frozenset({DisputeKind.labour, DisputeKind.property, DisputeKind.family, DisputeKind.consumer})
_STREETS = {street.value: street for street in Street}


@dataclass(frozen=True, slots=True)
class AdviserChoice:
    lawyer: Lawyer | None
    problem: str | None = None  # why the requested lawyer may not serve, or why nobody can


def needs_adviser(*, panel: bool, kind: DisputeKind) -> bool:
    """A panel on a dispute that touches legal questions gets a legal adviser without being asked."""
    return panel and kind in LEGAL_KINDS


def choose(
    roster: LawyerRoster,
    *,
    street: str | None,
    kind: DisputeKind,
    parties: tuple[str, ...],
    lawyer_id: str | None = None,
) -> AdviserChoice:
    """The named lawyer if they may serve; otherwise the roster's best fit (specialty first, then id)."""
    parties = tuple(p for p in parties if p)
    if lawyer_id is not None:
        lawyer = roster.get(lawyer_id)
        if lawyer is None or LawyerRole.mediation not in lawyer.roles:
            return AdviserChoice(None, "所选律师不在调解法律顾问名册中。")
        if not lawyer.may_serve(LawyerRole.mediation, parties=parties):
            return AdviserChoice(None, "所选律师与当事人存在利害关系，应当回避。")
        return AdviserChoice(lawyer)
    candidates = [
        lawyer
        for lawyer in roster.for_role(LawyerRole.mediation, street=_STREETS.get(street or ""))
        if lawyer.may_serve(LawyerRole.mediation, parties=parties)
    ]
    if not candidates:
        return AdviserChoice(None, "名册中没有可为本案担任法律顾问的律师。")
    best = min(candidates, key=lambda lawyer: (kind.value not in lawyer.specialties, lawyer.id))
    return AdviserChoice(best)
