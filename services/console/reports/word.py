"""The report as DOCX (python-docx): the same blocks as the PDF, charts embedded as PNG."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from services.console.reports.charts import bar_chart
from services.console.reports.content import Block, Chart, Heading, Table, Text
from services.console.reports.fonts import DOCX_FONT


def _east_asian_font(document: DocxDocument) -> None:
    """Word picks the font of Chinese text from w:eastAsia, not from the style's name."""
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = DOCX_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), DOCX_FONT)


def write_docx(blocks: list[Block], *, title: str, font_path: str) -> bytes:
    document = Document()
    _east_asian_font(document)
    document.core_properties.title = title
    document.core_properties.author = "信访工作机构"
    for block in blocks:
        if isinstance(block, Heading):
            heading = document.add_heading(block.text, level=block.level)
            if block.level == 0:
                heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Text):
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(22)
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header), style="Table Grid")
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
            document.add_paragraph()
        elif isinstance(block, Chart):
            png = bar_chart(block.title, block.items, font_path=font_path, horizontal=block.horizontal)
            document.add_picture(io.BytesIO(png), width=Cm(15.5))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
