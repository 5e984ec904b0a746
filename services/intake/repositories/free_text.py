"""Encrypted originals of free text that masking changed, one per grievance and field (stored at
filing: repositories.filings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_T = db.free_text_original


class FreeTextOriginalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_grievance(self, grievance_id: str) -> dict[str, bytes]:
        """Field name -> encrypted original."""
        rows = await self._session.execute(
            select(_T.c.field, _T.c.original_encrypted).where(_T.c.grievance_id == grievance_id)
        )
        return {row.field: row.original_encrypted for row in rows}
