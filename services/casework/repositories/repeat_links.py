"""Repeat links (重复件, §19 / §36): a later filing of the same matter, linked to the open case or
refused after 复核, instead of being handled twice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Text, any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db


class RepeatLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's links, read at once (``read_many``) and kept current by link/unlink.
        self._known: dict[str, int | None] | None = None

    async def read_many(self, grievance_ids: Iterable[str]) -> None:
        """Read a batch's links in one statement; ``revision_of`` then answers from memory."""
        wanted = sorted(set(grievance_ids))
        links = db.repeat_link
        rows = await self._session.execute(
            select(links.c.grievance_id, links.c.revision).where(
                links.c.grievance_id == any_(bindparam("ids", type_=ARRAY(Text)))
            ),
            {"ids": wanted},
        )
        self._known = dict.fromkeys(wanted) | {gid: revision for gid, revision in rows}

    async def revision_of(self, grievance_id: str) -> int | None:
        """The routing revision at which ``grievance_id`` was linked as a repeat (None: not linked)."""
        if self._known is not None and grievance_id in self._known:
            return self._known[grievance_id]
        return await self._session.scalar(
            select(db.repeat_link.c.revision).where(db.repeat_link.c.grievance_id == grievance_id)
        )

    async def link(
        self, *, grievance_id: str, tracking_no: str, open_grievance_id: str, revision: int, outcome: str, now: datetime
    ) -> None:
        values = {
            "tracking_no": tracking_no,
            "open_grievance_id": open_grievance_id,
            "revision": revision,
            "outcome": outcome,
            "linked_at": now,
        }
        await self._session.execute(
            pg_insert(db.repeat_link)
            .values(grievance_id=grievance_id, **values)
            .on_conflict_do_update(index_elements=[db.repeat_link.c.grievance_id], set_=values)
        )
        if self._known is not None:
            self._known[grievance_id] = revision

    async def unlink(self, grievance_id: str) -> None:
        await self._session.execute(delete(db.repeat_link).where(db.repeat_link.c.grievance_id == grievance_id))
        if self._known is not None:
            self._known[grievance_id] = None

    async def count_linked_to(self, open_grievance_ids: Iterable[str]) -> dict[str, int]:
        """How many later filings were linked to each of these cases."""
        links = db.repeat_link
        result = await self._session.execute(
            select(links.c.open_grievance_id, func.count())
            .where(links.c.open_grievance_id.in_(list(open_grievance_ids)))
            .group_by(links.c.open_grievance_id)
        )
        return {open_id: int(n) for open_id, n in result}
