"""What the mediator's pages show of a mediation case: the forms its ``allowed_actions`` (the
mediation API's own list) open, the JSON each form becomes, and the month grid of the session
calendar. Pure functions; no I/O.

Names of states, types, kinds and parties are the mediation API's: on each case and session
(``state_zh``, ``type_zh``, ``dispute_kind_zh``) and in GET /v1/mediations/vocabulary."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.clock import CHINA_TZ


@dataclass(frozen=True, slots=True)
class Names:
    """The mediation vocabulary as the pages use it: the state filter and the parties' forms."""

    states: dict[str, str]
    parties: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, tables: dict[str, Any]) -> Names:
        return cls(
            states={t["value"]: t["name_zh"] for t in tables["states"]},
            parties=tuple((t["value"], t["name_zh"]) for t in tables["parties"]),
        )


FIELD_LABELS = {
    "party": "当事人",
    "consented": "是否同意",
    "note": "备注",
    "scheduled_for": "调解时间",
    "location": "地点",
    "reason": "理由",
    "minutes": "调解笔录",
    "attendance": "出席情况",
    "terms": "协议条款",
    "performance_deadline": "履行期限",
    "to_track": "转入程序",
    "performed": "是否履行",
}


@dataclass(frozen=True, slots=True)
class Form:
    slug: str  # the console's URL piece
    label: str
    needs: str  # the API's allowed action that opens it


FORMS: tuple[Form, ...] = (
    Form("accept", "受理", "accept"),
    Form("consent", "记录当事人意见（同意调解）", "consent"),
    Form("schedule", "安排调解会", "schedule"),
    Form("reschedule", "改期", "reschedule"),
    Form("record", "记录调解会（调解笔录）", "record_session"),
    Form("agreement", "达成调解协议（出具调解协议书）", "agree"),
    Form("failure", "调解终止（调解不成）", "fail"),
    Form("withdrawal", "申请人撤回", "withdraw"),
    Form("follow-up", "回访履行情况", "follow_up"),
)
FORMS_BY_SLUG = {f.slug: f for f in FORMS}


def open_forms(case: dict[str, Any]) -> list[Form]:
    allowed = set(case.get("allowed_actions", []))
    # A party's refusal (or withdrawn consent) is recorded with the same form as its consent.
    if "refuse" in allowed:
        allowed.add("consent")
    return [f for f in FORMS if f.needs in allowed]


def pending_session(case: dict[str, Any]) -> dict[str, Any] | None:
    return next((s for s in case.get("sessions", []) if s["state"] == "scheduled"), None)


class FormProblem(Exception):
    """The form cannot become a request (a time that is no time): said here, nothing is sent."""

    def __init__(self, field_name: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.problem = {
            "detail": "请检查填写的内容。",
            "errors": [{"field": field_name, "message_zh": message_zh}],
        }


def local_instant(value: str, field_name: str) -> str:
    """``<input type=datetime-local>`` sends a naive time: the bureau's (Asia/Shanghai), as ISO."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FormProblem(field_name, "请填写日期和时间，例如 2026-05-20 09:30。") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    return moment.isoformat()


def _optional(form: dict[str, str], name: str) -> str | None:
    return form.get(name, "").strip() or None


def action_request(slug: str, form: dict[str, str], *, parties: Sequence[str]) -> tuple[str, dict[str, Any] | None]:
    """(path under /v1/mediations/{id}, JSON body) for a form; the API validates the content.
    ``parties`` (the vocabulary's) are those whose attendance a session record lists."""
    if slug == "accept":
        return "/accept", None
    if slug == "consent":
        consented = {"yes": True, "no": False}.get(form.get("consented", ""))
        if consented is None:
            raise FormProblem("consented", "请选择当事人是否同意调解。")
        return "/consents", {"party": form.get("party", ""), "consented": consented, "note": form.get("note", "")}
    if slug == "schedule":
        body: dict[str, Any] = {"scheduled_for": local_instant(form.get("scheduled_for", ""), "scheduled_for")}
        return "/sessions", {**body, "location": form.get("location", "")}
    number = form.get("number", "")
    if slug in ("reschedule", "record") and not number.isdigit():
        raise FormProblem("number", "没有待召开的调解会。")
    if slug == "reschedule":
        when = local_instant(form.get("scheduled_for", ""), "scheduled_for")
        body = {"scheduled_for": when, "location": _optional(form, "location"), "reason": form.get("reason", "")}
        return f"/sessions/{int(number)}/reschedule", body
    if slug == "record":
        attendance = [{"party": p, "present": form.get(f"present_{p}") == "yes"} for p in parties]
        return f"/sessions/{int(number)}/record", {"attendance": attendance, "minutes": form.get("minutes", "")}
    if slug == "agreement":
        terms = [line.strip() for line in form.get("terms", "").splitlines() if line.strip()]
        agreement: dict[str, Any] = {
            "outcome": "agreement",
            "terms": terms,
            "performance_deadline": _optional(form, "performance_deadline"),
        }
        if _optional(form, "facts"):
            agreement["facts"] = _optional(form, "facts")  # else the service takes the grievance's
        return "/close", agreement
    if slug == "failure":
        return "/close", {
            "outcome": "failure",
            "reason": form.get("reason", ""),
            "to_track": _optional(form, "to_track"),
        }
    if slug == "withdrawal":
        return "/close", {"outcome": "withdrawal", "reason": form.get("reason", "")}
    if slug == "follow-up":
        performed = {"yes": True, "no": False}.get(form.get("performed", ""))
        if performed is None:
            raise FormProblem("performed", "请选择协议是否已履行。")
        return "/follow-up", {"performed": performed, "note": form.get("note", "")}
    raise KeyError(slug)


def days_left(due_at: str, now: datetime) -> tuple[str, str]:
    """(css class, label) of a mediation's time limit: near within 3 days, as casework warns."""
    due = datetime.fromisoformat(due_at).astimezone(CHINA_TZ).date()
    days = (due - now.astimezone(CHINA_TZ).date()).days
    if days < 0:
        return "clock-overdue", f"已超期{-days}天"
    return ("clock-near" if days <= 3 else "clock-ok"), ("今日到期" if days == 0 else f"剩余{days}天")


@dataclass
class Day:
    day: date
    in_month: bool
    sessions: list[dict[str, Any]] = field(default_factory=list)


def parse_month(value: str | None, today: date) -> date | None:
    """``YYYY-MM`` → its first day; no value → this month; anything else → None (a 422)."""
    if not value:
        return today.replace(day=1)
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    return first if 2000 <= first.year <= 2100 else None


def month_bounds(first: date) -> tuple[date, date]:
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_grid(first: date, sessions: list[dict[str, Any]]) -> list[list[Day]]:
    """Weeks from Monday; each day with its sessions (local time), days outside the month greyed."""
    by_day: dict[date, list[dict[str, Any]]] = {}
    for s in sessions:
        local = datetime.fromisoformat(s["scheduled_for"]).astimezone(CHINA_TZ)
        by_day.setdefault(local.date(), []).append({**s, "time": local.strftime("%H:%M")})
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[Day(d, d.month == first.month, by_day.get(d, [])) for d in week] for week in weeks]
