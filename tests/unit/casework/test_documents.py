"""Every notice carries the elements the regulation requires, in its HTML and in its PDF's text."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.casework.documents import content, pdf
from services.casework.documents.content import REQUIRED_ELEMENTS, DocumentKind, Draft
from services.casework.documents.hearing_notice import hearing_notice
from services.casework.documents.render import DocumentRenderer
from services.casework.domain import petition
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Step
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute, NotAcceptance, NotAcceptGround
from shared.events.vocabulary import PetitionKind, Track
from tests.unit.casework.hearing_helpers import hearing_on
from tests.unit.casework.helpers import CALENDAR, at, new_case

NOW = at(date(2026, 3, 2))
ISSUER = "光明区住房和建设局"
COMMON = ("陈**", "GM-20260302-000001", "小区门口积水严重", ISSUER, "2026年03月02日")


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and spaces removed (Chinese lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


def accepted(co: tuple[str, ...] = ("water",), kind: PetitionKind = PetitionKind.claim) -> Case:
    case = new_case(NOW, co=co, kind=kind)
    petition.sign_for(case, department="housing", now=NOW)
    petition.accept(case, department="housing", now=NOW, calendar=CALENDAR)
    petition.start(case, department="housing", now=NOW)
    return case


def drafts() -> dict[DocumentKind, tuple[Draft, tuple[str, ...]]]:
    """Each kind of notice with the case-specific facts it must show."""
    acceptance = accepted()
    reply_clock = acceptance.running(Step.reply)
    assert reply_clock is not None
    refused = new_case(NOW)
    petition.sign_for(refused, department="housing", now=NOW)
    notice = NotAcceptance(
        NotAcceptGround.statutory_route, "双方为房屋租赁合同纠纷。", route=LegalRoute.civil_litigation
    )
    petition.not_accept(refused, department="housing", notice=notice, now=NOW)
    extended = accepted()
    petition.extend(
        extended, department="housing", days=20, reason="需会同水务部门现场勘测", now=NOW, calendar=CALENDAR
    )
    replied = accepted(co=("water", "urban-management"))
    petition.submit_co_opinion(replied, department="water", opinion="排水管网已列入改造计划", now=NOW)
    record = petition.reply(
        replied,
        department="housing",
        decision=ReplyDecision.support,
        request_summary="请求疏通排水沟",
        facts_and_reasons="经现场核查，排水沟堵塞属实，已于3月1日疏通。",
        basis="《城镇排水与污水处理条例》第三十二条",
        outstanding_co_reason="城管局未在期限内反馈",
        now=NOW,
    )
    legal = new_case(NOW, track=Track.litigation, lead="labour-arbitration", route=LegalRoute.labour_arbitration)
    return {
        DocumentKind.acceptance_notice: (
            content.acceptance_notice(
                acceptance, issuer=ISSUER, co_names=["光明区水务局"], reply_due=reply_clock.due_at, now=NOW
            ),
            ("决定于2026年03月02日予以受理", "60日内", "2026年05月06日", "光明区水务局协办", "第二十三条", "30日"),
        ),
        DocumentKind.not_accepted_notice: (
            content.not_accepted_notice(refused, issuer=ISSUER, notice=notice, now=NOW),
            ("诉讼、仲裁、行政复议等法定途径", "双方为房屋租赁合同纠纷", "人民法院提起民事诉讼", "第三十一条"),
        ),
        DocumentKind.extension_notice: (
            content.extension_notice(extended, issuer=ISSUER, now=NOW),
            ("2026年05月06日", "延长20日", "2026年05月26日", "需会同水务部门现场勘测", "负责人批准", "第三十四条"),
        ),
        DocumentKind.reply_opinion: (
            content.reply_opinion(
                replied,
                issuer=ISSUER,
                reply=record,
                department_names={"water": "光明区水务局", "urban-management": "光明区城市管理和综合执法局"},
                review_body="光明区人民政府",
                now=NOW,
            ),
            (
                "请求疏通排水沟",
                "排水沟堵塞属实",
                "处理意见：支持",
                "第三十二条",
                "光明区水务局：排水管网已列入改造计划",
                "城管局未在期限内反馈",
                "30日内",
                "光明区人民政府请求复查",
                "第三十五条",
            ),
        ),
        DocumentKind.legal_transfer_notice: (
            content.legal_transfer_notice(legal, issuer="光明区信访局", body_name="光明区劳动人事争议仲裁院", now=NOW),
            ("涉法涉诉事项", "光明区劳动人事争议仲裁院", "劳动人事争议仲裁委员会申请劳动人事争议仲裁", "第二十二条"),
        ),
        DocumentKind.hearing_notice: (
            hearing_notice(
                (heard := accepted()),
                hearing_on(heard, date(2026, 3, 2)),
                issuer=ISSUER,
                addressee=None,
                department_names={"housing": ISSUER},
                now=NOW,
            ),
            (
                "2026年03月02日15时00分",
                "光明区信访局听证室",
                "王主持",
                "李听证、赵听证",
                "梁志远",
                "欧阳丽华",
                "第三十一条第（六）项",
                "不计入办理期限",
            ),
        ),
    }


@pytest.fixture(scope="module")
def renderer() -> DocumentRenderer:
    return DocumentRenderer()


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_notice_has_every_required_element_in_html_and_pdf(renderer: DocumentRenderer, kind: DocumentKind) -> None:
    draft, facts = drafts()[kind]
    document = renderer.render(draft)
    html_text = "".join(document.html.split())
    text = pdf_text(document.pdf)
    expected = (content.TITLES[kind], document.doc_no, *REQUIRED_ELEMENTS[kind], *facts)
    issuer = "光明区信访局" if kind is DocumentKind.legal_transfer_notice else ISSUER
    expected = tuple(issuer if item == ISSUER else item for item in (*expected, *COMMON))
    for element in expected:
        compact = "".join(element.split())
        assert compact in html_text, f"HTML of {kind} lacks {element!r}"
        assert compact in text, f"PDF of {kind} lacks {element!r}"


def test_suggestion_and_report_replies_carry_no_review_right_but_say_what_applies(renderer: DocumentRenderer) -> None:
    for kind, phrase in (
        (PetitionKind.suggestion, "感谢您对本机关工作提出的意见建议"),
        (PetitionKind.report, "严格保密"),
    ):
        case = accepted(co=(), kind=kind)
        decision = ReplyDecision.adopted if kind is PetitionKind.suggestion else ReplyDecision.not_substantiated
        record = petition.reply(
            case,
            department="housing",
            decision=decision,
            request_summary="请求",
            facts_and_reasons="事实",
            basis="依据",
            outstanding_co_reason=None,
            now=NOW,
        )
        html = renderer.html(
            content.reply_opinion(
                case, issuer=ISSUER, reply=record, department_names={}, review_body="光明区人民政府", now=NOW
            )
        )
        assert phrase in html
        assert "请求复查" not in html


def test_html_escapes_what_citizens_wrote(renderer: DocumentRenderer) -> None:
    case = accepted()
    case.snapshot.title = "<script>alert(1)</script>"
    html = renderer.html(content.acceptance_notice(case, issuer=ISSUER, co_names=[], reply_due=NOW, now=NOW))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_cjk_font_is_embedded() -> None:
    # deploy/local/bootstrap.sh and the Dockerfile install fonts-wqy-zenhei.
    assert any(Path(p).is_file() for p in pdf.FONT_CANDIDATES), "no TrueType CJK font installed"
    writer = pdf.PdfWriter()
    data = writer.write("<article><h1>受理告知书</h1><p>您好</p></article>", title="t", author="a")
    assert writer.embedded
    assert b"/FontFile2" in data
    assert pdf_text(data) == "受理告知书您好"


def test_without_a_font_file_the_builtin_cid_font_still_gives_extractable_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    writer = pdf.PdfWriter()
    assert not writer.embedded and writer.font_name == pdf.CID_FALLBACK
    data = writer.write(
        "<article><h1>不予受理告知书</h1><p class='date'>2026年03月02日</p></article>", title="t", author="a"
    )
    assert pdf_text(data) == "不予受理告知书2026年03月02日"


def test_a_configured_font_that_does_not_exist_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        pdf.PdfWriter(font_path="/nonexistent/font.ttf")
