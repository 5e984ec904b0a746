"""Pseudonym rotations (grievance.pseudonym.v1) read before their grievance was routed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text, any_, bindparam, delete
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.router import db
from services.router.domain.records import PendingRotation
from services.router.repositories.base import Repository
from shared.events.contracts import ComplainantPseudonymsRotated


class PendingRotationRepository(Repository):
    async def take(self, grievance_id: str) -> PendingRotation | None:
        """The rotation waiting for this grievance, removed as it is applied."""
        p = db.pending_pseudonym_rotation
        statement = delete(p).where(p.c.grievance_id == grievance_id).returning(p)
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        return PendingRotation(row.grievance_id, row.phone_pseudonym, row.id_card_pseudonym)

    async def take_many(self, grievance_ids: Sequence[str]) -> dict[str, PendingRotation]:
        """``take`` for a batch of grievances at once."""
        p = db.pending_pseudonym_rotation
        statement = delete(p).where(p.c.grievance_id == any_(bindparam("ids", type_=ARRAY(Text)))).returning(p)
        rows = (await self._session.execute(statement, {"ids": list(grievance_ids)})).all()
        return {
            row.grievance_id: PendingRotation(row.grievance_id, row.phone_pseudonym, row.id_card_pseudonym)
            for row in rows
        }

    async def keep(self, rotated: ComplainantPseudonymsRotated) -> None:
        """Remember a rotation for a grievance not routed yet; a later rotation replaces it."""
        p = db.pending_pseudonym_rotation
        values = {
            "key_id": rotated.key_id,
            "phone_pseudonym": rotated.phone_pseudonym,
            "id_card_pseudonym": rotated.id_card_pseudonym,
            "rotated_at": rotated.rotated_at,
        }
        statement = pg_insert(p).values(grievance_id=rotated.grievance_id, **values)
        await self._session.execute(statement.on_conflict_do_update(index_elements=[p.c.grievance_id], set_=values))
