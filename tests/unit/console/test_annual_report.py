"""The annual report built from recorded statistics answers, read back from the PDF and the DOCX:
every element of 《信访工作条例》第四十一条 is there with its figures."""

from __future__ import annotations

import io
from typing import Any

import docx
import httpx
import pytest
from pypdf import PdfReader

from services.console.reports.content import SECTION_TITLES, title
from services.console.reports.figures import AnnualFigures
from services.console.reports.fonts import cjk_font_path
from services.console.reports.render import ReportFormat, render
from services.console.reports.sources import StatisticsSource
from tests.unit.console.recorded import URLS, answers, fake_services

FONT = cjk_font_path()


async def figures(table: dict[str, Any], seen: list[httpx.Request] | None = None) -> AnnualFigures:
    seen = seen if seen is not None else []
    async with httpx.AsyncClient(transport=fake_services(table, seen)) as http:
        return await StatisticsSource(http, URLS, "the-callers-token").year(2026)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def compact(text: str) -> str:
    """PDF extraction breaks lines inside wrapped paragraphs and table cells."""
    return "".join(text.split())


# Each §41 element with figures from the recorded answers that must be printed under it.
EXPECTED = [
    title(2026),
    *SECTION_TITLES,
    "共登记信访事项123件",
    "普通信访", "93", "矛盾纠纷调解", "21", "涉法涉诉",  # per track
    "12月",  # per month
    "网上信访", "58", "民意速办", "19",  # per channel
    "公明街道", "31", "未知",  # per street
    "城乡建设", "61", "环境保护",  # areas
    "城乡建设/市政设施", "27",  # categories
    "检举控告",
    "区住房和建设局", "41",  # the agency most complained about
    "交办有关部门（含改派）", "97", "转送政法机关（涉法涉诉）", "光明区人民法院", "督办案件",
    "共提出建议5件", "采纳2件", "部分采纳1件", "未采纳1件", "追究责任建议", "逾期未反馈1件",
    "满意率", "87.50%", "按期办结率", "94.00%", "重复信访率", "6.50%", "调解成功率", "77.78%",
    "转介救助共5件", "司法救助2件", "已获救助3件",
    "调解中转介救助2件", "合计转介救助7件", "司法救助3件", "已获救助4件",  # mediation's referrals too
    "重点信访事项评查", "共评查重点信访事项4件", "平均得分82.5分", "处理意见书事实清楚、依据正确", "15.5",
    "区人力资源局", "90",  # per department
]  # fmt: skip


async def test_pdf_and_docx_hold_every_element_of_article_41() -> None:
    files = render(await figures(answers()), [ReportFormat.pdf, ReportFormat.docx], font_path=FONT)
    pdf = compact(pdf_text(files[ReportFormat.pdf]))
    word = compact(docx_text(files[ReportFormat.docx]))
    for expected in EXPECTED:
        assert compact(expected) in pdf, f"PDF lacks {expected!r}"
        assert compact(expected) in word, f"DOCX lacks {expected!r}"


async def test_charts_are_embedded_in_both_formats() -> None:
    files = render(await figures(answers()), [ReportFormat.pdf, ReportFormat.docx], font_path=FONT)
    # track, month, channel, street, area, top departments, 转送/交办/督办, recommendations
    assert pdf_images(files[ReportFormat.pdf]) == 8
    document = docx.Document(io.BytesIO(files[ReportFormat.docx]))
    assert len(document.inline_shapes) == 8


async def test_months_come_from_one_routing_call_per_month() -> None:
    seen: list[httpx.Request] = []
    got = await figures(answers(), seen)
    assert got.months == [7, 9, 11, 10, 12, 8, 13, 9, 10, 11, 12, 11]
    routing = [r for r in seen if r.url.host == "router.test"]
    windows = {(r.url.params["since"], r.url.params["until"]) for r in routing}
    assert ("2026-01-01", "2026-12-31") in windows and ("2026-02-01", "2026-02-28") in windows
    assert len(routing) == 13
    assert {r.headers["Authorization"] for r in seen} == {"Bearer the-callers-token"}


async def test_missing_oversight_statistics_are_reported_as_none_with_a_note() -> None:
    files = render(await figures(answers(with_oversight=False)), [ReportFormat.pdf], font_path=FONT)
    text = compact(pdf_text(files[ReportFormat.pdf]))
    assert compact("无。说明：案件办理服务尚未提供建议统计接口") in text
    assert compact("尚未提供救助转介统计接口") in text
    assert compact("尚未提供评查统计接口") in text
    assert "共提出建议" not in text


async def test_no_text_of_any_case_reaches_the_report() -> None:
    table = answers()
    table["casework /v1/statistics/handling"] = {
        **table["casework /v1/statistics/handling"],
        "by_lead_department": [
            {"department": {"code": "housing", "name": "区住房和建设局"}, "cases": 4, "reports": 1,
             "respondent": "张某某", "complainant": "李某"},
        ],
    }  # fmt: skip
    files = render(await figures(table), [ReportFormat.docx], font_path=FONT)
    text = docx_text(files[ReportFormat.docx])
    assert "张某某" not in text and "李某" not in text
    assert "区住房和建设局" in text


@pytest.mark.parametrize("year", [2024, 2028])
async def test_year_sets_every_window(year: int) -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=fake_services(answers(), seen)) as http:
        await StatisticsSource(http, URLS, "t").year(year)
    params = {r.url.host: dict(r.url.params) for r in seen if r.url.host != "router.test"}
    assert params["feedback.test"] == {"since": f"{year}-01-01T00:00:00", "until": f"{year + 1}-01-01T00:00:00"}
    assert params["mediation.test"] == {"since": f"{year}-01-01", "until": f"{year}-12-31"}


async def test_a_mediation_without_assistance_figures_is_noted_and_casework_alone_is_counted() -> None:
    table = answers()
    table["mediation /v1/mediations/statistics"] = {
        k: v for k, v in table["mediation /v1/mediations/statistics"].items() if k != "assistance"
    }
    table["casework /v1/statistics/evaluations"] = {"evaluated": 0, "average_total": None, "departments": []}
    files = render(await figures(table), [ReportFormat.docx], font_path=FONT)
    text = compact(docx_text(files[ReportFormat.docx]))
    assert compact("转介救助共5件") in text and "合计转介救助" not in text
    assert compact("调解中的救助转介：无。说明：调解服务尚未提供救助转介统计") in text
    assert compact("无。本年度未评查重点信访事项。") in text
