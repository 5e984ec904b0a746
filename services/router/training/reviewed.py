"""Reviewer-labelled examples from the router's database, as training records."""

from __future__ import annotations

from services.router import db
from services.router.repositories import RouterUnitOfWork
from services.router.settings import Settings
from services.router.training.corpus import LabelledRecord
from shared.db.base import create_engine, make_session_factory


async def load_reviewed(settings: Settings | None = None) -> list[LabelledRecord]:
    settings = settings or Settings()
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    sessions = make_session_factory(engine)
    try:
        async with RouterUnitOfWork(sessions, db.TABLES, source="/grievance-platform/router") as uow:
            examples = await uow.examples.all()
    finally:
        await engine.dispose()
    return [
        LabelledRecord(
            id=f"review-{example.id}",
            title=example.title[:60] or "（无标题）",
            text=example.text,
            track=example.track,
            petition_kind=example.petition_kind,
            area=example.area,
            category=example.category,
            item=example.item,
            urgent=example.urgent,
            source="reviewer",
        )
        for example in examples
    ]
