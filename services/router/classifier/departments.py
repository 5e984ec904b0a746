"""Lead and co-handling departments (主办/协办) from the catalog, for a decided track and area.

- litigation: the competent 政法 body (court, procuratorate, public security, justice bureau,
  labour arbitration) chosen by the rules' ``legal_body`` evidence, the court by default;
- a report (检举控告): the discipline-inspection commission, and no copy to anyone else: the
  reported unit must never receive the reporter's materials;
- otherwise the department of the area that the rules point to, or the catalog's lead for the
  item (三级), category (二级) or area, in that order of precision, with the catalog's co-handlers
  and the street office as co-handler when the matter is local (属地管理).
Departments a case was returned by (退单) are never chosen again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from services.router.classifier.evidence import Evidence
from shared.catalog import Catalog, Department, LegalBodyType
from shared.events.contracts import Departments
from shared.events.vocabulary import Area, PetitionKind, Street, Track

DISCIPLINE = "discipline-inspection"
PETITIONS_BUREAU = "petitions-bureau"
LEGAL_BODY_ORDER: tuple[LegalBodyType, ...] = (
    "court",
    "procuratorate",
    "public_security",
    "justice",
    "labour_arbitration",
)
_LITIGATION_BASIS = "《信访工作条例》第二十二条（涉法涉诉信件转送同级政法部门依法处理）"
_REPORT_BASIS = "《信访工作条例》第二十二条、第三十条（检举控告转送纪检监察机关；不得转给被检举的人员或者单位）"
_AREA_BASIS = "《信访工作条例》第二十二条（属地管理、分级负责，谁主管、谁负责）"


@dataclass(frozen=True, slots=True)
class Assignment:
    departments: Departments
    reasons: tuple[Evidence, ...]


class DepartmentChooser:
    def __init__(self, catalog: Catalog, aliases: Mapping[str, list[str]]) -> None:
        self.catalog = catalog
        unknown = set(aliases) - set(catalog.departments)
        if unknown:
            raise ValueError(f"aliases for unknown departments: {sorted(unknown)}")
        self._code_of = {alias: code for code, names in aliases.items() for alias in names}
        self._mentions = re.compile("|".join(sorted(map(re.escape, self._code_of), key=len, reverse=True)))
        self._serving: dict[Area, list[Department]] = {
            area: [d for d in catalog.departments.values() if area in d.areas] for area in Area
        }
        self._offices = {street: catalog.street_office(street) for street in Street}
        self._cache: dict[tuple[object, ...], Assignment] = {}

    @classmethod
    def load(cls, catalog: Catalog) -> DepartmentChooser:
        text = resources.files("services.router.classifier").joinpath("department_aliases.yaml").read_text("utf-8")
        return cls(catalog, yaml.safe_load(text))

    def mentioned(self, text: str) -> tuple[str, ...]:
        """Department codes a text names, in order of first mention."""
        seen: dict[str, None] = {}
        for match in self._mentions.finditer(text):
            seen.setdefault(self._code_of[match.group(0)], None)
        return tuple(seen)

    def choose(
        self,
        *,
        track: Track,
        area: Area,
        petition_kind: PetitionKind | None,
        street: Street | None,
        legal_body_scores: Mapping[str, float],
        department_hints: Mapping[str, float],
        co_hints: tuple[str, ...] = (),
        excluded: frozenset[str] = frozenset(),
        mentioned: tuple[str, ...] = (),
        category: str | None = None,
        item: str | None = None,
    ) -> Assignment:
        # Few distinct combinations occur in practice: remember the answers (pure function).
        key = (
            track, area, petition_kind, street, tuple(sorted(legal_body_scores.items())),
            tuple(sorted(department_hints.items())), co_hints, excluded, mentioned, category, item,
        )  # fmt: skip
        cached = self._cache.get(key)
        if cached is None:
            cached = self._choose(track, area, petition_kind, street, legal_body_scores, department_hints, co_hints,
                                  excluded, mentioned, (category, item))  # fmt: skip
            if len(self._cache) < 10_000:
                self._cache[key] = cached
        return cached

    def _choose(
        self,
        track: Track,
        area: Area,
        petition_kind: PetitionKind | None,
        street: Street | None,
        legal_body_scores: Mapping[str, float],
        department_hints: Mapping[str, float],
        co_hints: tuple[str, ...],
        excluded: frozenset[str],
        mentioned: tuple[str, ...],
        taxonomy: tuple[str | None, str | None] = (None, None),
    ) -> Assignment:
        if track is Track.litigation:
            lead, reason = self._legal_body(legal_body_scores, excluded)
            co = [c for c in co_hints if self.catalog.get(c).kind == "legal_body"]
            reasons = [reason]
        elif petition_kind is PetitionKind.report:
            # Confidentiality (§30): nobody but the discipline body, never a unit the text names.
            lead = DISCIPLINE if DISCIPLINE not in excluded else PETITIONS_BUREAU
            co = []
            named = [self.catalog.name_of(c) for c in mentioned if c != lead]
            note = f"；不转送被反映单位（{'、'.join(named)}）" if named else ""
            reasons = [_catalog_reason(lead, f"检举控告由{self.catalog.name_of(lead)}办理{note}", _REPORT_BASIS)]
        else:
            route = self.catalog.route_for(area, *taxonomy)
            lead = self._area_department(area, department_hints, excluded, route.lead)
            co = [*route.co, *(c for c in co_hints if c in self.catalog.departments)]
            precise = route.lead != self.catalog.area_leads[area]
            scope = f"“{_scope(area, taxonomy, self.catalog)}”类事项" if precise else f"{area.value}领域"
            reasons = [_catalog_reason(lead, f"{scope}主办单位：{self.catalog.name_of(lead)}", _AREA_BASIS)]
            office = self._offices.get(street) if street else None
            if office is not None:
                co.insert(0, office.code)
                reasons.append(_catalog_reason(office.code, f"属地协办：{office.name}", _AREA_BASIS, prefix="co"))
        ordered = [c for c in dict.fromkeys(co) if c != lead and c not in excluded]
        if petition_kind is PetitionKind.report:
            ordered = [c for c in ordered if c not in mentioned]
        return Assignment(Departments(lead=lead, co=ordered), tuple(reasons))

    def _legal_body(self, scores: Mapping[str, float], excluded: frozenset[str]) -> tuple[str, Evidence]:
        ranked = sorted(LEGAL_BODY_ORDER, key=lambda body: (-scores.get(body, 0.0), LEGAL_BODY_ORDER.index(body)))
        for body in ranked:
            department = self.catalog.legal_body(body)
            if department.code not in excluded:
                return department.code, _catalog_reason(
                    department.code, f"涉法涉诉事项转送有权处理的政法机关：{department.name}", _LITIGATION_BASIS
                )
        return PETITIONS_BUREAU, _catalog_reason(PETITIONS_BUREAU, "政法机关均已退回，由信访局协调", _LITIGATION_BASIS)

    def _area_department(
        self, area: Area, hints: Mapping[str, float], excluded: frozenset[str], preferred: str | None = None
    ) -> str:
        """The department the rules point to, else the catalog's route (``preferred``), else the area's lead."""
        area_lead = self.catalog.area_leads[area]
        serving = [d for d in self._serving[area] if d.code not in excluded]
        if preferred is not None and preferred not in excluded and all(d.code != preferred for d in serving):
            # a category may be handled by a body outside the area's list (a utility, another area's bureau)
            serving.append(self.catalog.get(preferred))
        if not serving:
            return PETITIONS_BUREAU

        def rank(department: Department) -> tuple[float, int, int, str]:
            code = department.code
            return (-hints.get(code, 0.0), code != preferred, code != area_lead, code)

        return min(serving, key=rank).code


def _scope(area: Area, taxonomy: tuple[str | None, str | None], catalog: Catalog) -> str:
    """The most precise name of the matter the catalog routes: area／category(／item)."""
    category, item = taxonomy
    if category is not None and item is not None and (area, category, item) in catalog.item_routes:
        return f"{area.value}／{category}／{item}"
    return f"{area.value}／{category}" if category is not None else area.value


def _catalog_reason(code: str, description: str, basis: str, *, prefix: str = "lead") -> Evidence:
    return Evidence(kind="catalog", code=f"catalog.{prefix}.{code}", description=description, legal_basis=basis)
