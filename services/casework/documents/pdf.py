"""PDF from the notices' HTML: the small block structure the templates use (h1, h2, p, li)
laid out with reportlab, Chinese text wrapped per character, the CJK font embedded.

The font is a TrueType CJK font found on the system (Debian: fonts-wqy-zenhei) or given in
settings, embedded as a subset so any reader shows it; without one, reportlab's built-in
STSong-Light CID font is used (not embedded: readers substitute a local Song typeface).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from shared.fonts import CJK_FONT_CANDIDATES, find_cjk_font

FONT_CANDIDATES = CJK_FONT_CANDIDATES
CID_FALLBACK = "STSong-Light"
_EMBEDDED_NAME = "CaseworkCJK"
_register_lock = threading.Lock()
# reportlab keeps some module-level state while laying out; documents are built one at a time.
_build_lock = threading.Lock()


def register_font(font_path: str | None) -> tuple[str, bool]:
    """The reportlab font name to use and whether it is embedded; registers it once per process."""
    found = find_cjk_font(font_path, FONT_CANDIDATES)
    with _register_lock:
        if found is not None:
            name = f"{_EMBEDDED_NAME}-{Path(found).stem}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, found, subfontIndex=0))
            return name, True
        if font_path:
            raise FileNotFoundError(f"document font not found: {font_path}")
        if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        return CID_FALLBACK, False


@dataclass
class Block:
    tag: str
    css_class: str
    text: str = ""


class _BlockParser(HTMLParser):
    """Collects the text of each block element of the article, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._current: Block | None = None
        self._in_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._in_article = True
        elif self._in_article and tag in ("h1", "h2", "p", "li"):
            self._current = Block(tag, dict(attrs).get("class") or "")
        elif tag == "br" and self._current is not None:
            self._current.text += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article = False
        elif self._current is not None and tag == self._current.tag:
            self._current.text = " ".join(self._current.text.split())
            if self._current.text:
                self.blocks.append(self._current)
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.text += data


def html_blocks(html: str) -> list[Block]:
    parser = _BlockParser()
    parser.feed(html)
    parser.close()
    return parser.blocks


class PdfWriter:
    def __init__(self, *, font_path: str | None = None) -> None:
        self.font_name, self.embedded = register_font(font_path)
        base = {"fontName": self.font_name, "wordWrap": "CJK"}
        self._styles = {
            "h1": ParagraphStyle("title", fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=4, **base),
            "h2": ParagraphStyle("heading", fontSize=13, leading=22, spaceBefore=8, **base),
            "p": ParagraphStyle("body", fontSize=12, leading=21, firstLineIndent=24, alignment=TA_LEFT, **base),
            "li": ParagraphStyle("item", fontSize=12, leading=21, leftIndent=24, bulletIndent=12, **base),
            "doc-no": ParagraphStyle("doc-no", fontSize=12, leading=21, alignment=TA_CENTER, spaceAfter=10, **base),
            "addressee": ParagraphStyle("addressee", fontSize=12, leading=21, **base),
            "right": ParagraphStyle("right", fontSize=12, leading=21, alignment=TA_RIGHT, **base),
        }

    def _flowable(self, block: Block) -> Flowable:
        text = escape(block.text)
        if block.tag == "p" and block.css_class in ("issuer", "date"):
            return Paragraph(text, self._styles["right"])
        if block.tag == "p" and block.css_class in ("doc-no", "addressee"):
            return Paragraph(text, self._styles[block.css_class])
        if block.tag == "li":
            return Paragraph(text, self._styles["li"], bulletText="•")
        return Paragraph(text, self._styles[block.tag])

    def write(self, html: str, *, title: str, author: str) -> bytes:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=28 * mm,
            rightMargin=26 * mm,
            topMargin=37 * mm,
            bottomMargin=35 * mm,
            title=title,
            author=author,
            creator="Guangming grievance platform — casework",
        )
        flowables: list[Flowable] = []
        for block in html_blocks(html):
            if block.tag == "p" and block.css_class == "issuer":
                flowables.append(Spacer(1, 18))
            flowables.append(self._flowable(block))
        with _build_lock:
            document.build(flowables)
        return buffer.getvalue()
