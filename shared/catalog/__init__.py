"""The department catalog of the district: departments, 政法 bodies and street offices (data file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from shared.events.vocabulary import Area, Street

DepartmentKind = Literal["department", "legal_body", "street_office", "supervision", "bureau"]
LegalBodyType = Literal["court", "procuratorate", "public_security", "justice", "labour_arbitration"]


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    kind: DepartmentKind
    areas: tuple[Area, ...]
    streets: tuple[Street, ...]
    legal_body: LegalBodyType | None = None


@dataclass(frozen=True, slots=True)
class StreetInfo:
    street: Street
    office_code: str
    communities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    district: str
    departments: dict[str, Department]
    streets: dict[Street, StreetInfo]
    area_leads: dict[Area, str]

    def get(self, code: str) -> Department:
        try:
            return self.departments[code]
        except KeyError:
            raise KeyError(f"unknown department code {code!r}") from None

    def name_of(self, code: str) -> str:
        return self.get(code).name

    def lead_for_area(self, area: Area) -> Department:
        return self.get(self.area_leads[area])

    def street_office(self, street: Street | str | None) -> Department | None:
        info = self.streets.get(Street(street)) if isinstance(street, str) and street in set(Street) else None
        return self.get(info.office_code) if info else None

    def legal_body(self, body: LegalBodyType) -> Department:
        for dept in self.departments.values():
            if dept.legal_body == body:
                return dept
        raise KeyError(f"no legal body of type {body}")

    @property
    def codes(self) -> list[str]:
        return sorted(self.departments)


def _parse(raw: dict[str, Any]) -> Catalog:
    all_streets = tuple(Street)
    departments = {
        d["code"]: Department(
            code=d["code"],
            name=d["name"],
            kind=d["kind"],
            areas=tuple(Area(a) for a in d.get("areas", [])),
            streets=all_streets if d.get("streets") == "all" else tuple(Street(s) for s in d["streets"]),
            legal_body=d.get("legal_body"),
        )
        for d in raw["departments"]
    }
    streets = {
        Street(name): StreetInfo(Street(name), info["code"], tuple(info["communities"]))
        for name, info in raw["streets"].items()
    }
    area_leads = {Area(area): code for area, code in raw["area_leads"].items()}
    catalog = Catalog(raw["district"], departments, streets, area_leads)
    _check(catalog)
    return catalog


def _check(catalog: Catalog) -> None:
    """Fail at load time, not at dispatch time, when the data file is inconsistent."""
    missing = [a for a in Area if a not in catalog.area_leads]
    if missing:
        raise ValueError(f"areas without a lead department: {missing}")
    for code in [*catalog.area_leads.values(), *(s.office_code for s in catalog.streets.values())]:
        catalog.get(code)


@cache
def load_catalog() -> Catalog:
    text = resources.files("shared.catalog").joinpath("departments.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text))
