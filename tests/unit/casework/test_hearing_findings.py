"""A held hearing feeds the answer: the 信访处理意见书 (HTML and PDF) and the 复核 opinion state
when and where it was held, the panel's roles and its conclusion — never the names in the room."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from services.casework.documents import content
from services.casework.documents.render import DocumentRenderer
from services.casework.domain import messages, petition
from services.casework.domain.case import Case, ReplyRecord
from services.casework.domain.deadlines import Step
from services.casework.domain.hearing import record_hearing
from services.casework.domain.hearing_findings import finding, heard_for
from services.casework.domain.kinds import ReplyDecision
from tests.unit.casework.hearing_helpers import hearing_on
from tests.unit.casework.helpers import CALENDAR, at, new_case

START = at(date(2026, 3, 2))
NAMES = ("王主持", "李听证", "赵听证", "梁志远", "陈志明", "欧阳丽华")


def handling_case() -> Case:
    case = new_case(START)
    petition.sign_for(case, department="housing", now=START)
    petition.accept(case, department="housing", now=START, calendar=CALENDAR)
    petition.start(case, department="housing", now=START)
    return case


def reply(case: Case, day: date) -> ReplyRecord:
    return petition.reply(
        case,
        department="housing",
        decision=ReplyDecision.support,
        request_summary="请求疏通排水沟",
        facts_and_reasons="经现场核查属实",
        basis="《城镇排水与污水处理条例》",
        outstanding_co_reason=None,
        now=at(day),
    )


def pdf_text(data: bytes) -> str:
    return "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_reply_opinion_states_the_hearing_in_html_and_pdf_without_names() -> None:
    case = handling_case()
    hearing = hearing_on(case, date(2026, 3, 10))
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 3, 10), 15),
        record="笔录全文",
        conclusion="欧阳丽华同意由街道疏通排水沟，陈志明（电话13612345678）无异议",
        now=at(date(2026, 3, 11)),
        calendar=CALENDAR,
    )
    record = reply(case, date(2026, 3, 12))
    heard = heard_for(case, [hearing], Step.reply)
    assert heard is hearing
    document = DocumentRenderer().render(
        content.reply_opinion(
            case,
            issuer="光明区住房和建设局",
            reply=record,
            department_names={},
            review_body="光明区信访局",
            now=at(date(2026, 3, 12)),
            hearing=finding(heard),
        )
    )
    text = pdf_text(document.pdf)
    for shown in ("听证情况", "2026年03月10日", "光明区信访局听证室", "主持人1名、听证员2名、法律顾问1名"):
        assert shown in document.html and shown in text
    assert "欧***同意由街道疏通排水沟" in document.html and "欧***同意由街道疏通排水沟" in text
    for hidden in (*NAMES, "13612345678"):
        assert hidden not in document.html and hidden not in text


def test_without_a_hearing_the_reply_opinion_has_no_hearing_section() -> None:
    case = handling_case()
    record = reply(case, date(2026, 3, 12))
    assert heard_for(case, [], Step.reply) is None
    html = DocumentRenderer().html(
        content.reply_opinion(
            case,
            issuer="光明区住房和建设局",
            reply=record,
            department_names={},
            review_body="光明区信访局",
            now=at(date(2026, 3, 12)),
        )
    )
    assert "听证" not in html


def test_a_hearing_before_an_earlier_reply_does_not_feed_a_later_one() -> None:
    case = handling_case()
    hearing = hearing_on(case, date(2026, 3, 10))
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 3, 10), 15),
        record="笔录",
        conclusion="结论",
        now=at(date(2026, 3, 11)),
        calendar=CALENDAR,
    )
    reply(case, date(2026, 3, 12))
    assert heard_for(case, [hearing], Step.reply) is hearing
    # A second answer (after reopening) — the old hearing fed the first reply only.
    case.replies.append(case.replies[-1])
    case.replies[-1] = ReplyRecord(
        decision=ReplyDecision.support,
        request_summary="r",
        facts_and_reasons="f",
        basis="b",
        replied_at=at(date(2026, 4, 20)),
    )
    assert heard_for(case, [hearing], Step.reply) is None
    # An open (unrecorded) hearing never feeds an answer either.
    assert heard_for(handling_case(), [hearing_on(handling_case(), date(2026, 3, 10))], Step.reply) is None


def test_the_re_review_message_states_the_hearing_and_its_conclusion() -> None:
    case = handling_case()
    hearing = hearing_on(case, date(2026, 3, 10))
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 3, 10), 15),
        record="笔录",
        conclusion="陈志明同意维持原处理意见",
        now=at(date(2026, 3, 11)),
        calendar=CALENDAR,
    )
    text = messages.review_decided(
        "复核", "深圳市人民政府", "维持原处理意见。理由", None, None, hearing=finding(hearing)
    )
    assert text.startswith("深圳市人民政府于2026年03月10日在光明区信访局听证室举行了听证")
    assert "主持人1名、听证员2名、法律顾问1名" in text and "陈**同意维持原处理意见" in text
    assert "陈志明" not in text and "王主持" not in text
    assert "听证" not in messages.review_decided("复核", "深圳市人民政府", "维持", None, None)
