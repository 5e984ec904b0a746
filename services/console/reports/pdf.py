"""The report as PDF: reportlab with the CJK font embedded (a subset), charts as PNG images."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from services.console.reports.charts import bar_chart
from services.console.reports.content import Block, Chart, Heading, Table, Text

_FONT_PREFIX = "ConsoleCJK"
# reportlab keeps module-level state while registering fonts and laying out: one at a time.
_lock = threading.Lock()
_WIDTH = A4[0] - 50 * mm


def _font(path: str) -> str:
    name = f"{_FONT_PREFIX}-{Path(path).stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    return name


class _Layout:
    def __init__(self, font_name: str, font_path: str) -> None:
        self.font_path = font_path
        base = {"fontName": font_name, "wordWrap": "CJK"}
        self.styles = {
            0: ParagraphStyle("title", fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=10, **base),
            1: ParagraphStyle("h1", fontSize=14, leading=24, spaceBefore=12, spaceAfter=4, **base),
            2: ParagraphStyle("h2", fontSize=12, leading=20, spaceBefore=6, **base),
        }
        self.body = ParagraphStyle("body", fontSize=11, leading=19, firstLineIndent=22, **base)
        self.cell = ParagraphStyle("cell", fontSize=9, leading=13, **base)

    def flowables(self, block: Block) -> list[Flowable]:
        if isinstance(block, Heading):
            return [Paragraph(escape(block.text), self.styles[block.level])]
        if isinstance(block, Text):
            return [Paragraph(escape(block.text), self.body)]
        if isinstance(block, Table):
            return [self._table(block), Spacer(1, 4 * mm)]
        return [self._chart(block), Spacer(1, 4 * mm)]

    def _table(self, block: Table) -> Flowable:
        data = [[Paragraph(escape(cell), self.cell) for cell in row] for row in [block.header, *block.rows]]
        table = PdfTable(data, colWidths=[_WIDTH / len(block.header)] * len(block.header), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96)),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return table

    def _chart(self, block: Chart) -> Flowable:
        png = bar_chart(block.title, block.items, font_path=self.font_path, horizontal=block.horizontal)
        image = Image(io.BytesIO(png))
        scale = _WIDTH / image.imageWidth
        image.drawWidth, image.drawHeight = _WIDTH, image.imageHeight * scale
        return image


def write_pdf(blocks: list[Block], *, title: str, font_path: str) -> bytes:
    buffer = io.BytesIO()
    with _lock:
        layout = _Layout(_font(font_path), font_path)
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=25 * mm,
            rightMargin=25 * mm,
            topMargin=25 * mm,
            bottomMargin=25 * mm,
            title=title,
            author="信访工作机构",
        )
        document.build([flowable for block in blocks for flowable in layout.flowables(block)])
    return buffer.getvalue()
