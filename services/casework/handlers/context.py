"""Everything a casework use case needs besides the unit of work; built once in the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from services.casework.documents.render import DocumentRenderer
from services.casework.domain.calendar import WorkingCalendar
from services.casework.settings import Settings
from shared.catalog import Catalog
from shared.clock import Clock


@dataclass(frozen=True, slots=True)
class CaseworkContext:
    settings: Settings
    clock: Clock
    calendar: WorkingCalendar
    catalog: Catalog
    renderer: DocumentRenderer

    def name(self, code: str) -> str:
        """The office name citizens read; the code itself if the catalog does not know it."""
        department = self.catalog.departments.get(code)
        return department.name if department else code

    def _url(self, path: str) -> str:
        base = (self.settings.public_base_url or "").rstrip("/")
        return f"{base}{path}"

    def case_url(self, grievance_id: str) -> str:
        return self._url(f"/v1/cases/{grievance_id}")

    def public_document_url(self, document_id: str) -> str:
        return self._url(f"/v1/public/documents/{document_id}")
