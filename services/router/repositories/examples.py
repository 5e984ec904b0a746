"""Reviewer-labelled examples: what a reviewer decided, kept to train the next model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from services.router import db
from services.router.domain.records import LabelledExample
from services.router.repositories.base import Repository
from shared.events.vocabulary import Area, PetitionKind, Track


class LabelledExampleRepository(Repository):
    async def add(self, example: LabelledExample) -> None:
        await self._session.execute(
            insert(db.labelled_example).values(
                grievance_id=example.grievance_id,
                review_id=example.review_id,
                title=example.title,
                text=example.text,
                track=example.track.value,
                petition_kind=example.petition_kind.value if example.petition_kind else None,
                area=example.area.value,
                category=example.category,
                item=example.item,
                urgent=example.urgent,
                labelled_by=example.labelled_by,
            )
        )

    async def all(self) -> list[LabelledExample]:
        """Every example, oldest first (the training order is the table's)."""
        example = db.labelled_example
        rows = (await self._session.execute(select(example).order_by(example.c.id))).all()
        return [_example(row) for row in rows]


def _example(row: Any) -> LabelledExample:
    return LabelledExample(
        id=row.id,
        grievance_id=row.grievance_id,
        review_id=row.review_id,
        title=row.title,
        text=row.text,
        track=Track(row.track),
        petition_kind=PetitionKind(row.petition_kind) if row.petition_kind else None,
        area=Area(row.area),
        category=row.category,
        item=row.item,
        urgent=row.urgent,
        labelled_by=row.labelled_by,
    )
