"""The district's lawyer roster (法律顾问): who may sit on hearings, evaluations and mediation panels.

Shared data so casework (hearings, 评查) and mediation (panels) read one roster without importing
each other; ``load_lawyers`` checks it once and fails at start, not when a panel is formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shared.events.vocabulary import Street


class LawyerRole(StrEnum):
    hearing = "hearing"  # 听证 panel member
    evaluation = "evaluation"  # 评查 reviewer
    mediation = "mediation"  # mediation panel member


@dataclass(frozen=True, slots=True)
class Lawyer:
    id: str
    name: str
    firm: str
    roles: frozenset[LawyerRole]
    specialties: tuple[str, ...]
    streets: tuple[Street, ...]
    conflicts: tuple[str, ...] = ()

    def may_serve(self, role: LawyerRole, *, parties: tuple[str, ...] = ()) -> bool:
        """True when the roster allows ``role`` and no declared tie (回避) touches ``parties``."""
        return role in self.roles and not any(c in p for c in self.conflicts for p in parties)


@dataclass(frozen=True, slots=True)
class LawyerRoster:
    lawyers: dict[str, Lawyer]

    def get(self, lawyer_id: str) -> Lawyer | None:
        return self.lawyers.get(lawyer_id)

    def for_role(self, role: LawyerRole, *, street: Street | None = None) -> list[Lawyer]:
        return [
            lawyer
            for lawyer in self.lawyers.values()
            if role in lawyer.roles and (street is None or street in lawyer.streets)
        ]


def parse_lawyers(raw: Any) -> LawyerRoster:
    """The roster from the YAML structure; raises ValueError on duplicates or unknown words."""
    entries = raw.get("lawyers") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError("lawyers.yaml must list at least one lawyer under 'lawyers'")
    lawyers: dict[str, Lawyer] = {}
    for entry in entries:
        streets = entry.get("streets", "all")
        lawyer = Lawyer(
            id=str(entry["id"]),
            name=str(entry["name"]),
            firm=str(entry["firm"]),
            roles=frozenset(LawyerRole(r) for r in entry["roles"]),
            specialties=tuple(str(s) for s in entry.get("specialties", ())),
            streets=tuple(Street) if streets == "all" else tuple(Street(s) for s in streets),
            conflicts=tuple(str(c) for c in entry.get("conflicts", ())),
        )
        if lawyer.id in lawyers:
            raise ValueError(f"lawyer roster has a duplicate id: {lawyer.id}")
        if not lawyer.roles:
            raise ValueError(f"lawyer {lawyer.id} has no role")
        lawyers[lawyer.id] = lawyer
    return LawyerRoster(lawyers)


@cache
def load_lawyers() -> LawyerRoster:
    text = resources.files("shared.catalog").joinpath("lawyers.yaml").read_text(encoding="utf-8")
    return parse_lawyers(yaml.safe_load(text))
