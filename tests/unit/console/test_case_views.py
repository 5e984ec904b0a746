"""The inbox's and the mediator's page logic without I/O: clocks, which actions a case offers,
how forms become API requests, the calendar grid, and how a problem's field errors read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.console.web.pages import inbox_view, mediation_view

TODAY = date(2026, 3, 10)


def deadline(due_on: str, *, near: bool = False, overdue: bool = False) -> dict[str, Any]:
    return {"due_on": due_on, "near_due": near, "overdue": overdue, "step_zh": "办理答复"}


def test_clock_colours_follow_casework_flags_and_days_left() -> None:
    ok = inbox_view.clock_of(deadline("2026-03-20"), TODAY)
    near = inbox_view.clock_of(deadline("2026-03-12", near=True), TODAY)
    today = inbox_view.clock_of(deadline("2026-03-10", near=True), TODAY)
    late = inbox_view.clock_of(deadline("2026-03-07", overdue=True), TODAY)
    assert ok is not None and (ok.css, ok.label) == ("clock-ok", "剩余10天")
    assert near is not None and (near.css, near.label) == ("clock-near", "剩余2天")
    assert today is not None and today.label == "今日到期"
    assert late is not None and (late.css, late.label) == ("clock-overdue", "已超期3天")
    assert inbox_view.clock_of(None, TODAY) is None


def slugs(found: list[inbox_view.CaseAction]) -> list[str]:
    return [a.slug for a in found]


def test_the_forms_follow_caseworks_allowed_actions_in_the_consoles_order() -> None:
    offered = {"allowed_actions": ["reply", "extend", "submit_co_opinion"]}
    assert slugs(inbox_view.available_actions(offered)) == ["extend", "co-opinion", "reply"]
    # The bureau's review opinion has no form in the inbox; an unknown name is ignored, not an error.
    assert inbox_view.available_actions({"allowed_actions": ["decide_review", "no_such_action"]}) == []
    assert inbox_view.available_actions({}) == []


# The shape of GET /v1/cases/vocabulary, cut down to what the pages use.
CASEWORK_TABLES = {
    "states": [{"value": "assigned", "name_zh": "已分派"}, {"value": "closed", "name_zh": "已办结"}],
    "not_accept_grounds": [{"value": "in_handling", "name_zh": "同一事项已经受理", "basis_zh": "§19"}],
    "legal_routes": [{"value": "civil_litigation", "name_zh": "提起民事诉讼"}],
    "decisions": {
        "claim": [{"value": "support", "name_zh": "支持"}, {"value": "reject", "name_zh": "不予支持"}],
        "suggestion": [{"value": "adopted", "name_zh": "采纳"}],
    },
}


def test_labels_come_from_caseworks_vocabulary() -> None:
    labels = inbox_view.Labels.of(CASEWORK_TABLES)
    assert labels.states == (("assigned", "已分派"), ("closed", "已办结"))
    assert labels.grounds == (("in_handling", "同一事项已经受理"),)
    assert labels.routes == (("civil_litigation", "提起民事诉讼"),)
    # A case without a kind is answered as a claim; the decisions keep casework's order.
    assert labels.decision_choices(None) == (("support", "支持"), ("reject", "不予支持"))
    assert labels.decision_choices("suggestion") == (("adopted", "采纳"),)
    assert labels.decision_choices("report") == ()


def test_forms_become_casework_bodies() -> None:
    assert inbox_view.action_body("sign-for", {}) is None
    assert inbox_view.action_body("extend", {"days": "15", "reason": "需协调"}) == {"days": 15, "reason": "需协调"}
    # Not a number: sent as typed, so casework names the field in its 422.
    typed = inbox_view.action_body("extend", {"days": "十五", "reason": "x"})
    assert typed is not None and typed["days"] == "十五"
    body = inbox_view.action_body("not-accept", {"ground": "in_handling", "explanation": "同一事项", "route": " "})
    assert body == {"ground": "in_handling", "explanation": "同一事项", "route": None, "competent_body": None}


def test_history_is_in_time_order() -> None:
    history = inbox_view.history_of(
        {
            "assigned_at": "2026-03-02T02:00:00Z",
            "lead": {"name": "光明区住房和建设局"},
            "deadlines": [
                {"started_at": "2026-03-02T02:00:00Z", "step_zh": "受理告知", "due_on": "2026-03-17",
                 "done_at": "2026-03-03T01:00:00+00:00", "met": True},
            ],
            "replies": [{"replied_at": "2026-03-05T01:00:00Z", "decision_zh": "支持"}],
            "documents": [{"created_at": "2026-03-03T01:00:01Z", "title": "受理告知书", "doc_no": "光信受1号"}],
        }
    )  # fmt: skip
    assert [e.text for e in history] == [
        "分派至光明区住房和建设局（主办）",
        "开始计时：受理告知，期限至2026-03-17",
        "已完成：受理告知",
        "出具《受理告知书》光信受1号",
        "书面答复：支持",
    ]


def test_problem_lines_name_the_forms_fields() -> None:
    problem = {
        "errors": [
            {"field": "agreement.terms", "message_zh": "至少 1 项"},
            {"field": "agreement.terms.0", "message_zh": "内容太短"},
            {"field": "", "message_zh": "请求体有误"},
        ]
    }
    assert inbox_view.problem_lines(problem, mediation_view.FIELD_LABELS) == [
        "协议条款：至少 1 项",
        "协议条款：内容太短",
        "请求体有误",
    ]
    assert inbox_view.local_time("2026-03-02T02:00:00Z") == "2026-03-02 10:00"


PARTIES = ["applicant", "respondent"]


def test_mediation_forms_become_api_requests() -> None:
    path, body = mediation_view.action_request(
        "schedule", {"scheduled_for": "2026-03-12T09:30", "location": "调解室"}, parties=PARTIES
    )
    assert path == "/sessions"
    assert body == {"scheduled_for": "2026-03-12T09:30:00+08:00", "location": "调解室"}
    path, body = mediation_view.action_request(
        "agreement",
        {"terms": "一、修复防水。\n\n 二、赔偿3000元。 ", "performance_deadline": "2026-03-30"},
        parties=PARTIES,
    )
    assert (path, body) == (
        "/close",
        {"outcome": "agreement", "terms": ["一、修复防水。", "二、赔偿3000元。"], "performance_deadline": "2026-03-30"},
    )
    assert mediation_view.action_request("consent", {"party": "respondent", "consented": "no"}, parties=PARTIES)[1] == {
        "party": "respondent",
        "consented": False,
        "note": "",
    }
    for slug, form in (("schedule", {"scheduled_for": "明天"}), ("consent", {}), ("record", {"minutes": "x"})):
        with pytest.raises(mediation_view.FormProblem):
            mediation_view.action_request(slug, form, parties=PARTIES)


def test_a_session_record_lists_every_party_of_the_vocabulary() -> None:
    path, body = mediation_view.action_request(
        "record", {"number": "2", "minutes": "双方到场", "present_applicant": "yes"}, parties=PARTIES
    )
    assert path == "/sessions/2/record"
    assert body is not None and body["attendance"] == [
        {"party": "applicant", "present": True},
        {"party": "respondent", "present": False},
    ]
    names = mediation_view.Names.of(
        {
            "states": [{"value": "opened", "name_zh": "待受理"}],
            "parties": [{"value": "applicant", "name_zh": "申请人"}, {"value": "respondent", "name_zh": "被申请人"}],
        }
    )
    assert names.states == {"opened": "待受理"}
    assert names.parties == (("applicant", "申请人"), ("respondent", "被申请人"))


def test_open_forms_follow_the_apis_allowed_actions() -> None:
    forms = mediation_view.open_forms({"allowed_actions": ["schedule", "agree", "fail", "refuse", "withdraw"]})
    assert [f.slug for f in forms] == ["consent", "schedule", "agreement", "failure", "withdrawal"]


def test_month_grid_places_sessions_on_their_local_day() -> None:
    first = mediation_view.parse_month("2026-03", TODAY)
    assert first == date(2026, 3, 1)
    # 2026-03-31 17:00 UTC is 1 April 01:00 in Shanghai: outside March's own days.
    sessions = [{"scheduled_for": "2026-03-12T01:30:00Z"}, {"scheduled_for": "2026-03-31T17:00:00Z"}]
    weeks = mediation_view.month_grid(first, sessions)
    days = {d.day: d for week in weeks for d in week}
    assert all(len(week) == 7 for week in weeks) and weeks[0][0].day.weekday() == 0
    assert [s["time"] for s in days[date(2026, 3, 12)].sessions] == ["09:30"]
    assert days[date(2026, 4, 1)].sessions and not days[date(2026, 4, 1)].in_month
    assert mediation_view.parse_month("2026-13", TODAY) is None
    assert mediation_view.parse_month("", TODAY) == date(2026, 3, 1)
    assert mediation_view.shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)
