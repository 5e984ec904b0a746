"""One piece of an explanation, as the classifier produces it (a plain value, cheap to build);
handlers turn it into the event contract's ``Reason``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shared.events.contracts import Reason

EvidenceKind = Literal["rule", "model", "catalog"]


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: EvidenceKind
    code: str
    description: str
    legal_basis: str | None = None
    weight: float | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "code": self.code, "description": self.description}
        if self.legal_basis is not None:
            data["legal_basis"] = self.legal_basis
        if self.weight is not None:
            data["weight"] = self.weight
        return data

    def to_reason(self) -> Reason:
        return Reason(
            kind=self.kind,
            code=self.code,
            description=self.description,
            legal_basis=self.legal_basis,
            weight=self.weight,
        )
