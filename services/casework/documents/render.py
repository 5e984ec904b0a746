"""Draft → HTML (jinja2 templates in ./templates) → PDF (pdf.py); both kept as issued."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.casework.documents.content import DocumentKind, Draft
from services.casework.documents.pdf import PdfWriter


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

    def render(self, draft: Draft) -> RenderedDocument:
        html = self.html(draft)
        doc_no = str(draft.context["doc_no"])
        pdf = self.pdf_writer.write(html, title=f"{draft.title} {doc_no}", author=str(draft.context["issuer"]))
        return RenderedDocument(kind=draft.kind, title=draft.title, doc_no=doc_no, html=html, pdf=pdf)
