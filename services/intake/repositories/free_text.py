"""Encrypted originals of free text that masking changed, one per grievance and field."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_T = db.free_text_original
_INSERT = insert(_T)


class FreeTextOriginalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, grievance_id: str, ciphertexts: Mapping[str, bytes]) -> None:
        """Store each field's encrypted original (nothing when masking changed nothing)."""
        if not ciphertexts:
            return
        rows = [
            {"grievance_id": grievance_id, "field": name, "original_encrypted": blob}
            for name, blob in ciphertexts.items()
        ]
        await self._session.execute(_INSERT, rows)

    async def for_grievance(self, grievance_id: str) -> dict[str, bytes]:
        """Field name -> encrypted original."""
        rows = await self._session.execute(
            select(_T.c.field, _T.c.original_encrypted).where(_T.c.grievance_id == grievance_id)
        )
        return {row.field: row.original_encrypted for row in rows}
