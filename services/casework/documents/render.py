"""Draft → HTML (jinja2 templates in ./templates) → PDF (pdf.py).

The HTML is the record, kept when the notice is issued; the PDF is made from it when first asked
for (``DocumentRenderer.pdf``), so issuing a notice in a consumer batch costs a template, not a
PDF layout with a font subset."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.casework.documents.content import DocumentKind, Draft
from services.casework.documents.pdf import PdfWriter


@dataclass(frozen=True, slots=True)
class NoticeText:
    """A notice as issued: its HTML and what its PDF's metadata says."""

    kind: DocumentKind
    title: str
    doc_no: str
    issuer: str
    html: str


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    kind: DocumentKind
    title: str
    doc_no: str
    html: str
    pdf: bytes


class DocumentRenderer:
    """Built once per process; the environment and the font load lazily on first use."""

    def __init__(self, *, font_path: str | None = None) -> None:
        self._font_path = font_path
        self._environment: Environment | None = None
        self._pdf: PdfWriter | None = None

    @property
    def environment(self) -> Environment:
        if self._environment is None:
            self._environment = Environment(
                loader=PackageLoader("services.casework.documents", "templates"),
                autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
                undefined=StrictUndefined,  # a missing element is an error, never a blank line
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._environment

    @property
    def pdf_writer(self) -> PdfWriter:
        if self._pdf is None:
            self._pdf = PdfWriter(font_path=self._font_path)
        return self._pdf

    def html(self, draft: Draft) -> str:
        return self.environment.get_template(draft.template).render(**draft.context)

    def text(self, draft: Draft) -> NoticeText:
        return NoticeText(
            kind=draft.kind,
            title=draft.title,
            doc_no=str(draft.context["doc_no"]),
            issuer=str(draft.context["issuer"]),
            html=self.html(draft),
        )

    def pdf(self, *, html: str, title: str, doc_no: str, issuer: str) -> bytes:
        """The PDF of an issued notice's HTML."""
        return self.pdf_writer.write(html, title=f"{title} {doc_no}", author=issuer)

    def render(self, draft: Draft) -> RenderedDocument:
        """HTML and PDF at once, as the notice reads once downloaded (issuing keeps the HTML only)."""
        notice = self.text(draft)
        pdf = self.pdf(html=notice.html, title=notice.title, doc_no=notice.doc_no, issuer=notice.issuer)
        return RenderedDocument(kind=notice.kind, title=notice.title, doc_no=notice.doc_no, html=notice.html, pdf=pdf)
