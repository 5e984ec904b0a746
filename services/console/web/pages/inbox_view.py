"""What the department inbox shows of a casework case: its clock, the actions casework offers the
viewer, and its history. Pure functions over the casework API's JSON; no I/O.

Casework says itself which actions the viewer may take (``allowed_actions`` on the case read) and
names its states, decisions, grounds and routes (GET /v1/cases/vocabulary); the console offers
exactly those, and casework still decides (409/422 on a race)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.clock import CHINA_TZ

ROLE_ZH = {"lead": "主办", "co": "协办", "bureau": "信访局"}
Choices = tuple[tuple[str, str], ...]


def _choices(terms: list[dict[str, Any]]) -> Choices:
    return tuple((str(t["value"]), str(t["name_zh"])) for t in terms)


@dataclass(frozen=True, slots=True)
class Labels:
    """Casework's label tables (GET /v1/cases/vocabulary) as the filter and the forms use them."""

    states: Choices
    grounds: Choices
    routes: Choices
    decisions: dict[str, Choices]

    @classmethod
    def of(cls, tables: dict[str, Any]) -> Labels:
        return cls(
            states=_choices(tables["states"]),
            grounds=_choices(tables["not_accept_grounds"]),
            routes=_choices(tables["legal_routes"]),
            decisions={kind: _choices(terms) for kind, terms in tables["decisions"].items()},
        )

    def decision_choices(self, petition_kind: str | None) -> Choices:
        """The answers a reply may give for this kind (§29–§32); casework answers a case without a
        kind as a claim."""
        return self.decisions.get(petition_kind or "claim", ())


def local_time(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An API instant (ISO, any offset) as the bureau reads it: Shanghai time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return (moment.astimezone(CHINA_TZ) if moment.tzinfo else moment).strftime(fmt)


def problem_lines(problem: dict[str, Any] | None, labels: dict[str, str]) -> list[str]:
    """A problem's field errors as sentences: the field's form label, then the service's message.
    Pointers name nested fields ("agreement.terms.0"): the last named part is the form's field."""
    lines = []
    for error in (problem or {}).get("errors", []):
        parts = [p for p in str(error.get("field") or "").split(".") if p and not p.isdigit()]
        name = parts[-1] if parts else ""
        message = error.get("message_zh") or error.get("message") or ""
        lines.append(f"{labels.get(name, name)}：{message}" if name else str(message))
    return lines


@dataclass(frozen=True, slots=True)
class Clock:
    css: str  # clock-ok | clock-near | clock-overdue (console.css)
    label: str
    step_zh: str
    due_on: str


def clock_of(deadline: dict[str, Any] | None, today: date) -> Clock | None:
    """A running deadline as the officer reads it; near-due and overdue are casework's own flags."""
    if not deadline:
        return None
    due_on = date.fromisoformat(deadline["due_on"])
    days = (due_on - today).days
    if deadline.get("overdue") or days < 0:
        css, label = "clock-overdue", f"已超期{max(-days, 0)}天" if days < 0 else "已超期"
    else:
        css = "clock-near" if deadline.get("near_due") else "clock-ok"
        label = "今日到期" if days == 0 else f"剩余{days}天"
    return Clock(css=css, label=label, step_zh=deadline.get("step_zh", ""), due_on=deadline["due_on"])


@dataclass(frozen=True, slots=True)
class CaseAction:
    slug: str  # the console's URL piece and casework's endpoint (POST /v1/cases/{id}/{slug})
    label: str
    name: str  # casework's name of the action, as its allowed_actions list says it


ACTIONS: tuple[CaseAction, ...] = (
    CaseAction("sign-for", "签收", "sign_for"),
    CaseAction("return", "退回（退单）", "return_case"),
    CaseAction("accept", "受理", "accept"),
    CaseAction("not-accept", "不予受理", "not_accept"),
    CaseAction("start", "开始办理", "start"),
    CaseAction("extend", "延期", "extend"),
    CaseAction("co-opinion", "提交协办意见", "submit_co_opinion"),
    CaseAction("reply", "答复（信访处理意见书）", "reply"),
    CaseAction("legal-receipt", "确认接收", "receive_legal"),
    CaseAction("legal-progress", "反馈办理进展", "record_legal_progress"),
    CaseAction("legal-conclusion", "依法办结", "conclude_legal"),
)
ACTIONS_BY_SLUG = {a.slug: a for a in ACTIONS}


def available_actions(case: dict[str, Any]) -> list[CaseAction]:
    """The forms for what casework says this viewer may do now (its state, the viewer's part, the
    退单 window, the one 延期), in the console's order; actions without a form here (the bureau's
    review opinion) are left out."""
    allowed = set(case.get("allowed_actions") or ())
    return [a for a in ACTIONS if a.name in allowed]


def _text(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def action_body(slug: str, form: dict[str, str]) -> dict[str, Any] | None:
    """The JSON casework's endpoint takes, from the form; casework validates it (and says why)."""
    if slug == "return":
        return {"reason": form.get("reason", "")}
    if slug == "not-accept":
        return {
            "ground": form.get("ground", ""),
            "explanation": form.get("explanation", ""),
            "route": _text(form, "route"),
            "competent_body": _text(form, "competent_body"),
        }
    if slug == "extend":
        days = form.get("days", "").strip()
        return {"days": int(days) if days.isdigit() else days, "reason": form.get("reason", "")}
    if slug == "co-opinion":
        return {"opinion": form.get("opinion", "")}
    if slug == "reply":
        return {
            "decision": form.get("decision", ""),
            "request_summary": form.get("request_summary", ""),
            "facts_and_reasons": form.get("facts_and_reasons", ""),
            "basis": form.get("basis", ""),
            "outstanding_co_reason": _text(form, "outstanding_co_reason"),
        }
    if slug == "legal-receipt":
        return {"reference_no": _text(form, "reference_no")}
    if slug == "legal-progress":
        return {"note": form.get("note", "")}
    if slug == "legal-conclusion":
        return {"outcome": form.get("outcome", "")}
    return None  # sign-for, accept, start: no body


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: str  # ISO instant, for ordering and <time datetime>
    text: str


def history_of(case: dict[str, Any]) -> list[HistoryEntry]:
    """The case's course as the API records it: assignment, clocks, opinions, replies, reviews,
    the 政法 hand-off, documents and closing, oldest first."""
    entries = [HistoryEntry(case["assigned_at"], f"分派至{case['lead']['name']}（主办）")]
    for d in case.get("deadlines", []):
        entries.append(HistoryEntry(d["started_at"], f"开始计时：{d['step_zh']}，期限至{d['due_on']}"))
        if d.get("done_at"):
            late = "" if d.get("met") in (True, None) else "（超期完成）"
            entries.append(HistoryEntry(d["done_at"], f"已完成：{d['step_zh']}{late}"))
    for o in case.get("co_opinions", []):
        entries.append(HistoryEntry(o["submitted_at"], f"{o['department']['name']}提交协办意见"))
    for r in case.get("replies", []):
        entries.append(HistoryEntry(r["replied_at"], f"书面答复：{r['decision_zh']}"))
    for r in case.get("reviews", []):
        level = "复核" if r["level"] == "re_review" else "复查"
        entries.append(HistoryEntry(r["requested_at"], f"申请人申请{level}"))
        if r.get("decided_at"):
            entries.append(HistoryEntry(r["decided_at"], f"出具{level}意见"))
    legal = case.get("legal")
    if legal:
        entries.append(HistoryEntry(legal["transferred_at"], f"转交{legal['body']['name']}"))
        if legal.get("received_at"):
            entries.append(HistoryEntry(legal["received_at"], f"{legal['body']['name']}确认接收"))
        if legal.get("concluded_at"):
            entries.append(HistoryEntry(legal["concluded_at"], f"{legal['body']['name']}依法办结"))
    for doc in case.get("documents", []):
        entries.append(HistoryEntry(doc["created_at"], f"出具《{doc['title']}》{doc['doc_no']}"))
    if case.get("closed_at"):
        entries.append(HistoryEntry(case["closed_at"], "办结"))
    return sorted(entries, key=lambda e: datetime.fromisoformat(e.at))


# Casework's field names in its problem documents, as the officer knows them from the forms.
FIELD_LABELS = {
    "reason": "理由",
    "ground": "不予受理理由",
    "explanation": "说明",
    "route": "法定途径",
    "competent_body": "有权处理的机关",
    "days": "延期天数",
    "opinion": "协办意见",
    "decision": "处理意见",
    "request_summary": "诉求概述",
    "facts_and_reasons": "事实和理由",
    "basis": "依据",
    "outstanding_co_reason": "未收齐协办意见即答复的原因",
    "reference_no": "本机关案号",
    "note": "办理进展",
    "outcome": "办理结果",
}
