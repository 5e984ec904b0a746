"""The department catalog of the district: departments, 政法 bodies, street offices, and which of
them lead and co-handle each area, category (二级) and item (三级) of the taxonomy (data files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from shared.events.vocabulary import Area, Street

DepartmentKind = Literal["department", "legal_body", "street_office", "supervision", "bureau", "utility"]
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
class Route:
    """Who handles a kind of matter: the lead department (主办) and co-handlers (协办)."""

    lead: str
    co: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalog:
    district: str
    departments: dict[str, Department]
    streets: dict[Street, StreetInfo]
    area_leads: dict[Area, str]
    # (area, category) and (area, category, item) routes; anything not listed goes to the area lead
    category_routes: dict[tuple[Area, str], Route] = field(default_factory=dict)
    item_routes: dict[tuple[Area, str, str], Route] = field(default_factory=dict)

    def get(self, code: str) -> Department:
        try:
            return self.departments[code]
        except KeyError:
            raise KeyError(f"unknown department code {code!r}") from None

    def name_of(self, code: str) -> str:
        return self.get(code).name

    def lead_for_area(self, area: Area) -> Department:
        return self.get(self.area_leads[area])

    def route_for(self, area: Area, category: str | None = None, item: str | None = None) -> Route:
        """The most precise route the catalog has: the item's, else the category's, else the area's."""
        if category is not None:
            if item is not None and (area, category, item) in self.item_routes:
                return self.item_routes[(area, category, item)]
            if (area, category) in self.category_routes:
                return self.category_routes[(area, category)]
        return Route(self.area_leads[area])

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


def _parse(raw: dict[str, Any], taxonomy: frozenset[tuple[str, str, str]]) -> Catalog:
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
    categories, items = _routes(raw.get("category_routes") or {})
    catalog = Catalog(raw["district"], departments, streets, area_leads, categories, items)
    _check(catalog, taxonomy)
    return catalog


def _route(entry: dict[str, Any]) -> Route:
    return Route(entry["lead"], tuple(entry.get("co", ())))


def _routes(raw: dict[str, Any]) -> tuple[dict[tuple[Area, str], Route], dict[tuple[Area, str, str], Route]]:
    categories: dict[tuple[Area, str], Route] = {}
    items: dict[tuple[Area, str, str], Route] = {}
    for area_name, entries in raw.items():
        area = Area(area_name)
        for category, entry in entries.items():
            categories[(area, category)] = _route(entry)
            for item, item_entry in (entry.get("items") or {}).items():
                items[(area, category, item)] = _route(item_entry)
    return categories, items


def _check(catalog: Catalog, taxonomy: frozenset[tuple[str, str, str]]) -> None:
    """Fail at load time, not at dispatch time, when the data files are inconsistent."""
    missing = [a for a in Area if a not in catalog.area_leads]
    if missing:
        raise ValueError(f"areas without a lead department: {missing}")
    routes = [*catalog.category_routes.values(), *catalog.item_routes.values()]
    for code in [
        *catalog.area_leads.values(),
        *(s.office_code for s in catalog.streets.values()),
        *(code for route in routes for code in (route.lead, *route.co)),
    ]:
        catalog.get(code)
    pairs = {(area, category) for area, category, _ in taxonomy}
    unknown = [f"{a.value}/{c}" for a, c in catalog.category_routes if (a.value, c) not in pairs]
    unknown += [f"{a.value}/{c}/{i}" for a, c, i in catalog.item_routes if (a.value, c, i) not in taxonomy]
    if unknown:
        raise ValueError(f"category routes for what the taxonomy does not have: {unknown}")


def taxonomy_entries(raw: str) -> frozenset[tuple[str, str, str]]:
    """(area, category, item) of ``taxonomy.tsv`` (a header line, then tab-separated lines)."""
    rows = (line.split("\t") for line in raw.splitlines()[1:] if line.strip())
    return frozenset((area.strip(), category.strip(), item.strip()) for area, category, item in rows)


@cache
def load_taxonomy_entries() -> frozenset[tuple[str, str, str]]:
    return taxonomy_entries(resources.files("shared.catalog").joinpath("taxonomy.tsv").read_text(encoding="utf-8"))


@cache
def load_catalog() -> Catalog:
    text = resources.files("shared.catalog").joinpath("departments.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), load_taxonomy_entries())
