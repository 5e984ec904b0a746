"""Mediators and panels: who may mediate a case, and who is picked.

A case gets its lead mediator from the responsible office — in the dispute's street first, then
anywhere in the district — with the dispute kind among their skills, a staff account to work the
case with, and the lightest current load (open cases per unit of capacity). A panel (三人小组)
adds two more people from the same street, of the office or the street's people's mediation
committee, skilled in the dispute and preferably of other kinds (a lawyer beside a "五老"
volunteer beside a party member), so the panel brings different standing to the table. Nobody with a declared
conflict of interest (回避) is ever picked: neither the roster's declared ties nor a recusal
declared on the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from services.mediation.domain.vocabulary import DisputeKind, MediatorKind

PANEL_SIZE = 3


@dataclass(frozen=True, slots=True)
class Mediator:
    id: str
    name: str
    street: str
    office: str
    kind: MediatorKind
    skills: frozenset[DisputeKind]
    capacity: int = 5
    subject: str | None = None  # the staff account (JWT ``sub``) of this roster entry, if any
    # Declared ties (回避): respondents (companies, people) the mediator must never mediate against.
    conflict_respondents: tuple[str, ...] = ()
    active: bool = True

    def can_handle(self, kind: DisputeKind) -> bool:
        return kind is DisputeKind.other or kind in self.skills

    @property
    def can_lead(self) -> bool:
        """A lead works the case through the API; volunteers without an account sit on panels."""
        return self.subject is not None


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """What a case asks of its mediators."""

    street: str | None
    office: str
    kind: DisputeKind
    panel: bool
    respondent: str | None = None
    recused: frozenset[str] = frozenset()  # mediators who declared a conflict on this very case
    # Offices panel members may come from (the case's office and the street's committee); empty: any.
    member_offices: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()  # e.g. the current mediators on a reassignment


@dataclass(frozen=True, slots=True)
class Selection:
    lead: Mediator | None
    members: tuple[Mediator, ...] = ()
    shortfall: str | None = None  # "no_mediator" | "panel_incomplete"
    notes: list[str] = field(default_factory=list)

    @property
    def everyone(self) -> list[Mediator]:
        return [self.lead, *self.members] if self.lead else []


def conflict_reason(mediator: Mediator, needs: CaseNeeds) -> str | None:
    """Why this mediator must step aside (回避), or None."""
    if mediator.id in needs.recused:
        return "已就本案申请回避"
    respondent = (needs.respondent or "").casefold()
    for tie in mediator.conflict_respondents:
        if tie and tie.casefold() in respondent:
            return f"与被申请人“{tie}”存在利害关系"
    return None


def _load_key(mediator: Mediator, loads: Mapping[str, int]) -> tuple[float, int, str]:
    load = loads.get(mediator.id, 0)
    return (load / max(mediator.capacity, 1), load, mediator.id)


def eligible(roster: Iterable[Mediator], needs: CaseNeeds) -> list[Mediator]:
    return [
        m
        for m in roster
        if m.active and m.id not in needs.exclude and m.can_handle(needs.kind) and conflict_reason(m, needs) is None
    ]


def select(roster: Sequence[Mediator], loads: Mapping[str, int], needs: CaseNeeds) -> Selection:
    candidates = eligible(roster, needs)
    in_office = [m for m in candidates if m.office == needs.office and m.can_lead]
    local = [m for m in in_office if m.street == needs.street]
    notes: list[str] = []
    pool = local or in_office
    if not pool:
        return Selection(lead=None, shortfall="no_mediator", notes=["本街道及全区均无可用的对口调解员"])
    if not local:
        notes.append("本街道无对口调解员，由全区同一调解组织的调解员承办")
    lead = min(pool, key=lambda m: _load_key(m, loads))
    if not needs.panel:
        return Selection(lead=lead, notes=notes)

    members: list[Mediator] = []
    kinds_taken = {lead.kind}
    street = needs.street or lead.street
    others = [
        m
        for m in candidates
        if m.id != lead.id and m.street == street and (not needs.member_offices or m.office in needs.member_offices)
    ]
    while len(members) < PANEL_SIZE - 1 and others:
        # Prefer a kind the panel lacks, then the lightest load.
        best = min(others, key=lambda m: (m.kind in kinds_taken, *_load_key(m, loads)))
        members.append(best)
        kinds_taken.add(best.kind)
        others.remove(best)
    if len(members) < PANEL_SIZE - 1:
        notes.append("本街道对口调解员不足，三人小组未能组齐，请督办人员补充")
        return Selection(lead=lead, members=tuple(members), shortfall="panel_incomplete", notes=notes)
    return Selection(lead=lead, members=tuple(members), notes=notes)


def check_chosen(chosen: Sequence[Mediator], needs: CaseNeeds) -> list[str]:
    """Problems with a supervisor's explicit choice: conflicts and inactive entries are refused."""
    problems = []
    for mediator in chosen:
        reason = conflict_reason(mediator, needs)
        if reason:
            problems.append(f"{mediator.id}: {reason}")
        if not mediator.active:
            problems.append(f"{mediator.id}: 已不在调解员名册中")
    if len({m.id for m in chosen}) != len(chosen):
        problems.append("同一调解员不能重复指派")
    if len(chosen) not in (1, PANEL_SIZE):
        problems.append(f"应指派 1 名调解员或 {PANEL_SIZE} 人小组")
    return problems
