"""Reviewer-labelled examples from the router's database, as training records."""

from __future__ import annotations

from sqlalchemy import select

from services.router import db
from services.router.settings import Settings
from services.router.training.corpus import LabelledRecord
from shared.db.base import create_engine


async def load_reviewed(settings: Settings | None = None) -> list[LabelledRecord]:
    settings = settings or Settings()
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    example = db.labelled_example
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(example).order_by(example.c.id))).all()
    finally:
        await engine.dispose()
    return [
        LabelledRecord(
            id=f"review-{row.id}",
            title=row.title[:60] or "（无标题）",
            text=row.text,
            track=row.track,
            petition_kind=row.petition_kind,
            area=row.area,
            category=row.category,
            item=row.item,
            urgent=row.urgent,
            source="reviewer",
        )
        for row in rows
    ]
