"""One year's figures → the report's files, by format."""

from __future__ import annotations

from enum import StrEnum

from services.console.reports.content import report_blocks, title
from services.console.reports.figures import AnnualFigures
from services.console.reports.pdf import write_pdf
from services.console.reports.word import write_docx


class ReportFormat(StrEnum):
    pdf = "pdf"
    docx = "docx"


MEDIA_TYPES = {
    ReportFormat.pdf: "application/pdf",
    ReportFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(figures: AnnualFigures, formats: list[ReportFormat], *, font_path: str) -> dict[ReportFormat, bytes]:
    blocks = report_blocks(figures)
    heading = title(figures.year)
    writers = {ReportFormat.pdf: write_pdf, ReportFormat.docx: write_docx}
    return {fmt: writers[fmt](blocks, title=heading, font_path=font_path) for fmt in formats}


def file_name(year: int, fmt: ReportFormat) -> str:
    return f"annual-report-{year}.{fmt.value}"
