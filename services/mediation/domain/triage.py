"""Which kind of dispute, which mediation type, which office, and whether a panel is needed.

The rules are data (``data/type_rules.yaml``, loaded by ``services.mediation.datafiles``): the
bureau changes them without a release. Rules are evaluated in order; the first match wins, and
every decision keeps the rules that made it so a supervisor can see why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.mediation.domain.vocabulary import DisputeKind, MediationType
from shared.catalog import Catalog
from shared.events.vocabulary import Area, Street, Track

# Where a mediation type's office comes from: "street_office" (the street's people's mediation
# committee), "lead_department" (行政调解 by the competent department), "court", or a fixed code.
OfficeSource = str


@dataclass(frozen=True, slots=True)
class Dispute:
    """What triage looks at: the grievance as filed plus the router's decision."""

    title: str
    content: str
    area: Area
    lead_department: str
    street: str | None = None
    respondent: str | None = None
    urgent: bool = False
    cluster_id: str | None = None
    repeat_of: str | None = None

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}\n{self.respondent or ''}"


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: DisputeKind
    keywords: tuple[str, ...]
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeRule:
    code: str
    description: str
    mediation_type: MediationType
    legal_basis: str = ""
    keywords_any: tuple[str, ...] = ()
    kinds: tuple[DisputeKind, ...] = ()
    areas: tuple[Area, ...] = ()
    office: OfficeSource | None = None

    def matches(self, dispute: Dispute, kind: DisputeKind) -> list[str]:
        """The conditions that held (all given conditions must hold); empty when it does not match."""
        held: list[str] = []
        if self.keywords_any:
            hits = [word for word in self.keywords_any if word in dispute.text]
            if not hits:
                return []
            held.append("关键词：" + "、".join(hits))
        if self.kinds:
            if kind not in self.kinds:
                return []
            held.append(f"纠纷类别：{kind.value}")
        if self.areas:
            if dispute.area not in self.areas:
                return []
            held.append(f"责任领域：{dispute.area.value}")
        return held or ["默认规则"]


@dataclass(frozen=True, slots=True)
class PanelRule:
    """When a case gets a three-person panel (三人小组) instead of one mediator."""

    urgent: bool = True
    cluster: bool = True
    repeat: bool = True
    kinds: tuple[DisputeKind, ...] = ()
    keywords_any: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FailureRoute:
    """人民调解法 §26: on failure, the other routes the parties have, and where the grievance goes next."""

    to_track: Track
    routes_zh: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypeRules:
    kinds: tuple[KindRule, ...]
    rules: tuple[TypeRule, ...]
    default_type: MediationType
    panel: PanelRule
    failure_routes: dict[DisputeKind, FailureRoute]
    people_fallback_office: str
    people_fallback_office_name: str

    def failure_route(self, kind: DisputeKind) -> FailureRoute:
        return self.failure_routes.get(kind) or self.failure_routes[DisputeKind.other]


@dataclass(frozen=True, slots=True)
class Triage:
    kind: DisputeKind
    mediation_type: MediationType
    office: str
    office_name: str
    panel: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)


def classify_kind(rules: TypeRules, dispute: Dispute) -> tuple[DisputeKind, list[str]]:
    """The dispute kind with the most keyword hits (an area match counts one); ties keep file order."""
    best: tuple[int, DisputeKind, list[str]] = (0, DisputeKind.other, [])
    for rule in rules.kinds:
        hits = [word for word in rule.keywords if word in dispute.text]
        score = len(hits) + (1 if dispute.area in rule.areas else 0)
        if score > best[0]:
            best = (score, rule.kind, hits)
    return best[1], best[2]


def choose_type(
    rules: TypeRules, dispute: Dispute, kind: DisputeKind
) -> tuple[MediationType, TypeRule | None, list[str]]:
    for rule in rules.rules:
        held = rule.matches(dispute, kind)
        if held:
            return rule.mediation_type, rule, held
    return rules.default_type, None, []


def needs_panel(rule: PanelRule, dispute: Dispute, kind: DisputeKind) -> list[str]:
    """Why a panel is needed (empty: one mediator is enough)."""
    why: list[str] = []
    if rule.urgent and dispute.urgent:
        why.append("紧急风险")
    if rule.cluster and dispute.cluster_id:
        why.append("集体诉求")
    if rule.repeat and dispute.repeat_of:
        why.append("重复诉求")
    if kind in rule.kinds:
        why.append(f"纠纷类别 {kind.value}")
    hits = [word for word in rule.keywords_any if word in dispute.text]
    if hits:
        why.append("关键词：" + "、".join(hits))
    return why


def resolve_office(
    rules: TypeRules, catalog: Catalog, dispute: Dispute, mediation_type: MediationType, source: OfficeSource | None
) -> tuple[str, str]:
    """The office (department code, the mediators' JWT ``department``) and its display name."""
    if source is None:
        source = {
            MediationType.people: "street_office",
            MediationType.administrative: "lead_department",
            MediationType.judicial: "court",
        }[mediation_type]
    if source == "street_office":
        office = catalog.street_office(dispute.street)
        if office is None or dispute.street is None:
            return rules.people_fallback_office, rules.people_fallback_office_name
        return office.code, f"{Street(dispute.street).value}人民调解委员会"
    if source == "court":
        court = catalog.legal_body("court")
        return court.code, court.name
    code = dispute.lead_department if source == "lead_department" else source
    if code not in catalog.departments or catalog.get(code).kind != "department":
        # A 政法 body or an unknown code cannot run administrative mediation: use the area's lead.
        code = catalog.lead_for_area(dispute.area).code
    return code, catalog.name_of(code)


def triage(rules: TypeRules, catalog: Catalog, dispute: Dispute) -> Triage:
    kind, kind_hits = classify_kind(rules, dispute)
    mediation_type, rule, held = choose_type(rules, dispute, kind)
    office, office_name = resolve_office(rules, catalog, dispute, mediation_type, rule.office if rule else None)
    panel_why = needs_panel(rules.panel, dispute, kind)
    reasons: list[dict[str, Any]] = [
        {"code": f"kind.{kind.value}", "description": "纠纷类别", "matched": kind_hits},
        {
            "code": f"type.{rule.code}" if rule else "type.default",
            "description": rule.description if rule else "未命中专门规则，按默认调解类型",
            "legal_basis": rule.legal_basis if rule else "《信访工作条例》第三十七条",
            "matched": held,
        },
    ]
    if panel_why:
        reasons.append({"code": "panel", "description": "组成三人调解小组", "matched": panel_why})
    return Triage(kind, mediation_type, office, office_name, bool(panel_why), reasons)
