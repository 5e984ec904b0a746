"""Hearings on the real broker and database: the clock pauses, the due date and the overdue
supervision move, the citizen's timeline shows each step, and other departments are refused."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from pypdf import PdfReader

from services.casework.handlers.supervision import supervise_once
from shared.clock import CHINA_TZ
from tests.integration.casework.conftest import START, Casework, hand_off, handoff, table_counts


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


PARTICIPANTS: list[dict[str, str]] = [
    {"role": "petitioner", "name": "陈志明"},
    {"role": "party", "name": "欧阳丽华"},
    {"role": "department", "name": "光明区水务局", "department": "water"},
]
HEARING = {
    "body": "handler",
    "chair": "王主持",
    "members": ["李听证", "赵听证"],
    "lawyer_id": "lawyer-01",
    "participants": PARTICIPANTS,
    "scheduled_at": local(date(2026, 5, 8), 15).isoformat(),
    "place": "光明区信访局听证室",
}


async def test_hearing_pauses_the_clock_and_moves_the_due_date_and_supervision(casework: Casework) -> None:
    ns, http, clock = casework.namespace, casework.http, casework.clock
    clock.set(START)
    filed = handoff(lead="housing", co=("water",))
    gid = filed.grievance_id
    await hand_off(ns, filed)
    await casework.wait_for_case(gid, "housing")
    housing = casework.officer("housing")
    for step in ("sign-for", "accept", "start"):
        assert (await http.post(f"/v1/cases/{gid}/{step}", headers=housing)).status_code == 200
    case = (await http.get(f"/v1/cases/{gid}", headers=housing)).json()
    assert case["next_due"]["due_on"] == "2026-05-06"  # 2 Mar + 60 days; 1 May is a holiday

    clock.set(local(date(2026, 4, 28)))
    before = await table_counts(ns.asyncpg_dsn, gid)
    # Another department (404), a co-handler (403), a supervisor as handler (403): nothing changes.
    assert (
        await http.post(f"/v1/cases/{gid}/hearings", headers=casework.officer("market-regulation"), json=HEARING)
    ).status_code == 404
    co = await http.post(f"/v1/cases/{gid}/hearings", headers=casework.officer("water"), json=HEARING)
    assert co.status_code == 403 and co.headers["content-type"].startswith("application/problem+json")
    assert (await http.post(f"/v1/cases/{gid}/hearings", headers=casework.supervisor, json=HEARING)).status_code == 403
    bad = await http.post(f"/v1/cases/{gid}/hearings", headers=housing, json=HEARING | {"place": "听证室\x07"})
    assert bad.status_code == 422
    # The 404 is audited (as the case API does); nothing else changes.
    assert await table_counts(ns.asyncpg_dsn, gid) == before | {"audit": before["audit"] + 1}

    opened = await http.post(f"/v1/cases/{gid}/hearings", headers=housing, json=HEARING)
    assert opened.status_code == 201, opened.text
    hearing = opened.json()
    assert hearing["state"] == "scheduled" and hearing["panel"]["lawyer_name"] == "梁志远"
    assert hearing["due_on_at_opening"] == "2026-05-06"
    documents = (await http.get(f"/v1/cases/{gid}/documents", headers=housing)).json()
    assert sum(d["kind"] == "hearing_notice" for d in documents) == 2  # the petitioner and the party

    # Past the old due date the paused clock is not supervised.
    clock.set(local(date(2026, 5, 12), 9))
    run = await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    assert run.supervised == 0
    assert (await http.get(f"/v1/cases/{gid}", headers=housing)).json()["overdue"] is False

    record = {"held_at": local(date(2026, 5, 8), 15).isoformat(), "record": "笔录", "conclusion": "街道负责疏通"}
    other = f"/v1/cases/{gid}/hearings/{hearing['id']}/record"
    assert (await http.post(other, headers=casework.officer("market-regulation"), json=record)).status_code == 404
    held = await http.post(other, headers=housing, json=record)
    assert held.status_code == 200, held.text
    assert held.json()["paused_working_days"] == 8 and held.json()["resumed_due_on"] == "2026-05-15"
    case = (await http.get(f"/v1/cases/{gid}", headers=housing)).json()
    assert case["next_due"]["due_on"] == "2026-05-15"

    clock.set(local(date(2026, 5, 15), 20))
    assert (await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)).supervised == 0
    clock.advance(timedelta(days=1))  # Sat 16 May: the moved due date has passed
    assert (await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)).supervised == 1

    statuses = await casework.statuses(gid, until=lambda got: "supervised" in got)
    seen = [s.status.value for s in statuses]
    assert seen.index("hearing_scheduled") < seen.index("hearing_held") < seen.index("supervised")
    scheduled = next(s for s in statuses if s.status.value == "hearing_scheduled")
    assert scheduled.documents and scheduled.documents[0].kind == "hearing_notice"
    listed = (await http.get(f"/v1/cases/{gid}/hearings", headers=casework.officer("water"))).json()
    assert [h["state"] for h in listed["items"]] == ["held"]


async def test_the_reply_after_a_hearing_states_it_in_html_and_pdf(casework: Casework) -> None:
    ns, http, clock = casework.namespace, casework.http, casework.clock
    clock.set(START)
    filed = handoff(lead="housing", co=())
    gid = filed.grievance_id
    await hand_off(ns, filed)
    await casework.wait_for_case(gid, "housing")
    housing = casework.officer("housing")
    for step in ("sign-for", "accept", "start"):
        assert (await http.post(f"/v1/cases/{gid}/{step}", headers=housing)).status_code == 200
    clock.set(local(date(2026, 3, 5)))
    hearing = (await http.post(f"/v1/cases/{gid}/hearings", headers=housing, json=HEARING)).json()
    record = {
        "held_at": local(date(2026, 3, 5), 15).isoformat(),
        "record": "笔录",
        "conclusion": "欧阳丽华同意由街道疏通排水沟",
    }
    clock.set(local(date(2026, 3, 6)))
    held = await http.post(f"/v1/cases/{gid}/hearings/{hearing['id']}/record", headers=housing, json=record)
    assert held.status_code == 200, held.text
    reply = {"decision": "support", "request_summary": "请求疏通", "facts_and_reasons": "已疏通", "basis": "相关规定"}
    assert (await http.post(f"/v1/cases/{gid}/reply", headers=housing, json=reply)).status_code == 200
    documents = (await http.get(f"/v1/cases/{gid}/documents", headers=housing)).json()
    opinion = next(d for d in documents if d["kind"] == "reply_opinion")
    html = (await http.get(opinion["html_url"], headers=housing)).text
    pdf = (await http.get(opinion["pdf_url"], headers=housing)).content
    text = "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for shown in ("听证情况", "2026年03月05日", "光明区信访局听证室", "法律顾问1名", "欧***同意由街道疏通排水沟"):
        assert shown in html and shown in text
    for hidden in ("王主持", "梁志远", "欧阳丽华"):
        assert hidden not in html and hidden not in text
