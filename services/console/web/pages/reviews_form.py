"""The reviewer's decision form: the proposal as defaults, what the reviewer chose, the router's
request body, and the taxonomy and department choices the form offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from starlette.datastructures import FormData

from services.console.reports.labels import PETITION_KINDS, TRACKS
from shared.catalog import load_catalog, load_taxonomy_entries
from shared.events.vocabulary import Area

ACCEPTED_COMMENT = "采纳系统分流建议"
QUEUE_REASONS = {"low_confidence": "置信度不足", "returned_by_department": "部门退单", "reroute": "改派"}
# the router's problem ``field`` -> the form's input names
_ROUTER_FIELDS = {
    "track": "track",
    "petition_kind": "petition_kind",
    "area": "area",
    "category": "category",
    "item": "item",
    "departments": "lead",
    "comment": "comment",
}


def _sorted_names(names: set[str]) -> list[str]:
    """By name, with 其他 (other) last, as the platform's pickers list them."""
    return sorted(names, key=lambda name: (name == "其他", name))


@cache
def taxonomy() -> dict[str, dict[str, list[str]]]:
    """area -> category (二级) -> items (三级), from the shared taxonomy file."""
    tree: dict[str, dict[str, set[str]]] = {area.value: {} for area in Area}
    for area, category, item in load_taxonomy_entries():
        tree.setdefault(area, {}).setdefault(category, set()).add(item)
    return {
        area: {category: _sorted_names(items) for category, items in sorted(categories.items())}
        for area, categories in tree.items()
    }


def categories_of(area: str) -> list[str]:
    return _sorted_names(set(taxonomy().get(area, {})))


def items_of(area: str, category: str) -> list[str]:
    return taxonomy().get(area, {}).get(category, [])


@cache
def departments() -> list[tuple[str, str]]:
    """(code, name) of every unit a grievance may be sent to, in the catalog's order."""
    return [(d.code, d.name) for d in load_catalog().departments.values()]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass
class DecisionDraft:
    track: str
    area: str
    petition_kind: str = ""
    category: str = ""
    item: str = ""
    lead: str = ""
    co: list[str] = field(default_factory=list)
    comment: str = ""

    @classmethod
    def of_proposal(cls, proposed: dict[str, Any], *, with_departments: bool = True) -> DecisionDraft:
        """The proposal as a decision. The correction form starts without its departments: a
        corrected category then gets the catalog's departments, not the old ones left by mistake."""
        departments = (proposed.get("departments") or {}) if with_departments else {}
        return cls(
            track=proposed["track"],
            area=proposed["area"],
            petition_kind=proposed.get("petition_kind") or "",
            category=proposed.get("category") or "",
            item=proposed.get("item") or "",
            lead=departments.get("lead") or "",
            co=list(departments.get("co") or []),
        )

    @classmethod
    def of_form(cls, form: FormData) -> DecisionDraft:
        co = [value.strip() for value in form.getlist("co") if isinstance(value, str) and value.strip()]
        names = ("track", "area", "petition_kind", "category", "item", "lead", "comment")
        return cls(**{name: _text(form, name) for name in names}, co=co)

    def errors(self) -> dict[str, str]:
        """What the console can tell before asking the router (which checks everything again)."""
        errors: dict[str, str] = {}
        if self.co and not self.lead:
            errors["lead"] = "指定协办单位时，请同时指定主办单位。"
        return errors

    def router_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"track": self.track, "area": self.area, "comment": self.comment}
        for name in ("petition_kind", "category", "item"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        if self.lead:
            body["departments"] = {"lead": self.lead, "co": [c for c in self.co if c != self.lead]}
        return body

    def accepting(self, comment: str) -> DecisionDraft:
        """The proposal as the decision; the reviewer's note, or a standard one, as the comment."""
        return DecisionDraft(**{**self.__dict__, "co": list(self.co), "comment": comment or ACCEPTED_COMMENT})


def _form_field(path: str) -> str | None:
    if path.startswith("departments.co"):
        return "co"
    return _ROUTER_FIELDS.get(path) or _ROUTER_FIELDS.get(path.split(".")[0])


def field_errors(problem: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A router 422's errors by form field, and those that belong to no field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in problem.get("errors") or []:
        message = str(error.get("message_zh") or error.get("message") or "输入不正确")
        name = _form_field(str(error.get("field", "")))
        if name is None:
            general.append(message)
        else:
            by_field.setdefault(name, message)
    if not by_field and not general:
        general.append(str(problem.get("detail") or problem.get("title") or "审核决定未提交。"))
    return by_field, general


LABELS = {"tracks": TRACKS, "kinds": PETITION_KINDS, "queue_reasons": QUEUE_REASONS}
