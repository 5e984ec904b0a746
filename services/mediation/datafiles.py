"""Load and check the data files: the triage rules and the mediator roster.

Both are validated when loaded (unknown kinds, streets or office codes fail the process at start,
not a case at 3 a.m.). The packaged files are used unless settings point at a bureau's own.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.mediation.domain.roster import Mediator
from services.mediation.domain.triage import FailureRoute, KindRule, PanelRule, TypeRule, TypeRules
from services.mediation.domain.vocabulary import SKILLS, DisputeKind, MediationType, MediatorKind
from shared.catalog import Catalog
from shared.events.vocabulary import Area, Street, Track

OFFICE_SOURCES = ("street_office", "lead_department", "court")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _KindSpec(_Strict):
    keywords: list[str] = Field(min_length=1)
    areas: list[Area] = Field(default_factory=list)


class _RuleSpec(_Strict):
    code: str
    description: str
    legal_basis: str = ""
    type: MediationType
    keywords_any: list[str] = Field(default_factory=list)
    kinds: list[DisputeKind] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    office: str | None = None


class _PanelSpec(_Strict):
    urgent: bool = True
    cluster: bool = True
    repeat: bool = True
    kinds: list[DisputeKind] = Field(default_factory=list)
    keywords_any: list[str] = Field(default_factory=list)


class _RouteSpec(_Strict):
    to_track: Track
    routes: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _leaves_mediation(self) -> _RouteSpec:
        if self.to_track is Track.mediation:
            raise ValueError("a failed mediation must leave the mediation track")
        return self


class _FallbackSpec(_Strict):
    office: str
    name: str


class _TypeRulesFile(_Strict):
    kinds: dict[DisputeKind, _KindSpec]
    rules: list[_RuleSpec]
    default_type: MediationType
    panel: _PanelSpec
    failure_routes: dict[DisputeKind, _RouteSpec]
    people_fallback: _FallbackSpec

    @model_validator(mode="after")
    def _has_catch_all_route(self) -> _TypeRulesFile:
        if DisputeKind.other not in self.failure_routes:
            raise ValueError("failure_routes needs an 'other' entry")
        return self


class _MediatorSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    name: str = Field(min_length=2)
    office: str | None = None
    kind: MediatorKind
    skills: list[DisputeKind] = Field(min_length=1)
    capacity: int = Field(default=5, ge=1, le=50)
    subject: str | None = None
    conflicts: list[str] = Field(default_factory=list)


class _RosterFile(_Strict):
    streets: dict[Street, list[_MediatorSpec]]


def _read(path: Path | None, packaged: str) -> Any:
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("services.mediation.data").joinpath(packaged).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def parse_type_rules(raw: Any, catalog: Catalog) -> TypeRules:
    spec = _TypeRulesFile.model_validate(raw)
    for rule in spec.rules:
        if rule.office and rule.office not in OFFICE_SOURCES:
            catalog.get(rule.office)  # KeyError for an unknown department code
    catalog.get(spec.people_fallback.office)
    return TypeRules(
        kinds=tuple(KindRule(kind, tuple(k.keywords), tuple(k.areas)) for kind, k in spec.kinds.items()),
        rules=tuple(
            TypeRule(
                code=r.code,
                description=r.description,
                mediation_type=r.type,
                legal_basis=r.legal_basis,
                keywords_any=tuple(r.keywords_any),
                kinds=tuple(r.kinds),
                areas=tuple(r.areas),
                office=r.office,
            )
            for r in spec.rules
        ),
        default_type=spec.default_type,
        panel=PanelRule(
            urgent=spec.panel.urgent,
            cluster=spec.panel.cluster,
            repeat=spec.panel.repeat,
            kinds=tuple(spec.panel.kinds),
            keywords_any=tuple(spec.panel.keywords_any),
        ),
        failure_routes={
            kind: FailureRoute(route.to_track, tuple(route.routes)) for kind, route in spec.failure_routes.items()
        },
        people_fallback_office=spec.people_fallback.office,
        people_fallback_office_name=spec.people_fallback.name,
    )


def parse_roster(raw: Any, catalog: Catalog) -> list[Mediator]:
    spec = _RosterFile.model_validate(raw)
    mediators: list[Mediator] = []
    for street, entries in spec.streets.items():
        street_office = catalog.streets[street].office_code
        for entry in entries:
            office = entry.office or street_office
            catalog.get(office)
            if DisputeKind.other in entry.skills:
                raise ValueError(f"{entry.id}: 'other' is not a skill; skills are {sorted(SKILLS)}")
            mediators.append(
                Mediator(
                    id=entry.id,
                    name=entry.name,
                    street=street.value,
                    office=office,
                    kind=entry.kind,
                    skills=frozenset(entry.skills),
                    capacity=entry.capacity,
                    subject=entry.subject,
                    conflict_respondents=tuple(entry.conflicts),
                )
            )
    _check_unique(mediators)
    return mediators


def _check_unique(mediators: list[Mediator]) -> None:
    ids = [m.id for m in mediators]
    subjects = [m.subject for m in mediators if m.subject]
    for label, values in (("id", ids), ("subject", subjects)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"roster has duplicate {label}s: {duplicates}")


def load_type_rules(catalog: Catalog, path: Path | None = None) -> TypeRules:
    return parse_type_rules(_read(path, "type_rules.yaml"), catalog)


def load_roster(catalog: Catalog, path: Path | None = None) -> list[Mediator]:
    return parse_roster(_read(path, "roster.yaml"), catalog)
